import { ViewDef } from './types';

const view: ViewDef = {
  id: 'threads',
  name: 'Threads',
  description: 'Threads: one row per thread, with its event count and file/network throughput.',
  type: 'table',
  filter: 'evt.type!=switch',
  key: 'thread.tid',
  columns: [
    { name: 'PID', field: 'proc.pid', agg: 'last', width: 8, format: 'num' },
    { name: 'TID', field: 'thread.tid', agg: 'last', width: 8, format: 'num' },
    { name: 'EVTS', field: 'evt.count', agg: 'sum', width: 7, format: 'num' },
    { name: 'FILE', field: 'evt.buflen.file', agg: 'rate', width: 7, format: 'rate' },
    { name: 'NET', field: 'evt.buflen.net', agg: 'rate', width: 7, format: 'rate' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 30, format: 'text' },
  ],
  sortCol: 2,
  drilldown: 'files',
  appliesTo: ['', 'container.id', 'proc.pid', 'fd.name', 'fd.sport', 'fd.type', 'evt.type', 'evt.res'],
  isRoot: true,
};
export default view;
