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

/** live mode keeps this many intervals for stepping back, within LIVE_BUDGET bytes */
export const LIVE_KEEP = 600;
export const LIVE_BUDGET = 16 << 20;

/** Rough heap size of a snapshot: per row its object, cell array, boxed numbers and strings. */
function snapshotBytes(s: Snapshot): number {
  let n = 512;
  for (const r of s.rows) {
    n += 96 + 2 * r.key.length;
    for (const c of r.cells) n += typeof c === 'string' ? 32 + c.length : 24;
  }
  return n;
}

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
  /** estimated bytes of the kept snapshots, one entry per snapshot */
  private bytes = 0;
  private sizes: number[] | null = null;

  /**
   * Keeps at most `keep` snapshots and at most `budget` bytes of them (estimated), dropping the
   * oldest: a busy host has hundreds of rows per interval, and the history, not the capture, was
   * what made a live UI's RSS climb for its first twenty minutes.
   */
  push(s: Snapshot, keep: number, budget = LIVE_BUDGET): number {
    if (!this.sizes) {
      this.sizes = this.snaps.map(snapshotBytes);
      this.bytes = this.sizes.reduce((x, y) => x + y, 0);
    }
    const size = snapshotBytes(s);
    this.snaps.push(s);
    this.sizes.push(size);
    this.bytes += size;
    let over = 0;
    while (this.snaps.length - over > 1 && (this.snaps.length - over > keep || this.bytes > budget)) {
      this.bytes -= this.sizes[over]!;
      over++;
    }
    if (over > 0) {
      this.snaps.splice(0, over);
      this.sizes.splice(0, over);
    }
    return over;
  }
}
