// Bounded soak (60 s; the 10-minute run is `node dist/bench/soak.js`): a steady load of 250k
// syscalls/s (500k events/s) from a compiled getppid/write loop while tsdig runs live; tsdig's RSS
// is sampled every 10 s. Asserts that memory does not grow without bound (last sample ≤ 1.5× the
// second + 50 MB) and that tsdig keeps up with the sustained rate (drops are reported; at most
// 1% of the events). Needs root, the addon and cc (fails under CI instead of skipping).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { cleanupLoad, killChildren, liveSkip, runSoak } from './soak-lib';

after(() => {
  killChildren();
  cleanupLoad();
});

test('soak: 60 s at 500k events/s, RSS bounded, no drops at the sustained rate', { timeout: 150_000 }, async (t) => {
  const skip = liveSkip();
  if (skip) return t.skip(skip);
  const r = await runSoak(60, 250_000, 10, { ui: false, log: (s) => console.log('# ' + s) });
  console.log(`# soak: ${r.mode}; load ${r.loadRate} syscalls/s (${2 * r.loadRate} events/s); RSS MB every 10 s: ${r.rssMb.join(' ')}; ${r.events} events, ${r.drops} dropped; UI: ${r.ui}`);
  assert.equal(r.exitCode, 0);
  assert.ok(r.loadRate >= 240_000, `the load generator reached only ${r.loadRate} syscalls/s`);
  assert.ok(r.rssMb.length >= 5, 'samples');
  const [, second] = r.rssMb;
  const last = r.rssMb.at(-1)!;
  assert.ok(last <= 1.5 * second! + 50, `RSS grew from ${second} to ${last} MB: ${r.rssMb.join(' ')}`);
  const events = Number.isFinite(r.events) ? r.events : 2 * r.loadRate * r.seconds; // live chisels print no summary
  assert.ok(r.drops <= events * 0.01, `${r.drops} of ${events} events dropped at ${2 * r.loadRate} events/s`);
});
