// Bounded label cardinality: at most `max` series keys per metric group are admitted (the first
// rows the aggregator sorts by events, so the busiest); rows that do not get a slot are folded into
// one `other` series. An admitted key keeps its slot while it is seen; after `idleMs` without
// activity it is evicted (its series are removed from the exposition), which frees the slot for
// the busiest newcomer. A series never moves between a key and `other` while admitted, so its
// counters only ever go up.
export const OTHER = 'other';

export class SeriesLimiter {
  private readonly seen = new Map<string, number>();

  constructor(readonly max: number, readonly idleMs: number) {}

  get size(): number {
    return this.seen.size;
  }

  /** The key the row's counts go to: its own, or OTHER when every slot is taken. */
  pick(key: string, now: number): string {
    if (this.seen.has(key)) {
      this.seen.set(key, now);
      return key;
    }
    if (this.seen.size >= this.max) return OTHER;
    this.seen.set(key, now);
    return key;
  }

  /** Keys idle for longer than idleMs (dropped from the table): their series go. */
  evict(now: number): string[] {
    const out: string[] = [];
    for (const [k, t] of this.seen) {
      if (now - t > this.idleMs) {
        this.seen.delete(k);
        out.push(k);
      }
    }
    return out;
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }
}
