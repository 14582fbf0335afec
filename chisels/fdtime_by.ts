// fdtime_by: FD time group by.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'fdtime_by',
  category: 'I/O',
  shortDescription: 'FD time group by',
  description: 'Groups fd I/O by the given field and shows the keys that spent the most time in I/O.',
  args: [{ name: 'key', type: 'string', description: 'The filter field used for grouping' }],
  fields: ['evt.latency'],
  init: tableChisel((args) => ({
    keys: [String(args.key)],
    keyDescs: [String(args.key)],
    value: 'evt.latency',
    valueDesc: 'Time',
    filter: 'evt.is_io=true',
    top: 10,
    units: 'time',
  })),
});
