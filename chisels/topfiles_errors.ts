// topfiles_errors: Top files by number of errors.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topfiles_errors',
  category: 'Errors',
  shortDescription: 'Top files by number of errors',
  description: 'Shows the files that generated the most I/O errors.',
  args: [],
  fields: ['fd.name', 'evt.count'],
  init: tableChisel({
    keys: ['fd.name'],
    keyDescs: ['Filename'],
    containerKeys: ['fd.name', 'container.name'],
    containerKeyDescs: ['Filename', 'container.name'],
    value: 'evt.count',
    valueDesc: '#Errors',
    filter: 'fd.type=file and evt.failed=true',
    top: 100,
    units: 'none',
  }),
});
