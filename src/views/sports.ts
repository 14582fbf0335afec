import { ViewDef } from './types';

const view: ViewDef = {
  id: 'sports',
  name: 'Server Ports',
  description: 'Server Ports: network traffic per server port.',
  type: 'table',
  filter: "(fd.type=ipv4 or fd.type=ipv6) and fd.name!=''",
  key: 'fd.sport',
  columns: [
    { name: 'SPORT', field: 'fd.sport', agg: 'last', width: 7, format: 'num' },
    { name: 'BPS IN', field: 'evt.buflen.net.in', agg: 'rate', width: 8, format: 'rate' },
    { name: 'BPS OUT', field: 'evt.buflen.net.out', agg: 'rate', width: 8, format: 'rate' },
    { name: 'IO CALLS', field: 'evt.count', agg: 'sum', width: 8, format: 'num' },
    { name: 'CONNS', field: 'fd.name', agg: 'distinct', width: 6, format: 'num' },
    { name: 'PROTO', field: 'fd.l4proto', agg: 'last', width: 6, format: 'text' },
  ],
  sortCol: 1,
  drilldown: 'connections',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid'],
};
export default view;
