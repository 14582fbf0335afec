import { ViewDef } from './types';

const view: ViewDef = {
  id: 'container_net',
  name: 'Containers Net',
  description: 'Containers Net: network throughput (syscalls, and on the wire when packets are captured) and connections per container.',
  type: 'table',
  filter: "container.name != host and (fd.type=ipv4 or fd.type=ipv6)",
  key: 'container.id',
  columns: [
    { name: 'BPS IN', field: 'evt.buflen.net.in', agg: 'rate', width: 8, format: 'rate' },
    { name: 'BPS OUT', field: 'evt.buflen.net.out', agg: 'rate', width: 8, format: 'rate' },
    // what the container's interfaces carried (packet capture): rx = into the container
    { name: 'WIRE IN', field: 'container.id', wire: 'container.bytesIn', width: 8, format: 'rate', description: 'bytes/s received on the container\'s interfaces (packet capture)' },
    { name: 'WIRE OUT', field: 'container.id', wire: 'container.bytesOut', width: 8, format: 'rate', description: 'bytes/s sent on the container\'s interfaces (packet capture)' },
    { name: 'PKT IN', field: 'container.id', wire: 'container.pktsIn', width: 6, format: 'rate' },
    { name: 'PKT OUT', field: 'container.id', wire: 'container.pktsOut', width: 7, format: 'rate' },
    { name: 'RETR', field: 'container.id', wire: 'container.retrans', width: 4, format: 'num', description: 'TCP retransmissions on the container\'s interfaces in the interval' },
    { name: 'IOPS', field: 'evt.count', agg: 'rate', width: 7, format: 'rate' },
    { name: 'CONNS', field: 'fd.name', agg: 'distinct', width: 6, format: 'num' },
    { name: 'ID', field: 'container.id', agg: 'last', width: 13, format: 'text' },
    { name: 'CONTAINER', field: 'container.name', agg: 'last', width: 20, minWidth: 16, format: 'text' },
  ],
  sortCol: 7, // IOPS
  drilldown: 'connections',
  appliesTo: [''],
  containers: true,
};
export default view;
