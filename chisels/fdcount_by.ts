// fdcount_by: number of distinct fds seen, grouped by any field.
import { defineChisel } from '../src/chisel/api';
import { keyText } from '../src/chisel/table';

export default defineChisel({
  name: 'fdcount_by',
  category: 'I/O',
  shortDescription: 'FD count, aggregated by an arbitrary filter field',
  description: 'Groups the fds used by events by the given field and counts the distinct ones (fd number + name) per key, e.g. -c fdcount_by proc.name.',
  args: [{ name: 'key', type: 'string', description: 'The filter field used for grouping' }],
  fields: ['fd.num', 'fd.name'],
  init(api, args) {
    const key = api.field(String(args.key));
    const fdnum = api.field('fd.num');
    const fdname = api.field('fd.name');
    const groups = new Map<string, Set<string>>();
    return {
      onEvent(c) {
        const k = keyText(key, c);
        if (k === undefined) return;
        const n = fdnum.value(c);
        if (typeof n !== 'number' || n <= 0) return;
        const name = fdname.value(c);
        if (typeof name !== 'string' || name === '') return;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = new Set()));
        g.add(n + name);
      },
      captureEnd() {
        const rows = [...groups.entries()].sort((a, b) => b[1].size - a[1].size);
        for (const [k, g] of rows) api.print(`${k}\t${g.size}`);
      },
    };
  },
});
