// fdbytes_by: I/O bytes, aggregated by an arbitrary filter field.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'fdbytes_by',
  category: 'I/O',
  shortDescription: 'I/O bytes, aggregated by an arbitrary filter field',
  description: 'Groups fd I/O by the given field and shows the keys that moved the most bytes, e.g. -c fdbytes_by proc.name or fd.sport.',
  args: [{ name: 'key', type: 'string', description: 'The filter field used for grouping' }],
  fields: ['evt.rawarg.res'],
  init: tableChisel((args) => ({
    keys: [String(args.key)],
    keyDescs: [String(args.key)],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: 'evt.is_io=true and evt.failed=false',
    top: 30,
    units: 'bytes',
  })),
});
