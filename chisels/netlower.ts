// netlower: Trace slow network I/0.
import { defineChisel } from '../src/chisel/api';
import { ioSlower } from '../src/chisel/slower';

export default defineChisel({
  name: 'netlower',
  category: 'Performance',
  shortDescription: 'Trace slow network I/0',
  description: 'Lists every network I/O slower than a threshold in milliseconds.',
  args: [
    { name: 'min_ms', type: 'int', description: 'Minimum millisecond threshold for showing I/O' },
    { name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_colors' if you want to disable color output" },
  ],
  fields: ['evt.datetime', 'evt.dir', 'evt.type', 'fd.name', 'proc.name', 'evt.latency', 'container.name', 'container.id'],
  init: ioSlower('evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)', false),
});
