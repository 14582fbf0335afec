// topcontainers_cpu: containers by CPU usage (from procinfo events).
import { defineChisel } from '../src/chisel/api';
import { cpuTable } from '../src/chisel/cpu';

export default defineChisel({
  name: 'topcontainers_cpu',
  category: 'CPU Usage',
  shortDescription: 'Top containers by CPU usage',
  description: 'Shows the containers (and the host) that used the most CPU, from the per-thread CPU counters of procinfo events.',
  args: [],
  fields: ['container.name', 'thread.cpu'],
  init: cpuTable(() => ({ keys: ['container.name'], keyDescs: ['container.name'], top: 10 })),
});
