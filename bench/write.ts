// Write benchmark (not a test): re-write a ≥1M-event capture with `tsdig -r IN -w OUT -q` to a
// real file and to /dev/null, and also time the plain replay (`-q`) as the floor.
//   npm run build && node dist/bench/write.js [--runs 3] [--min-events 1000000] [--gzip]
// The input is the same kind of file bench/replay.ts builds: the format-1.2 fixtures (gzip ones
// decompressed) concatenated until there are ≥ 1M events; it is written once to os.tmpdir().
// Reports the median wall time, MB/s of input and output, and the file/devnull ratio.
//
// --live (root, built addon, cc): live capture instead, `tsdig -w FILE` vs `tsdig -w /dev/null`
// (system-wide, no filter) while a C workload (bench/live.ts's loop: N getppid() then N 64-byte
// write()s to /dev/null, 4N events) runs; tsdig is stopped with SIGINT 0.5 s after the workload.
//   node dist/bench/write.js --live [--n 2000000] [--runs 3]
// events/s = events tsdig wrote ÷ (workload time + 0.5 s); MB/s = file bytes ÷ the same time;
// drops = ring-buffer drops (from the summary); also the workload's own slowdown.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runEnv } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.resolve(ROOT, '..', 'shared', 'fixtures', 'scap');
const TSDIG = path.join(ROOT, 'bin', 'tsdig');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 3);
const MIN_EVENTS = arg('min-events', 1_000_000);
const GZIP = process.argv.includes('--gzip');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Format-1.2 fixtures readable by sysdig, with their event counts, from INDEX.md. */
function sources(): Array<{ file: string; events: number }> {
  const text = fs.readFileSync(path.join(FIXTURES, 'INDEX.md'), 'utf8');
  const rows: Array<{ file: string; events: number }> = [];
  for (const line of text.split('\n')) {
    const c = line.split('|').map((s) => s.trim());
    const name = /^`([^`]+\.scap)`/.exec(c[1] ?? '');
    if (c.length < 12 || !name || c[6] !== '1.2' || c[11] !== 'yes' || !(Number(c[7]) > 0)) continue;
    if (fs.existsSync(path.join(FIXTURES, name[1]!))) rows.push({ file: name[1]!, events: Number(c[7]) });
  }
  return rows;
}

function bigInput(): { file: string; events: number } {
  const rows = sources();
  if (rows.length === 0) throw new Error(`no format-1.2 fixtures in ${FIXTURES}`);
  const perRound = rows.reduce((s, r) => s + r.events, 0);
  const rounds = Math.ceil(MIN_EVENTS / perRound);
  const file = path.join(os.tmpdir(), `tsdig-bench-write-in-${rounds}x${rows.length}.scap`);
  if (!fs.existsSync(file)) {
    const bodies = rows.map((r) => {
      const b = fs.readFileSync(path.join(FIXTURES, r.file));
      return b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b;
    });
    const fd = fs.openSync(file + '.tmp', 'w');
    for (let i = 0; i < rounds; i++) for (const b of bodies) fs.writeSync(fd, b);
    fs.closeSync(fd);
    fs.renameSync(file + '.tmp', file);
  }
  return { file, events: perRound * rounds };
}

function timed(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = cp.spawnSync(process.execPath, [TSDIG, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: runEnv() });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`tsdig ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return sec;
}

