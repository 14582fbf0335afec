import { ViewDef } from './types';

const view: ViewDef = {
  id: 'io_by_type',
  name: 'I/O by Type',
  description: 'I/O by Type: reads and writes grouped by the kind of fd (file, ipv4, unix, pipe…).',
  type: 'table',
  filter: 'evt.is_io=true and evt.dir=<',
  key: 'fd.type',
  columns: [
    { name: 'BPS IN', field: 'evt.buflen.in', agg: 'rate', width: 8, format: 'rate' },
    { name: 'BPS OUT', field: 'evt.buflen.out', agg: 'rate', width: 8, format: 'rate' },
    { name: 'IOPS', field: 'evt.count', agg: 'rate', width: 8, format: 'rate' },
    { name: 'TIME', field: 'evt.latency', agg: 'sum', width: 8, format: 'ns' },
    { name: 'I/O Type', field: 'fd.type', agg: 'last', width: 20, format: 'text' },
  ],
  sortCol: 2,
  drilldown: 'procs',
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid'],
};
export default view;
