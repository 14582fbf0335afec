import { ViewDef } from './types';

const view: ViewDef = {
  id: 'container_net',
  name: 'Containers Net',
  description: 'Containers Net: network throughput and connections per container.',
  type: 'table',
  filter: "container.name != host and (fd.type=ipv4 or fd.type=ipv6)",
  key: 'container.id',
  columns: [
    { name: 'BPS IN', field: 'evt.buflen.net.in', agg: 'rate', width: 8, format: 'rate' },
    { name: 'BPS OUT', field: 'evt.buflen.net.out', agg: 'rate', width: 8, format: 'rate' },
    { name: 'IOPS', field: 'evt.count', agg: 'rate', width: 7, format: 'rate' },
    { name: 'CONNS', field: 'fd.name', agg: 'distinct', width: 6, format: 'num' },
    { name: 'ID', field: 'container.id', agg: 'last', width: 13, format: 'text' },
    { name: 'CONTAINER', field: 'container.name', agg: 'last', width: 20, format: 'text' },
  ],
  sortCol: 2,
  drilldown: 'connections',
  appliesTo: [''],
  containers: true,
};
export default view;
