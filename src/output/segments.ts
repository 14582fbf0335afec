// Output in segments, shared by two threads that replay the same capture (src/cli/replay-parallel.ts).
// Both threads decode the events and keep the whole state; the input is cut into segments of
// `segBytes` bytes (by the offset of each event's block), and each segment is printed by one of
// them — the other only updates its state through it, which costs much less than formatting.
//
// Who prints what: the lead thread prints every segment it reaches that nobody has claimed. The
// follower (a worker that starts a little later) only keeps the state at first; as it does not
// format, it soon runs ahead of the lead. Once its lead over the lead thread is as large as what
// is left of the input, it claims the rest: the lead prints up to there, the follower from there
// to the end, and both finish about together. From then on whoever reaches a segment first
// claims it, so if the follower falls behind (a loaded machine, a costlier end of the capture)
// the lead, now only keeping state, overtakes it and takes segments back.
//
// A printed segment waits in memory until every segment before it is written, then its owner
// writes it: the output is the single-threaded output byte for byte.
//
// Shared control words (an Int32Array over a SharedArrayBuffer):
//   TURN      the next segment to write; only its owner advances it
//   STOP      segments from here on are never written (an error in STOP-1, or 0: a closed pipe)
//   DONE      segments in the input, once a thread has read all of it (0 before)
//   LEAD_SEG  the lead thread's segment; LEAD_KEY its input offset / segBytes
//   CLAIMS    one word per segment, a ring: (segment + 1) * 2 + owner once claimed
import { ChunkTarget, OutWriter, PipeClosed, writeFully } from './writer';

const TURN = 0;
const STOP = 1;
const DONE = 2;
const LEAD_SEG = 3;
const LEAD_KEY = 4;
const CLAIMS = 8;
const RING = 1 << 16;

/** printed segments a thread keeps waiting for their turn before it waits itself (memory bound) */
const MAX_PENDING = 6;

export type Role = 'lead' | 'follow';
/** adaptive: as above; alternate: the lead prints even segments, the follower odd ones (tests) */
export type Split = 'adaptive' | 'alternate';

export function newControl(): Int32Array {
  const ctl = new Int32Array(new SharedArrayBuffer((CLAIMS + RING) * 4));
  ctl[STOP] = 0x7fffffff;
  ctl[LEAD_SEG] = -1;
  ctl[LEAD_KEY] = -1;
  return ctl;
}

/** Stops all output now (a closed pipe, a thread that died). */
export function stopOutput(ctl: Int32Array): void {
  Atomics.store(ctl, STOP, 0);
  Atomics.notify(ctl, TURN);
}

/**
 * Thrown out of a thread's replay when the other thread decides the outcome: it stopped the output
 * (its error is the one reported), or it read the whole input and everything is written.
 */
export class OutputStopped extends Error {
  constructor() {
    super('output stopped by the other replay thread');
    this.name = 'OutputStopped';
  }
}

/** A write error other than a closed pipe: nothing more can be written by anyone. */
export class WriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
    this.name = 'WriteFailed';
  }
}

interface Chunk { buf: Buffer; n: number; pooled: boolean }
interface Segment { index: number; chunks: Chunk[] }

export class SegmentedOutput implements ChunkTarget {
  readonly out: OutWriter;
  /** whether this thread prints the current segment */
  mine = false;
  /** segments this thread printed */
  claimed = 0;
  /** input offsets of the current key's segment: [keyStart, keyEnd) */
  private keyStart = 0;
  private keyEnd = 0;
  private seg = -1;
  private chunks: Chunk[] = [];
  private readonly pending: Segment[] = [];
  private readonly pool: Buffer[] = [];
  private readonly batch: number;
  private readonly me: number;
  /** the follower claims nothing until it takes over */
  private eager: boolean;

  /**
   * `keys`: about how many segments the input has (its size / segBytes). `readAll`: this thread
   * reads to the end even when the other one already wrote everything (its counts are printed).
   */
  constructor(private readonly ctl: Int32Array, private readonly segBytes: number, private readonly role: Role, private readonly keys: number, private readonly readAll = false, private readonly split: Split = 'adaptive', private readonly fd = 1) {
    this.out = new OutWriter(fd, 256 * 1024, this);
    this.batch = this.out.batchSize;
    this.me = role === 'lead' ? 0 : 1;
    this.eager = role === 'lead';
  }

  /** segments reached so far */
  get segments(): number {
    return this.seg + 1;
  }

  /** Called before each event with its input offset: moves to the next segment at a boundary. */
  at(offset: number): void {
    // per event: two comparisons; the division only where a segment starts
    if (offset < this.keyEnd && offset >= this.keyStart) return;
    const key = Math.floor(offset / this.segBytes);
    this.keyStart = key * this.segBytes;
    this.keyEnd = this.keyStart + this.segBytes;
    if (this.mine) this.close();
    this.mine = false;
    const s = ++this.seg;
    const ctl = this.ctl;
    const stop = Atomics.load(ctl, STOP);
    if (s >= stop) throw new OutputStopped();
    if (this.pending.length === 0 && !this.readAll) {
      // the other thread has read the input to its end (or to an error) and all it printed is
      // written: the rest of this pass would change nothing
      const done = Atomics.load(ctl, DONE);
      if (Atomics.load(ctl, TURN) >= (done > 0 ? Math.min(done, stop) : stop)) throw new OutputStopped();
    }
    if (this.role === 'lead') {
      Atomics.store(ctl, LEAD_KEY, key);
      Atomics.store(ctl, LEAD_SEG, s);
    } else {
      this.keepInRing(s);
      // take over once the lead would need as long to get here as this thread needs for the rest
      if (!this.eager && key - Atomics.load(ctl, LEAD_KEY) >= this.keys - key) this.eager = true;
    }
    if (this.split === 'alternate') this.mine = (s & 1) === this.me && this.claim(s);
    else this.mine = this.eager && this.claim(s);
    if (this.mine) this.claimed++;
    this.drain(false);
  }

