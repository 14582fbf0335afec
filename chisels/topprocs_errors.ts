// topprocs_errors: top processes by number of errors.
import { defineChisel, tableChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'topprocs_errors',
  category: 'Errors',
  shortDescription: 'top processes by number of errors',
  description: 'Shows the processes whose system calls failed most often.',
  args: [],
  fields: ['proc.name', 'proc.pid', 'evt.count'],
  init: tableChisel({
    keys: ['proc.name', 'proc.pid'],
    keyDescs: ['Process', 'PID'],
    containerKeys: ['proc.name', 'proc.pid', 'thread.vtid', 'container.name'],
    containerKeyDescs: ['Process', 'Host_pid', 'Container_pid', 'container.name'],
    value: 'evt.count',
    valueDesc: '#Errors',
    filter: 'evt.failed=true',
    top: 100,
    units: 'none',
  }),
});
