// .scap writer: produces the format sysdig 0.29.3 writes (file format 1.2): SHB, MI, IL_V2, UL_V2,
// PL_V9, FDL_V2 per thread, then EV_V2 / EVF_V2 (state-only and other flagged events) and
// EV_V2_LARGE / EVF_V2_LARGE (types with EF_LARGE_PAYLOAD, or events too big for a normal block).
//
// Output is assembled in a large buffer that only ever holds whole blocks, and written with
// writeSync in one piece when it fills up. So every write to the file ends on a block boundary;
// if the disk fills up in the middle of a write, the file is truncated back to the last complete
// block (raw) or the last complete gzip member (-z), and stays readable by sysdig.
//
// gzip: every flushed chunk becomes one gzip member (zlib.gzipSync). A sequence of members is one
// valid gzip stream: zlib's gzread (libscap) and node's gunzip both read them in a row. This keeps
// the writer synchronous, so a signal handler or an exit path can always flush and close it.
import * as fs from 'node:fs';
import type * as Zlib from 'node:zlib';
import { ScapEvent } from '../events/event';
import { EVENT_MAX, LEN_WIDTH, SYSDIG_SC_MAX } from '../events/table';
import { parseIp } from '../util/net';
import { FdRecord, FdType, GroupRecord, InterfaceRecord, MachineInfo, RawText, ThreadRecord, UserRecord } from './types';

/** zlib loads the stream stack: only a -z capture needs it */
const zlib = (): typeof Zlib => require('node:zlib') as typeof Zlib;
/** zlib.constants.Z_DEFAULT_COMPRESSION, without loading zlib for a plain file */
const Z_DEFAULT_COMPRESSION = -1;

/** Block types written (the same numbers as BT in reader.ts, kept here so the writer stands alone). */
export const WBT = {
  SHB: 0x0a0d0d0a, MI: 0x201, PL_V9: 0x215, FDL_V2: 0x218, IL_V2: 0x219, UL_V2: 0x220,
  EV_V2: 0x216, EVF_V2: 0x217, EV_V2_LARGE: 0x221, EVF_V2_LARGE: 0x222,
} as const;

/** libscap's read buffer for non-LARGE event blocks: block_total_length − 8 must fit in it. */
const SMALL_BLOCK_BODY_MAX = 65536;
/** SCAP_DF_LARGE: a writer-internal flag, never stored */
const DF_LARGE = 4;

/** Everything a section's metadata blocks carry. null/absent parts are not written. */
export interface SectionMeta {
  machine?: MachineInfo | null;
  interfaces?: InterfaceRecord[] | null;
  users?: UserRecord[] | null;
  groups?: GroupRecord[] | null;
  threads?: ThreadRecord[] | null;
  /** one FDL block per entry, in this order; every tid must be in `threads` */
  fds?: Array<{ tid: number; fds: FdRecord[] }> | null;
}

export interface WriterOptions {
  gzip?: boolean;
  /** fail if the file exists ('wx') instead of truncating it ('w') */
  exclusive?: boolean;
  /** bytes buffered before a write (default 1 MiB raw, 4 MiB gzip) */
  chunkSize?: number;
  /** gzip level (default zlib's default, 6, like gzopen "wb") */
  level?: number;
}

export class WriteError extends Error {
  constructor(message: string, readonly path: string, readonly code?: string) {
    super(message);
    this.name = 'WriteError';
  }
}

