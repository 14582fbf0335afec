// topprocs_file: Top processes by R+W disk bytes.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topprocs_file',
  category: 'I/O',
  shortDescription: 'Top processes by R+W disk bytes',
  description: 'Shows the processes that read and wrote the most bytes to files.',
  args: [],
  fields: ['proc.name', 'proc.pid', 'evt.rawarg.res'],
  init: tableChisel({
    keys: ['proc.name', 'proc.pid'],
    keyDescs: ['Process', 'PID'],
    containerKeys: ['proc.name', 'proc.pid', 'thread.vtid', 'container.name'],
    containerKeyDescs: ['Process', 'Host_pid', 'Container_pid', 'container.name'],
    value: 'evt.rawarg.res',
    valueDesc: 'Bytes',
    filter: 'fd.type=file and evt.is_io=true',
    top: 10,
    units: 'bytes',
  }),
});
