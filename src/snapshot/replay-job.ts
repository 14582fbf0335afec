// One replay job: a query (view, filters) run over the captures from the start or from a
// checkpoint (src/snapshot/replay-index.ts), publishing its snapshots and, on the way, recording
// the timeline and new checkpoints into the index. Reads 1 MiB at a time and yields to the event
// loop in between, so the UI stays responsive while it runs.
import * as fs from 'node:fs';
import { EventProcessor } from '../pipeline/processor';
import { multiHost } from '../views';
import { EVENTS } from '../events/table';
import { ScapParser, ioMessage, isGzipFd, openCaptureStream } from '../scap/reader';
import { ScapError } from '../scap/types';
import { EventCtx } from '../fields/context';
import { EngineCopy, restoreEngine, saveEngine } from '../state/checkpoint';
import { Aggregator, AggregatorOpts } from './aggregator';
import { Snapshot } from './types';
import { Checkpoint, ReplayIndex } from './replay-index';

const CHUNK = 1 << 20;
/** events the processor hands to consumers (internal ones are parsed for state only) */
const SHOWN: boolean[] = EVENTS.map((i) => i.categoryId !== 'INTERNAL');
/** a synthetic section header: puts a parser in a state where event blocks are accepted */
const SHB = (() => {
  const b = Buffer.alloc(28);
  b.writeUInt32LE(0x0a0d0d0a, 0);
  b.writeUInt32LE(28, 4);
  b.writeUInt32LE(0x1a2b3c4d, 8);
  b.writeUInt16LE(1, 12);
  b.writeUInt16LE(2, 14);
  b.writeBigInt64LE(-1n, 16);
  b.writeUInt32LE(28, 24);
  return b;
})();

export interface Abort {
  aborted: boolean;
}

export interface JobOpts {
  /** where to start: a checkpoint, or null for the start of the capture */
  from: Checkpoint | null;
  /** the query (view, filters) and the published snapshots; return false to stop the job */
  agg: Omit<AggregatorOpts, 'onSnapshot' | 'resume' | 'intervalNs'>;
  onSnapshot(s: Snapshot): boolean | void;
  /** every event, with the interval it was counted in (dig/echo); return false to stop */
  tap?(c: EventCtx, index: number): boolean | void;
  abort: Abort;
}

export interface JobResult {
  /** the job read to the end of the last capture (not stopped, not aborted) */
  ended: boolean;
  agg: Aggregator;
}

/** Runs one query over the captures from `o.from`, recording timeline and checkpoints on the way. */
export async function runJob(ix: ReplayIndex, o: JobOpts): Promise<JobResult> {
  const me = { next: o.from ? o.from.index : 0 };
  ix.track(me, true);
  try {
    if (ix.files.length > 1 && multiHost()) return await (await import('./merge-job')).runMergedJob(ix, o, me);
    return await replay(ix, o, me);
  } finally {
    ix.track(me, false);
  }
}

