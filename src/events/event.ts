// A reusable cursor over one event record in a buffer. The reader (file or live) points it at the
// bytes and hands it down the pipeline; nothing is decoded until someone asks, and the same object
// is reused for every event, so the per-event path allocates nothing. Consumers must copy what
// they keep: the buffer is recycled after the callback returns.
import { latin1 } from '../util/sanitize';
import { i32le as i32, u32le as u32 } from '../util/bytes';
import { EVENTS, EventInfo, LEN_WIDTH, EVENT_MAX } from './table';

/** Most events carry ≤ 20 params; newer writers append extended params we skip. */
const MAX_PARAMS = 64;

export class ScapEvent {
  buf: Buffer = Buffer.alloc(0);
  /** offset of the event header in buf */
  off = 0;
  /** header size: 26 (v2) or 22 (v1 blocks, format 1.0/1.1) */
  hdr = 26;
  len = 0;
  type = 0;
  nparams = 0;
  cpu = 0;
  /** dump flags of EVF blocks (bit 0 = state only) */
  dumpFlags = 0;
  tsHi = 0;
  /** -0: a double from the start, as the low words above 2^31 are (no field representation change, and no deopt, once those come) */
  tsLo = -0;
  tid = 0;
  /** evt.num: running count of delivered events, from 1 */
  num = 0;
  info: EventInfo = EVENTS[0]!;
  /** byte offset of the enclosing block in the (decompressed) input, for error messages */
  fileOffset = 0;

  private pready = false;
  private readonly poff = new Int32Array(MAX_PARAMS);
  private readonly plen = new Int32Array(MAX_PARAMS);
  /** number of params whose offsets are known (min of file nparams, MAX_PARAMS) */
  private pcount = 0;

  /** Points the cursor at a v2 event (26-byte header) or v1 (22-byte header, nparams given). */
  set(buf: Buffer, off: number, hdr: number, cpu: number, dumpFlags: number, v1nparams = -1): void {
    this.buf = buf;
    this.off = off;
    this.hdr = hdr;
    this.cpu = cpu;
    this.dumpFlags = dumpFlags;
    // byte arithmetic instead of Buffer.read* (../util/bytes)
    this.tsLo = u32(buf, off);
    this.tsHi = u32(buf, off + 4);
    this.tid = i32(buf, off + 12) * 4294967296 + u32(buf, off + 8);
    this.len = u32(buf, off + 16);
    this.type = buf[off + 20]! | (buf[off + 21]! << 8);
    this.nparams = hdr === 26 ? u32(buf, off + 22) : v1nparams;
    this.info = EVENTS[this.type < EVENT_MAX ? this.type : 0]!;
    this.pready = false;
  }

  /** Copies this event's identity into another cursor (used to remember enter events). */
  copyFrom(o: ScapEvent, buf: Buffer, off: number): void {
    this.set(buf, off, o.hdr, o.cpu, o.dumpFlags, o.nparams);
    this.num = o.num;
  }

  get dir(): 0 | 1 {
    return (this.type & 1) as 0 | 1;
  }

  /** Approximate timestamp as a double (ns); exact enough for rates and intervals. */
  get tsNum(): number {
    return this.tsHi * 4294967296 + this.tsLo;
  }

  /** Exact timestamp. Allocates: use only when printing. */
  tsBig(): bigint {
    return (BigInt(this.tsHi) << 32n) | BigInt(this.tsLo);
  }

  /** Nanoseconds from o to this event, exact for any realistic gap. */
  nsSince(hi: number, lo: number): number {
    return (this.tsHi - hi) * 4294967296 + (this.tsLo - lo);
  }

  /**
   * Indexes the params on first use. Every accessor comes through here, so the one call to index()
   * has type feedback from the first event on: a check repeated in each accessor would leave call
   * sites that first run after the JIT compiled their caller (an enter event's copy read for the
   * first time), and each such site deoptimizes the whole compiled caller.
   */
  private ready(): void {
    if (!this.pready) this.index();
  }

