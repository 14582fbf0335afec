// A signal during a live job's start-up (root, eBPF). Before the capture starts (tsdig is loading
// the BPF programs): one line on stderr saying so, exit 128+signal, no -w file. After it started:
// exit 0 and a -w file that sysdig 0.29.3 reads. The "before" moment is found without timing
// guesses: main() installs its SIGHUP placeholder first thing (node itself never catches SIGHUP),
// so the signal goes as soon as /proc/PID/status shows SIGHUP caught; the BPF load that follows
// takes hundreds of ms. Needs root, the built addon and sysdig; under CI it FAILS instead of skipping.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TSDIG, haveCmd, needs, sysdig } from './helpers';
import { checkPrerequisites } from '../src/live/native';

const root = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-lstart-'));
const pre = checkPrerequisites();
const skip = needs('root', root) ?? needs(`live capture (${pre?.message})`, !pre) ?? needs('sysdig', haveCmd('sysdig'));

interface Child {
  proc: cp.ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function spawn(args: string[]): Child {
  const proc = cp.spawn(process.execPath, [TSDIG, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, stderr: () => err, exited };
}

/** resolves once the process catches SIGHUP (tsdig's main() has started) */
async function mainStarted(pid: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /SigCgt:\s*([0-9a-f]+)/.exec(st);
    if (m && (BigInt('0x' + m[1]) & 1n) !== 0n) return;
    await sleep(2);
  }
  throw new Error('tsdig never installed its signal handlers');
}

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

const NOT_STARTED = /^tsdig: stopped by SIGINT before the capture started: nothing was captured/m;

test('live -w: SIGINT before the capture started → one line, exit 130, no file', { timeout: 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const out = path.join(tmp, 'early.scap');
  const c = spawn(['-w', out]);
  await mainStarted(c.proc.pid!);
  c.proc.kill('SIGINT');
  const code = await c.exited;
  const err = c.stderr();
  assert.equal(code, 130, `exit code; stderr:\n${err}`);
  assert.match(err, NOT_STARTED);
  assert.match(err, /early\.scap not written/);
  assert.equal(err.trim().split('\n').length, 1, `one line:\n${err}`);
  assert.ok(!fs.existsSync(out), 'no file');
});

test('live print: SIGTERM before the capture started → one line, exit 143', { timeout: 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const c = spawn(['-q']);
  await mainStarted(c.proc.pid!);
  c.proc.kill('SIGTERM');
  const code = await c.exited;
  const err = c.stderr();
  assert.equal(code, 143, `exit code; stderr:\n${err}`);
  assert.match(err, /^tsdig: stopped by SIGTERM before the capture started: nothing was captured\n$/);
});

test('live -w: SIGINT after the capture started → exit 0, the file is closed and sysdig reads it', { timeout: 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const out = path.join(tmp, 'late.scap');
  const c = spawn(['-w', out]);
  await waitFor(() => /capturing live events/.test(c.stderr()) || c.proc.exitCode !== null, 45_000);
  await sleep(300);
  c.proc.kill('SIGINT');
  const code = await c.exited;
  assert.equal(code, 0, `exit code; stderr:\n${c.stderr()}`);
  assert.match(c.stderr(), /Capture stopped by signal\. Wrote \d+ events/);
  assert.equal(fs.statSync(out).mode & 0o777, 0o600);
  const r = sysdig(['-r', out]);
  assert.equal(r.status, 0, `sysdig -r: ${r.stderr}`);
  assert.ok(r.stdout.length > 0, 'sysdig reads events from it');
});

test('live -w: SIGTERM the moment the capture starts → exit 0, and the file holds its first events (sysdig reads no empty capture)', { timeout: 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const out = path.join(tmp, 'at-start.scap');
  const c = spawn(['-w', out]);
  await waitFor(() => /capturing live events/.test(c.stderr()) || c.proc.exitCode !== null, 45_000);
  c.proc.kill('SIGTERM');
  const code = await c.exited;
  assert.equal(code, 0, `exit code; stderr:\n${c.stderr()}`);
  const wrote = Number(/Wrote (\d+) events/.exec(c.stderr())?.[1]);
  assert.ok(wrote > 0, `events written; stderr:\n${c.stderr()}`);
  const r = sysdig(['-r', out]);
  assert.equal(r.status, 0, `sysdig -r: ${r.stderr}`);
  assert.ok(r.stdout.length > 0, 'sysdig reads events from it');
});