/** Growable little-endian byte builder for metadata block bodies. */
class Body {
  b = Buffer.alloc(4096);
  p = 0;
  room(n: number): void {
    if (this.p + n <= this.b.length) return;
    let sz = this.b.length * 2;
    while (sz < this.p + n) sz *= 2;
    const nb = Buffer.alloc(sz);
    this.b.copy(nb, 0, 0, this.p);
    this.b = nb;
  }
  u8(v: number): void { this.room(1); this.b[this.p++] = v & 255; }
  u16(v: number): void { this.room(2); this.b.writeUInt16LE(v & 0xffff, this.p); this.p += 2; }
  u32(v: number): void { this.room(4); this.b.writeUInt32LE(v >>> 0, this.p); this.p += 4; }
  i32(v: number): void { this.room(4); this.b.writeInt32LE(v | 0, this.p); this.p += 4; }
  /** any JS number as 64 bits two's complement (negative values as i64, large ones as u64) */
  u64(v: number): void {
    this.room(8);
    const n = Number.isFinite(v) ? Math.trunc(v) : 0;
    const hi = Math.floor(n / 4294967296);
    this.b.writeUInt32LE(n - hi * 4294967296, this.p);
    this.b.writeUInt32LE(hi >>> 0, this.p + 4);
    this.p += 8;
  }
  big(v: bigint): void { this.room(8); this.b.writeBigUInt64LE(BigInt.asUintN(64, v), this.p); this.p += 8; }
  raw(buf: Buffer): void { this.room(buf.length); buf.copy(this.b, this.p); this.p += buf.length; }
  zeros(n: number): void { this.room(n); this.b.fill(0, this.p, this.p + n); this.p += n; }
  /** lstr: u16 length + latin1 bytes (no NUL), cut to max bytes */
  lstr(s: string, max: number): void {
    const n = Math.min(Buffer.byteLength(s, 'latin1'), max);
    this.u16(n);
    this.room(n);
    this.b.write(s, this.p, n, 'latin1');
    this.p += n;
  }
  /** patches a u32 at an earlier offset (entry lengths) */
  setU32(at: number, v: number): void { this.b.writeUInt32LE(v >>> 0, at); }
}

/** NUL-separated list text: raw strings (as read from a capture) are kept byte for byte */
const joinNul = (xs: readonly string[] | string | RawText): string =>
  (typeof xs === 'string' ? xs : xs instanceof RawText ? xs.buf.toString('latin1', xs.start, xs.end) : xs.length ? xs.join('\0') + '\0' : '');

/** 4 or 16 network-order bytes of a textual address ('' or invalid → zeros). */
function ipBytes(s: string | undefined, v6: boolean): Buffer {
  const b = s ? parseIp(s) : undefined;
  if (!b) return Buffer.alloc(v6 ? 16 : 4);
  return v6 ? b : b.subarray(12, 16);
}

function hexU64(s: string | undefined): bigint {
  if (!s) return 0n;
  try {
    return BigInt.asUintN(64, BigInt('0x' + s));
  } catch {
    return 0n;
  }
}

export class ScapWriter {
  private fd: number;
  private buf: Buffer;
  private pos = 0;
  private readonly chunk: number;
  private readonly gzip: boolean;
  private readonly level: number;
  /** bytes of the file that hold complete blocks (raw) or complete gzip members */
  private committed = 0;
  private closed = false;
  private failed: WriteError | null = null;
  /** uncompressed bytes produced so far, buffered ones included */
  bytes = 0;
  /** event blocks written (buffered ones included) */
  events = 0;
  /** event blocks known to be in the file (after a failed write: the ones that survived the cut) */
  eventsCommitted = 0;
  /** event blocks in the buffer */
  private bufEvents = 0;
  /** compressed/uncompressed ratio of the last gzip member, to estimate the file size */
  private ratio = 1;
  private readonly isRegular: boolean;

  private constructor(readonly path: string, fd: number, opts: WriterOptions) {
    this.fd = fd;
    this.gzip = !!opts.gzip;
    this.level = opts.level ?? Z_DEFAULT_COMPRESSION;
    this.chunk = Math.max(64 * 1024, opts.chunkSize ?? (this.gzip ? 4 << 20 : 1 << 20));
    this.buf = Buffer.allocUnsafe(this.chunk + 128 * 1024);
    let regular = false;
    try {
      regular = fs.fstatSync(fd).isFile();
    } catch {
      /* keep false */
    }
    this.isRegular = regular;
    // an existing file keeps its mode on open: captures hold other users' data, so force 0600
    if (regular) {
      try {
        fs.fchmodSync(fd, 0o600);
      } catch {
        /* not ours to change (e.g. another owner's file we may still write) */
      }
    }
  }

