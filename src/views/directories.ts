import { ViewDef } from './types';

const view: ViewDef = {
  id: 'directories',
  name: 'Directories',
  description: 'Directories: file I/O aggregated by the directory of the file.',
  type: 'table',
  filter: "(fd.type=file or fd.type=directory) and fd.name!=''",
  key: 'fd.directory',
  columns: [
    { name: 'BYTES IN', field: 'evt.buflen.file.in', agg: 'sum', width: 8, format: 'bytes' },
    { name: 'BYTES OUT', field: 'evt.buflen.file.out', agg: 'sum', width: 9, format: 'bytes' },
    { name: 'OPS', field: 'evt.count.exit', agg: 'sum', width: 6, format: 'num' },
    { name: 'OPENS', field: 'evt.count.open', agg: 'sum', width: 5, format: 'num' },
    { name: 'ERRORS', field: 'evt.count.error', agg: 'sum', width: 6, format: 'num' },
    { name: 'DIRNAME', field: 'fd.directory', agg: 'last', width: 40, format: 'text' },
  ],
  sortCol: 2,
  drilldown: 'files',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid'],
};
export default view;
