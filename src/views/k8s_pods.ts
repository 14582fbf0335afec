import { ViewDef } from './types';

const view: ViewDef = {
  id: 'k8s_pods',
  name: 'K8s Pods',
  description: 'Kubernetes pods: containers, processes, memory and I/O per pod. Enter shows the containers of the pod.',
  type: 'table',
  filter: 'k8s.pod.name exists',
  key: 'thread.tid',
  groupBy: 'k8s.pod.id',
  columns: [
    { name: 'EVTS', field: 'evt.count', agg: 'sum', groupAgg: 'sum', width: 7, format: 'num' },
    { name: 'CONTS', field: 'container.id', agg: 'distinct', groupAgg: 'distinct', width: 5, format: 'num', description: 'containers' },
    { name: 'PROCS', field: 'proc.pid', agg: 'distinct', groupAgg: 'distinct', width: 5, format: 'num' },
    { name: 'RES', field: 'thread.vmrss.b', agg: 'max', groupAgg: 'sum', width: 7, format: 'bytes' },
    { name: 'FILE', field: 'evt.buflen.file', agg: 'rate', groupAgg: 'sum', width: 7, format: 'rate' },
    { name: 'NET', field: 'evt.buflen.net', agg: 'rate', groupAgg: 'sum', width: 7, format: 'rate' },
    { name: 'NAMESPACE', field: 'k8s.ns.name', agg: 'last', width: 14, minWidth: 10, format: 'text' },
    { name: 'POD', field: 'k8s.pod.name', agg: 'last', width: 30, minWidth: 16, format: 'text' },
  ],
  sortCol: 0,
  drilldown: 'containers',
  appliesTo: ['', 'k8s.ns.name'],
  isRoot: true,
  containers: true,
  k8s: true,
};
export default view;