  /** Creates (mode 0600) or truncates the file. exclusive: refuse an existing file (EEXIST). */
  static open(path: string, opts: WriterOptions = {}): ScapWriter {
    let fd: number;
    try {
      fd = fs.openSync(path, opts.exclusive ? 'wx' : 'w', 0o600);
    } catch (e) {
      throw ioError(e, path, 'cannot open for writing');
    }
    return new ScapWriter(path, fd, opts);
  }

  /** Bytes the file has (or will have once the buffer is written), estimated for gzip. */
  get fileBytes(): number {
    return this.committed + (this.gzip ? Math.round(this.pos * this.ratio) : this.pos);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private check(): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new WriteError('writer is closed', this.path);
  }

  /** Makes room for a whole block of n bytes: flushes first if it would not fit. */
  private reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n + 64 * 1024);
    }
    return this.pos;
  }

  /** Called after each complete block: writes the buffer out once it holds a chunk. */
  private blockDone(p: number): void {
    this.bytes += p - this.pos;
    this.pos = p;
    if (p >= this.chunk) this.flush();
  }

  // ------------------------------------------------------------------ metadata

  private metaBlock(type: number, body: Body): void {
    const blen = (8 + body.p + 4 + 3) & ~3;
    const p = this.reserve(blen);
    const b = this.buf;
    b.writeUInt32LE(type, p);
    b.writeUInt32LE(blen, p + 4);
    body.b.copy(b, p + 8, 0, body.p);
    b.fill(0, p + 8 + body.p, p + blen - 4);
    b.writeUInt32LE(blen, p + blen - 4);
    this.blockDone(p + blen);
  }

  /** SHB (format 1.2) followed by the metadata blocks, in the order sysdig writes them. */
  writeSection(meta: SectionMeta): void {
    this.check();
    const p = this.reserve(28);
    const b = this.buf;
    b.writeUInt32LE(WBT.SHB, p);
    b.writeUInt32LE(28, p + 4);
    b.writeUInt32LE(0x1a2b3c4d, p + 8);
    b.writeUInt16LE(1, p + 12);
    b.writeUInt16LE(2, p + 14);
    b.writeInt32LE(-1, p + 16);
    b.writeInt32LE(-1, p + 20);
    b.writeUInt32LE(28, p + 24);
    this.blockDone(p + 28);
    if (meta.machine) this.metaBlock(WBT.MI, machineBody(meta.machine));
    if (meta.interfaces) this.metaBlock(WBT.IL_V2, interfaceBody(meta.interfaces));
    if (meta.users || meta.groups) this.metaBlock(WBT.UL_V2, userBody(meta.users ?? [], meta.groups ?? []));
    if (meta.threads && meta.threads.length > 0) this.metaBlock(WBT.PL_V9, procBody(meta.threads));
    for (const f of meta.fds ?? []) this.metaBlock(WBT.FDL_V2, fdBody(f.tid, f.fds));
  }

  // ------------------------------------------------------------------ events

  /**
   * Copies an event as a block. v1 events (22-byte header, format 1.0/1.1 input) are converted to
   * v2 by inserting nparams. dumpFlags: bit 0 state-only, bit 1 tracer; 0 → plain EV block.
   */
  writeEvent(e: ScapEvent, dumpFlags = e.dumpFlags): void {
    this.check();
    const flags = dumpFlags & ~DF_LARGE;
    const v1 = e.hdr === 22;
    const evLen = v1 ? e.len + 4 : e.len;
    const head = flags ? 14 : 10;
    const blen = (head + evLen + 4 + 3) & ~3;
    const large = (e.type < EVENT_MAX && LEN_WIDTH[e.type] === 4) || blen - 8 > SMALL_BLOCK_BODY_MAX;
    const btype = large ? (flags ? WBT.EVF_V2_LARGE : WBT.EV_V2_LARGE) : flags ? WBT.EVF_V2 : WBT.EV_V2;
    const p = this.reserve(blen);
    const b = this.buf;
    b.writeUInt32LE(btype, p);
    b.writeUInt32LE(blen, p + 4);
    b.writeUInt16LE(e.cpu & 0xffff, p + 8);
    if (flags) b.writeUInt32LE(flags >>> 0, p + 10);
    const q = p + head;
    const src = e.buf;
    if (v1) {
      src.copy(b, q, e.off, e.off + 16); // ts, tid
      b.writeUInt32LE(evLen, q + 16);
      b[q + 20] = src[e.off + 20]!;
      b[q + 21] = src[e.off + 21]!;
      b.writeUInt32LE(Math.max(0, e.nparams) >>> 0, q + 22);
      src.copy(b, q + 26, e.off + 22, e.off + e.len);
    } else if (evLen <= 512) {
      // a byte loop beats Buffer#copy for small events (no view allocated per copy)
      const o = e.off;
      for (let i = 0; i < evLen; i++) b[q + i] = src[o + i]!;
    } else {
      src.copy(b, q, e.off, e.off + evLen);
    }
    if (e.type <= 1) this.oldSyscallId(q);
    let z = q + evLen;
    const t = p + blen - 4;
    while (z < t) b[z++] = 0;
    b.writeUInt32LE(blen, t);
    this.events++;
    this.bufEvents++;
    this.blockDone(p + blen);
  }

  /**
   * A generic event's ID past 0.29.3's syscall table (rseq, statx, … in libs' newer numbering)
   * becomes 0, the `<unknown>` 0.29.3's own probes record for them: 0.29.3 would look the name
   * up past the end of its table. The enter event keeps nativeID.
   */
  private oldSyscallId(q: number): void {
    const b = this.buf;
    const np = b.readUInt32LE(q + 22);
    if (np < 1 || np > 2 || b.readUInt16LE(q + 26) !== 2) return;
    const v = q + 26 + 2 * np;
    if (b.readUInt16LE(v) >= SYSDIG_SC_MAX) b.writeUInt16LE(0, v);
  }

  /**
   * A container event (324, PPME_CONTAINER_JSON_2_E: one CHARBUF with u32 length) in an
   * EV_V2_LARGE block, as sysdig writes one per known container at the start of a capture.
   */
  writeContainerJson(json: string, tsNs: bigint, tid = -1n, cpu = 0): void {
    this.check();
    const data = Buffer.from(json + '\0', 'latin1');
    const evLen = 26 + 4 + data.length;
    const blen = (10 + evLen + 4 + 3) & ~3;
    const p = this.reserve(blen);
    const b = this.buf;
    b.writeUInt32LE(WBT.EV_V2_LARGE, p);
    b.writeUInt32LE(blen, p + 4);
    b.writeUInt16LE(cpu & 0xffff, p + 8);
    const q = p + 10;
    b.writeBigUInt64LE(BigInt.asUintN(64, tsNs), q);
    b.writeBigUInt64LE(BigInt.asUintN(64, tid), q + 8);
    b.writeUInt32LE(evLen, q + 16);
    b.writeUInt16LE(324, q + 20);
    b.writeUInt32LE(1, q + 22);
    b.writeUInt32LE(data.length, q + 26);
    data.copy(b, q + 30);
    b.fill(0, q + evLen, p + blen - 4);
    b.writeUInt32LE(blen, p + blen - 4);
    this.events++;
    this.bufEvents++;
    this.blockDone(p + blen);
  }

  // ------------------------------------------------------------------ output

  /** Writes the buffered blocks to the file. On failure the file is cut back to whole blocks. */
  flush(): void {
    if (this.failed) throw this.failed;
    if (this.pos === 0 || this.closed) return;
    const data = this.gzip ? zlib().gzipSync(this.buf.subarray(0, this.pos), { level: this.level }) : this.buf.subarray(0, this.pos);
    if (this.gzip) this.ratio = data.length / this.pos;
    let done = 0;
    try {
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, null);
    } catch (e) {
      // keep what is complete: whole blocks for a raw file, whole members for gzip
      const keep = this.gzip ? 0 : wholeBlocks(data, done);
      if (keep > 0) this.eventsCommitted += eventBlocks(data, keep);
      let cut = this.committed + keep;
      try {
        if (this.isRegular) fs.ftruncateSync(this.fd, cut);
      } catch {
        cut = -1;
      }
      const why = ioError(e, this.path, 'write failed');
      const tail = cut >= 0 ? `; the file was cut back to ${cut} bytes, its last complete ${this.gzip ? 'gzip member' : 'block'}` : '';
      this.failed = new WriteError(`${why.message}${tail}`, this.path, why.code);
      this.committed = Math.max(0, cut);
      this.pos = 0;
      this.bufEvents = 0;
      throw this.failed;
    }
    this.committed += data.length;
    this.eventsCommitted += this.bufEvents;
    this.bufEvents = 0;
    this.pos = 0;
  }

  /** Flushes and closes; safe to call more than once, and after a failure (then it only closes). */
  close(): void {
    if (this.closed) return;
    let err: unknown = null;
    try {
      if (!this.failed) this.flush();
    } catch (e) {
      err = e;
    }
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch (e) {
      err ??= ioError(e, this.path, 'close failed');
    }
    if (err) throw err;
  }
}

