// topcontainers_net: Top containers by network I/O.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topcontainers_net',
  category: 'Net',
  shortDescription: 'Top containers by network I/O',
  description: 'Shows the containers that sent and received the most bytes on the network.',
  args: [],
  fields: ['container.name', 'evt.rawarg.res'],
  init: tableChisel({
    keys: ['container.name'],
    keyDescs: ['container.name'],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: '(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true and container.name!=host',
    top: 100,
    units: 'bytes',
  }),
});
