// topscalls_time: Top system calls by time.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topscalls_time',
  category: 'Performance',
  shortDescription: 'Top system calls by time',
  description: 'Shows the system calls that took the most time.',
  args: [],
  fields: ['evt.type', 'evt.latency'],
  init: tableChisel({
    keys: ['evt.type'],
    keyDescs: ['Syscall'],
    containerKeys: ['evt.type', 'container.name'],
    containerKeyDescs: ['Syscall', 'container.name'],
    value: 'evt.latency',
    valueDesc: 'Time',
    filter: '',
    top: 30,
    units: 'time',
  }),
});