/** Length of the longest run of whole blocks at the start of data[0..n). */
function wholeBlocks(data: Buffer, n: number): number {
  let p = 0;
  while (p + 8 <= n) {
    const len = data.readUInt32LE(p + 4);
    if (len < 12 || p + len > n) break;
    p += len;
  }
  return p;
}

/** Event blocks among the whole blocks at the start of data[0..n). */
function eventBlocks(data: Buffer, n: number): number {
  let k = 0;
  for (let p = 0; p + 8 <= n; ) {
    const t = data.readUInt32LE(p);
    const len = data.readUInt32LE(p + 4);
    if (len < 12 || p + len > n) break;
    if (t === WBT.EV_V2 || t === WBT.EVF_V2 || t === WBT.EV_V2_LARGE || t === WBT.EVF_V2_LARGE) k++;
    p += len;
  }
  return k;
}

function ioError(e: unknown, path: string, what: string): WriteError {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  let msg: string;
  switch (code) {
    case 'ENOSPC': msg = 'no space left on device'; break;
    case 'EDQUOT': msg = 'disk quota exceeded'; break;
    case 'EEXIST': msg = 'file exists'; break;
    case 'EACCES': case 'EPERM': msg = 'permission denied'; break;
    case 'ENOENT': msg = 'no such file or directory'; break;
    case 'EISDIR': msg = 'is a directory'; break;
    case 'EROFS': msg = 'read-only file system'; break;
    case 'EIO': msg = 'input/output error'; break;
    default: msg = err?.message ?? String(e);
  }
  return new WriteError(`${what}: ${msg}`, path, code);
}

