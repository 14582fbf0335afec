// stderr: Print stderr of processes.
import { defineChisel } from '../src/chisel/api';
import { echoBuffersInit } from '../src/chisel/bodies';

export default defineChisel({
  name: 'stderr',
  category: 'I/O',
  shortDescription: 'Print stderr of processes',
  description: 'Prints what processes write to their standard error (fd 2).',
  args: [],
  fields: ['evt.buffer'],
  filter: 'fd.num=2 and evt.is_io=true',
  init: echoBuffersInit,
});
