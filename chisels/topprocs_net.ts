// topprocs_net: Top processes by network I/O.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topprocs_net',
  category: 'Net',
  shortDescription: 'Top processes by network I/O',
  description: 'Shows the processes that sent and received the most bytes on the network.',
  args: [],
  fields: ['proc.name', 'proc.pid', 'evt.rawarg.res'],
  init: tableChisel({
    keys: ['proc.name', 'proc.pid'],
    keyDescs: ['Process', 'PID'],
    containerKeys: ['proc.name', 'proc.pid', 'thread.vtid', 'container.name'],
    containerKeyDescs: ['Process', 'Host_pid', 'Container_pid', 'container.name'],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: '(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true',
    top: 100,
    units: 'bytes',
  }),
});
