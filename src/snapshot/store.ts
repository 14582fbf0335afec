// The snapshots of one query (view + user filter + drill-down) during a replay, collected on demand.
// The UI asks for the interval under its time cursor (ensure); a replay job fills the store from
// the nearest checkpoint before it (src/snapshot/replay-index.ts) and keeps going forward, so
// playback finds the next intervals ready. Collection never draws: the store only calls onChange.
//
// Memory: every store of a session shares one SnapshotPool with a byte budget (64 MiB by default,
// sizes estimated from rows and cells). Past it, stores the UI is not showing are emptied first
// (least recently shown first), then the shown store's snapshots farthest from the cursor
// (a window around the cursor, which the charts read, is kept). Evicted intervals are collected
// again when the cursor comes back to them.
import { ViewDef } from '../views/types';
import { Aggregator } from './aggregator';
import { Checkpoint, ReplayIndex } from './replay-index';
import { Abort, runJob } from './replay-job';
import { DrillStep, Snapshot } from './types';
import { FilterError } from '../filter';

/** a job stops this many intervals past its target when other jobs already went further */
const AHEAD = 300;
/** intervals around the cursor never evicted (the chart shows the last 60) */
const KEEP_NEAR = 90;

export interface Query {
  view: ViewDef;
  userFilter: string;
  drill: readonly DrillStep[];
}

interface Job {
  /** first interval it publishes, the next one it will publish, the one it must reach */
  readonly start: number;
  next: number;
  target: number;
  readonly abort: Abort;
}

function snapBytes(s: Snapshot): number {
  let b = 300;
  for (const r of s.rows) {
    b += 80 + r.key.length * 2 + r.cells.length * 16;
    for (const c of r.cells) if (typeof c === 'string') b += 24 + c.length * 2;
  }
  return b;
}

export class SnapshotPool {
  used = 0;
  /** most recently shown last */
  private readonly stores: QueryStore[] = [];
  constructor(readonly budgetBytes = 64 << 20) {}

  /** the store now on screen */
  show(s: QueryStore): void {
    const i = this.stores.indexOf(s);
    if (i >= 0) this.stores.splice(i, 1);
    this.stores.push(s);
  }

  forget(s: QueryStore): void {
    const i = this.stores.indexOf(s);
    if (i >= 0) this.stores.splice(i, 1);
    this.used -= s.bytes;
    s.dropAll();
  }

  added(): void {
    if (this.used <= this.budgetBytes) return;
    const shown = this.stores[this.stores.length - 1];
    for (const s of this.stores) {
      if (this.used <= this.budgetBytes) return;
      if (s === shown) break;
      this.used -= s.bytes;
      s.dropAll();
    }
    // free a tenth more than needed: eviction then runs once per many snapshots, not on each
    if (shown && this.used > this.budgetBytes) this.used -= shown.dropFar(this.used - this.budgetBytes * 0.9);
  }
}

export class QueryStore {
  private readonly snaps = new Map<number, Snapshot>();
  private readonly sizes = new Map<number, number>();
  private readonly jobs: Job[] = [];
  bytes = 0;
  error = '';
  /** the interval the UI shows (eviction and how far jobs run depend on it) */
  cursor = 0;
  /** a snapshot arrived, a job ended or failed */
  onChange: ((s: Snapshot | null) => void) | null = null;
  /** compiles the complete filter (throws FilterError) and answers drillNumeric */
  readonly probe: Aggregator;

  constructor(readonly ix: ReplayIndex, readonly query: Query, private readonly pool: SnapshotPool) {
    this.probe = new Aggregator({ view: query.view, userFilter: query.userFilter, drill: query.drill, intervalNs: ix.intervalNs, onSnapshot: () => undefined });
  }

  get count(): number {
    return this.ix.count;
  }

  get complete(): boolean {
    return this.ix.complete;
  }

  get(i: number): Snapshot | undefined {
    return this.snaps.get(i);
  }

  span(i: number): { startNs: number; endNs: number } | undefined {
    return this.ix.span(i);
  }

  indexAt(ns: number): number {
    return this.ix.indexAt(ns);
  }

  get drillNumeric(): boolean {
    return this.probe.drillNumeric;
  }

  get running(): boolean {
    return this.jobs.length > 0;
  }

  /** Makes sure interval i is (or will be) collected. */
  ensure(i: number): void {
    if (this.error || i < 0 || this.snaps.has(i)) return;
    if (this.ix.complete && i >= this.ix.count) return;
    const cp = this.ix.nearest(i);
    const from = cp ? cp.index : 0;
    for (const j of this.jobs) {
      if (j.next <= i && j.next >= from) {
        j.target = Math.max(j.target, i);
        return;
      }
    }
    this.startJob(cp, i);
  }

  private startJob(cp: Checkpoint | null, target: number): void {
    const job: Job = { start: cp ? cp.index : 0, next: cp ? cp.index : 0, target, abort: { aborted: false } };
    this.jobs.push(job);
    const q = this.query;
    const done = () => {
      const k = this.jobs.indexOf(job);
      if (k >= 0) this.jobs.splice(k, 1);
    };
    runJob(this.ix, {
      from: cp,
      abort: job.abort,
      agg: { view: q.view, userFilter: q.userFilter, drill: q.drill },
      onSnapshot: (s) => {
        job.next = s.index + 1;
        this.put(s);
        if (s.index >= job.target && this.snaps.has(s.index + 1)) return false; // the rest is there already
        // far past what is wanted while others already went further: stop (ensure() restarts later)
        if (s.index > Math.max(job.target, this.cursor) + AHEAD && s.index + 1 < this.ix.count) return false;
        return true;
      },
    })
      .then(() => {
        done();
        if (!job.abort.aborted) this.onChange?.(null);
      })
      .catch((e: unknown) => {
        done();
        if (job.abort.aborted) return;
        this.error = e instanceof FilterError ? `filter error at column ${e.column}: ${e.message}` : (e as Error).message;
        this.onChange?.(null);
      });
  }

  private put(s: Snapshot): void {
    if (this.snaps.has(s.index)) return;
    const b = snapBytes(s);
    this.snaps.set(s.index, s);
    this.sizes.set(s.index, b);
    this.bytes += b;
    this.pool.used += b;
    this.onChange?.(s);
    this.pool.added();
  }

  /** Stops every job; with keepFrontier, the one extending the timeline (if any) goes on. */
  detach(keepFrontier: boolean): void {
    for (const j of [...this.jobs]) {
      if (keepFrontier && !this.ix.complete && j.next >= this.ix.count) continue;
      j.abort.aborted = true;
      this.jobs.splice(this.jobs.indexOf(j), 1);
    }
  }

  dropAll(): void {
    this.snaps.clear();
    this.sizes.clear();
    this.bytes = 0;
  }

  /** Drops snapshots farthest from the cursor (outside KEEP_NEAR) until `want` bytes are freed. */
  dropFar(want: number): number {
    const far = [...this.snaps.keys()].filter((i) => Math.abs(i - this.cursor) > KEEP_NEAR).sort((a, b) => Math.abs(b - this.cursor) - Math.abs(a - this.cursor));
    let freed = 0;
    for (const i of far) {
      if (freed >= want) break;
      const b = this.sizes.get(i) ?? 0;
      this.snaps.delete(i);
      this.sizes.delete(i);
      freed += b;
    }
    this.bytes -= freed;
    return freed;
  }
}
