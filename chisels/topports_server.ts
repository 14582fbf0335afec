// topports_server: Top TCP/UDP server ports by R+W bytes.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topports_server',
  category: 'Net',
  shortDescription: 'Top TCP/UDP server ports by R+W bytes',
  description: 'Shows the server ports that moved the most bytes.',
  args: [],
  fields: ['fd.sport', 'evt.rawarg.res'],
  init: tableChisel({
    keys: ['fd.sport'],
    keyDescs: ['Srv Port'],
    containerKeys: ['fd.sport', 'container.name'],
    containerKeyDescs: ['Srv Port', 'container.name'],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: '(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true',
    top: 100,
    units: 'bytes',
  }),
});
