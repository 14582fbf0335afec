// What the UI learns about a capture while replaying it, so that a new query (drill-down, another
// view or filter), a step back or a seek never re-reads the file from its start:
//   - the timeline: start and end of every interval (the same for every query: intervals follow the
//     event times of the capture, not the view), and whether the end of the capture was reached;
//   - checkpoints: at some interval boundaries, where the first event of the interval is (file,
//     byte offset of its block, evt.num) and a copy of the state engine's tables just before it.
// A replay job (runJob) starts at the start of the capture or at a checkpoint: it seeks to the
// block, restores the tables and feeds an aggregator that resumes at that interval, so its
// snapshots are the ones a replay from the start would publish (test/ui-resume.test.ts checks
// that, view by view).
//
// Why checkpoints rather than keeping decoded events in memory: the state copy is small (it grows
// with threads and open fds, not with events: ~50 KB for the 1.1 M-event bench file, 131 threads)
// while a window of decoded events big enough to matter would be hundreds of MB. Measured on the
// bench file (113 MiB, 1.1 M events): a full pass takes ~1.8 s; resuming from a checkpoint reads
// only the bytes from the checkpoint to the interval wanted.
//
// Memory: checkpoints are taken at most every `minGapBytes` of capture (1 MiB) and their copies
// together stay under `budgetBytes` (32 MiB): past it, every other checkpoint is dropped and the
// gap doubled, so a long capture ends up with evenly spread checkpoints. Gzip captures cannot be
// seeked: a job resuming in one inflates (and drops) the bytes before its checkpoint, but still
// skips parsing them and rebuilding the state.
import * as fs from 'node:fs';
import { EventProcessor } from '../pipeline/processor';
import { EVENTS } from '../events/table';
import { ScapParser, openCaptureStream } from '../scap/reader';
import { ScapError } from '../scap/types';
import { EventCtx } from '../fields/context';
import { EngineCopy, restoreEngine, saveEngine } from '../state/checkpoint';
import { Aggregator, AggregatorOpts } from './aggregator';
import { Snapshot } from './types';

export interface Checkpoint {
  /** the interval the event at `offset` falls in, and its start */
  readonly index: number;
  readonly startNs: number;
  /** which capture file (of the -r list), and the stream offset of the event's block */
  readonly file: number;
  readonly offset: number;
  /** evt.num of the event before, and the processor's count of captured events before it */
  readonly num: number;
  readonly captured: number;
  readonly state: EngineCopy;
}

export interface IndexOpts {
  /** all checkpoints' state copies together stay under this (bytes) */
  budgetBytes?: number;
  /** at least this many bytes of capture between two checkpoints (doubles when the budget is hit) */
  minGapBytes?: number;
}

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

export class ReplayIndex {
  readonly checkpoints: Checkpoint[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** intervals known so far (the highest index any job published, plus one) */
  count = 0;
  /** a job reached the end of the last capture: `count` is final */
  complete = false;
  /** bytes read from disk by every job (the -v debug line of the UI shows it) */
  bytesRead = 0;
  /** size of the capture files (for the debug line) */
  readonly totalBytes: number;
  checkpointBytes = 0;
  /** running jobs: the next interval each will publish */
  private readonly running = new Set<{ next: number }>();
  private gap: number;
  private readonly budget: number;

  constructor(readonly files: readonly string[], readonly intervalNs: number, o: IndexOpts = {}) {
    this.gap = o.minGapBytes ?? 1 << 20;
    this.budget = o.budgetBytes ?? 32 << 20;
    let total = 0;
    for (const f of files) total += streamSize(f);
    this.totalBytes = total;
  }

  /** some running job is at the end of what is known (it extends the timeline) */
  get extending(): boolean {
    for (const j of this.running) if (j.next >= this.count) return true;
    return false;
  }

  /** The last checkpoint at or before interval `index`, or null (start of the capture). */
  nearest(index: number): Checkpoint | null {
    const cs = this.checkpoints;
    let lo = 0;
    let hi = cs.length - 1;
    let best: Checkpoint | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cs[mid]!.index <= index) {
        best = cs[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** Start and end (ns) of interval i, once some job published it. */
  span(i: number): { startNs: number; endNs: number } | undefined {
    const s = this.starts[i];
    return s === undefined ? undefined : { startNs: s, endNs: this.ends[i]! };
  }

  /** Index of the first known interval ending after `ns` (-1: none known yet). */
  indexAt(ns: number): number {
    const e = this.ends;
    let lo = 0;
    let hi = this.count - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const end = e[mid];
      if (end === undefined) return best;
      if (end > ns) {
        best = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return best;
  }

  note(s: Snapshot): void {
    if (this.starts[s.index] === undefined) {
      this.starts[s.index] = s.startNs;
      this.ends[s.index] = s.endNs;
    }
    if (s.index >= this.count) this.count = s.index + 1;
  }

  /** Whether a checkpoint is wanted before interval `index` at (file, offset). */
  wants(index: number, file: number, offset: number): boolean {
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (!last) return offset >= this.gap || file > 0;
    if (index <= last.index) return false;
    return file > last.file || offset - last.offset >= this.gap;
  }

  track(job: { next: number }, on: boolean): void {
    if (on) this.running.add(job);
    else this.running.delete(job);
  }

  add(c: Checkpoint): void {
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last && c.index <= last.index) return;
    this.checkpoints.push(c);
    this.checkpointBytes += c.state.bytes;
    while (this.checkpointBytes > this.budget && this.checkpoints.length > 1) {
      // thin out: keep every other checkpoint (the newest stays), and space new ones twice as far
      const keep: Checkpoint[] = [];
      const cs = this.checkpoints;
      for (let i = cs.length - 1; i >= 0; i -= 2) keep.unshift(cs[i]!);
      this.checkpoints.length = 0;
      this.checkpoints.push(...keep);
      this.checkpointBytes = keep.reduce((a, k) => a + k.state.bytes, 0);
      this.gap *= 2;
    }
    if (this.checkpointBytes > this.budget) {
      // one copy alone is over the budget: no checkpoints for this capture (jobs start at the start)
      this.checkpoints.length = 0;
      this.checkpointBytes = 0;
    }
  }
}

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
    const head = Buffer.alloc(2);
    gz = fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
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

/** Bytes of the capture stream: the file size, or for gzip the inflated size its trailer records. */
function streamSize(file: string): number {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const b = Buffer.alloc(4);
      if (size < 18 || fs.readSync(fd, b, 0, 2, 0) !== 2 || b[0] !== 0x1f || b[1] !== 0x8b) return size;
      fs.readSync(fd, b, 0, 4, size - 4);
      return b.readUInt32LE(0); // ISIZE: modulo 4 GiB, enough for a progress figure
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return 0; // reported when read
  }
}

function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    default: return err?.message ?? String(e);
  }
}
