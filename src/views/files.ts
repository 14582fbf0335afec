import { ViewDef } from './types';

const view: ViewDef = {
  id: 'files',
  name: 'Files',
  description: 'Files: bytes read and written, operations, opens and errors per file.',
  type: 'table',
  filter: "(fd.type=file or fd.type=directory) and fd.name!=''",
  key: 'fd.name',
  columns: [
    { name: 'BYTES IN', field: 'evt.buflen.file.in', agg: 'sum', width: 8, format: 'bytes' },
    { name: 'BYTES OUT', field: 'evt.buflen.file.out', agg: 'sum', width: 9, format: 'bytes' },
    { name: 'OPS', field: 'evt.count.exit', agg: 'sum', width: 6, format: 'num' },
    { name: 'OPENS', field: 'evt.count.open', agg: 'sum', width: 5, format: 'num' },
    { name: 'ERRORS', field: 'evt.count.error', agg: 'sum', width: 6, format: 'num' },
    { name: 'FILENAME', field: 'fd.name', agg: 'last', width: 40, format: 'text' },
  ],
  sortCol: 2,
  drilldown: 'procs',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid', 'fd.directory'],
};
export default view;
