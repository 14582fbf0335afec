// What the UI learns about a capture while replaying it, so that a new query (drill-down, another
// view or filter), a step back or a seek never re-reads the file from its start:
//   - the timeline: start and end of every interval (the same for every query: intervals follow the
//     event times of the capture, not the view), and whether the end of the capture was reached;
//   - checkpoints: at some interval boundaries, where the first event of the interval is (file,
//     byte offset of its block, evt.num) and a copy of the state engine's tables just before it.
// A replay job (src/snapshot/replay-job.ts) starts at the start of the capture or at a checkpoint:
// it seeks to the block, restores the tables and feeds an aggregator that resumes at that
// interval, so its snapshots are the ones a replay from the start would publish
// (test/ui-resume.test.ts checks that, view by view).
//
// Why checkpoints rather than keeping decoded events in memory: a state copy grows with threads
// and open fds, not with events (~160 KB for the 131 threads of the 1.1 M-event bench file), while
// a window of decoded events long enough to step back through would be hundreds of MB. Measured
// on a generated 105 MiB capture (test/trace-gen.ts writeBusyTrace, 480 s: 1.15 M events, 480
// one-second intervals): 95 checkpoints, 512 KB in all; a drill-down at interval 400 showed
// after 21 ms having read 1 MiB, against 736 ms and 92 MB when re-reading from the start. (In
// the bench file of concatenated captures 749 K events fall into its last interval, because the
// later sections go back in time: a query on that interval has to read them whatever the method.)
//
// Memory: checkpoints are taken at most every `minGapBytes` of capture (1 MiB) and their copies
// together stay under `budgetBytes` (32 MiB): past it, every other checkpoint is dropped and the
// gap doubled, so a long capture ends up with evenly spread checkpoints. Gzip captures cannot be
// seeked: a job resuming in one inflates (and drops) the bytes before its checkpoint, but still
// skips parsing them and rebuilding the state. With the snapshot pool's budget (64 MiB, store.ts),
// what replay collection keeps in memory stays under ~100 MB whatever the size of the capture.
import * as fs from 'node:fs';
import { EngineCopy } from '../state/checkpoint';
import { Snapshot } from './types';
import { gzipTrailerSize, isGzipFd } from '../scap/reader';

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

/** Bytes of the capture stream: the file size, or for gzip the inflated size its trailer records. */
function streamSize(file: string): number {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size < 18 || !isGzipFd(fd)) return size;
      return gzipTrailerSize(fd, size); // modulo 4 GiB: enough for a progress figure
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return 0; // reported when read
  }
}
