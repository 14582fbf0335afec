import { ViewDef } from './types';

const view: ViewDef = {
  id: 'page_faults',
  name: 'Page Faults',
  description: 'Page Faults / Memory: major and minor page faults and memory per process.',
  type: 'table',
  filter: 'evt.type!=switch',
  key: 'proc.pid',
  columns: [
    { name: 'MAJOR', field: 'thread.pfmajor', agg: 'max', width: 8, format: 'num' },
    { name: 'MINOR', field: 'thread.pfminor', agg: 'max', width: 8, format: 'num' },
    { name: 'VIRT', field: 'thread.vmsize.b', agg: 'max', width: 7, format: 'bytes' },
    { name: 'RES', field: 'thread.vmrss.b', agg: 'max', width: 7, format: 'bytes' },
    { name: 'PID', field: 'proc.pid', agg: 'last', width: 8, format: 'num' },
    { name: 'Command', field: 'proc.exeline', agg: 'last', width: 30, format: 'text' },
  ],
  sortCol: 0,
  drilldown: 'threads',
  appliesTo: ['', 'container.id'],
};
export default view;
