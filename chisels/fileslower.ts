// fileslower: Trace slow file I/O.
import { defineChisel } from '../src/chisel/api';
import { ioSlower } from '../src/chisel/slower';

export default defineChisel({
  name: 'fileslower',
  category: 'Performance',
  shortDescription: 'Trace slow file I/O',
  description: 'Lists every file I/O slower than a threshold in milliseconds (I/O to /dev is skipped).',
  args: [
    { name: 'min_ms', type: 'int', description: 'Minimum millisecond threshold for showing I/O' },
    { name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_colors' if you want to disable color output" },
  ],
  fields: ['evt.datetime', 'evt.dir', 'evt.type', 'fd.name', 'proc.name', 'evt.latency', 'container.name', 'container.id'],
  init: ioSlower('evt.is_io=true and fd.type=file', true),
});
