// Live-capture overhead benchmark (not a test). Needs root and the built addon.
//   npm run build && node dist/bench/live.js [--n 5000000] [--runs 3] [--snaplen 80]
// Workload: a C program (compiled here with cc) doing N getppid() then N 64-byte write()s to
// /dev/null, timing each loop itself. It runs bare, under tsdig capture (system-wide, enter+exit,
// JS reads type+tid of every record) and, if bpftrace is installed, under a bpftrace count().
// --cli also runs it under the whole `tsdig -q proc.name=workload` pipeline (state engine + filter
// for every event) and reports events/s through it and the ring-buffer drops.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeCapture, forEachRecord, checkPrerequisites } from '../src/live/native';

const WORKLOAD_C = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  char buf[64] = { 0 };
  int fd = open("/dev/null", O_WRONLY);
  long long t0 = now();
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  long long t1 = now();
  for (long i = 0; i < n; i++) syscall(SYS_write, fd, buf, sizeof buf);
  long long t2 = now();
  printf("%lld %lld\n", t1 - t0, t2 - t1);
  return 0;
}
`;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = arg('n', 5_000_000);
const RUNS = arg('runs', 3);
const SNAPLEN = arg('snaplen', 80);

interface RunResult { getppidNs: number; writeNs: number }

function runWorkload(exe: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const c = cp.spawn(exe, [String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => {
      if (code !== 0) return reject(new Error('workload failed: ' + code));
      const [a, b] = out.trim().split(/\s+/).map(Number);
      resolve({ getppidNs: a!, writeNs: b! });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bare(exe: string): Promise<RunResult[]> {
  const rs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) rs.push(await runWorkload(exe));
  return rs;
}

interface CapRun extends RunResult { records: number; drops: number; events: number; recPerSec: number; batches: number }

async function underTsdig(exe: string): Promise<CapRun[]> {
  const rs: CapRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cap = new NativeCapture({ bufferSize: 16 << 20, snaplen: SNAPLEN });
    let records = 0;
    let sink = 0;
    let tFirst = 0;
    let tLast = 0;
    cap.start((ab, n) => {
      const dv = new DataView(ab, 0, n);
      records += forEachRecord(ab, n, (off) => {
        sink += dv.getUint16(off + 20, true) + dv.getUint32(off + 8, true); // type + tid (low word)
      });
      const t = performance.now();
      if (!tFirst) tFirst = t;
      tLast = t;
    });
    await sleep(100);
    const base = cap.stats();
    const recBase = records;
    const t0 = performance.now();
    const r = await runWorkload(exe);
    // let the consumer drain everything the ring held when the workload ended
    const atEnd = cap.stats();
    const deadline = performance.now() + 20000;
    while (records - recBase < atEnd.events - base.events && performance.now() < deadline) await sleep(20);
    const st = cap.stats();
    cap.close();
    const got = records - recBase;
    const secs = (tLast - t0) / 1000;
    rs.push({
      ...r,
      records: got,
      events: st.events - base.events,
      drops: st.drops - base.drops,
      batches: st.batches,
      recPerSec: got / secs,
    });
    if (sink === -1) console.log(sink); // keep the work observable
  }
  return rs;
}

interface CliRun extends RunResult { events: number; drops: number; secs: number }

/** The full CLI pipeline (bin/tsdig -q with a filter): every event decoded, state-tracked and filtered. */
async function underCli(exe: string): Promise<CliRun[]> {
  const rs: CliRun[] = [];
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'tsdig');
  for (let i = 0; i < RUNS; i++) {
    const args = ['-q', '-s', String(SNAPLEN), 'proc.name=workload'];
    const bufArg = process.argv.indexOf('--bufsize');
    if (bufArg > 0) args.unshift('--bufsize', process.argv[bufArg + 1]!);
    const c = cp.spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const to = setTimeout(() => reject(new Error('tsdig did not start: ' + err)), 30000);
      c.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('capturing')) {
          clearTimeout(to);
          resolve();
        }
      });
    });
    await sleep(300);
    const before = err.length;
    const r = await runWorkload(exe);
    await sleep(1000);
    c.kill('SIGINT');
    await new Promise((res) => c.on('exit', res));
    const m = /(\d+) events captured in ([\d.]+) s \((\d+) matched the filter\), (\d+) dropped/.exec(err.slice(before)) ?? /(\d+) events captured in ([\d.]+) s \((\d+) matched the filter\), (\d+) dropped/.exec(err);
    if (!m) throw new Error('no summary from tsdig: ' + err);
    rs.push({ ...r, events: Number(m[3]), drops: Number(m[4]), secs: (r.getppidNs + r.writeNs) / 1e9 });
  }
  return rs;
}

async function underBpftrace(exe: string): Promise<RunResult[] | null> {
  if (cp.spawnSync('bpftrace', ['--version']).status !== 0) return null;
  const rs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const bt = cp.spawn('bpftrace', ['-B', 'line', '-e', 'tracepoint:raw_syscalls:sys_enter { @ = count(); }'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const to = setTimeout(() => reject(new Error('bpftrace did not attach')), 20000);
      bt.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('Attaching')) {
          clearTimeout(to);
          resolve();
        }
      });
    });
    await sleep(300);
    rs.push(await runWorkload(exe));
    bt.kill('SIGINT');
    await new Promise((r) => bt.on('exit', r));
  }
  return rs;
}

async function main(): Promise<void> {
  const pre = checkPrerequisites();
  if (pre) throw pre;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-bench-'));
  const exe = path.join(tmp, 'workload');
  fs.writeFileSync(exe + '.c', WORKLOAD_C);
  const cc = cp.spawnSync('cc', ['-O2', '-o', exe, exe + '.c'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(cc.stderr);
  console.log(`workload: ${N} getppid + ${N} write(/dev/null, 64 B); ${RUNS} runs each, median; snaplen ${SNAPLEN}; ${os.cpus().length} CPUs`);

  const b = await bare(exe);
  const t = await underTsdig(exe);
  const bt = await underBpftrace(exe);
  const cli = process.argv.includes('--cli') ? await underCli(exe) : null;

  const row = (label: string, rs: RunResult[]) => {
    const g = median(rs.map((r) => r.getppidNs)) / N;
    const w = median(rs.map((r) => r.writeNs)) / N;
    return { label, g, w };
  };
  const rows = [row('bare', b), row('tsdig (enter+exit, JS reads every record)', t)];
  if (bt) rows.push(row('bpftrace count() on sys_enter', bt));
  const base = rows[0]!;
  console.log('\n' + 'mode'.padEnd(44) + 'getppid ns/call  (x bare)   write ns/call  (x bare)');
  for (const r of rows) {
    console.log(
      r.label.padEnd(44) +
        `${r.g.toFixed(0).padStart(8)}  (${(r.g / base.g).toFixed(2)}x)`.padEnd(24) +
        `${r.w.toFixed(0).padStart(8)}  (${(r.w / base.w).toFixed(2)}x)`,
    );
  }
  const tr = rows[1]!;
  console.log(`\ntsdig overhead: getppid +${(tr.g - base.g).toFixed(0)} ns/syscall, write +${(tr.w - base.w).toFixed(0)} ns/syscall`);
  if (bt) {
    const br = rows[2]!;
    console.log(`bpftrace overhead: getppid +${(br.g - base.g).toFixed(0)} ns/syscall, write +${(br.w - base.w).toFixed(0)} ns/syscall`);
    console.log(`tsdig/bpftrace overhead ratio: getppid ${((tr.g - base.g) / (br.g - base.g)).toFixed(2)}, write ${((tr.w - base.w) / (br.w - base.w)).toFixed(2)}`);
  }
  for (const r of t) {
    console.log(
      `tsdig run: ${r.records} records into JS (${(r.recPerSec / 1e6).toFixed(2)} M records/s), ring events ${r.events}, drops ${r.drops}, batches ${r.batches}`,
    );
  }
  for (const r of cli ?? []) {
    console.log(
      `tsdig -q pipeline: ${r.events} workload events through state+filter in ${r.secs.toFixed(2)} s of workload ` +
        `(${(r.events / r.secs / 1e6).toFixed(2)} M events/s), drops ${r.drops} (all processes)`,
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
