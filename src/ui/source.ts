// Where the UI gets the snapshots of the current query: a QueryStore when replaying (collected on
// demand from checkpoints, src/snapshot/store.ts) or a ListStore (live: the last LIVE_KEEP
// intervals; bench: fixed snapshots). The UI only reads through this interface.
import { Snapshot } from '../snapshot/types';

export interface SnapSource {
  /** intervals known so far */
  readonly count: number;
  /** no more intervals will appear */
  readonly complete: boolean;
  readonly error: string;
  /** the snapshot of interval i, if collected (and not evicted) */
  get(i: number): Snapshot | undefined;
  /** start and end of interval i (known even when its snapshot is not) */
  span(i: number): { startNs: number; endNs: number } | undefined;
  /** asks for interval i to be collected (replay); no-op for lists */
  ensure(i: number): void;
  /** first interval ending after ns, -1 when none is known */
  indexAt(ns: number): number;
  /** the drill field compares as a number */
  readonly drillNumeric: boolean;
}

/** live mode keeps this many intervals for stepping back */
export const LIVE_KEEP = 600;

export class ListStore implements SnapSource {
  error = '';
  drillNumeric = false;
  constructor(readonly snaps: Snapshot[] = [], public complete = false) {}

  get count(): number {
    return this.snaps.length;
  }

  get(i: number): Snapshot | undefined {
    return this.snaps[i];
  }

  span(i: number): { startNs: number; endNs: number } | undefined {
    return this.snaps[i];
  }

  ensure(): void {
    /* everything there is, is here */
  }

  indexAt(ns: number): number {
    return this.snaps.findIndex((s) => s.endNs > ns);
  }

  /** Appends; drops the oldest past `keep`. Returns how many were dropped. */
  push(s: Snapshot, keep: number): number {
    this.snaps.push(s);
    const over = this.snaps.length - keep;
    if (over > 0) this.snaps.splice(0, over);
    return Math.max(0, over);
  }
}
