import { ViewDef } from './types';

const view: ViewDef = {
  id: 'slow_io',
  name: 'Slow File I/O',
  description: 'Slow File I/O: file reads and writes that took more than 1 ms, one line per call.',
  type: 'list',
  filter: "evt.is_io=true and fd.type=file and (not fd.name contains '/dev/') and evt.latency>1000000",
  key: 'evt.num',
  columns: [
    { name: 'TIME', field: 'evt.time', width: 19, format: 'text' },
    { name: 'LATENCY', field: 'evt.latency', width: 8, format: 'ns' },
    { name: 'FILENAME', field: 'fd.name', width: 28, format: 'text' },
    { name: 'PID', field: 'proc.pid', width: 8, format: 'num' },
    { name: 'Command', field: 'proc.exeline', width: 20, format: 'text' },
  ],
  sortCol: 1,
  appliesTo: ['', 'container.id', 'proc.pid', 'thread.tid', 'fd.name', 'fd.directory'],
};
export default view;
