import { ViewDef } from './types';

const view: ViewDef = {
  id: 'k8s_namespaces',
  name: 'K8s Namespaces',
  description: 'Kubernetes namespaces: pods, containers, processes and I/O per namespace. Enter shows its pods.',
  type: 'table',
  filter: 'k8s.ns.name exists',
  key: 'thread.tid',
  groupBy: 'k8s.ns.name',
  columns: [
    { name: 'EVTS', field: 'evt.count', agg: 'sum', groupAgg: 'sum', width: 7, format: 'num' },
    { name: 'PODS', field: 'k8s.pod.id', agg: 'distinct', groupAgg: 'distinct', width: 5, format: 'num' },
    { name: 'CONTS', field: 'container.id', agg: 'distinct', groupAgg: 'distinct', width: 5, format: 'num', description: 'containers' },
    { name: 'PROCS', field: 'proc.pid', agg: 'distinct', groupAgg: 'distinct', width: 5, format: 'num' },
    { name: 'RES', field: 'thread.vmrss.b', agg: 'max', groupAgg: 'sum', width: 7, format: 'bytes' },
    { name: 'FILE', field: 'evt.buflen.file', agg: 'rate', groupAgg: 'sum', width: 7, format: 'rate' },
    { name: 'NET', field: 'evt.buflen.net', agg: 'rate', groupAgg: 'sum', width: 7, format: 'rate' },
    { name: 'NAMESPACE', field: 'k8s.ns.name', agg: 'last', width: 20, minWidth: 12, format: 'text' },
  ],
  sortCol: 0,
  drilldown: 'k8s_pods',
  appliesTo: [''],
  isRoot: true,
  containers: true,
  k8s: true,
};
export default view;
