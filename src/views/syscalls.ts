import { ViewDef } from './types';

const view: ViewDef = {
  id: 'syscalls',
  name: 'System Calls',
  description: 'System Calls: calls per second, total and average time per system call.',
  type: 'table',
  filter: 'syscall.type exists and evt.dir=<',
  key: 'evt.type',
  columns: [
    { name: 'CALLS/S', field: 'evt.count', agg: 'rate', width: 8, format: 'rate' },
    { name: 'CALLS', field: 'evt.count', agg: 'sum', width: 7, format: 'num' },
    { name: 'TOT TIME', field: 'evt.latency', agg: 'sum', width: 8, format: 'ns' },
    { name: 'AVG TIME', field: 'evt.latency', agg: 'avg', width: 8, format: 'ns' },
    { name: 'SYSCALL', field: 'evt.type', agg: 'last', width: 24, format: 'text' },
  ],
  sortCol: 1,
  drilldown: 'syscall_procs',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid'],
};
export default view;