const LIVE_C = String.raw`
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
  for (long i = 0; i < n; i++) syscall(SYS_write, fd, buf, sizeof buf);
  printf("%lld\n", now() - t0);
  return 0;
}
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function workload(exe: string, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = cp.spawn(exe, [String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(Number(out.trim()) / 1e9) : reject(new Error('workload failed: ' + code))));
  });
}

interface LiveRun { secs: number; written: number; bytes: number; drops: number; captured: number }

async function liveWrite(exe: string, n: number, out: string): Promise<LiveRun> {
  const c = cp.spawn(process.execPath, [TSDIG, '-w', out], { stdio: ['ignore', 'ignore', 'pipe'], env: runEnv() });
  let err = '';
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)));
  const t0 = Date.now();
  while (!err.includes('capturing')) {
    if (c.exitCode !== null || Date.now() - t0 > 60_000) throw new Error('tsdig did not start: ' + err);
    await sleep(50);
  }
  await sleep(300);
  const secs = await workload(exe, n);
  await sleep(500);
  c.kill('SIGINT');
  const code = await exited;
  const m = /Wrote (\d+) events.*?, (\d+) bytes,.*Live: (\d+) events captured in [\d.]+ s, (\d+) dropped/.exec(err);
  if (code !== 0 || !m) throw new Error(`tsdig -w ${out}: exit ${code}: ${err}`);
  return { secs: secs + 0.5, written: Number(m[1]), bytes: Number(m[2]), captured: Number(m[3]), drops: Number(m[4]) };
}

async function mainLive(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('--live needs root');
  const n = arg('n', 2_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-bench-wlive-'));
  try {
    fs.writeFileSync(path.join(dir, 'w.c'), LIVE_C);
    const exe = path.join(dir, 'workload');
    const cc = cp.spawnSync('cc', ['-O2', '-o', exe, path.join(dir, 'w.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error('cc: ' + cc.stderr);
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) bare.push(await workload(exe, n));
    const toFile: LiveRun[] = [];
    const toNull: LiveRun[] = [];
    const out = path.join(dir, 'live.scap');
    for (let i = 0; i < RUNS; i++) {
      toNull.push(await liveWrite(exe, n, '/dev/null'));
      toFile.push(await liveWrite(exe, n, out));
      fs.unlinkSync(out);
    }
    const byRate = (rs: LiveRun[]) => [...rs].sort((a, b) => a.written / a.secs - b.written / b.secs)[Math.floor(rs.length / 2)]!;
    const f = byRate(toFile);
    const d = byRate(toNull);
    const b = median(bare);
    console.log(`live: workload ${n.toLocaleString('en-US')} getppid + ${n.toLocaleString('en-US')} write (${(4 * n).toLocaleString('en-US')} events), bare ${b.toFixed(2)} s; ${RUNS} runs (median by events/s)`);
    console.log(`| run | workload s | events written | events/s | MB/s | drops | ring events captured |`);
    console.log(`|---|---:|---:|---:|---:|---:|---:|`);
    const row = (name: string, r: LiveRun) =>
      console.log(`| ${name} | ${(r.secs - 0.5).toFixed(2)} | ${r.written.toLocaleString('en-US')} | ${(r.written / r.secs / 1e6).toFixed(2)}M | ${(r.bytes / 1e6 / r.secs).toFixed(1)} | ${r.drops.toLocaleString('en-US')} | ${r.captured.toLocaleString('en-US')} |`);
    row('live -w /dev/null', d);
    row('live -w file', f);
    console.log(`ratio file / devnull (events/s) = ${((f.written / f.secs) / (d.written / d.secs)).toFixed(2)}; drops file ${f.drops} vs devnull ${d.drops}; workload slowdown file ${((f.secs - 0.5) / b).toFixed(2)}x, devnull ${((d.secs - 0.5) / b).toFixed(2)}x`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'write.js'))) throw new Error('build first: npm run build');
  const { file, events } = bigInput();
  const inBytes = fs.statSync(file).size;
  const out = path.join(os.tmpdir(), `tsdig-bench-write-out-${process.pid}.scap`);
  const z = GZIP ? ['-z'] : [];
  console.log(`input ${file}: ${(inBytes / 1e6).toFixed(1)} MB, ~${events.toLocaleString('en-US')} events; ${RUNS} runs (median)${GZIP ? '; -z' : ''}`);
  const replay: number[] = [];
  const toFile: number[] = [];
  const toNull: number[] = [];
  let outBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    replay.push(timed(['-r', file, '-q']));
    toNull.push(timed(['-r', file, '-w', '/dev/null', '-q', ...z]));
    toFile.push(timed(['-r', file, '-w', out, '-q', ...z]));
    outBytes = fs.statSync(out).size;
    fs.unlinkSync(out);
  }
  const r = median(replay);
  const n = median(toNull);
  const f = median(toFile);
  const mbs = (s: number) => (inBytes / 1e6 / s).toFixed(1);
  console.log(`| run | median s | input MB/s | events/s |`);
  console.log(`|---|---:|---:|---:|`);
  console.log(`| replay only (-q) | ${r.toFixed(3)} | ${mbs(r)} | ${(events / r / 1e6).toFixed(2)}M |`);
  console.log(`| -w /dev/null | ${n.toFixed(3)} | ${mbs(n)} | ${(events / n / 1e6).toFixed(2)}M |`);
  console.log(`| -w file | ${f.toFixed(3)} | ${mbs(f)} | ${(events / f / 1e6).toFixed(2)}M |`);
  console.log(`output file ${(outBytes / 1e6).toFixed(1)} MB → ${(outBytes / 1e6 / f).toFixed(1)} MB/s written`);
  console.log(`ratio file / devnull = ${(f / n).toFixed(2)}; write overhead over replay = ${(n / r).toFixed(2)}x`);
}

if (process.argv.includes('--live')) {
  mainLive().catch((e) => {
    console.error(`bench: ${(e as Error).message}`);
    process.exitCode = 1;
  });
} else {
  try {
    main();
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
