// topconns: Top network connections by total bytes.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topconns',
  category: 'Net',
  shortDescription: 'Top network connections by total bytes',
  description: 'Shows the network connections (TCP and UDP) that moved the most bytes.',
  args: [],
  fields: ['fd.l4proto', 'fd.name', 'evt.rawarg.res'],
  init: tableChisel({
    keys: ['fd.l4proto', 'fd.name'],
    keyDescs: ['Proto', 'Conn'],
    containerKeys: ['container.name', 'fd.l4proto', 'fd.name'],
    containerKeyDescs: ['container.name', 'Proto', 'Conn'],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: '(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true',
    top: 30,
    units: 'bytes',
  }),
});