// ------------------------------------------------------------------ metadata bodies

function machineBody(mi: MachineInfo): Body {
  const b = new Body();
  b.u32(mi.numCpus);
  b.u64(mi.memorySize);
  b.u64(mi.maxPid);
  const host = Buffer.alloc(128);
  host.write(mi.hostname.slice(0, 127), 0, 127, 'latin1');
  b.raw(host);
  b.zeros(32);
  return b;
}

function interfaceBody(list: readonly InterfaceRecord[]): Body {
  const b = new Body();
  for (const r of list) {
    // IL v2 entry lengths do not count their own 4 bytes
    const v6 = r.family === 6;
    const name = r.name.slice(0, 1023);
    const nlen = Buffer.byteLength(name, 'latin1');
    b.u32((v6 ? 60 : 24) + nlen);
    b.u16(v6 ? 2 : 1);
    b.u16(nlen);
    b.raw(ipBytes(r.addr, v6));
    b.raw(ipBytes(r.netmask, v6));
    b.raw(ipBytes(r.bcast, v6));
    b.u64(r.linkspeed);
    b.room(nlen);
    b.b.write(name, b.p, nlen, 'latin1');
    b.p += nlen;
  }
  return b;
}

function userBody(users: readonly UserRecord[], groups: readonly GroupRecord[]): Body {
  const b = new Body();
  for (const u of users) {
    const at = b.p;
    b.u32(0);
    b.u8(0);
    b.u32(u.uid);
    b.u32(u.gid);
    b.lstr(u.name, 255);
    b.lstr(u.home, 255);
    b.lstr(u.shell, 255);
    b.setU32(at, b.p - at);
  }
  for (const g of groups) {
    const at = b.p;
    b.u32(0);
    b.u8(1);
    b.u32(g.gid);
    b.lstr(g.name, 255);
    b.setU32(at, b.p - at);
  }
  return b;
}

