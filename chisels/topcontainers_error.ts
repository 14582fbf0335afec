// topcontainers_error: Top containers by number of errors.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topcontainers_error',
  category: 'Errors',
  shortDescription: 'Top containers by number of errors',
  description: 'Shows the containers whose system calls failed most often.',
  args: [],
  fields: ['container.name', 'evt.count'],
  init: tableChisel({
    keys: ['container.name'],
    keyDescs: ['container.name'],
    value: 'evt.count',
    valueDesc: '#Errors',
    filter: 'evt.failed=true and container.name!=host',
    top: 100,
    units: 'none',
  }),
});
