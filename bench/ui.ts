// UI refresh benchmark (not a test): CPU per refresh of the full-screen UI with synthetic state,
// 1,000 processes (Processes view) and 50 containers (Containers view), drawn by the real UiApp on
// an in-memory 120x40 xterm-256color "terminal". A refresh = step to the next interval's snapshot,
// sort its rows, lay out and format the visible ones, and let blessed diff and write the screen.
//   npx tsc -p tsconfig.json && node dist/bench/ui.js [--refreshes 300]
import { PassThrough, Writable } from 'node:stream';
import { UiApp } from '../src/ui/app';
import { findView } from '../src/views';
import { Cell, Snapshot, SnapRow } from '../src/snapshot/types';
import { CliOptions } from '../src/cli/options';

const N = Number(process.argv[process.argv.indexOf('--refreshes') + 1]) || 300;

function snapshots(viewId: string, nrows: number, count: number): Snapshot[] {
  const v = findView(viewId)!;
  const out: Snapshot[] = [];
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < count; i++) {
    const rows: SnapRow[] = [];
    for (let r = 0; r < nrows; r++) {
      const key = viewId === 'containers' ? (0xabcdef000000 + r).toString(16) : String(1000 + r);
      const cells: Cell[] = v.columns.map((c) => {
        if (c.format === 'text') return c.field === 'container.name' ? `ctr-${r}` : c.field === 'container.id' ? key : `/usr/bin/proc-${r} --flag ${r}`;
        if (c.field === 'proc.pid') return 1000 + r;
        return Math.floor(rnd() * 1e6);
      });
      rows.push({ key, cells });
    }
    const sc = v.sortCol;
    rows.sort((a, b) => (b.cells[sc] as number) - (a.cells[sc] as number));
    out.push({
      index: i, startNs: 1.7e18 + i * 1e9, endNs: 1.7e18 + (i + 1) * 1e9, viewId, columns: v.columns, rows,
      totals: { events: 1e5, matched: 9e4, procs: 1000, threads: 3000, containers: 50, fileIn: 1e6, fileOut: 1e6, netIn: 1e6, netOut: 1e6 },
      hasContainers: true,
    });
  }
  return out;
}

async function measure(viewId: string, nrows: number, sortByOther: boolean): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  const output = new Writable({ write(chunk, _enc, cb) { bytes += chunk.length; cb(); } }) as Writable & { columns: number; rows: number; isTTY: boolean };
  output.columns = 120;
  output.rows = 40;
  output.isTTY = true;
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (b: boolean) => void };
  input.isTTY = true;
  input.setRawMode = () => undefined;
  const o = { read: ['synthetic'], delayMs: 1000, filter: '', ui: true } as unknown as CliOptions;
  const app = new UiApp(o, { input, output, snaps: snapshots(viewId, nrows, 20), viewId });
  void app.run();
  if (sortByOther) input.write('>'); // a user sort: the UI re-sorts every snapshot it shows
  for (let i = 0; i < 20; i++) app.benchRefresh(); // warm up
  bytes = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) app.benchRefresh();
  const c = process.cpuUsage(c0);
  app.benchQuit();
  return { ms: (c.user + c.system) / 1000 / N, bytes: bytes / N };
}

async function main(): Promise<void> {
  console.log(`UI refresh, 120x40 xterm-256color, ${N} refreshes each (CPU time per refresh)`);
  for (const [view, rows, other] of [['procs', 1000, false], ['procs', 1000, true], ['containers', 50, false]] as const) {
    const r = await measure(view, rows, other);
    console.log(`  ${view.padEnd(11)} ${String(rows).padStart(5)} rows${other ? ' (user sort)' : '            '}: ${r.ms.toFixed(2)} ms/refresh, ${Math.round(r.bytes)} bytes written/refresh`);
  }
  process.exit(0);
}
void main();
