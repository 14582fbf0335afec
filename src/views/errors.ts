import { ViewDef } from './types';

const view: ViewDef = {
  id: 'errors',
  name: 'Errors',
  description: 'Errors: failed system calls grouped by error code.',
  type: 'table',
  filter: "evt.failed=true",
  key: 'evt.res',
  columns: [
    { name: 'COUNT', field: 'evt.count', agg: 'sum', width: 8, format: 'num' },
    { name: 'SYSCALLS', field: 'evt.type', agg: 'distinct', width: 8, format: 'num' },
    { name: 'PROCS', field: 'proc.pid', agg: 'distinct', width: 6, format: 'num' },
    { name: 'ERROR', field: 'evt.res', agg: 'last', width: 30, format: 'text' },
  ],
  sortCol: 0,
  drilldown: 'procs_errors',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid', 'evt.type'],
};
export default view;