  /** End of input: the last segment is written, and every one still waiting. */
  finish(): void {
    if (this.mine) this.close();
    this.mine = false;
    this.markDone();
    this.drain(true);
  }

  /**
   * The replay failed with `e` in the current segment. What came before it is still written, as
   * the single-threaded replay writes it before the error; a closed pipe or a failed write stops
   * all output at once.
   */
  abandon(e: unknown): void {
    if (e instanceof PipeClosed || e instanceof WriteFailed) {
      stopOutput(this.ctl);
      this.pending.length = 0;
      return;
    }
    if (!(e instanceof OutputStopped)) {
      // the same input fails the same way in the other thread: the segment's owner writes it
      // up to the failing event, and nothing after it is written
      if (this.mine) this.close();
      this.mine = false;
      this.stopAt(this.seg + 1);
    }
    this.drain(true);
  }

  /** Whether every segment before `n` is written. */
  written(n: number): boolean {
    return Atomics.load(this.ctl, TURN) >= n;
  }

  private markDone(): void {
    Atomics.compareExchange(this.ctl, DONE, 0, this.seg + 1);
  }

  private stopAt(n: number): void {
    const ctl = this.ctl;
    for (;;) {
      const cur = Atomics.load(ctl, STOP);
      if (cur <= n || Atomics.compareExchange(ctl, STOP, cur, n) === cur) break;
    }
    Atomics.notify(ctl, TURN);
  }

  /** Claims segment s unless the other thread did: the first claim decides. */
  private claim(s: number): boolean {
    const ctl = this.ctl;
    const slot = CLAIMS + (s & (RING - 1));
    const stamp = (s + 1) * 2;
    const v = Atomics.load(ctl, slot);
    if (v >> 1 === s + 1) return (v & 1) === this.me;
    // a later segment's claim: the other thread is a ring ahead (only the lead can be, and it
    // claimed every segment it passed that this thread had not)
    if (v >> 1 > s + 1) return false;
    const prev = Atomics.compareExchange(ctl, slot, v, stamp + this.me);
    if (prev === v) return true;
    return (prev & 1) === this.me && prev >> 1 === s + 1;
  }

  /** The follower never gets a ring's length ahead of the lead: a claim slot is reused only once the lead is past it. */
  private keepInRing(s: number): void {
    const ctl = this.ctl;
    for (;;) {
      const lead = Atomics.load(ctl, LEAD_SEG);
      if (s - lead < RING - 2 || Atomics.load(ctl, DONE) > 0 || Atomics.load(ctl, STOP) <= s) return;
      Atomics.wait(ctl, LEAD_SEG, lead, 50);
    }
  }

  /** The current segment is printed: it waits for its turn with the others. */
  private close(): void {
    this.out.flush();
    this.pending.push({ index: this.seg, chunks: this.chunks });
    this.chunks = [];
  }

  /** Writes the waiting segments whose turn has come; with `block`, waits for all of them. */
  private drain(block: boolean): void {
    const ctl = this.ctl;
    const pending = this.pending;
    while (pending.length > 0) {
      const head = pending[0]!;
      if (head.index >= Atomics.load(ctl, STOP)) {
        pending.length = 0;
        return;
      }
      const turn = Atomics.load(ctl, TURN);
      if (turn === head.index) {
        for (const c of head.chunks) {
          this.write(c.buf, c.n);
          if (c.pooled && this.pool.length < MAX_PENDING * 8) this.pool.push(c.buf);
        }
        pending.shift();
        Atomics.store(ctl, TURN, turn + 1);
        Atomics.notify(ctl, TURN);
        continue;
      }
      if (!block && pending.length <= MAX_PENDING) return;
      // the other thread is printing an earlier segment; STOP changes wake this wait too
      Atomics.wait(ctl, TURN, turn, 100);
    }
  }

  /** Writes one chunk; a closed pipe stops everything, another write error too. */
  private write(buf: Buffer, n: number): void {
    try {
      writeFully(this.fd, buf, n);
    } catch (e) {
      if (e instanceof PipeClosed) throw e;
      throw new WriteFailed(e);
    }
  }

  /**
   * Whether the current segment can go straight out: every segment before it is written. Then
   * it is written as it is printed, as the single-threaded replay writes (a `| head` sees its
   * first lines as soon).
   */
  private streaming(): boolean {
    if (this.pending.length > 0 || Atomics.load(this.ctl, TURN) !== this.seg || this.seg >= Atomics.load(this.ctl, STOP)) return false;
    for (const c of this.chunks) {
      this.write(c.buf, c.n);
      if (c.pooled) this.pool.push(c.buf);
    }
    this.chunks.length = 0;
    return true;
  }

  // ChunkTarget: the writer's batches become the current segment's chunks
  swap(buf: Buffer, n: number): Buffer {
    if (this.streaming()) {
      this.write(buf, n);
      return buf;
    }
    this.chunks.push({ buf, n, pooled: buf.length === this.batch });
    return this.pool.pop() ?? Buffer.allocUnsafe(this.batch);
  }

  push(data: Buffer): void {
    if (this.streaming()) this.write(data, data.length);
    else this.chunks.push({ buf: data, n: data.length, pooled: false });
  }
}