  private index(): void {
    const w = this.type < EVENT_MAX ? LEN_WIDTH[this.type]! : 2;
    let n = Math.min(this.nparams, MAX_PARAMS);
    const buf = this.buf;
    const lenBase = this.off + this.hdr;
    let cur = lenBase + this.nparams * w;
    const end = this.off + this.len;
    let i = 0;
    if (lenBase + n * w > end) n = 0;
    for (; i < n; i++) {
      const l = w === 2 ? buf[lenBase + 2 * i]! | (buf[lenBase + 2 * i + 1]! << 8) : u32(buf, lenBase + 4 * i);
      if (cur + l > end) break; // truncated param: treat it and the rest as absent
      this.poff[i] = cur;
      this.plen[i] = l;
      cur += l;
    }
    this.pcount = i;
    this.pready = true;
  }

  /** Number of params that can be decoded: min(file nparams, table nparams). */
  get paramCount(): number {
    this.ready();
    return Math.min(this.pcount, this.info.params.length);
  }

  /** Params present in the file, including ones the table does not know. */
  get rawParamCount(): number {
    this.ready();
    return this.pcount;
  }

  /** Validates that param lengths add up inside the record; returns false if the event is malformed. */
  wellFormed(): boolean {
    this.ready();
    return this.pcount === Math.min(this.nparams, MAX_PARAMS);
  }

  poffset(i: number): number {
    this.ready();
    return this.poff[i]!;
  }

  plength(i: number): number {
    this.ready();
    return i < this.pcount ? this.plen[i]! : -1;
  }

  /** Param i as a signed number (1, 2, 4 or 8 bytes by its length). undefined if absent. */
  int(i: number): number | undefined {
    // bytes by hand, not Buffer.read*: index() checked the bounds, and a method call on a
    // length first met late (a 1-byte param) would deoptimize the compiled caller
    const l = this.plength(i);
    const o = this.poff[i]!;
    const b = this.buf;
    switch (l) {
      case 8: return i32(b, o + 4) * 4294967296 + u32(b, o);
      case 4: return i32(b, o);
      case 2: return ((b[o]! | (b[o + 1]! << 8)) << 16) >> 16;
      case 1: return (b[o]! << 24) >> 24;
      default: return undefined;
    }
  }

  /** Param i as an unsigned number (exact below 2^53). */
  uint(i: number): number | undefined {
    const l = this.plength(i);
    const o = this.poff[i]!;
    const b = this.buf;
    switch (l) {
      case 8: return u32(b, o + 4) * 4294967296 + u32(b, o);
      case 4: return u32(b, o);
      case 2: return b[o]! | (b[o + 1]! << 8);
      case 1: return b[o]!;
      default: return undefined;
    }
  }

  /** Param i as an exact unsigned 64-bit value. */
  u64(i: number): bigint | undefined {
    const l = this.plength(i);
    if (l !== 8) {
      // odd lengths (damaged or foreign data) have no value rather than a garbage one
      const v = this.uint(i);
      return v === undefined ? undefined : BigInt(v);
    }
    return this.buf.readBigUInt64LE(this.poff[i]!);
  }

  /**
   * String param (CHARBUF/FSPATH): bytes up to the first NUL, as a latin1 "byte string" (one char per
   * byte). Strings stay byte-exact through the whole pipeline and are written back out as latin1, so
   * non-UTF-8 names print exactly as sysdig prints them.
   */
  str(i: number): string | undefined {
    const l = this.plength(i);
    if (l < 0) return undefined;
    const o = this.poff[i]!;
    let e = o;
    const end = o + l;
    const b = this.buf;
    while (e < end && b[e] !== 0) e++;
    return latin1(b, o, e);
  }

  /** Raw param bytes as a view (no copy): valid only during the callback. */
  bytes(i: number): Buffer | undefined {
    const l = this.plength(i);
    if (l < 0) return undefined;
    const o = this.poff[i]!;
    return this.buf.subarray(o, o + l);
  }

  /** Index of a named param in this event type, or -1. */
  paramIndex(name: string): number {
    return this.info.paramIndex.get(name) ?? -1;
  }
}

