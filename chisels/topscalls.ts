// topscalls: Top system calls by number of calls.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topscalls',
  category: 'Performance',
  shortDescription: 'Top system calls by number of calls',
  description: 'Shows the system calls made most often (context switches excluded).',
  args: [],
  fields: ['evt.type', 'evt.count'],
  init: tableChisel({
    keys: ['evt.type'],
    keyDescs: ['Syscall'],
    containerKeys: ['evt.type', 'container.name'],
    containerKeyDescs: ['Syscall', 'container.name'],
    value: 'evt.count',
    valueDesc: '# Calls',
    filter: 'evt.type!=switch',
    top: 30,
    units: 'none',
  }),
});
