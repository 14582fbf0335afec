// topprocs_cpu: processes by CPU usage (from procinfo events).
import { defineChisel } from '../src/chisel/api';
import { cpuTable } from '../src/chisel/cpu';

export default defineChisel({
  name: 'topprocs_cpu',
  category: 'CPU Usage',
  shortDescription: 'Top processes by CPU usage',
  description:
    'Shows the processes that used the most CPU (from the per-thread CPU counters of procinfo events). With -pc the container pid and name are shown too.',
  args: [],
  fields: ['proc.name', 'proc.pid', 'thread.cpu'],
  init: cpuTable((api) =>
    api.printContainerData()
      ? { keys: ['proc.name', 'proc.pid', 'proc.vpid', 'container.name'], keyDescs: ['Process', 'Host_pid', 'Container_pid', 'container.name'], top: 10 }
      : { keys: ['proc.name', 'proc.pid'], keyDescs: ['Process', 'PID'], top: 10 },
  ),
});
