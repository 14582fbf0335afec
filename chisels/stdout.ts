// stdout: Print stdout of processes.
import { defineChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'stdout',
  category: 'I/O',
  shortDescription: 'Print stdout of processes',
  description: 'Prints what processes write to their standard output (fd 1).',
  args: [],
  fields: ['evt.buffer'],
  filter: 'fd.num=1 and evt.is_io=true',
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
