// Buffered output: lines are written into one reusable buffer and out in large chunks, one write(2)
// per ~256 KB, instead of sysdig's one write per line. Strings are latin1 byte strings, written
// back byte for byte. A closed pipe (tsdig | head) ends the program quietly.
import * as fs from 'node:fs';
import { isTerminal } from '../util/terminal';

/** upper-case hex digits as ASCII */
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

/** "00"…"99" as ASCII byte pairs */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 0x30 + ((i / 10) | 0);
  PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/** 0, then 10^t: the digit count of n is t + (n >= POW10[t]) for t from its bit length */
const POW10 = [0, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/** Writes the 32-bit value v (an int32 or a uint32: the same bits) in upper-case hex at b[off..], at least `min` digits; returns the offset after it. */
function putHex(b: Uint8Array, off: number, v: number, min: number): number {
  let n = 8;
  while (n > min && (v >>> ((n - 1) * 4)) === 0) n--;
  for (let k = n - 1; k >= 0; k--) b[off++] = HEX[(v >>> (k * 4)) & 15]!;
  return off;
}

/**
 * Where a writer's batches go instead of a file descriptor (the parallel replay keeps each segment
 * of output in memory until its turn to be written: src/output/segments.ts).
 */
export interface ChunkTarget {
  /** takes the full batch buf[0..n) as it is (no copy) and returns the buffer to fill next */
  swap(buf: Buffer, n: number): Buffer;
  /** takes a buffer made for one oversized write */
  push(data: Buffer): void;
}

/**
 * Room in the batch past the flush mark. A line that starts below the mark ends inside the batch,
 * so the overflow checks of the pieces (which flush mid-line) only fire for a line longer than
 * this: a branch that first runs after the JIT compiled the line writer deoptimizes all of it, and
 * with a batch exactly `limit` long whichever piece met the end each time took that branch.
 */
const HEADROOM = 64 * 1024;
/**
 * The first batch goes out early: the output starts sooner, and endLine's flush runs while the
 * code is still interpreted, so its compiled form knows that branch.
 */
const FIRST_BATCH = 16 * 1024;

export class OutWriter {
  private buf: Buffer;
  private off = 0;
  private closed = false;
  /** endLine flushes once the batch reaches this (FIRST_BATCH, then limit) */
  private mark: number;
  /** on a terminal, lines are flushed one by one and their control bytes escaped */
  private readonly tty: boolean;

  /** limit 0 = flush after every write (--unbuffered) */
  constructor(private readonly fd = 1, private readonly limit = 256 * 1024, private readonly target: ChunkTarget | null = null) {
    this.buf = Buffer.allocUnsafe(limit + HEADROOM);
    this.mark = Math.min(limit, FIRST_BATCH);
    this.tty = !target && isTerminal(fd) && !process.env.TSDIG_RAW_TTY;
  }

  /** size of the batch buffer (what a ChunkTarget's swap must hand back) */
  get batchSize(): number {
    return this.buf.length;
  }

  write(s: string): void {
    this.str(s);
    if (this.limit === 0) this.flush();
  }

  /** Appends a latin1 byte string (no flush decision). */
  str(s: string): void {
    if (this.off + s.length > this.buf.length) {
      this.flush();
      if (s.length > this.buf.length) {
        this.writeAll(Buffer.from(s, 'latin1'));
        return;
      }
    }
    // strings are latin1 byte strings: one byte per char, copied by hand into the batch (the
    // native latin1Write costs more for the short strings lines are made of, and a second way
    // for long ones would be a branch first taken after the JIT compiled its callers)
    const n = s.length;
    const b = this.buf;
    let o = this.off;
    for (let i = 0; i < n; i++) b[o++] = s.charCodeAt(i);
    this.off = o;
  }

  byte(c: number): void {
    if (this.off >= this.buf.length) this.flush();
    this.buf[this.off++] = c;
  }

  /** Appends a non-negative or negative integer in decimal without building a string. */
  int(n: number): void {
    if (n < 0 || n > 0x7fffffff || (n | 0) !== n) {
      this.str(String(n));
      return;
    }
    if (this.off + 11 > this.buf.length) this.flush();
    const b = this.buf;
    // digit count from the bit length and one comparison (one compare site: a chain of them has
    // comparisons first reached by a long number, after the JIT compiled the writer)
    const t = ((32 - Math.clz32(n)) * 1233) >>> 12;
    const len = t + (n >= POW10[t]! ? 1 : 0);
    let p = this.off + len;
    this.off = p;
    let v = n;
    while (v >= 100) {
      const q = (v / 100) | 0;
      const r = (v - q * 100) << 1;
      b[--p] = PAIRS[r + 1]!;
      b[--p] = PAIRS[r]!;
      v = q;
    }
    if (v >= 10) {
      b[--p] = PAIRS[(v << 1) + 1]!;
      b[--p] = PAIRS[v << 1]!;
    } else {
      b[--p] = 0x30 + v;
    }
  }

  /** Appends n (0 ≤ n < 1e9) as exactly 9 digits (nanoseconds). */
  pad9(n: number): void {
    if (this.off + 9 > this.buf.length) this.flush();
    const b = this.buf;
    let p = this.off + 9;
    this.off = p;
    let v = n | 0;
    for (let i = 0; i < 4; i++) {
      const q = (v / 100) | 0;
      const r = (v - q * 100) << 1;
      b[--p] = PAIRS[r + 1]!;
      b[--p] = PAIRS[r]!;
      v = q;
    }
    b[--p] = 0x30 + v;
  }

  /** Appends bytes prepared in advance (short runs copied by hand: cheaper than a native call). */
  bytes(src: Uint8Array): void {
    const n = src.length;
    if (this.off + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) {
        this.writeAll(Buffer.from(src));
        return;
      }
    }
    const b = this.buf;
    let o = this.off;
    for (let i = 0; i < n; i++) b[o++] = src[i]!;
    this.off = o;
  }

  /** Appends src[start..start+n) as it is. */
  range(src: Uint8Array, start: number, n: number): void {
    if (this.off + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) {
        this.writeAll(Buffer.from(src.subarray(start, start + n)));
        return;
      }
    }
    const b = this.buf;
    let o = this.off;
    // a native copy costs about what a loop over some 60 bytes does: long runs (paths, buffers) take it
    if (n >= 128) {
      b.set(src.subarray(start, start + n), o);
      this.off = o + n;
      return;
    }
    for (let i = start, end = start + n; i < end; i++) b[o++] = src[i]!;
    this.off = o;
  }

  /** Appends the unsigned 64-bit value of the 32-bit halves hi, lo (int32 or uint32) in upper-case hex, without leading zeros. */
  hex64(hi: number, lo: number): void {
    if (this.off + 16 > this.buf.length) this.flush();
    this.off = hi !== 0 ? putHex(this.buf, putHex(this.buf, this.off, hi, 1), lo, 8) : putHex(this.buf, this.off, lo, 1);
  }

  /** Appends src[start..start+n) with every byte outside printable ASCII shown as '.' (data buffers). */
  bytesMapped(src: Uint8Array, start: number, n: number): void {
    if (this.off + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) {
        const copy = Buffer.allocUnsafe(n);
        for (let i = 0; i < n; i++) {
          const c = src[start + i]!;
          copy[i] = c >= 0x20 && c <= 0x7e ? c : 0x2e;
        }
        this.writeAll(copy);
        return;
      }
    }
    const b = this.buf;
    let o = this.off;
    const end = start + n;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      b[o++] = c >= 0x20 && c <= 0x7e ? c : 0x2e;
    }
    this.off = o;
  }

  /** Appends src[start..) up to its first NUL or `end` (a C string inside an event). */
  cstr(src: Uint8Array, start: number, end: number): void {
    let e = start;
    while (e < end && src[e] !== 0) e++;
    this.range(src, start, e - start);
  }

  /** Ends a line: flushes when unbuffered, or when the batch is nearly full. */
  endLine(): void {
    this.byte(0x0a);
    if (this.limit === 0 || this.tty || this.off >= this.mark) this.flush();
  }

  flush(): void {
    this.mark = this.limit;
    if (this.off === 0 || this.closed) {
      this.off = 0;
      return;
    }
    const n = this.off;
    this.off = 0;
    if (this.target) {
      this.buf = this.target.swap(this.buf, n);
      return;
    }
    this.writeAll(this.tty ? escapeForTerminal(this.buf.subarray(0, n)) : this.buf.subarray(0, n));
  }

  private writeAll(data: Buffer): void {
    if (this.target) {
      this.target.push(data);
      return;
    }
    try {
      writeFully(this.fd, data, data.length);
    } catch (e) {
      if (e instanceof PipeClosed) this.closed = true;
      throw e;
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes data[0..n) to fd whatever it takes (short writes, EAGAIN); a closed pipe throws PipeClosed. */
export function writeFully(fd: number, data: Uint8Array, n: number): void {
  let off = 0;
  while (off < n) {
    try {
      off += fs.writeSync(fd, data, off, n - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') throw new PipeClosed();
      throw e;
    }
  }
}

/**
 * Makes captured bytes safe for a terminal: text is read as UTF-8 and every C0 control (but line
 * feed and tab), DEL and C1 control (U+0080–U+009F, which some terminals obey) is shown as \xHH.
 * Invalid UTF-8 becomes U+FFFD. A traced process can thus never move the cursor, retitle the
 * window or clear the screen of the person watching it.
 */
export function escapeForTerminal(b: Buffer): Buffer {
  let clean = true;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x0a && c !== 0x09) || c >= 0x7f) {
      clean = false;
      break;
    }
  }
  if (clean) return b;
  const s = b.toString('utf8').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (ch) => '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0'));
  return Buffer.from(s, 'utf8');
}

export class PipeClosed extends Error {
  constructor() {
    super('output closed');
    this.name = 'PipeClosed';
  }
}
