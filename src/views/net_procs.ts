import { ViewDef } from './types';

const view: ViewDef = {
  id: 'net_procs',
  name: 'Sockets by Process',
  description: 'Sockets by Process: network and unix-socket traffic per process, with its number of sockets.',
  type: 'table',
  filter: '(fd.type=ipv4 or fd.type=ipv6 or fd.type=unix)',
  key: 'proc.pid',
  columns: [
    { name: 'BYTES IN', field: 'evt.buflen.in', agg: 'sum', width: 8, format: 'bytes' },
    { name: 'BYTES OUT', field: 'evt.buflen.out', agg: 'sum', width: 9, format: 'bytes' },
    { name: 'CALLS', field: 'evt.count', agg: 'sum', width: 6, format: 'num' },
    { name: 'SOCKETS', field: 'fd.num', agg: 'distinct', width: 7, format: 'num' },
    { name: 'PID', field: 'proc.pid', agg: 'last', width: 8, format: 'num' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 30, format: 'text' },
  ],
  sortCol: 2,
  drilldown: 'connections',
  appliesTo: ['', 'container.id'],
};
export default view;
