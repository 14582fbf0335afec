// topcontainers_file: Top containers by R+W disk bytes.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topcontainers_file',
  category: 'I/O',
  shortDescription: 'Top containers by R+W disk bytes',
  description: 'Shows the containers that read and wrote the most bytes to files.',
  args: [],
  fields: ['container.name', 'evt.rawarg.res'],
  init: tableChisel({
    keys: ['container.name'],
    keyDescs: ['container.name'],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: 'fd.type=file and evt.is_io=true and container.name!=host',
    top: 10,
    units: 'bytes',
  }),
});
