// topfiles_time: Top files by time.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topfiles_time',
  category: 'I/O',
  shortDescription: 'Top files by time',
  description: 'Shows the files on which processes spent the most time doing I/O.',
  args: [],
  fields: ['fd.name', 'evt.latency'],
  init: tableChisel({
    keys: ['fd.name'],
    keyDescs: ['Filename'],
    containerKeys: ['fd.name', 'container.name'],
    containerKeyDescs: ['Filename', 'container.name'],
    value: 'evt.latency',
    valueDesc: 'Time',
    filter: 'fd.type=file and evt.is_io=true',
    top: 10,
    units: 'time',
  }),
});
