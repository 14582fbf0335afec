// `sudo tsdig -w FILE` and `sudo tsdig -c CHISEL` on live events, with sysdig 0.29.3 as the oracle
// for the files: a container from the busybox test image runs a known workload while tsdig
// captures; the file must read back in sysdig exactly as in tsdig (same lines, default format),
// the workload must be there under the container's name, signals must leave a readable file, a
// full disk a clear error and a readable file, and chisels must see the workload live.
// Needs root, the built addon, sysdig and docker; under CI it FAILS instead of skipping.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { TSDIG, firstDiff, haveCmd, needs, sysdig, tsdig } from './helpers';
import { checkPrerequisites } from '../src/live/native';
import { ensureDocker, ensureTestImage, docker, inspect, removeContainers, TEST_IMAGE } from './docker';

const root = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-wlive-'));
const CT = `tsdig-wlive-${process.pid}`;
const WORKLOAD = 'mkdir -p /tmp; while true; do echo hello > /tmp/f; cat /tmp/f > /dev/null; sleep 0.1; done';
let setupError: string | undefined;
let ctPid = 0;

async function prereqs(): Promise<string | undefined> {
  const pre = checkPrerequisites();
  const base = needs('root', root) ?? needs(`live capture (${pre?.message})`, !pre) ?? needs('sysdig', haveCmd('sysdig'));
  if (base) return base;
  const d = await ensureDocker();
  if (d) return needs(`docker (${d})`, false);
  const img = ensureTestImage();
  if (img) return needs(`the busybox test image (${img})`, false);
  return undefined;
}

/** The captures, all started together in before() (each BPF load takes seconds on a busy box). */
const runs: Record<string, Run> = {};
const SMALL_FS = 2 * 1024 * 1024;
let mnt = '';

