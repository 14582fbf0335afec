// topfiles_bytes: Top files by R+W bytes.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topfiles_bytes',
  category: 'I/O',
  shortDescription: 'Top files by R+W bytes',
  description: 'Shows the files that had the most read and write bytes.',
  args: [],
  fields: ['fd.name', 'evt.rawarg.res'],
  init: tableChisel({
    keys: ['fd.name'],
    keyDescs: ['Filename'],
    containerKeys: ['container.name', 'fd.name'],
    containerKeyDescs: ['container.name', 'Filename'],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: 'fd.type=file and evt.is_io=true',
    top: 10,
    units: 'bytes',
  }),
});
