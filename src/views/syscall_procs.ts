import { ViewDef } from './types';

const view: ViewDef = {
  id: 'syscall_procs',
  name: 'Syscall Callers',
  description: 'Syscall Callers: which processes make system calls, how many and for how long.',
  type: 'table',
  filter: 'syscall.type exists and evt.dir=<',
  key: 'proc.pid',
  columns: [
    { name: 'CALLS/S', field: 'evt.count', agg: 'rate', width: 8, format: 'rate' },
    { name: 'CALLS', field: 'evt.count', agg: 'sum', width: 7, format: 'num' },
    { name: 'TIME', field: 'evt.latency', agg: 'sum', width: 8, format: 'ns' },
    { name: 'PID', field: 'proc.pid', agg: 'last', width: 8, format: 'num' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 30, format: 'text' },
  ],
  sortCol: 1,
  drilldown: 'threads',
  appliesTo: ['', 'container.id', 'evt.type'],
};
export default view;
