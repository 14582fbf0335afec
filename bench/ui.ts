// UI benchmarks (not tests).
// 1. CPU per refresh of the full-screen UI with synthetic state, 1,000 processes (Processes view)
//    and 50 containers (Containers view), drawn by the real UiApp on an in-memory 120x40
//    xterm-256color "terminal". A refresh = step to the next interval's snapshot, sort its rows,
//    lay out and format the visible ones, and let blessed diff and write the screen.
// 2. (root, eBPF) Key-to-redraw latency while live capture runs under a bounded syscall load: a
//    child process makes --rate syscalls a second (read of 1 byte from /dev/zero: 2 events each),
//    the real UiApp captures live (no -r) and draws to memory; keys are due at random moments and
//    written when their timer fires, so time the event loop spends collecting delays them. Latency
//    = from the moment the key was due to the end of the redraw it caused (p50, p99, max).
// 3. Replay drill-down at a late cursor: a generated capture (--drill-secs 480: 105 MiB, 1.15 M
//    events, 1 s intervals), first pass, then Threads of a process at 5/6 of the capture: time
//    until its snapshot shows and bytes read, from the nearest checkpoint and from the start.
//   npx tsc -p tsconfig.json && node dist/bench/ui.js [--refreshes 300] [--rate 200000] [--keys 300] [--no-live] [--drill-secs 480]
// Wrap in `flock /tmp/tsdig-heavy.lock` on shared machines.
import { PassThrough, Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { UiApp } from '../src/ui/app';
import { findView } from '../src/views';
import { Cell, Snapshot, SnapRow } from '../src/snapshot/types';
import { CliOptions, parseArgs } from '../src/cli/options';
import { checkPrerequisites } from '../src/live/native';
import { ReplayIndex } from '../src/snapshot/replay-index';
import { QueryStore, SnapshotPool } from '../src/snapshot/store';
import { writeBusyTrace } from '../test/trace-gen';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const N = arg('--refreshes', 300);
const RATE = arg('--rate', 200000);
const KEYS = arg('--keys', 300);

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

function terminal(): { input: PassThrough; output: Writable; bytes: () => number; reset: () => void } {
  let bytes = 0;
  const output = new Writable({ write(chunk, _enc, cb) { bytes += chunk.length; cb(); } }) as Writable & { columns: number; rows: number; isTTY: boolean };
  output.columns = 120;
  output.rows = 40;
  output.isTTY = true;
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (b: boolean) => void };
  input.isTTY = true;
  input.setRawMode = () => undefined;
  return { input, output, bytes: () => bytes, reset: () => (bytes = 0) };
}

async function measure(viewId: string, nrows: number, sortByOther: boolean): Promise<{ ms: number; bytes: number }> {
  const t = terminal();
  const o = { read: ['synthetic'], delayMs: 1000, filter: '', ui: true } as unknown as CliOptions;
  const app = new UiApp(o, { input: t.input, output: t.output, snaps: snapshots(viewId, nrows, 20), viewId });
  void app.run();
  if (sortByOther) t.input.write('>'); // a user sort: the UI re-sorts every snapshot it shows
  for (let i = 0; i < 20; i++) app.benchRefresh(); // warm up
  t.reset();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) app.benchRefresh();
  const c = process.cpuUsage(c0);
  app.benchQuit();
  return { ms: (c.user + c.system) / 1000 / N, bytes: t.bytes() / N };
}

/** A child making `rate` read(2) calls a second on /dev/zero, paced every millisecond. */
function load(rate: number) {
  const src = `const fs=require('fs');const fd=fs.openSync('/dev/zero','r');const b=Buffer.alloc(1);const t0=process.hrtime.bigint();let n=0;
    function go(){const due=Number(process.hrtime.bigint()-t0)/1e9*${rate};while(n<due){fs.readSync(fd,b,0,1,null);n++}setTimeout(go,1)}go();`;
  return spawn(process.execPath, ['-e', src], { stdio: 'ignore' });
}

const pct = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor((a.length * p) / 100))]!;

