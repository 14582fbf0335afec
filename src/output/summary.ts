// The -S table (sysdig's --summary): events counted by type and direction while a replay or a
// live capture runs, printed once at the end.
import type { EventCtx } from '../fields/context';

export function countEvent(summary: Map<string, number>, c: EventCtx): void {
  const k = c.e.info.name + (c.e.dir ? ' <' : ' >');
  summary.set(k, (summary.get(k) ?? 0) + 1);
}

export function printSummary(summary: Map<string, number>): void {
  const rows = [...summary.entries()].sort((a, b) => b[1] - a[1]);
  process.stdout.write('\nEvent counts by type:\n' + rows.map(([k, v]) => `${String(v).padStart(10)} ${k}`).join('\n') + '\n');
}
