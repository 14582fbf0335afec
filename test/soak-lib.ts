// Shared plumbing for the fault and soak harnesses (test/faults.test.ts, test/soak.test.ts,
// bench/faults.ts, bench/soak.ts): tsdig as a live child process, its stats and state-table sizes
// (SIGUSR2), RSS sampling, a compiled syscall load generator and stopping/restarting dockerd. The
// fault scenarios are in test/fault-scenarios.ts, the soak in test/soak-run.ts. Not a test file.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TSDIG, haveCmd, needs } from './helpers';
import { checkPrerequisites } from '../src/live/native';
import { parseSizes, Sizes } from '../src/live/tables';
import { ensureDocker, ensureTestImage } from './docker';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const isRoot = process.getuid?.() === 0;

/** Skip reason (or a throw under CI) when live capture cannot run here. */
export function liveSkip(): string | undefined {
  const pre = checkPrerequisites();
  return needs('root', isRoot) ?? needs(`live capture (${pre?.message})`, !pre) ?? needs('a C compiler (cc)', haveCmd('cc'));
}

export async function dockerSkip(): Promise<string | undefined> {
  return liveSkip() ?? (await ensureDocker().then((e) => needs(`docker (${e})`, !e))) ?? ((e) => needs(`the busybox test image (${e})`, !e))(ensureTestImage());
}

// ---- tsdig as a child --------------------------------------------------------------------

export interface Live {
  proc: cp.ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** bytes seen on stdout (also counted when `keepStdout` is false) */
  stdoutBytes: () => number;
  /** resolves once tsdig printed its "capturing" line */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** sends `sig` (SIGINT by default), SIGKILL after 15 s; resolves with the exit */
  stop: (sig?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const children = new Set<cp.ChildProcess>();
/** Kills every child these helpers started that is still running (test `after` hooks, bench exits). */
export function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

export function startTsdig(args: string[], opts: { keepStdout?: boolean; readyTimeoutMs?: number; stdout?: 'pipe' | 'ignore' } = {}): Live {
  const keep = opts.keepStdout ?? true;
  const p = cp.spawn(process.execPath, [TSDIG, ...args], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
  children.add(p);
  let out = '';
  let outBytes = 0;
  let err = '';
  p.stdout?.on('data', (d: Buffer) => {
    outBytes += d.length;
    if (keep) out += d.toString('latin1');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    p.on('exit', (code, signal) => {
      children.delete(p);
      r({ code, signal });
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const to = setTimeout(() => reject(new Error('tsdig did not start capturing in time; stderr:\n' + err)), opts.readyTimeoutMs ?? 45_000);
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('capturing')) {
        clearTimeout(to);
        resolve();
      }
    });
    void exited.then((c) => {
      clearTimeout(to);
      reject(new Error(`tsdig exited (${c.code}/${c.signal}) before capturing; stderr:\n${err}`));
    });
  });
  ready.catch(() => {});
  return {
    proc: p,
    pid: p.pid!,
    stdout: () => out,
    stdoutBytes: () => outBytes,
    stderr: () => err,
    ready,
    exited,
    stop: async (sig: NodeJS.Signals = 'SIGINT') => {
      if (p.exitCode === null && p.signalCode === null) p.kill(sig);
      const to = setTimeout(() => p.kill('SIGKILL'), 15_000);
      const c = await exited;
      clearTimeout(to);
      return c;
    },
  };
}

/** VmRSS of a process in kB (NaN when it is gone). */
export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Drops in tsdig's end-of-capture summary line ("…, N dropped by the ring buffer"). */
export function summaryDrops(stderr: string): number {
  const m = /(\d+) events captured in [\d.]+ s \((\d+) matched the filter\), (\d+) dropped/.exec(stderr);
  if (m) return Number(m[3]);
  // no summary line (live chisels print none): the last running drop report's total, else 0
  const all = [...stderr.matchAll(/\((\d+) in total\)/g)];
  return all.length ? Number(all.at(-1)![1]) : /capturing live events/.test(stderr) ? 0 : NaN;
}
export function summaryEvents(stderr: string): number {
  const m = /(\d+) events captured in/.exec(stderr);
  return m ? Number(m[1]) : NaN;
}

/** Lines on stderr that are neither tsdig's start line, its summary, drop reports, stats nor docker notes. */
export function unexpectedStderr(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() && !/^tsdig: (capturing live events|\d+ events captured in|ring buffer full|docker: |stats at |state tables at exit: )/.test(l));
}

export interface LiveStats {
  /** seconds since the capture started */
  at: number;
  events: number;
  /** events/s since the previous report */
  rate: number;
  drops: number;
  /** tsdig's own view: rss, heapUsed, external, arrayBuffers (MB) */
  memory: Sizes;
  tables: Sizes;
}

/** Every "stats at …" line tsdig printed on SIGUSR2 (src/live/source.ts), in order. */
export function parseStats(stderr: string): LiveStats[] {
  const out: LiveStats[] = [];
  for (const m of stderr.matchAll(/^tsdig: stats at ([\d.]+) s: (\d+) events, (\d+) events\/s since the last report, (\d+) dropped; memory MB: (.*); state tables: (.*)$/gm)) {
    out.push({ at: Number(m[1]), events: Number(m[2]), rate: Number(m[3]), drops: Number(m[4]), memory: parseSizes(m[5]!), tables: parseSizes(m[6]!) });
  }
  return out;
}

/** Asks a running live tsdig for its stats (SIGUSR2) and waits for the line. */
export async function liveStats(live: Live, ms = 10_000): Promise<LiveStats> {
  const n = parseStats(live.stderr()).length;
  live.proc.kill('SIGUSR2');
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const all = parseStats(live.stderr());
    if (all.length > n) return all[n]!;
    await sleep(50);
  }
  throw new Error('tsdig did not answer SIGUSR2 with a stats line; stderr:\n' + live.stderr().slice(-2000));
}

