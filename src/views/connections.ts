import { ViewDef } from './types';

const view: ViewDef = {
  id: 'connections',
  name: 'Connections',
  description: 'Connections: network connections (IPv4/IPv6) with their throughput and the process using them.',
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
    { name: 'IOPS', field: 'evt.count', agg: 'rate', width: 6, format: 'rate' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 20, format: 'text' },
  ],
  sortCol: 5,
  drilldown: 'procs',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid', 'fd.sport'],
};
export default view;
