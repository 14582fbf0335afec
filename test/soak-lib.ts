// Shared plumbing for the fault and soak harnesses (test/faults.test.ts, test/soak.test.ts,
// bench/faults.ts, bench/soak.ts): tsdig as a live child process, RSS sampling, a compiled syscall
// load generator, stopping/restarting dockerd, and the fault scenarios themselves, parameterised so
// the tests run them bounded and the benches longer. Scenarios throw (node:assert) when an outcome
// is wrong and return their figures otherwise. Not a test file.
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TSDIG, FIXTURES, haveCmd, needs } from './helpers';
import { checkPrerequisites } from '../src/live/native';
import { docker, ensureDocker, ensureTestImage, removeContainers, TEST_IMAGE } from './docker';
import { Rng } from './fuzz/harness';

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

const children = new Set<cp.ChildProcess>();
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

/** Lines on stderr that are neither tsdig's start line, its summary, drop reports nor docker notes. */
export function unexpectedStderr(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() && !/^tsdig: (capturing live events|\d+ events captured in|ring buffer full|docker: )/.test(l));
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
/* usage: load RATE SECONDS   RATE = syscalls per second (getppid and a 64-byte write to /dev/null
 * alternating; each is an enter and an exit event), 0 = as fast as possible. Prints the number of
 * syscalls made and the seconds taken. */
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  double rate = atof(argv[1]), secs = atof(argv[2]);
  char buf[64] = { 0 };
  int fd = open("/dev/null", O_WRONLY);
  double t0 = now(), t;
  long n = 0;
  while ((t = now()) - t0 < secs) {
    for (int i = 0; i < 500; i++) {
      syscall(SYS_getppid);
      syscall(SYS_write, fd, buf, sizeof buf);
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

// ---- fault scenarios ---------------------------------------------------------------------

export interface Figures {
  [k: string]: string | number | boolean | number[] | string[];
}

const LOOP = 'while true; do cat /etc/hostname > /dev/null; sleep 0.2; done';

/** A line of `%container.name %proc.name` output for this container (busybox applets show as "exe":
 * sh runs them with execve("/proc/self/exe")). */
function hasLine(out: string, name: string): boolean {
  return out.startsWith(name + ' ') || out.includes('\n' + name + ' ');
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

/**
 * (a) dockerd stopped (SIGTERM) and restarted while `tsdig -p '%container.name %proc.name'
 * container.name!=host` runs; then a new container: capture goes on and names come back.
 * dockerd is running again when this returns or throws.
 */
export async function faultDockerRestart(tag = 'a'): Promise<Figures> {
  const before = `tsdig-fault-${tag}-before`;
  const after = `tsdig-fault-${tag}-after`;
  removeContainers([before, after]);
  const live = startTsdig(['-p', '%container.name %proc.name', 'container.name!=host']);
  const fig: Figures = {};
  try {
    let r = docker(['run', '-d', '--stop-timeout', '1', '--name', before, TEST_IMAGE, 'sh', '-c', LOOP]);
    assert.equal(r.status, 0, r.stderr);
    await live.ready;
    assert.ok(await waitFor(() => hasLine(live.stdout(), before), 20_000), `name of ${before} before the restart; stderr:\n${live.stderr()}`);
    const linesBefore = live.stdout().length;
    fig.stopSeconds = await stopDockerd();
    const down = Date.now();
    await sleep(1000);
    assert.equal(live.proc.exitCode, null, 'tsdig still running with dockerd down; stderr:\n' + live.stderr());
    await restartDockerd();
    fig.downSeconds = (Date.now() - down) / 1000;
    const up = Date.now();
    r = docker(['run', '-d', '--stop-timeout', '1', '--name', after, TEST_IMAGE, 'sh', '-c', LOOP]);
    assert.equal(r.status, 0, r.stderr);
    const id = docker(['inspect', '-f', '{{.Id}}', after]).stdout.trim().slice(0, 12);
    // events of the new container show first under its id (placeholder) until the watcher reconnects
    const named = await waitFor(() => hasLine(live.stdout(), after), 60_000);
    fig.nameBackSeconds = (Date.now() - up) / 1000;
    fig.linesAsId = live.stdout().split('\n').filter((l) => l.startsWith(id + ' ')).length;
    fig.warnings = live.stderr().split('\n').filter((l) => l.includes('docker:')).map((l) => l.replace(/^tsdig: /, '').slice(0, 120));
    assert.ok(named, `the new container's name never came back (${fig.linesAsId} lines under its id); stderr:\n${live.stderr()}`);
    assert.ok(live.stdout().length > linesBefore, 'events kept flowing');
    assert.equal(live.proc.exitCode, null, 'tsdig still running');
    const ex = await live.stop();
    assert.equal(ex.code, 0, 'exit code after SIGINT; stderr:\n' + live.stderr());
    assert.deepEqual(unexpectedStderr(live.stderr()), [], 'stderr');
    return fig;
  } finally {
    await live.stop('SIGKILL').catch(() => undefined);
    await restartDockerd();
    removeContainers([before, after]);
  }
}

/**
 * (b) N containers started and stopped (in parallel waves) during a live capture. tsdig has no
 * table-size statistic, so RSS is what is measured: after start, after the churn, after a settle.
 */
export async function faultContainerChurn(n: number, tag = 'b'): Promise<Figures> {
  const prefix = `tsdig-fault-${tag}-churn-`;
  const names = Array.from({ length: n }, (_, i) => prefix + i);
  removeContainers(names);
  const live = startTsdig(['-p', '%container.name %proc.name', `container.name startswith ${prefix}`], { keepStdout: true });
  const fig: Figures = { containers: n };
  try {
    await live.ready;
    await sleep(2000);
    fig.rssStartMb = Math.round(rssKb(live.pid) / 1024);
    const t0 = Date.now();
    const wave = 10;
    for (let i = 0; i < n; i += wave) {
      await Promise.all(
        names.slice(i, i + wave).map(
          (nm) =>
            new Promise<void>((resolve, reject) => {
              // the container lives ~1.5 s: long enough for its name to be resolved before it exits
              const c = cp.spawn('docker', ['run', '--rm', '--name', nm, '--label', 'tsdig-test=1', TEST_IMAGE, 'sh', '-c', 'cat /etc/hostname; sleep 1.5; cat /etc/hostname'], { stdio: 'ignore' });
              c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run ${nm}: ${code}`))));
            }),
        ),
      );
    }
    fig.churnSeconds = (Date.now() - t0) / 1000;
    fig.rssAfterChurnMb = Math.round(rssKb(live.pid) / 1024);
    await sleep(3000);
    fig.rssSettledMb = Math.round(rssKb(live.pid) / 1024);
    const seen = new Set(live.stdout().split('\n').map((l) => l.split(' ')[0]).filter((s) => s?.startsWith(prefix)));
    fig.namesSeen = seen.size;
    const ex = await live.stop();
    assert.equal(ex.code, 0, 'exit code; stderr:\n' + live.stderr());
    fig.drops = summaryDrops(live.stderr());
    assert.ok(seen.size >= Math.ceil(n * 0.9), `${seen.size} of ${n} container names seen in the output`);
    // a leak per container would show here; 1 MB per container is generous
    assert.ok((fig.rssSettledMb as number) - (fig.rssStartMb as number) < 40 + n, `RSS grew from ${fig.rssStartMb} to ${fig.rssSettledMb} MB`);
    return fig;
  } finally {
    await live.stop('SIGKILL').catch(() => undefined);
    removeContainers(names);
  }
}

/** A large capture for re-writes: format-1.2 fixtures concatenated `reps` times (sections). */
export function buildBig(dir: string, reps: number): string {
  const big = path.join(dir, `big-${reps}.scap`);
  if (fs.existsSync(big)) return big;
  const parts = ['sf-collector__mpm-worker_full.scap', 'sf-collector__mpm-preforked_full.scap', 'sf-collector__nginx.scap', 'sf-collector__mpm-event_full.scap'].map((n) =>
    fs.readFileSync(path.join(FIXTURES, n)),
  );
  const fd = fs.openSync(big, 'w');
  for (let i = 0; i < reps; i++) for (const p of parts) fs.writeSync(fd, p);
  fs.closeSync(fd);
  return big;
}

export interface SignalOutcome {
  mode: 'rewrite' | 'live -w' | 'live';
  signal: NodeJS.Signals;
  delayMs: number;
  /** the out file existed with data when the signal was sent */
  started: boolean;
  code: number | null;
  killedBy: NodeJS.Signals | null;
  outBytes: number;
  /** sysdig -r out: exit status and events it counted ('-' when not checked) */
  sysdig: string;
  ok: boolean;
  note: string;
}

const SIGS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function sysdigCount(file: string): { status: number | null; events: number; err: string } {
  const r = cp.spawnSync('sysdig', ['-r', file, '-q', '-v'], { encoding: 'utf8', timeout: 120_000 });
  const m = /Captured Events: (\d+)/.exec(r.stderr ?? '');
  return { status: r.status, events: m ? Number(m[1]) : -1, err: (r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '' };
}

/** `tsdig -w` without -r: whether this build captures live to a file (else the usage error text). */
export function liveWriteSupported(dir: string): true | string {
  const out = path.join(dir, 'probe-live-w.scap');
  const r = cp.spawnSync(process.execPath, [TSDIG, '-w', out, '-n', '1'], { encoding: 'utf8', timeout: 60_000 });
  fs.rmSync(out, { force: true });
  if (r.status === 2 && /not wired up|not available/.test(r.stderr)) return r.stderr.split('\n')[0]!;
  return true;
}

/**
 * (c) SIGINT/SIGTERM/SIGHUP at seeded random moments during `-r big -w out` re-writes, live
 * `-w out` captures (when this build has them) and plain live captures. A requested stop must end
 * with exit 0 and a file sysdig reads; a signal that lands before tsdig installed its handlers
 * (the out file not yet started) may kill it by that signal, and that is recorded, not failed.
 */
export async function faultSignals(dir: string, seed: number, rewrites: number, lives: number, bigReps = 4): Promise<SignalOutcome[]> {
  const rng = new Rng(seed);
  const big = buildBig(dir, bigReps);
  const res: SignalOutcome[] = [];
  // re-writes: the whole run takes a few seconds; signals land anywhere from start-up to the end
  for (let i = 0; i < rewrites; i++) {
    const sig = SIGS[i % 3]!;
    const delayMs = rng.int(i < 2 ? 400 : 1500);
    const out = path.join(dir, `rw-${i}.scap`);
    fs.rmSync(out, { force: true });
    const p = cp.spawn(process.execPath, [TSDIG, '-r', big, '-w', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(p);
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    const ex = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.on('exit', (code, signal) => r({ code, signal })));
    await sleep(delayMs);
    const started = fs.existsSync(out) && fs.statSync(out).size > 0;
    const finishedFirst = p.exitCode !== null;
    p.kill(sig);
    const to = setTimeout(() => p.kill('SIGKILL'), 60_000);
    const e = await ex;
    clearTimeout(to);
    children.delete(p);
    res.push(checkOutcome('rewrite', sig, delayMs, started, e, out, err, finishedFirst));
  }
  // live captures
  const lw = liveWriteSupported(dir);
  for (let i = 0; i < lives; i++) {
    const sig = SIGS[i % 3]!;
    const delayMs = rng.int(3000);
    const withW = lw === true;
    const out = path.join(dir, `live-${i}.scap`);
    fs.rmSync(out, { force: true });
    const live = startTsdig(withW ? ['-w', out] : ['-q'], { keepStdout: false });
    await live.ready;
    await sleep(delayMs);
    const started = !withW || (fs.existsSync(out) && fs.statSync(out).size > 0);
    const e = await live.stop(sig);
    const o = checkOutcome(withW ? 'live -w' : 'live', sig, delayMs, started, e, withW ? out : null, live.stderr(), false);
    if (!withW) o.note = (o.note ? o.note + '; ' : '') + `live -w not tested: ${lw}`;
    res.push(o);
  }
  return res;
}

function checkOutcome(
  mode: SignalOutcome['mode'],
  sig: NodeJS.Signals,
  delayMs: number,
  started: boolean,
  e: { code: number | null; signal: NodeJS.Signals | null },
  out: string | null,
  stderr: string,
  finishedFirst: boolean,
): SignalOutcome {
  const o: SignalOutcome = { mode, signal: sig, delayMs, started, code: e.code, killedBy: e.signal, outBytes: out && fs.existsSync(out) ? fs.statSync(out).size : 0, sysdig: '-', ok: false, note: '' };
  if (/\n\s+at /.test(stderr)) o.note = 'stack trace on stderr';
  if (finishedFirst) o.note = 'finished before the signal';
  if (e.code === 0) {
    if (out) {
      const s = sysdigCount(out);
      o.sysdig = `${s.status}/${s.events}`;
      o.ok = s.status === 0 && s.events >= 0 && !o.note.includes('stack');
      if (!o.ok) o.note += ` sysdig: ${s.err}`;
    } else o.ok = !o.note.includes('stack');
  } else if (!started && e.signal === sig) {
    o.ok = true;
    o.note = (o.note ? o.note + '; ' : '') + 'killed before its handlers were installed';
  } else o.note = (o.note ? o.note + '; ' : '') + `stderr: ${stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 200)}`;
  return o;
}

/**
 * (d) SIGPIPE: `tsdig -r FIXTURE | head -1` and live `tsdig | head -5` end quickly, quietly, with
 * exit code 0 or 141.
 */
export async function faultSigpipe(fixture: string): Promise<Figures> {
  const fig: Figures = {};
  const sh = (cmd: string, ms: number) => {
    const t0 = Date.now();
    const r = cp.spawnSync('bash', ['-c', `${cmd}; echo "@@rc=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', timeout: ms, stdio: ['ignore', 'pipe', 'pipe'] });
    const err = r.stderr ?? '';
    const rc = Number(/@@rc=(\d+)/.exec(err)?.[1] ?? -1);
    return { secs: (Date.now() - t0) / 1000, rc, stdout: r.stdout ?? '', stderr: err.replace(/@@rc=\d+\n?/, ''), timedOut: r.error !== undefined };
  };
  const full = cp.spawnSync(process.execPath, [TSDIG, '-r', fixture], { stdio: ['ignore', 'ignore', 'ignore'] });
  assert.equal(full.status, 0);
  const t0 = Date.now();
  cp.spawnSync(process.execPath, [TSDIG, '-r', fixture], { stdio: ['ignore', 'ignore', 'ignore'] });
  fig.replayFullSeconds = (Date.now() - t0) / 1000;
  const a = sh(`${process.execPath} ${TSDIG} -r ${fixture} | head -1`, 30_000);
  fig.replayHeadSeconds = a.secs;
  fig.replayRc = a.rc;
  assert.ok(!a.timedOut, 'replay | head -1 timed out');
  assert.ok([0, 141].includes(a.rc), `replay | head -1: exit ${a.rc}; stderr:\n${a.stderr}`);
  assert.equal(a.stderr, '', 'replay | head -1: stderr');
  assert.equal(a.stdout.split('\n').filter(Boolean).length, 1);
  const b = sh(`${process.execPath} ${TSDIG} | head -5`, 60_000);
  fig.liveHeadSeconds = b.secs;
  fig.liveRc = b.rc;
  assert.ok(!b.timedOut, 'live | head -5 timed out');
  assert.ok([0, 141].includes(b.rc), `live | head -5: exit ${b.rc}; stderr:\n${b.stderr}`);
  assert.deepEqual(unexpectedStderr(b.stderr), [], 'live | head -5: unexpected stderr');
  assert.equal(b.stdout.split('\n').filter(Boolean).length, 5);
  return fig;
}

/**
 * (e) A tiny ring buffer (--bufsize MB) under an unthrottled syscall flood: drops are reported on
 * stderr while they happen and in the summary, and events keep flowing after the flood.
 */
export async function faultOverrun(bufsizeMb: number, floodSeconds: number): Promise<Figures> {
  buildLoad();
  // the filter keeps stdout small; the flood fills the ring all the same (filtering is in user space)
  const live = startTsdig(['--bufsize', String(bufsizeMb), '-p', '%proc.name %evt.type', 'proc.name=tsdigmark']);
  const fig: Figures = { bufsizeMb };
  const marks = () => live.stdout().split('\n').filter((l) => l.startsWith('tsdigmark ')).length;
  try {
    await live.ready;
    const floods = await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, () => runLoad(0, floodSeconds, 'tsdigflood')));
    fig.floodSyscalls = floods.reduce((s, f) => s + f.syscalls, 0);
    const reported = await waitFor(() => /ring buffer full: \d+ events dropped/.test(live.stderr()), 5000);
    fig.dropLines = live.stderr().split('\n').filter((l) => l.includes('ring buffer full')).length;
    // recovery: a short, slow run of a differently named process after the flood must show up
    await sleep(1500);
    const before = marks();
    const mk = await runLoad(2000, 1, 'tsdigmark');
    const recovered = await waitFor(() => marks() >= mk.syscalls * 2 * 0.99, 5000);
    fig.markEvents = `${marks() - before} of ${mk.syscalls * 2}`;
    const ex = await live.stop();
    fig.exitCode = ex.code ?? -1;
    fig.drops = summaryDrops(live.stderr());
    fig.events = summaryEvents(live.stderr());
    assert.ok(reported, 'a "ring buffer full" line while the flood ran; stderr:\n' + live.stderr());
    assert.ok((fig.drops as number) > 0, 'drops in the summary: ' + live.stderr());
    assert.ok(recovered, `events after the flood: ${fig.markEvents}`);
    assert.equal(ex.code, 0, live.stderr());
    return fig;
  } finally {
    await live.stop('SIGKILL').catch(() => undefined);
  }
}

// ---- soak --------------------------------------------------------------------------------

/** Whether a chisel runs on a live capture in this build (else the usage error line). */
export function liveChiselSupported(chisel: string): true | string {
  const r = cp.spawnSync(process.execPath, [TSDIG, '-c', chisel, '-n', '1', '-q'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status === 2 && /need a capture|not available/.test(r.stderr)) return r.stderr.split('\n')[0]!;
  return true;
}

/** Starts `tsdig --ui` live in a detached tmux session; returns undefined (and why) when it cannot run. */
export async function startLiveUi(session: string): Promise<{ pid: number; stop: () => void } | string> {
  if (!haveCmd('tmux')) return 'tmux is not installed';
  const r = cp.spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '45', `${process.execPath} ${TSDIG} --ui; echo TSDIG-EXIT=$?; sleep 600`]);
  if (r.status !== 0) return 'tmux new-session failed';
  const stop = () => void cp.spawnSync('tmux', ['kill-session', '-t', session]);
  await sleep(10_000);
  const pane = cp.spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout ?? '';
  const exited = /TSDIG-EXIT=(\d+)/.exec(pane);
  if (exited) {
    stop();
    return `tsdig --ui exited ${exited[1]}: ${pane.split('\n').find((l) => l.includes('tsdig:'))?.trim() ?? pane.trim().slice(0, 200)}`;
  }
  const panePid = Number(cp.spawnSync('tmux', ['display-message', '-p', '-t', session, '#{pane_pid}'], { encoding: 'utf8' }).stdout.trim());
  const kid = cp.spawnSync('pgrep', ['-P', String(panePid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number)[0];
  return { pid: kid ?? panePid, stop };
}

export interface SoakResult {
  mode: string;
  seconds: number;
  /** syscalls/s the load generator reached (2 events each) */
  loadRate: number;
  rssMb: number[];
  uiRssMb: number[];
  ui: string;
  events: number;
  drops: number;
  exitCode: number | null;
}

/**
 * A steady syscall load (`rate` syscalls/s, i.e. 2×rate events/s) for `seconds`, with tsdig
 * running live (a chisel when live chisels exist, else `-q -S`, which still counts every event)
 * and, when it works live, `tsdig --ui` in tmux. tsdig's RSS is sampled every `everyS` seconds.
 */
export async function runSoak(seconds: number, rate: number, everyS = 10, opts: { ui?: boolean; log?: (s: string) => void } = {}): Promise<SoakResult> {
  buildLoad();
  const chisel = liveChiselSupported('topprocs_file');
  const args = chisel === true ? ['-q', '-c', 'topprocs_file'] : ['-q', '-S'];
  const res: SoakResult = { mode: `tsdig ${args.join(' ')}${chisel === true ? '' : ` (chisels: ${chisel})`}`, seconds, loadRate: 0, rssMb: [], uiRssMb: [], ui: 'not run', events: 0, drops: 0, exitCode: null };
  const live = startTsdig(args, { keepStdout: false });
  let ui: Awaited<ReturnType<typeof startLiveUi>> | undefined;
  try {
    await live.ready;
    if (opts.ui !== false) {
      ui = await startLiveUi(`tsdig-soak-ui-${process.pid}`);
      res.ui = typeof ui === 'string' ? ui : 'running live in tmux';
    }
    const load = runLoad(rate, seconds);
    const t0 = Date.now();
    for (let k = 1; k * everyS <= seconds; k++) {
      await sleep(t0 + k * everyS * 1000 - Date.now());
      res.rssMb.push(Math.round(rssKb(live.pid) / 1024));
      if (ui && typeof ui !== 'string') res.uiRssMb.push(Math.round(rssKb(ui.pid) / 1024));
      opts.log?.(`t=${k * everyS}s rss=${res.rssMb.at(-1)} MB${res.uiRssMb.length ? ` ui=${res.uiRssMb.at(-1)} MB` : ''} drops so far: ${live.stderr().split('\n').filter((l) => l.includes('ring buffer full')).length} reports`);
      assert.equal(live.proc.exitCode, null, 'tsdig died during the soak; stderr:\n' + live.stderr());
    }
    const l = await load;
    res.loadRate = Math.round(l.syscalls / l.seconds);
    const ex = await live.stop();
    res.exitCode = ex.code;
    res.events = summaryEvents(live.stderr());
    res.drops = summaryDrops(live.stderr());
    return res;
  } finally {
    if (ui && typeof ui !== 'string') ui.stop();
    await live.stop('SIGKILL').catch(() => undefined);
  }
}
