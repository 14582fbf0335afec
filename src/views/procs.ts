import { ViewDef } from './types';

const view: ViewDef = {
  id: 'procs',
  name: 'Processes',
  description: 'Processes: I/O and memory per process. Threads of a process are merged into one row.',
  type: 'table',
  filter: 'evt.type!=switch',
  key: 'thread.tid',
  groupBy: 'proc.pid',
  columns: [
    { name: 'PID', field: 'proc.pid', agg: 'last', width: 7, format: 'num' },
    { name: 'PPID', field: 'proc.ppid', agg: 'last', width: 7, format: 'num' },
    { name: 'EVTS', field: 'evt.count', agg: 'sum', groupAgg: 'sum', width: 6, format: 'num', description: 'events in the interval' },
    { name: 'USER', field: 'user.name', agg: 'last', width: 8, format: 'text' },
    { name: 'TH', field: 'thread.tid', agg: 'distinct', groupAgg: 'sum', width: 3, format: 'num', description: 'active threads' },
    { name: 'VIRT', field: 'thread.vmsize.b', agg: 'max', groupAgg: 'max', width: 6, format: 'bytes' },
    { name: 'RES', field: 'thread.vmrss.b', agg: 'max', groupAgg: 'max', width: 6, format: 'bytes' },
    { name: 'FILE', field: 'evt.buflen.file', agg: 'rate', groupAgg: 'sum', width: 6, format: 'rate', description: 'file bytes/s' },
    { name: 'NET', field: 'evt.buflen.net', agg: 'rate', groupAgg: 'sum', width: 6, format: 'rate', description: 'network bytes/s' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 30, format: 'text' },
  ],
  sortCol: 2,
  drilldown: 'threads',
  appliesTo: ['', 'container.id', 'fd.name', 'fd.sport', 'fd.directory', 'fd.type', 'evt.type', 'evt.res'],
  isRoot: true,
};
export default view;
