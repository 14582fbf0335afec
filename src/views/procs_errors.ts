import { ViewDef } from './types';

const view: ViewDef = {
  id: 'procs_errors',
  name: 'Processes Errors',
  description: 'Processes Errors: failed calls per process, split into file, network, memory and other.',
  type: 'table',
  filter: 'evt.failed=true',
  key: 'proc.pid',
  columns: [
    { name: 'FILE', field: 'evt.count.error.file', agg: 'sum', width: 6, format: 'num' },
    { name: 'NET', field: 'evt.count.error.net', agg: 'sum', width: 6, format: 'num' },
    { name: 'MEMORY', field: 'evt.count.error.memory', agg: 'sum', width: 6, format: 'num' },
    { name: 'OTHER', field: 'evt.count.error.other', agg: 'sum', width: 6, format: 'num' },
    { name: 'TOTAL', field: 'evt.count', agg: 'sum', width: 6, format: 'num' },
    { name: 'PID', field: 'proc.pid', agg: 'last', width: 8, format: 'num' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 30, format: 'text' },
  ],
  sortCol: 4,
  drilldown: 'errors',
  appliesTo: ['', 'container.id', 'evt.res', 'evt.type'],
};
export default view;
