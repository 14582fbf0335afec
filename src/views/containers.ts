import { ViewDef } from './types';

const view: ViewDef = {
  id: 'containers',
  name: 'Containers',
  description: 'Containers: processes, threads, memory and I/O per container (the host is not listed).',
  type: 'table',
  filter: 'container.name != host',
  key: 'thread.tid',
  groupBy: 'container.id',
  columns: [
    { name: 'EVTS', field: 'evt.count', agg: 'sum', groupAgg: 'sum', width: 7, format: 'num' },
    { name: 'PROCS', field: 'proc.pid', agg: 'distinct', groupAgg: 'distinct', width: 5, format: 'num' },
    { name: 'THREADS', field: 'thread.tid', agg: 'distinct', groupAgg: 'sum', width: 7, format: 'num' },
    { name: 'VIRT', field: 'thread.vmsize.b', agg: 'max', groupAgg: 'sum', width: 7, format: 'bytes' },
    { name: 'RES', field: 'thread.vmrss.b', agg: 'max', groupAgg: 'sum', width: 7, format: 'bytes' },
    { name: 'FILE', field: 'evt.buflen.file', agg: 'rate', groupAgg: 'sum', width: 7, format: 'rate' },
    { name: 'NET', field: 'evt.buflen.net', agg: 'rate', groupAgg: 'sum', width: 7, format: 'rate' },
    { name: 'HOST', field: 'evt.host', agg: 'last', width: 12, format: 'text', multiHost: true, description: 'the machine that captured the container (several -r captures from different hosts)' },
    { name: 'NAME', field: 'container.name', agg: 'last', width: 20, minWidth: 16, format: 'text' },
    { name: 'ID', field: 'container.id', agg: 'last', width: 13, minWidth: 12, format: 'text' },
    { name: 'IMAGE', field: 'container.image', agg: 'last', width: 12, format: 'text' },
    { name: 'ENGINE', field: 'container.type', agg: 'last', width: 7, format: 'text' },
    { name: 'WIRE IN', field: 'container.id', wire: 'container.bytesIn', width: 7, format: 'rate', description: 'bytes/s into the container on the wire (packet capture)' },
    { name: 'WIRE OUT', field: 'container.id', wire: 'container.bytesOut', width: 8, format: 'rate', description: 'bytes/s out of the container on the wire (packet capture)' },
  ],
  sortCol: 0,
  drilldown: 'procs',
  appliesTo: ['', 'k8s.pod.id'],
  isRoot: true,
  containers: true,
};
export default view;
