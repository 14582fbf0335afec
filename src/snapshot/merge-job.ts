// A replay job over several captures merged by event time (src/scap/merge.ts): the same query,
// snapshots and timeline as a single-capture job (./replay-job.ts), without checkpoints — a
// checkpoint would need every file's offset and state at once — so every job reads from the start.
import { EventProcessor } from '../pipeline/processor';
import { EventCtx } from '../fields/context';
import { readMerged } from '../scap/merge';
import { Aggregator } from './aggregator';
import { ReplayIndex } from './replay-index';
import type { JobOpts, JobResult } from './replay-job';

export async function runMergedJob(ix: ReplayIndex, o: JobOpts, me: { next: number }): Promise<JobResult> {
  let stop = false;
  const agg = new Aggregator({
    ...o.agg,
    intervalNs: ix.intervalNs,
    onSnapshot: (s) => {
      me.next = s.index + 1;
      ix.note(s);
      if (o.onSnapshot(s) === false) stop = true;
    },
  });
  let lastCtx: EventCtx | null = null;
  const procs = ix.files.map(() => {
    const proc = new EventProcessor({ filter: null }, (c) => {
      if (o.abort.aborted || stop) return false;
      lastCtx = c;
      agg.consume(c);
      if (o.tap && o.tap(c, agg.position.index) === false) stop = true;
      return !stop;
    });
    proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
    return proc;
  });
  await readMerged(ix.files.map((file, i) => {
    const proc = procs[i]!;
    return { file, sink: proc.engine.metadataSink((e) => proc.handle(e), () => proc.newSection()) };
  }), () => stop || o.abort.aborted);
  const ended = !stop && !o.abort.aborted;
  if (ended) {
    agg.finish(lastCtx ?? procs[procs.length - 1]?.ctx ?? null);
    ix.complete = true;
  }
  return { ended, agg };
}
