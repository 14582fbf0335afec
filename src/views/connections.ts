import { ViewDef } from './types';

const view: ViewDef = {
  id: 'connections',
  name: 'Connections',
  description: 'Connections: network connections (IPv4/IPv6) with their throughput (syscalls, and on the wire when packets are captured) and the process using them.',
  type: 'table',
  filter: "(fd.type=ipv4 or fd.type=ipv6) and fd.name!=''",
  key: 'fd.name',
  columns: [
    { name: 'PROTO', field: 'fd.l4proto', agg: 'last', width: 5, format: 'text' },
    { name: 'LIP', field: 'fd.lip', agg: 'last', width: 22, format: 'text' },
    { name: 'LPORT', field: 'fd.lport', agg: 'last', width: 6, format: 'num' },
    { name: 'RIP', field: 'fd.rip', agg: 'last', width: 22, format: 'text' },
    { name: 'RPORT', field: 'fd.rport', agg: 'last', width: 6, format: 'num' },
    { name: 'BPS IN', field: 'evt.buflen.net.in', agg: 'rate', width: 7, format: 'rate' },
    { name: 'BPS OUT', field: 'evt.buflen.net.out', agg: 'rate', width: 7, format: 'rate' },
    // what the row's sockets carried on the wire (packet capture), each from its own side
    { name: 'WIRE IN', field: 'fd.name', wire: 'conn.bytesIn', width: 7, format: 'rate', description: 'bytes/s received on the wire by the row\'s sockets (packet capture)' },
    { name: 'WIRE OUT', field: 'fd.name', wire: 'conn.bytesOut', width: 8, format: 'rate', description: 'bytes/s sent on the wire by the row\'s sockets (packet capture)' },
    { name: 'PKT IN', field: 'fd.name', wire: 'conn.pktsIn', width: 6, format: 'rate', description: 'packets/s received' },
    { name: 'PKT OUT', field: 'fd.name', wire: 'conn.pktsOut', width: 7, format: 'rate', description: 'packets/s sent' },
    { name: 'RETR', field: 'fd.name', wire: 'conn.retrans', width: 4, format: 'num', description: 'TCP segments the row\'s sockets sent again in the interval' },
    { name: 'IOPS', field: 'evt.count', agg: 'rate', width: 6, format: 'rate' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 20, format: 'text' },
  ],
  sortCol: 5,
  drilldown: 'procs',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid', 'fd.sport'],
};
export default view;
