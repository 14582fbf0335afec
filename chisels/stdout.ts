// stdout: Print stdout of processes.
import { defineChisel } from '../src/chisel/api';
import { echoBuffersInit } from '../src/chisel/bodies';

export default defineChisel({
  name: 'stdout',
  category: 'I/O',
  shortDescription: 'Print stdout of processes',
  description: 'Prints what processes write to their standard output (fd 1).',
  args: [],
  fields: ['evt.buffer'],
  filter: 'fd.num=1 and evt.is_io=true',
  init: echoBuffersInit,
});
