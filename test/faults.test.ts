// Fault injection around live capture and writing (bounded for CI, a few minutes; longer runs:
// `node dist/bench/faults.js`). The scenarios live in test/fault-scenarios.ts:
//  (a) dockerd stopped (SIGTERM) and restarted mid-capture, then a new container: names come back;
//  (b) 100 containers started and stopped during a capture: names resolved; the state tables
//      (threads, fds, containers, Docker watcher maps — tsdig's SIGUSR2 stats) before and after
//      the churn are printed and must be back near the baseline; RSS bounded;
//  (c) SIGINT/SIGTERM/SIGHUP at seeded random moments in re-writes and live captures: exit 0 and a
//      file sysdig reads (or none: a re-write stopped before its first event; a live capture
//      stopped before it started says so in one line and exits 128+signal);
//  (d) SIGPIPE: `tsdig -r F | head -1`, live `tsdig | head -5`: quick, quiet, exit 0 or 141;
//  (e) a 64 kB ring buffer under a syscall flood: drops reported, capture recovers;
//  (f) SIGTERM 0–300 ms after `tsdig -w` starts: exit 143 with one line and no file (the capture
//      had not started) or exit 0 with a file sysdig reads, or (only in node's own start-up) death
//      by SIGTERM with no file.
// Needs root, the addon, cc, docker (a, b), sysdig (c, f) and the fixtures; under CI it fails
// instead of skipping. dockerd is running again at the end, whatever happens.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, fixtureList, haveCmd, needs } from './helpers';
import { cleanupLoad, dockerSkip, killChildren, liveSkip, restartDockerd } from './soak-lib';
import { faultContainerChurn, faultDockerRestart, faultEarlySignals, faultOverrun, faultSignals, faultSigpipe } from './fault-scenarios';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-faults-'));
after(async () => {
  killChildren();
  cleanupLoad();
  fs.rmSync(tmp, { recursive: true, force: true });
  if (haveCmd('dockerd') && process.getuid?.() === 0) await restartDockerd().catch((e) => console.log(`# ${e}`));
});

test('faults (a): dockerd stopped and restarted during a live capture', { timeout: 150_000 }, async (t) => {
  const skip = await dockerSkip();
  if (skip) return t.skip(skip);
  const fig = await faultDockerRestart();
  console.log(`# docker restart: ${JSON.stringify(fig)}`);
});

test('faults (b): 100 containers started and stopped during a live capture, state tables back to baseline', { timeout: 420_000 }, async (t) => {
  const skip = await dockerSkip();
  if (skip) return t.skip(skip);
  const fig = await faultContainerChurn(100, 'b', 20);
  console.log(`# container churn: ${JSON.stringify(fig)}`);
});

test('faults (c): SIGINT/SIGTERM/SIGHUP at random moments in re-writes and live captures', { timeout: 150_000 }, async (t) => {
  const skip = liveSkip() ?? needs('sysdig', haveCmd('sysdig')) ?? needs('fixtures', fixtureList().length > 0);
  if (skip) return t.skip(skip);
  const res = await faultSignals(tmp, 20261128, 6, 3);
  for (const r of res) console.log(`# ${r.mode} ${r.signal} after ${r.delayMs} ms: exit ${r.code ?? r.killedBy}, ${r.outBytes} bytes, sysdig ${r.sysdig} ${r.ok ? 'ok' : 'FAIL'} ${r.note}`);
  assert.deepEqual(res.filter((r) => !r.ok).map((r) => `${r.mode} ${r.signal} at ${r.delayMs} ms: ${r.code}/${r.killedBy} ${r.note}`), []);
  // at least the later signals land in a running write and are handled
  assert.ok(res.filter((r) => r.mode === 'rewrite' && r.code === 0 && r.started).length >= 2, 'signals handled mid-write');
});

test('faults (d): SIGPIPE from head, replay and live', { timeout: 120_000 }, async (t) => {
  const skip = liveSkip() ?? needs('fixtures', fixtureList().length > 0);
  if (skip) return t.skip(skip);
  const fig = await faultSigpipe(path.join(FIXTURES, 'sf-collector__mpm-worker_full.scap'));
  console.log(`# sigpipe: ${JSON.stringify(fig)}`);
  assert.ok((fig.replayHeadSeconds as number) < 5, `replay | head -1 took ${fig.replayHeadSeconds} s`);
  assert.ok((fig.liveHeadSeconds as number) < 30, `live | head -5 took ${fig.liveHeadSeconds} s`);
});

test('faults (e): ring buffer overrun with --bufsize 0.0625 under a syscall flood', { timeout: 120_000 }, async (t) => {
  const skip = liveSkip();
  if (skip) return t.skip(skip);
  const fig = await faultOverrun(0.0625, 3);
  console.log(`# overrun: ${JSON.stringify(fig)}`);
});

test('faults (f): SIGTERM in the first 300 ms of tsdig -w', { timeout: 300_000 }, async (t) => {
  const skip = liveSkip() ?? needs('sysdig', haveCmd('sysdig'));
  if (skip) return t.skip(skip);
  const res = await faultEarlySignals(tmp, 20261126, 10, 300);
  for (const r of res) console.log(`# SIGTERM after ${r.delayMs} ms: ${r.code !== null ? `exit ${r.code}` : `killed by ${r.killedBy}`}, file ${r.file}; ${r.ok ? 'ok' : 'FAIL'} (${r.last})`);
  assert.deepEqual(res.filter((r) => !r.ok).map((r) => `${r.delayMs} ms: ${r.code}/${r.killedBy} file ${r.file}: ${r.last}`), []);
  // the handlers are in place well before 300 ms: the later signals are all handled (exit 143
  // before the capture started, 0 after)
  assert.ok(res.some((r) => r.code === 0 || r.code === 143), 'some signal was handled (exit 0 or 143)');
});
