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

before(async () => {
  setupError = await prereqs();
  if (setupError) return;
  removeContainers([CT]);
  const r = docker(['run', '-d', '--name', CT, '--label', 'tsdig-test=1', TEST_IMAGE, 'sh', '-c', WORKLOAD]);
  assert.equal(r.status, 0, r.stderr);
  ctPid = Number(inspect(CT, '{{.State.Pid}}'));
  await sleep(500);
});

after(() => {
  if (!setupError) removeContainers([CT]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Makes sure the workload container still runs (other suites share the daemon). */
function ensureWorkload(): void {
  if (inspect(CT, '{{.State.Running}}') === 'true') return;
  removeContainers([CT]);
  const r = docker(['run', '-d', '--name', CT, '--label', 'tsdig-test=1', TEST_IMAGE, 'sh', '-c', WORKLOAD]);
  assert.equal(r.status, 0, r.stderr);
  ctPid = Number(inspect(CT, '{{.State.Pid}}'));
}

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
  const exited = new Promise<number | null>((r) => p.on('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
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

/** sysdig and tsdig print the same lines for the file (args after -r FILE). */
function sameReadback(file: string, args: string[] = []): string[] {
  const s = sysdig(['-r', file, ...args]);
  assert.equal(s.status, 0, `sysdig -r ${file} ${args.join(' ')}: exit ${s.status}: ${s.stderr.toString()}`);
  const t = tsdig(['-r', file, ...args]);
  assert.equal(t.status, 0, `tsdig -r ${file}: ${t.stderr.toString()}`);
  assert.ok(s.stdout.equals(t.stdout), `sysdig and tsdig differ on ${file} ${args.join(' ')}: ${firstDiff(s.stdout, t.stdout)}`);
  return s.stdout.toString('latin1').split('\n').filter(Boolean);
}

test('live -w: sysdig reads the file line for line like tsdig, the container workload is named, mode 0600', { timeout: 60_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  ensureWorkload();
  const out = path.join(tmp, 'out.scap');
  const r = start(['-w', out, '-M', '3']);
  const code = await exitWithin(r, 30_000);
  assert.equal(code, 0, 'exit; stderr:\n' + r.stderr());
  const err = r.stderr();
  assert.match(err, /tsdig: [\d,]+ events \([\d,]+ ev\/s\), .*, [\d,]+ drops, .* file /, 'plain progress line (stderr is not a terminal)');
  assert.match(err, /Wrote \d+ events, \d+ bytes, to .*out\.scap in [\d.]+ s; \d+ filtered out, \d+ dropped\./, 'summary:\n' + err);
  assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'file mode');
  assert.equal(r.stdout(), '', 'nothing on stdout');
  const all = sameReadback(out);
  assert.ok(all.length > 100, `${all.length} lines`);
  // the workload under the container's name, in both readers
  const mine = sameReadback(out, ['-pc', `container.name=${CT}`]);
  assert.ok(mine.length > 0, 'no events of the container');
  assert.ok(mine.every((l) => l.includes(` ${CT} (`)), mine.find((l) => !l.includes(CT)));
  assert.ok(mine.some((l) => /openat .*name=\/tmp\/f/.test(l)), 'the workload opens /tmp/f:\n' + mine.slice(0, 20).join('\n'));
  const w = sysdig(['-r', out, '-p', '%proc.name %evt.buffer', `container.name=${CT} and evt.type=write and evt.dir=< and fd.name=/tmp/f`]);
  assert.match(w.stdout.toString(), /hello/, 'the echo into /tmp/f');
});

test('live -w with a filter, -z and -C rotation: every file reads back in sysdig like in tsdig', { timeout: 60_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  ensureWorkload();
  const base = path.join(tmp, 'rot.scap');
  const r = start(['-w', base, '-z', '-C', '1', '-M', '3', '-q', `container.name=${CT} or proc.name=sysdig or evt.type in (read, write, openat, close)`]);
  assert.equal(await exitWithin(r, 30_000), 0, r.stderr());
  assert.doesNotMatch(r.stderr(), /Wrote/, '-q: no summary');
  const files = fs.readdirSync(tmp).filter((f) => f.startsWith('rot.scap')).sort();
  assert.ok(files.length >= 1, 'files: ' + files.join(' '));
  assert.ok(files.every((f) => /^rot\.scap\d+$/.test(f)), files.join(' '));
  let workload = 0;
  for (const f of files) {
    const p = path.join(tmp, f);
    const b = fs.readFileSync(p);
    assert.ok(b[0] === 0x1f && b[1] === 0x8b, `${f} is gzip`);
    assert.ok(zlib.gunzipSync(b).length > 0);
    sameReadback(p);
    workload += sameReadback(p, ['-pc', `container.name=${CT}`]).length;
  }
  assert.ok(workload > 0, 'container events in the rotated files');
});

for (const sig of ['SIGINT', 'SIGHUP'] as const) {
  test(`live -w stopped by ${sig}: exit 0, the file is closed and sysdig reads it`, { timeout: 60_000 }, async (t) => {
    if (setupError) return t.skip(setupError);
    ensureWorkload();
    const out = path.join(tmp, `sig-${sig}.scap`);
    const r = start(['-w', out]);
    await r.ready;
    await sleep(1500);
    r.proc.kill(sig);
    const code = await exitWithin(r, 20_000);
    assert.equal(code, 0, `exit after ${sig}; stderr:\n${r.stderr()}`);
    assert.match(r.stderr(), /Capture stopped by signal\. Wrote \d+ events/);
    const lines = sameReadback(out);
    assert.ok(lines.length > 10, `${lines.length} lines`);
  });
}

test('live -w on a full disk: one clear error, exit 1, the file keeps its complete blocks and sysdig reads it', { timeout: 60_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  const skip = needs('mount', haveCmd('mount'));
  if (skip) return t.skip(skip);
  ensureWorkload();
  // the header (the whole process table) alone can exceed 256k on a busy machine: measure it
  const probe = path.join(tmp, 'probe.scap');
  const p = tsdig(['-w', probe, '-n', '1', '-q']);
  assert.equal(p.status, 0, p.stderr.toString());
  const size = Math.ceil((fs.statSync(probe).size * 1.5 + 256 * 1024) / 4096) * 4096;
  const mnt = path.join(tmp, 'small');
  fs.mkdirSync(mnt);
  const m = cp.spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { encoding: 'utf8' });
  assert.equal(m.status, 0, m.stderr);
  try {
    const out = path.join(mnt, 'full.scap');
    const r = start(['-w', out, '-M', '20']);
    const code = await exitWithin(r, 40_000);
    const err = r.stderr();
    assert.equal(code, 1, 'exit code; stderr:\n' + err);
    assert.match(err, /full\.scap: write failed: no space left on device; the file was cut back to \d+ bytes, its last complete block/);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
    const st = fs.statSync(out);
    assert.ok(st.size > 0 && st.size <= size, `${st.size} bytes on a ${size}-byte tmpfs`);
    const lines = sameReadback(out);
    assert.ok(lines.length > 0, 'events before the disk filled');
    const written = Number(/Wrote (\d+) events/.exec(err)?.[1]);
    assert.ok(written > 0, err);
  } finally {
    cp.spawnSync('umount', ['-l', mnt]);
  }
});

test('live chisel: topprocs_file prints its table every second with the workload in it', { timeout: 60_000 }, async (t) => {
  if (setupError) return t.skip(setupError);
  ensureWorkload();
  // the filter keeps the busy machine's other processes (parallel suites) out of the top 10
  const r = start(['-c', 'topprocs_file', '-M', '3', `container.name=${CT}`]);
  const code = await exitWithin(r, 30_000);
  assert.equal(code, 0, 'exit; stderr:\n' + r.stderr());
  const out = r.stdout();
  const tables = out.split('\n').filter((l) => /^Bytes\s+Process\s+PID/.test(l)).length;
  assert.ok(tables >= 2, `tables printed every second (${tables}):\n${out}`);
  const rows = out.split('\n').map((l) => l.trim().split(/\s+/));
  assert.ok(rows.some((c) => c[1] === 'sh' && c[2] === String(ctPid)), `the workload's sh (pid ${ctPid}) in a table:\n${out}`);
});
