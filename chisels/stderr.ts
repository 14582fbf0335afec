// stderr: Print stderr of processes.
import { defineChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'stderr',
  category: 'I/O',
  shortDescription: 'Print stderr of processes',
  description: 'Prints what processes write to their standard error (fd 2).',
  args: [],
  fields: ['evt.buffer'],
  filter: 'fd.num=2 and evt.is_io=true',
  init(api) {
    const data = api.field('evt.buffer');
    return {
      onEvent(c) {
        const b = data.value(c);
        if (b === undefined) return;
        api.print(Buffer.isBuffer(b) ? b.toString('latin1') : String(b));
      },
    };
  },
});