before(async () => {
  setupError = await prereqs();
  if (setupError) return;
  removeContainers([CT]);
  const r = docker(['run', '-d', '--name', CT, '--label', 'tsdig-test=1', TEST_IMAGE, 'sh', '-c', WORKLOAD]);
  assert.equal(r.status, 0, r.stderr);
  ctPid = Number(inspect(CT, '{{.State.Pid}}'));
  await sleep(300);
  // a tmpfs with room for the header (the process table: ~0.3 MB here) and some events; sized in
  // MB rather than 256k because the header alone can exceed 256k on a busy machine
  mnt = path.join(tmp, 'small');
  fs.mkdirSync(mnt);
  const m = cp.spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_FS}`, 'tmpfs', mnt], { encoding: 'utf8' });
  assert.equal(m.status, 0, 'mount: ' + m.stderr);
  const only = `container.name=${CT}`;
  runs.main = start(['-w', path.join(tmp, 'out.scap'), '-M', '3']);
  runs.rot = start(['-w', path.join(tmp, 'rot.scap'), '-z', '-e', '3000', '-W', '3', '-M', '3', '-q', only]);
  runs.SIGINT = start(['-w', path.join(tmp, 'sig-SIGINT.scap'), only]);
  runs.SIGHUP = start(['-w', path.join(tmp, 'sig-SIGHUP.scap'), only]);
  runs.full = start(['-w', path.join(mnt, 'full.scap'), '-M', '20']);
  // the filter keeps the busy machine's other processes (parallel suites) out of the top 10
  runs.chisel = start(['-c', 'topprocs_file', '-M', '3', only]);
  for (const sig of ['SIGINT', 'SIGHUP'] as const) {
    void runs[sig]!.ready.then(async () => {
      // long enough for the workload to be seen as the container's on a busy machine: six captures
      // start together here, and the container's name comes from the runtime after their start
      await sleep(4000);
      runs[sig]!.proc.kill(sig);
    });
  }
});

interface Run {
  proc: cp.ChildProcess;
  stdout: () => string;
  stderr: () => string;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function start(args: string[]): Run {
  const p = cp.spawn(process.execPath, [TSDIG, ...args], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': the last stderr lines (the summary) may still be in the pipe at 'exit'
  const exited = new Promise<number | null>((r) => p.on('close', (code, sig) => r(code ?? (sig ? -1 : null))));
  const ready = new Promise<void>((resolve, reject) => {
    const iv = setInterval(() => {
      if (err.includes('capturing')) {
        clearInterval(iv);
        resolve();
      }
    }, 50);
    void exited.then((c) => {
      clearInterval(iv);
      if (!err.includes('capturing')) reject(new Error(`tsdig exited (${c}) before capturing; stderr:\n${err}`));
    });
  });
  ready.catch(() => {});
  return { proc: p, stdout: () => out, stderr: () => err, ready, exited };
}

/** Waits for the exit, killing tsdig (and failing) after ms. */
async function exitWithin(r: Run, ms: number): Promise<number | null> {
  const to = setTimeout(() => r.proc.kill('SIGKILL'), ms);
  const c = await r.exited;
  clearTimeout(to);
  return c;
}

/**
 * Known difference of the READERS (not of the file): for a unix socket that came from the /proc
 * scan with no path, sysdig names the fd after the first sendmsg/recvmsg tuple
 * (`<u>ffff…->ffff… `); tsdig's replay keeps `<u>`. Lines that differ only there are compared
 * with the unix-socket fd name masked, and counted.
 */
const maskUnix = (l: string) => l.replace(/\(<u>[^)]*\)/g, '(<u>)');

/** sysdig and tsdig print the same lines for the file (args after -r FILE). */
function sameReadback(file: string, args: string[] = [], t?: { diagnostic(m: string): void }): string[] {
  const s = sysdig(['-r', file, ...args]);
  assert.equal(s.status, 0, `sysdig -r ${file} ${args.join(' ')}: exit ${s.status}: ${s.stderr.toString()}`);
  // as 0.29.3 reads it: it skips the prctl events tsdig's probe records (types newer than its table)
  const r = tsdig(['-r', file, ...args], { env: { TSDIG_READ_AS_SYSDIG: '1' } });
  assert.equal(r.status, 0, `tsdig -r ${file}: ${r.stderr.toString()}`);
  const sl = s.stdout.toString('latin1').split('\n');
  const tl = r.stdout.toString('latin1').split('\n');
  assert.equal(tl.length, sl.length, `line count: sysdig ${sl.length}, tsdig ${tl.length}: ${firstDiff(s.stdout, r.stdout)}`);
  let masked = 0;
  for (let i = 0; i < sl.length; i++) {
    if (sl[i] === tl[i]) continue;
    assert.equal(maskUnix(tl[i]!), maskUnix(sl[i]!), `line ${i + 1} of ${file} ${args.join(' ')}`);
    masked++;
  }
  if (masked) t?.diagnostic(`${path.basename(file)}: ${masked} of ${sl.length} lines equal only with unix-socket fd names masked`);
  return sl.filter(Boolean);
}

/** Whole-file comparison format: every event's identity, not its rendered arguments (see below). */
const ROBUST = '%evt.num %evt.rawtime %evt.cpu %proc.name %thread.tid %evt.dir %evt.type %evt.rawres %container.name';

// the workload container loops for minutes and the tmpfs stays mounted unless removed here
after(() => {
  if (setupError) return;
  removeContainers([CT]);
  if (mnt) cp.spawnSync('umount', [mnt]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('live -w: sysdig reads the file like tsdig, the container workload is named with its arguments, mode 0600', { timeout: 90_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  const r = runs.main!;
  const out = path.join(tmp, 'out.scap');
  const code = await exitWithin(r, 60_000);
  assert.equal(code, 0, 'exit; stderr:\n' + r.stderr());
  const err = r.stderr();
  assert.match(err, /tsdig: [\d,]+ events \([\d,]+ ev\/s\), .*, [\d,]+ drops, .* file /, 'plain progress line (stderr is not a terminal):\n' + err);
  assert.match(err, /Wrote \d+ events, \d+ bytes, to .*out\.scap in [\d.]+ s; \d+ filtered out, \d+ dropped\. Live: \d+ events captured/, 'summary:\n' + err);
  assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'file mode');
  assert.equal(r.stdout(), '', 'nothing on stdout');
  // the whole system-wide file: same events, same order, same threads, types, results and
  // containers. The default format is not used here: on arbitrary system activity the two READERS
  // still render a few arguments differently (e.g. an empty openat path, sysdig `name=(/cwd)`;
  // fd names after dup2 over a /proc-scanned fd), which says nothing about the file.
  const all = sameReadback(out, ['-p', ROBUST], t);
  assert.ok(all.length > 100, `${all.length} lines`);
  // the container's workload in the default -pc format, arguments and fd names included
  const mine = sameReadback(out, ['-pc', `container.name=${CT}`], t);
  assert.ok(mine.length > 0, 'no events of the container');
  assert.ok(mine.every((l) => l.includes(` ${CT} (`)), mine.find((l) => !l.includes(CT)));
  assert.ok(mine.some((l) => /openat .*name=\/tmp\/f/.test(l)), 'the workload opens /tmp/f:\n' + mine.slice(0, 20).join('\n'));
  const w = sysdig(['-r', out, '-p', '%proc.name %evt.buffer', `container.name=${CT} and evt.type=write and evt.dir=< and fd.name=/tmp/f`]);
  assert.match(w.stdout.toString(), /hello/, 'the echo into /tmp/f');
});

test('live -w with a filter, -z, -e and -W: every file of the ring reads back in sysdig like in tsdig', { timeout: 90_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  const r = runs.rot!;
  assert.equal(await exitWithin(r, 60_000), 0, r.stderr());
  assert.doesNotMatch(r.stderr(), /Wrote|events \(/, '-q: no progress, no summary');
  const files = fs.readdirSync(tmp).filter((f) => f.startsWith('rot.scap')).sort();
  assert.ok(files.length >= 1 && files.length <= 3, 'files: ' + files.join(' '));
  assert.ok(files.every((f) => /^rot\.scap[012]$/.test(f)), files.join(' '));
  let workload = 0;
  for (const f of files) {
    const p = path.join(tmp, f);
    const b = fs.readFileSync(p);
    assert.ok(b[0] === 0x1f && b[1] === 0x8b, `${f} is gzip`);
    assert.ok(zlib.gunzipSync(b).length > 0);
    sameReadback(p, ['-p', ROBUST], t);
    workload += sameReadback(p, ['-pc', `container.name=${CT}`], t).length;
  }
  assert.ok(workload > 0, 'container events in the ring');
});

for (const sig of ['SIGINT', 'SIGHUP'] as const) {
  test(`live -w stopped by ${sig}: exit 0, the file is closed and sysdig reads it`, { timeout: 90_000 }, async (t) => {
    if (setupError) return t.skip(setupError);
    const r = runs[sig]!;
    const code = await exitWithin(r, 60_000);
    assert.equal(code, 0, `exit after ${sig}; stderr:\n${r.stderr()}`);
    assert.match(r.stderr(), /Capture stopped by signal\. Wrote \d+ events/);
    const out = path.join(tmp, `sig-${sig}.scap`);
    const lines = sameReadback(out, ['-pc', `container.name=${CT}`], t);
    assert.ok(lines.length > 0, 'the workload before the signal');
  });
}

test('live -w on a full disk: one clear error, exit 1, the file keeps its complete blocks and sysdig reads it', { timeout: 90_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  const r = runs.full!;
  const code = await exitWithin(r, 60_000);
  const err = r.stderr();
  assert.equal(code, 1, 'exit code; stderr:\n' + err);
  assert.match(err, /full\.scap: write failed: no space left on device; the file was cut back to \d+ bytes, its last complete block/);
  assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  const out = path.join(mnt, 'full.scap');
  const st = fs.statSync(out);
  assert.ok(st.size > 0 && st.size <= SMALL_FS, `${st.size} bytes on a ${SMALL_FS}-byte tmpfs`);
  const lines = sameReadback(out, ['-p', ROBUST], t);
  const written = Number(/Wrote (\d+) events/.exec(err)?.[1]);
  assert.ok(lines.length > 0 && written > 0, err);
});

test('live chisel: topprocs_file prints its table every second with the workload in it', { timeout: 90_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  const r = runs.chisel!;
  const code = await exitWithin(r, 60_000);
  assert.equal(code, 0, 'exit; stderr:\n' + r.stderr());
  const out = r.stdout();
  const tables = out.split('\n').filter((l) => /^Bytes\s+Process\s+PID/.test(l)).length;
  assert.ok(tables >= 2, `tables printed every second (${tables}):\n${out}`);
  const rows = out.split('\n').map((l) => l.trim().split(/\s+/));
  assert.ok(rows.some((c) => c[1] === 'sh' && c[2] === String(ctPid)), `the workload's sh (pid ${ctPid}) in a table:\n${out}`);
});
