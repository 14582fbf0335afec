// Runs captures through the shared EventProcessor into a consumer, from the start to the end: the
// collection of --snapshot. (The UI collects with replay jobs that can start at a checkpoint in
// the middle of a capture: src/snapshot/replay-job.ts.) Abortable and asynchronous (the reader
// yields between chunks).
import { EventProcessor } from '../pipeline/processor';
import { multiHost } from '../views';
import { readCapture } from '../scap/reader';
import { readMerged } from '../scap/merge';
import { EventCtx } from '../fields/context';
import { Aggregator, AggregatorOpts } from './aggregator';

export interface Abort {
  aborted: boolean;
}

export interface ReplayResult {
  captured: number;
  aborted: boolean;
  lastCtx: EventCtx | null;
}

/** Feeds every event of `files` to `consumer` (false = stop); captures of several hosts merged by event time. */
export async function replayFiles(files: readonly string[], consumer: (c: EventCtx) => boolean | void, abort?: Abort): Promise<ReplayResult> {
  if (files.length > 1 && multiHost()) return replayMergedFiles(files, consumer, abort);
  let captured = 0;
  let lastCtx: EventCtx | null = null;
  for (const file of files) {
    if (abort?.aborted) break;
    const proc = new EventProcessor({ filter: null }, (c) => {
      if (abort?.aborted) return false;
      return consumer(c);
    });
    proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
    lastCtx = proc.ctx;
    const sink = proc.engine.metadataSink((e) => proc.handle(e), () => proc.newSection());
    await readCapture(file, sink);
    captured += proc.captured;
    if (proc.isStopped && !abort?.aborted) break;
  }
  return { captured, aborted: !!abort?.aborted, lastCtx };
}

async function replayMergedFiles(files: readonly string[], consumer: (c: EventCtx) => boolean | void, abort?: Abort): Promise<ReplayResult> {
  let lastCtx: EventCtx | null = null;
  const procs = files.map(() => {
    const proc = new EventProcessor({ filter: null }, (c) => {
      if (abort?.aborted) return false;
      lastCtx = c;
      return consumer(c);
    });
    proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
    return proc;
  });
  await readMerged(files.map((file, i) => {
    const proc = procs[i]!;
    return { file, sink: proc.engine.metadataSink((e) => proc.handle(e), () => proc.newSection()) };
  }), () => !!abort?.aborted);
  return { captured: procs.reduce((a, p) => a + p.captured, 0), aborted: !!abort?.aborted, lastCtx: lastCtx ?? procs[procs.length - 1]!.ctx };
}

/** Collects snapshots of a view over captures; resolves when the trace ends (or is aborted). */
export async function collectSnapshots(files: readonly string[], opts: AggregatorOpts, abort?: Abort): Promise<ReplayResult & { agg: Aggregator }> {
  const agg = new Aggregator(opts);
  const r = await replayFiles(files, (c) => { agg.consume(c); }, abort);
  if (!r.aborted) agg.finish(r.lastCtx);
  return { ...r, agg };
}