function procBody(threads: readonly ThreadRecord[]): Body {
  const b = new Body();
  for (const t of threads) {
    const at = b.p;
    b.u32(0);
    b.u64(t.tid);
    b.u64(t.pid);
    b.u64(t.ptid);
    b.u64(t.sid);
    b.u64(t.vpgid);
    b.lstr(t.comm, 1024);
    b.lstr(t.exe, 1024);
    b.lstr(t.exepath, 1024);
    b.lstr(joinNul(t.args), 4096);
    b.lstr(t.cwd, 1024);
    b.u64(t.fdlimit);
    b.u32(t.flags);
    b.u32(t.uid);
    b.u32(t.gid);
    b.u32(t.vmsize);
    b.u32(t.vmrss);
    b.u32(t.vmswap);
    b.u64(t.pfmajor);
    b.u64(t.pfminor);
    b.lstr(joinNul(t.env), 4096);
    b.u64(t.vtid);
    b.u64(t.vpid);
    b.lstr(joinNul(t.cgroups), 4096);
    b.lstr(t.root, 1024);
    b.i32(t.loginuid);
    b.u8(t.exeWritable ? 1 : 0);
    b.setU32(at, b.p - at);
  }
  return b;
}

function fdBody(tid: number, fds: readonly FdRecord[]): Body {
  const b = new Body();
  b.u64(tid);
  for (const f of fds) {
    if (f.type > FdType.FILE_V2) continue; // newer fd types sysdig 0.29.3 cannot read
    const at = b.p;
    b.u32(0);
    b.u64(f.fd);
    b.u64(f.ino);
    b.u8(f.type);
    switch (f.type) {
      case FdType.IPV4_SOCK:
        b.raw(ipBytes(f.sip, false)); b.raw(ipBytes(f.dip, false));
        b.u16(f.sport ?? 0); b.u16(f.dport ?? 0); b.u8(f.l4proto ?? 0);
        break;
      case FdType.IPV6_SOCK:
        b.raw(ipBytes(f.sip, true)); b.raw(ipBytes(f.dip, true));
        b.u16(f.sport ?? 0); b.u16(f.dport ?? 0); b.u8(f.l4proto ?? 0);
        break;
      case FdType.IPV4_SERVSOCK:
        b.raw(ipBytes(f.sip, false)); b.u16(f.sport ?? 0); b.u8(f.l4proto ?? 0);
        break;
      case FdType.IPV6_SERVSOCK:
        b.raw(ipBytes(f.sip, true)); b.u16(f.sport ?? 0); b.u8(f.l4proto ?? 0);
        break;
      case FdType.UNIX_SOCK:
        b.big(hexU64(f.usrc)); b.big(hexU64(f.udst));
        b.lstr(f.name, 1023);
        break;
      case FdType.FILE_V2:
        b.u32(f.openFlags);
        b.lstr(f.name, 1023);
        b.u32(f.dev);
        break;
      case FdType.UNKNOWN:
        break;
      default:
        b.lstr(f.name, 1023);
    }
    b.setU32(at, b.p - at);
  }
  return b;
}
