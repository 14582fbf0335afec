// Bounded soak (60 s; the 10-minute run is `node dist/bench/soak.js`, see test/soak-run.ts): 250k
// syscalls/s (500k events/s) from two compiled getppid/read loops while the full-screen UI runs
// live in tmux and a chisel runs live in a second tsdig; RSS of both sampled every 10 s, event
// rate and drops read from tsdig's own counters (SIGUSR2). Asserts what does not depend on the
// machine's speed: both processes stay up, memory does not grow without bound (the later half's
// peak <= 1.5x the earlier half's + 50 MB), the counters are consistent and the state tables do not grow.
// Rates and drops are printed (speed is a bench matter). Needs root, the addon, cc and tmux
// (fails under CI instead of skipping).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { haveCmd, needs } from './helpers';
import { cleanupLoad, killChildren, liveSkip } from './soak-lib';
import { rssBound, runSoak, soakReport } from './soak-run';

after(() => {
  killChildren();
  cleanupLoad();
});

test('soak: 60 s at 500k events/s with the UI and a chisel live, RSS bounded', { timeout: 240_000 }, async (t) => {
  const skip = liveSkip() ?? needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const r = await runSoak(60, 250_000, 10, { procs: 2, log: (s) => console.log('# ' + s) });
  for (const l of soakReport(r)) console.log('# ' + l);
  assert.equal(r.exitCode, 0);
  assert.match(r.ui, /^running/, 'the UI runs live');
  assert.ok(r.uiAliveAtEnd, 'the UI is still up at the end');
  assert.ok(r.rssMb.length >= 5, 'samples');
  for (const [who, mb] of [['RSS', r.rssMb], ['UI RSS', r.uiRssMb]] as const) {
    const b = rssBound(mb);
    assert.ok(b.held, `${who} grew from a peak of ${b.early} to ${b.late} MB: ${mb.join(' ')}`);
  }
  // the summary counts at least what the last stats line did, and the drops it reported
  const lastStats = r.samples.filter((x) => x.stats).at(-1)!.stats!;
  assert.ok(r.events >= lastStats.events, `summary ${r.events} events < ${lastStats.events} reported before`);
  assert.ok(r.drops >= lastStats.drops, `summary ${r.drops} drops < ${lastStats.drops} reported before`);
  assert.ok(r.tablesEnd, '-v printed the table sizes at exit');
  assert.ok(r.tablesEnd!.threads! <= r.tablesStart.threads! + 300, `threads ${r.tablesStart.threads} -> ${r.tablesEnd!.threads}`);
});