async function keyLatency(): Promise<void> {
  const pre = checkPrerequisites();
  if (pre) {
    console.log(`key latency under live load: skipped (${pre.message})`);
    return;
  }
  const child = load(RATE);
  const t = terminal();
  const o = parseArgs(['--ui', '-d', '1000']);
  const app = new UiApp(o, { input: t.input, output: t.output, viewId: 'procs', live: true });
  void app.run();
  const until = Date.now() + 15000;
  while (app.src.count < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const feed = app.feed!;
  const e0 = feed.events;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const lat: number[] = [];
  // event-loop lag: how late a 10 ms timer fires (what collection costs the UI in one stretch)
  const lag: number[] = [];
  let tick = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    lag.push(now - tick - 10);
    tick = now;
  }, 10);
  let due = 0;
  app.onKeyDone = () => {
    if (due) lat.push(performance.now() - due);
    due = 0;
  };
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < KEYS; i++) {
    const wait = 20 + rnd() * 50;
    await new Promise<void>((resolve) => {
      const at = performance.now() + wait;
      setTimeout(() => {
        due = at;
        t.input.write(i % 2 ? '\x1b[A' : '\x1b[B'); // Up / Down: moves the selection, redraws
        setImmediate(resolve);
      }, wait);
    });
  }
  clearInterval(lagTimer);
  const secs = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(c0);
  const evs = feed.events - e0;
  app.benchQuit();
  child.kill('SIGKILL');
  await feed.done;
  lat.sort((a, b) => a - b);
  lag.sort((a, b) => a - b);
  console.log(`key-to-redraw latency, live capture, load ${RATE} read(2)/s (${Math.round(evs / secs)} events/s reached the UI, ${feed.drops} dropped), ${lat.length} keys:`);
  console.log(`  p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms; UI process CPU ${(((cpu.user + cpu.system) / 1e6 / secs) * 100).toFixed(0)}%`);
  console.log(`  event-loop lag (10 ms timer): p50 ${pct(lag, 50).toFixed(1)} ms, p99 ${pct(lag, 99).toFixed(1)} ms, max ${lag[lag.length - 1]!.toFixed(1)} ms`);
}

function collected(st: QueryStore, i: number): Promise<Snapshot> {
  return new Promise((resolve) => {
    st.ensure(i);
    const check = () => (st.get(i) ? resolve(st.get(i)!) : setTimeout(check, 1));
    check();
  });
}

async function drillDown(): Promise<void> {
  const secs = arg('--drill-secs', 480);
  const file = path.join(os.tmpdir(), `tsdig-bench-ui-${secs}.scap`);
  if (!fs.existsSync(file)) writeBusyTrace(file, { secs, procs: 8, perSec: 150 });
  const mb = (fs.statSync(file).size / 1048576).toFixed(0);
  const late = Math.floor((secs * 5) / 6);
  const run = async (checkpoints: boolean) => {
    const ix = new ReplayIndex([file], 1e9, checkpoints ? {} : { budgetBytes: 0 });
    const pool = new SnapshotPool();
    const procs = new QueryStore(ix, { view: findView('procs')!, userFilter: '', drill: [] }, pool);
    pool.show(procs);
    let t0 = performance.now();
    await collected(procs, 0);
    while (!ix.complete) await new Promise((r) => setTimeout(r, 2));
    const first = performance.now() - t0;
    procs.cursor = late;
    const row = (await collected(procs, late)).rows[0]!;
    const drill = [{ viewId: 'procs', field: 'proc.pid', value: row.key, numeric: true }];
    const b0 = ix.bytesRead;
    t0 = performance.now();
    const threads = new QueryStore(ix, { view: findView('threads')!, userFilter: '', drill }, pool);
    pool.show(threads);
    threads.cursor = late;
    await collected(threads, late);
    const ms = performance.now() - t0;
    const read = ix.bytesRead - b0;
    threads.detach(false);
    procs.detach(false);
    return { first, ms, read, cps: ix.checkpoints.length, cpBytes: ix.checkpointBytes };
  };
  const a = await run(true);
  const b = await run(false);
  console.log(`replay drill-down at interval ${late + 1}/${secs} of a ${mb} MiB capture (first pass ${a.first.toFixed(0)} ms, ${a.cps} checkpoints, ${(a.cpBytes / 1024).toFixed(0)} KB):`);
  console.log(`  from the nearest checkpoint: shown after ${a.ms.toFixed(0)} ms, ${(a.read / 1048576).toFixed(1)} MiB read`);
  console.log(`  from the start (no checkpoints): shown after ${b.ms.toFixed(0)} ms, ${(b.read / 1048576).toFixed(1)} MiB read`);
}

async function main(): Promise<void> {
  console.log(`UI refresh, 120x40 xterm-256color, ${N} refreshes each (CPU time per refresh)`);
  for (const [view, rows, other] of [['procs', 1000, false], ['procs', 1000, true], ['containers', 50, false]] as const) {
    const r = await measure(view, rows, other);
    console.log(`  ${view.padEnd(11)} ${String(rows).padStart(5)} rows${other ? ' (user sort)' : '            '}: ${r.ms.toFixed(2)} ms/refresh, ${Math.round(r.bytes)} bytes written/refresh`);
  }
  await drillDown();
  if (!process.argv.includes('--no-live')) await keyLatency();
  process.exit(0);
}
void main();