async function replay(ix: ReplayIndex, o: JobOpts, me: { next: number }): Promise<JobResult> {
  const iv = ix.intervalNs;
  let stop = false;
  let published = false;
  const agg = new Aggregator({
    ...o.agg,
    intervalNs: iv,
    resume: o.from ? { index: o.from.index, startNs: o.from.startNs } : undefined,
    onSnapshot: (s) => {
      published = true;
      me.next = s.index + 1;
      ix.note(s);
      if (o.onSnapshot(s) === false) stop = true;
    },
  });
  const from = o.from;
  let lastCtx: EventCtx | null = null;
  let pos = agg.position;
  let skipped = -1;
  for (let fi = from ? from.file : 0; fi < ix.files.length && !stop && !o.abort.aborted; fi++) {
    const file = ix.files[fi]!;
    const proc = new EventProcessor({ filter: null }, (c) => {
      if (o.abort.aborted || stop) return false;
      agg.consume(c);
      if (o.tap && o.tap(c, agg.position.index) === false) stop = true;
      return !stop;
    });
    proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
    lastCtx = proc.ctx;
    const resumeHere = from !== null && fi === from.file;
    const numBase = resumeHere ? from.num : 0;
    const offBase = resumeHere ? from.offset - SHB.length : 0;
    const inner = proc.engine.metadataSink((e) => {
      if (resumeHere) {
        e.num += numBase;
        e.fileOffset += offBase;
      }
      // a checkpoint goes before the event that opens a new interval (state as it was before it)
      // (internal and state-only events never reach the aggregator: they cannot open an interval)
      let copy: EngineCopy | null = null;
      const num = e.num - 1;
      const captured = proc.captured;
      if (iv > 0 && pos.startNs >= 0 && e.tsNum >= pos.startNs + iv && SHOWN[e.type] && !(e.dumpFlags & 1)
        && pos.index !== skipped && ix.wants(pos.index + 1, fi, e.fileOffset)) copy = saveEngine(proc.engine);
      const offset = e.fileOffset;
      const r = proc.handle(e);
      if (published || pos.startNs < 0) {
        const before = pos.index;
        pos = agg.position;
        if (copy && pos.index > before) ix.add({ index: pos.index, startNs: pos.startNs, file: fi, offset, num, captured, state: copy });
        copy = null;
        published = false;
      }
      if (copy) skipped = pos.index; // the event did not open the interval after all: no checkpoint at this boundary
      return r;
    }, () => proc.newSection());
    const parser = new ScapParser(inner, file);
    if (resumeHere) {
      parser.push(SHB); // the sink resets the (empty) engine for this section header…
      restoreEngine(proc.engine, from.state); // …then the tables come back as they were
      proc.captured = from.captured;
      (proc as unknown as { leading: boolean }).leading = false;
    }
    await readInto(ix, file, resumeHere ? from.offset : 0, parser, o.abort, () => stop);
    if (o.abort.aborted || stop) break;
    if (!parser.isStopped) parser.end();
    if (proc.isStopped) stop = true;
  }
  const ended = !stop && !o.abort.aborted;
  if (ended) {
    agg.finish(lastCtx);
    ix.complete = true;
  }
  return { ended, agg };
}

/** Feeds `file` from byte `offset` to the parser, 1 MiB at a time, yielding to the event loop in between. */
async function readInto(ix: ReplayIndex, file: string, offset: number, parser: ScapParser, abort: Abort, stopped: () => boolean): Promise<void> {
  let fd: number;
  let gz = false;
  try {
    fd = fs.openSync(file, 'r');
    gz = isGzipFd(fd);
  } catch (e) {
    throw new ScapError(ioMessage(e), file, 0);
  }
  const idle = () => new Promise<void>((r) => setImmediate(r));
  if (gz) {
    fs.closeSync(fd);
    const stream = openCaptureStream(file, CHUNK);
    let skip = offset;
    try {
      for await (const c of stream) {
        let chunk = c as Buffer;
        ix.bytesRead += chunk.length; // inflated bytes: what a gzip capture costs to get through
        if (skip > 0) {
          const n = Math.min(skip, chunk.length);
          skip -= n;
          chunk = chunk.subarray(n);
          if (!chunk.length) continue;
        }
        if (!parser.push(chunk) || abort.aborted || stopped()) break;
        await idle();
      }
    } finally {
      (stream as unknown as { destroy?: () => void }).destroy?.();
    }
    return;
  }
  const buf = Buffer.allocUnsafe(CHUNK);
  let at = offset;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, at);
      if (n <= 0) break;
      at += n;
      ix.bytesRead += n;
      if (!parser.push(n === CHUNK ? buf : buf.subarray(0, n)) || abort.aborted || stopped()) break;
      await idle();
      if (abort.aborted || stopped()) break;
    }
  } catch (e) {
    if (e instanceof ScapError) throw e;
    throw new ScapError(ioMessage(e), file, at);
  } finally {
    fs.closeSync(fd);
  }
}

