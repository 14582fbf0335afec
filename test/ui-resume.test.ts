// Replay checkpoints (src/snapshot/replay-index.ts, src/state/checkpoint.ts): a query resumed from
// a checkpoint publishes exactly the snapshots a replay from the start publishes (every view, plain,
// gzip, multi-section and multi-file captures), and a drill-down at a late cursor, a step back and
// a seek read only part of the capture. Memory stays within the pool's budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, needs } from './helpers';
import { VIEWS, findView } from '../src/views';
import { ReplayIndex } from '../src/snapshot/replay-index';
import { runJob } from '../src/snapshot/replay-job';
import { QueryStore, SnapshotPool } from '../src/snapshot/store';
import { Snapshot } from '../src/snapshot/types';
import { writeBusyTrace } from './trace-gen';

const F = (n: string) => path.join(FIXTURES, n);
const ERR502 = F('sysdig-inspect__502Error.scap');
const TCP = F('sf-collector__tcp-client-server.scap');
const PING_GZ = F('falco__ping_sendto.scap');
const haveFixtures = [ERR502, TCP, PING_GZ].every((f) => fs.existsSync(f));

async function full(files: string[], viewId: string, iv: number): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  const ix = new ReplayIndex(files, iv, { budgetBytes: 0 });
  await runJob(ix, { from: null, abort: { aborted: false }, agg: { view: findView(viewId)! }, onSnapshot: (s) => void out.push(s) });
  return out;
}

test('a query resumed from any checkpoint publishes the snapshots of a replay from the start', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures);
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-resume-'));
  try {
    // three sections in one file (concatenated captures reset the state at each header)
    const multi = path.join(dir, 'three-sections.scap');
    fs.writeFileSync(multi, Buffer.concat([fs.readFileSync(ERR502), fs.readFileSync(TCP), fs.readFileSync(ERR502)]));
    const cases: string[][] = [[ERR502], [PING_GZ], [multi], [TCP, ERR502]];
    let compared = 0;
    for (const files of cases) {
      const iv = 100e6;
      const ix = new ReplayIndex(files, iv, { minGapBytes: 16 << 10 });
      await runJob(ix, { from: null, abort: { aborted: false }, agg: { view: findView('procs')! }, onSnapshot: () => true });
      assert.ok(ix.complete);
      assert.ok(ix.checkpoints.length >= 3, `${files.map((f) => path.basename(f))}: only ${ix.checkpoints.length} checkpoints`);
      const cps = ix.checkpoints.filter((_, i, a) => i % Math.max(1, Math.floor(a.length / 3)) === 0);
      for (const v of VIEWS) {
        const ref = await full(files, v.id, iv);
        assert.equal(ref.length, ix.count, `${v.id}: interval count`);
        for (const cp of cps) {
          const got: Snapshot[] = [];
          const r = await runJob(ix, { from: cp, abort: { aborted: false }, agg: { view: findView(v.id)! }, onSnapshot: (s) => void got.push(s) });
          assert.ok(r.ended);
          assert.equal(got[0]?.index, cp.index);
          assert.equal(got.length, ref.length - cp.index, `${v.id} from ${cp.index}: count`);
          for (const s of got) assert.deepEqual(s, ref[s.index], `${v.id} from checkpoint ${cp.index} (${files.map((f) => path.basename(f))}): interval ${s.index}`);
          compared += got.length;
        }
      }
    }
    assert.ok(compared > 10000, `compared ${compared} snapshots`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Resolves once `store` holds interval i. */
function waitFor(store: QueryStore, i: number): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const s = store.get(i);
      if (s) return resolve(s);
      if (store.error) return reject(new Error(store.error));
      setTimeout(check, 5);
    };
    store.ensure(i);
    check();
  });
}

test('drill-down, step back and seek at a late cursor read from a checkpoint, not the whole capture; memory stays in budget', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-resume-'));
  try {
    const file = path.join(dir, 'busy.scap');
    writeBusyTrace(file, { secs: 60, procs: 8, perSec: 150 });
    const size = fs.statSync(file).size;
    const ix = new ReplayIndex([file], 1e9);
    const pool = new SnapshotPool(1 << 20);
    const procs = new QueryStore(ix, { view: findView('procs')!, userFilter: '', drill: [] }, pool);
    pool.show(procs);
    await waitFor(procs, 0);
    while (!ix.complete) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ix.count, 60);
    assert.equal(ix.bytesRead, size, 'the first pass reads the capture once');
    assert.ok(ix.checkpoints.length >= 4, `${ix.checkpoints.length} checkpoints`);
    assert.ok(pool.used <= pool.budgetBytes, `pool ${pool.used} > ${pool.budgetBytes}`);

    // drill-down into the process of the first row at interval 50
    const late = 50;
    procs.cursor = late;
    const row = (await waitFor(procs, late)).rows[0]!;
    let before = ix.bytesRead;
    const drill = new QueryStore(ix, { view: findView('threads')!, userFilter: '', drill: [{ viewId: 'procs', field: 'proc.pid', value: row.key, numeric: true }] }, pool);
    pool.show(drill);
    procs.detach(true);
    drill.cursor = late;
    const snap = await waitFor(drill, late);
    assert.equal(snap.index, late);
    assert.ok(snap.rows.length === 1 && snap.rows[0]!.key === row.key, `the drilled process: ${JSON.stringify(snap.rows)}`);
    const drillRead = ix.bytesRead - before;
    assert.ok(drillRead < size / 3, `drill-down at interval ${late} read ${drillRead} of ${size} bytes`);

    // a step back before the checkpoint it started from: another partial read
    // (once the drill-down's job, which reads ahead to the end, is done)
    while (drill.running) await new Promise((r) => setTimeout(r, 10));
    const cp = ix.nearest(late)!;
    before = ix.bytesRead;
    drill.cursor = cp.index - 1;
    await waitFor(drill, cp.index - 1);
    assert.ok(ix.bytesRead - before < size / 3, `step back read ${ix.bytesRead - before} of ${size}`);
    // a seek to interval 20 of the drilled view: from the checkpoint before it
    while (drill.running) await new Promise((r) => setTimeout(r, 10));
    before = ix.bytesRead;
    drill.cursor = 20;
    const s20 = await waitFor(drill, 20);
    assert.ok(ix.bytesRead - before < size / 3, `seek read ${ix.bytesRead - before} of ${size}`);
    // and the same as a replay from the start
    const refDrill: Snapshot[] = [];
    await runJob(new ReplayIndex([file], 1e9, { budgetBytes: 0 }), {
      from: null, abort: { aborted: false }, onSnapshot: (s) => void refDrill.push(s),
      agg: { view: findView('threads')!, drill: drill.query.drill },
    });
    assert.deepEqual(s20, refDrill[20]);
    assert.deepEqual(snap, refDrill[late]);
    drill.detach(false);
    assert.ok(pool.used <= pool.budgetBytes, `pool ${pool.used} > ${pool.budgetBytes}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