/** The table sizes tsdig -v printed when it stopped. */
export function exitTables(stderr: string): Sizes | null {
  const m = /^tsdig: state tables at exit: (.*)$/m.exec(stderr);
  return m ? parseSizes(m[1]!) : null;
}

// ---- load generator ----------------------------------------------------------------------

const LOAD_C = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
/* usage: load RATE SECONDS   RATE = syscalls per second (getppid and a 64-byte read of /dev/zero
 * alternating; each is an enter and an exit event), 0 = as fast as possible. Prints the number of
 * syscalls made and the seconds taken. */
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  double rate = atof(argv[1]), secs = atof(argv[2]);
  char buf[64] = { 0 };
  int fd = open("/dev/zero", O_RDONLY);
  double t0 = now(), t;
  long n = 0;
  while ((t = now()) - t0 < secs) {
    for (int i = 0; i < 500; i++) {
      syscall(SYS_getppid);
      syscall(SYS_read, fd, buf, sizeof buf);
    }
    n += 1000;
    if (rate > 0) {
      double ahead = n / rate - (now() - t0);
      if (ahead > 0) {
        struct timespec d = { (time_t)ahead, (long)((ahead - (time_t)ahead) * 1e9) };
        nanosleep(&d, NULL);
      }
    }
  }
  printf("%ld %.3f\n", n, now() - t0);
  return 0;
}
`;

let loadDir: string | null = null;
/** Compiles the load generator once (named tsdigload, so filters can pick it); returns its path. */
export function buildLoad(): string {
  if (loadDir) return path.join(loadDir, 'tsdigload');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-soak-'));
  fs.writeFileSync(path.join(dir, 'load.c'), LOAD_C);
  const r = cp.spawnSync('cc', ['-O2', '-o', path.join(dir, 'tsdigload'), path.join(dir, 'load.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('cc failed: ' + r.stderr);
  loadDir = dir;
  return path.join(dir, 'tsdigload');
}
export function cleanupLoad(): void {
  if (loadDir) fs.rmSync(loadDir, { recursive: true, force: true });
  loadDir = null;
}

/**
 * `procs` load generators in parallel, `rate` syscalls/s in total (0 = each as fast as it can);
 * resolves with the syscalls made and the longest run.
 */
export async function runLoads(procs: number, rate: number, seconds: number, name = 'tsdigload'): Promise<{ syscalls: number; seconds: number }> {
  const rs = await Promise.all(Array.from({ length: procs }, () => runLoad(rate / procs, seconds, name)));
  return { syscalls: rs.reduce((a, r) => a + r.syscalls, 0), seconds: Math.max(...rs.map((r) => r.seconds)) };
}

/** Runs the load generator; resolves with syscalls made and seconds taken. */
export function runLoad(rate: number, seconds: number, name = 'tsdigload'): Promise<{ syscalls: number; seconds: number }> {
  const exe = buildLoad();
  let target = exe;
  if (name !== 'tsdigload') {
    target = path.join(path.dirname(exe), name);
    if (!fs.existsSync(target)) fs.copyFileSync(exe, target);
    fs.chmodSync(target, 0o755);
  }
  return new Promise((resolve, reject) => {
    const c = cp.spawn(target, [String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(c);
    let out = '';
    c.stdout!.on('data', (d: Buffer) => (out += d));
    c.on('exit', (code) => {
      children.delete(c);
      const [n, s] = out.trim().split(' ').map(Number);
      if (code !== 0) reject(new Error(`load generator exited ${code}`));
      else resolve({ syscalls: n!, seconds: s! });
    });
  });
}

// ---- dockerd -----------------------------------------------------------------------------

export function dockerdPid(): number | null {
  const r = cp.spawnSync('pgrep', ['-x', 'dockerd'], { encoding: 'utf8' });
  const pids = (r.stdout ?? '').split('\n').filter(Boolean).map(Number);
  return pids.length ? pids[0]! : null;
}

/** SIGTERM to dockerd, then waits for it to exit (SIGKILL after `graceMs`). Returns seconds taken. */
export async function stopDockerd(graceMs = 40_000): Promise<number> {
  const pid = dockerdPid();
  if (pid === null) return 0;
  const t0 = Date.now();
  process.kill(pid, 'SIGTERM');
  while (fs.existsSync(`/proc/${pid}`)) {
    if (Date.now() - t0 > graceMs) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch { /* gone */ }
    }
    await sleep(100);
  }
  return (Date.now() - t0) / 1000;
}

/** Makes sure dockerd runs (test/docker.ts starts it detached when it does not). */
export async function restartDockerd(): Promise<void> {
  const e = await ensureDocker();
  if (e) throw new Error(`dockerd did not come back: ${e}`);
}


export interface Figures {
  [k: string]: string | number | boolean | number[] | string[];
}

/** Waits until `pred()` holds or `ms` pass; returns whether it held. */
export async function waitFor(pred: () => boolean, ms: number, step = 200): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (pred()) return true;
    await sleep(step);
  }
  return pred();
}
