// Streaming .scap reader: a push parser over the (decompressed) byte stream. Chunks go in, blocks
// come out as sink callbacks; only an incomplete trailing block is carried over between chunks,
// so memory stays flat whatever the file size. Every length field is checked before it is
// trusted, and no allocation is sized from a length the file has not backed with bytes.
import * as fs from 'node:fs';
import type * as Zlib from 'node:zlib';
import { ScapEvent } from '../events/event';
import { EVENTS, EVENT_MAX, SKIP_TYPE } from '../events/table';
import { BlockError, parseFdList, parseInterfaceList, parseMachineInfo, parseProcList, parseUserList, PL_VERSION } from './blocks';
import { CaptureSink, ScapError } from './types';
import { u32le as u32 } from '../util/bytes';

export const BT = {
  SHB: 0x0a0d0d0a,
  MI: 0x201, MI_OLD: 0x8002abcd,
  FDL: 0x203, FDL_OLD: 0x8001abcd, FDL_V2: 0x218,
  IL: 0x205, IL_OLD: 0x8011abcd, IL_V2: 0x219,
  UL: 0x206, UL_OLD: 0x8012abcd, UL_V2: 0x220,
  EV: 0x204, EV_OLD: 0x8010abcd, EVF: 0x208,
  EV_V2: 0x216, EVF_V2: 0x217, EV_V2_LARGE: 0x221, EVF_V2_LARGE: 0x222,
} as const;

const SHB_MAGIC = 0x1a2b3c4d;
/** libscap's read buffer for non-LARGE event blocks */
const MAX_SMALL_BLOCK = 65536 + 8;
/** LARGE blocks may grow; cap them so a forged length cannot make us buffer without bound */
const MAX_LARGE_BLOCK = 64 * 1024 * 1024;
const MAX_META_BLOCK = 256 * 1024 * 1024;

const enum Phase { SHB, META, EVENTS }

export interface ReadStats {
  bytes: number;
  blocks: number;
  events: number;
  /** events skipped because their type is unknown (≥ 336), as libscap does */
  unknownEvents: number;
  sections: number;
}

export class ScapParser {
  private phase = Phase.SHB;
  /** the incomplete trailing block, as copied pieces (joined once it can be complete) */
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** bytes the carried block needs before parsing is retried (its length, or 8 for a header) */
  private need = 0;
  /** stream offset of the first byte of the next chunk */
  private base = 0;
  private stopped = false;
  readonly stats: ReadStats = { bytes: 0, blocks: 0, events: 0, unknownEvents: 0, sections: 0 };
  private readonly ev = new ScapEvent();
  private num = 0;
  private knownTids = new Set<number>();

  constructor(private readonly sink: CaptureSink, readonly file: string) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Feeds a chunk. Returns false once the sink asked to stop. Throws ScapError on corrupt input. */
  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    const chunkBase = this.base;
    this.base = chunkBase + chunk.length;
    this.stats.bytes += chunk.length;
    let start = 0;
    if (this.carryLen > 0) {
      // Finish the block that straddles the chunk boundary from just the bytes it needs, so
      // the chunk itself is never copied (and a block spanning many chunks is joined once).
      if (this.carryLen < 8) {
        const take = Math.min(8 - this.carryLen, chunk.length);
        this.carry.push(Buffer.from(chunk.subarray(0, take)));
        this.carryLen += take;
        start = take;
        if (this.carryLen < 8) return true;
        const head = Buffer.concat(this.carry, 8);
        this.carry = [head];
        this.need = Math.max(8, head.readUInt32LE(4));
        this.checkHeader(head, 0, chunkBase - 8 + take);
      }
      const want = this.need - this.carryLen;
      if (chunk.length - start < want) {
        this.carry.push(Buffer.from(chunk.subarray(start)));
        this.carryLen += chunk.length - start;
        return true;
      }
      const blockBase = chunkBase + start - this.carryLen;
      const block = Buffer.concat([...this.carry, chunk.subarray(start, start + want)], this.need);
      this.carry = [];
      this.carryLen = 0;
      this.parseBlocks(block, 0, blockBase);
      start += want;
      if (this.stopped) return false;
    }
    start = this.parseBlocks(chunk, start, chunkBase);
    if (start < chunk.length && !this.stopped) {
      this.carry = [Buffer.from(chunk.subarray(start))];
      this.carryLen = chunk.length - start;
      this.need = this.carryLen >= 8 ? Math.max(8, chunk.readUInt32LE(start + 4)) : 8;
      if (this.carryLen >= 8) this.checkHeader(chunk, start, chunkBase + start);
    }
    return !this.stopped;
  }

  /** Validates a block header before waiting for (or buffering) the block's bytes. */
  private checkHeader(buf: Buffer, start: number, at: number): void {
    const btype = buf.readUInt32LE(start);
    const blen = buf.readUInt32LE(start + 4);
    if (btype === BT.SHB) {
      // sysdig reads 28 bytes whatever the length says; we honour the length so SHB options
      // (pcapng comments added by editcap) are skipped instead of breaking the file.
      if (blen < 28 || blen > 1 << 20 || blen % 4 !== 0) this.fail(`invalid section header length ${blen}`, at);
    } else if (this.phase === Phase.SHB) {
      this.fail(this.stats.blocks === 0 ? 'not a scap capture (invalid block type)' : 'invalid block type', at);
    }
    if (blen < 12) this.fail(`block length ${blen} too small`, at);
    const isEvent = isEventBlock(btype);
    const limit = isEvent ? (btype === BT.EV_V2_LARGE || btype === BT.EVF_V2_LARGE ? MAX_LARGE_BLOCK : MAX_SMALL_BLOCK) : MAX_META_BLOCK;
    if (blen > limit) this.fail(`block length ${blen} exceeds the limit of ${limit} bytes`, at);
  }

  /** Parses every complete block in buf[start..]; returns where the first incomplete block starts. */
  private parseBlocks(buf: Buffer, start: number, bufBase: number): number {
    const end = buf.length;
    const stats = this.stats;
    while (start + 8 <= end && !this.stopped) {
      const btype = u32(buf, start);
      const blen = u32(buf, start + 4);
      if (btype === BT.EV_V2 && this.phase === Phase.EVENTS && blen >= 12 + 26 && blen <= MAX_SMALL_BLOCK) {
        // fast path: the common event block, with room for a v2 event header
        if (start + blen > end) break;
        stats.blocks++;
        this.eventV2(buf, start, blen, bufBase + start);
        start += blen;
        continue;
      }
      if ((btype === BT.EV || btype === BT.EVF) && this.phase === Phase.EVENTS && blen >= 12 + 22 && blen <= MAX_SMALL_BLOCK) {
        // the same for format 1.0/1.1 captures' v1 event blocks: event() checks what is inside
        if (start + blen > end) break;
        stats.blocks++;
        this.event(buf, start, btype, blen, bufBase + start);
        start += blen;
        continue;
      }
      const at = bufBase + start;
      this.checkHeader(buf, start, at);
      if (start + blen > end) break; // wait for the rest of the block
      this.stats.blocks++;
      try {
        if (isEventBlock(btype)) this.event(buf, start, btype, blen, at);
        else this.meta(buf, start, btype, blen, at);
      } catch (e) {
        if (e instanceof BlockError) this.fail(e.message, bufBase + e.at);
        throw e;
      }
      start += blen;
    }
    return start;
  }

  /** End of input: anything left over is a truncated block. */
  end(): void {
    if (this.stopped) return;
    if (this.carryLen > 0) {
      this.fail(`truncated block (${this.carryLen} bytes of an incomplete block at end of file)`, this.base - this.carryLen);
    }
    if (this.stats.blocks === 0) this.fail(this.stats.bytes === 0 ? 'empty file' : 'not a scap capture', 0);
    if (this.phase !== Phase.EVENTS) this.fail('no events in file', this.base);
  }

  private fail(msg: string, offset: number): never {
    throw new ScapError(msg, this.file, offset);
  }

  private meta(buf: Buffer, p: number, btype: number, blen: number, at: number): void {
    const bodyEnd = p + blen - 4;
    const trailer = buf.readUInt32LE(bodyEnd);
    if (trailer !== blen) this.fail(`wrong block total length, header=${blen}, trailer=${trailer}`, at);
    const b = p + 8;
    if (btype === BT.SHB) {
      if (buf.readUInt32LE(b) !== SHB_MAGIC) this.fail('invalid magic number', at + 8);
      const major = buf.readUInt16LE(b + 4);
      const minor = buf.readUInt16LE(b + 6);
      if (major > 1) this.fail(`unsupported capture format version ${major}.${minor}`, at + 12);
      this.phase = Phase.META;
      this.stats.sections++;
      this.knownTids.clear();
      this.sink.onSection(major, minor);
      return;
    }
    if (this.phase === Phase.EVENTS) this.fail(`unexpected block type 0x${btype.toString(16)} among events`, at);
    switch (btype) {
      case BT.MI: case BT.MI_OLD:
        this.sink.onMachineInfo(parseMachineInfo(buf, b, bodyEnd));
        return;
      case BT.FDL: case BT.FDL_OLD: case BT.FDL_V2: {
        const v2 = btype === BT.FDL_V2;
        if (this.sink.onFdsRaw) {
          // checked now, decoded when (if ever) the sink needs the records
          const serverPorts: number[] = [];
          const { tid } = parseFdList(buf, b, bodyEnd, v2, serverPorts);
          if (!this.knownTids.has(tid)) this.fail(`corrupted trace file. FD block references TID ${tid}, which doesn't exist`, at);
          this.sink.onFdsRaw(tid, { body: Buffer.from(buf.subarray(b, bodyEnd)), v2, serverPorts });
          return;
        }
        const { tid, fds } = parseFdList(buf, b, bodyEnd, v2);
        if (!this.knownTids.has(tid)) this.fail(`corrupted trace file. FD block references TID ${tid}, which doesn't exist`, at);
        this.sink.onFds(tid, fds);
        return;
      }
      case BT.IL: case BT.IL_OLD: case BT.IL_V2:
        this.sink.onInterfaces(parseInterfaceList(buf, b, bodyEnd, btype === BT.IL_V2));
        return;
      case BT.UL: case BT.UL_OLD: case BT.UL_V2: {
        const { users, groups } = parseUserList(buf, b, bodyEnd, btype === BT.UL_V2);
        this.sink.onUsers(users, groups);
        return;
      }
    }
    const plv = PL_VERSION[btype];
    if (plv !== undefined) {
      parseProcList(buf, b, bodyEnd, plv, (t) => {
        this.knownTids.add(t.tid);
        this.sink.onThread(t);
      });
    }
    // any other block type is skipped, as libscap does
  }

  /** event() for EV_V2 blocks in the events phase whose length has room for the header */
  private eventV2(buf: Buffer, p: number, blen: number, at: number): void {
    const off = p + 10;
    const len = u32(buf, off + 16);
    if (len < 26 || len > blen - 10) {
      this.event(buf, p, BT.EV_V2, blen, at); // reports the damage
      return;
    }
    const type = buf[off + 20]! | (buf[off + 21]! << 8);
    if (type >= EVENT_MAX || SKIP_TYPE[type]) {
      this.stats.unknownEvents++;
      return;
    }
    const ev = this.ev;
    ev.set(buf, off, 26, buf[p + 8]! | (buf[p + 9]! << 8), 0, -1);
    if (!ev.wellFormed()) this.fail(`event ${EVENTS[type]!.name} (type ${type}) has parameter lengths beyond its end`, at);
    ev.num = ++this.num;
    ev.fileOffset = at;
    this.stats.events++;
    if (this.sink.onEvent(ev) === false) this.stopped = true;
  }

  private event(buf: Buffer, p: number, btype: number, blen: number, at: number): void {
    if (this.phase === Phase.SHB) this.fail('event block before section header', at);
    this.phase = Phase.EVENTS;
    const withFlags = btype === BT.EVF || btype === BT.EVF_V2 || btype === BT.EVF_V2_LARGE;
    const v1 = btype === BT.EV || btype === BT.EV_OLD || btype === BT.EVF;
    const hdr = v1 ? 22 : 26;
    const cpu = buf.readUInt16LE(p + 8);
    const flags = withFlags ? buf.readUInt32LE(p + 10) : 0;
    const off = p + 10 + (withFlags ? 4 : 0);
    const room = p + blen - off; // event bytes available inside the block (incl. padding/trailer)
    if (room < hdr) this.fail('event block too short for an event header', at);
    const len = buf.readUInt32LE(off + 16);
    if (len < hdr || len > room) this.fail(`event length ${len} does not fit its block (${room} bytes)`, at);
    const type = buf.readUInt16LE(off + 20);
    if (type >= EVENT_MAX || SKIP_TYPE[type]) {
      this.stats.unknownEvents++;
      return;
    }
    let np = -1;
    if (v1) np = v1ParamCount(buf, off, len, type);
    if (np === -2) this.fail('cannot convert v1 event block to v2', at);
    const ev = this.ev;
    ev.set(buf, off, hdr, cpu, flags, np);
    if (!ev.wellFormed()) this.fail(`event ${EVENTS[type]!.name} (type ${type}) has parameter lengths beyond its end`, at);
    ev.num = ++this.num;
    ev.fileOffset = at;
    this.stats.events++;
    if (this.sink.onEvent(ev) === false) this.stopped = true;
  }
}


function isEventBlock(t: number): boolean {
  return t === BT.EV_V2 || t === BT.EVF_V2 || t === BT.EV_V2_LARGE || t === BT.EVF_V2_LARGE || t === BT.EV || t === BT.EV_OLD || t === BT.EVF;
}

/** v1 events carry no nparams: find the count whose lengths add up to the event length (libscap's rule). */
function v1ParamCount(buf: Buffer, off: number, len: number, type: number): number {
  if (type === 280 || type === 286) len -= 3;
  for (let n = EVENTS[type]!.params.length; n >= 0; n--) {
    let total = 22 + 2 * n;
    if (total > len) continue;
    // the lengths are inside the event (total <= len): read by hand, no bounds checks needed
    for (let i = 0, q = off + 22; i < n; i++, q += 2) total += buf[q]! | (buf[q + 1]! << 8);
    if (total === len) return n;
  }
  return -2;
}

/** Whether an open file starts with gzip's magic bytes (a capture is gzip by its content, not its name). */
export function isGzipFd(fd: number): boolean {
  const head = Buffer.alloc(2);
  return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** A gzip file's inflated size as its trailer records it (ISIZE: modulo 4 GiB). */
export function gzipTrailerSize(fd: number, size: number): number {
  const b = Buffer.alloc(4);
  fs.readSync(fd, b, 0, 4, size - 4);
  return b.readUInt32LE(0);
}

/** Opens a capture file as a stream of decompressed chunks (gzip detected by content). */
export function openCaptureStream(file: string, chunkSize = 1 << 20): NodeJS.ReadableStream {
  const fd = fs.openSync(file, 'r');
  const st = fs.fstatSync(fd);
  if (st.isDirectory()) {
    fs.closeSync(fd);
    throw new ScapError('is a directory', file, 0);
  }
  if (!isGzipFd(fd)) return fs.createReadStream('', { fd, highWaterMark: chunkSize, start: 0 });
  // 1 MiB output chunks: fewer stream turns on this thread; zlib inflates on the thread pool up
  // to 4 MiB ahead while this one parses (at the default 16 KiB mark it stops after each chunk,
  // and every inflate would wait for the parse before it)
  // required here, not at the top: zlib loads the stream stack, which a plain file never needs
  const zlib = require('node:zlib') as typeof Zlib;
  const gz = zlib.createGunzip({ chunkSize: 1 << 20, readableHighWaterMark: 4 << 20 } as Zlib.ZlibOptions);
  void feedInflater(fd, gz, chunkSize); // never rejects: errors go to the inflater
  return gz;
}

/**
 * Reads the compressed file into the inflater on libuv's thread pool, pausing while it is full.
 * Not fs.createReadStream + pipe: the file stream loads fs/promises (with readline and the
 * watchers) and pipe() builds process.stdout, ~3 ms of a replay's start spent on nothing. The fd
 * is closed once the file is read, on a read error, or when the consumer destroys the inflater.
 */
async function feedInflater(fd: number, gz: Zlib.Gunzip, chunkSize: number): Promise<void> {
  let pos = 0;
  try {
    while (!gz.destroyed) {
      const buf = Buffer.allocUnsafe(chunkSize); // zlib keeps each chunk until it has inflated it
      const n = await readAt(fd, buf, pos);
      if (gz.destroyed) break;
      if (n === 0) {
        gz.end();
        break;
      }
      pos += n;
      if (!gz.write(n === chunkSize ? buf : buf.subarray(0, n))) await roomOrClose(gz);
    }
  } catch (e) {
    gz.destroy(e as Error);
  } finally {
    fs.close(fd, () => undefined);
  }
}

/** Resolves when the inflater has room again, or is gone (the consumer stopped reading). */
function roomOrClose(gz: Zlib.Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      gz.off('drain', done);
      gz.off('close', done);
      resolve();
    };
    gz.once('drain', done);
    gz.once('close', done);
  });
}

/**
 * Reads a whole capture into the sink. Resolves with stats; rejects with ScapError (naming the
 * file and offset) on corrupt or truncated input, after every event before the damage was delivered.
 * Plain files are read on the thread pool into two buffers taken in turn (the parser copies only
 * the partial block it carries over); gzip goes through zlib's stream (openCaptureStream).
 */
export async function readCapture(file: string, sink: CaptureSink): Promise<ReadStats> {
  const parser = new ScapParser(sink, file);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw new ScapError('is a directory', file, 0);
    }
  } catch (e) {
    if (e instanceof ScapError) throw e;
    throw toScapError(e, file, 0);
  }
  let gz = false;
  try {
    gz = isGzipFd(fd);
  } catch (e) {
    fs.closeSync(fd);
    throw toScapError(e, file, 0);
  }
  if (!gz) {
    // two buffers: the next read (on libuv's thread pool, copying from the page cache there) runs
    // while this thread parses the last one, which the parser is done with when push() returns
    const bufs = [Buffer.allocUnsafe(4 << 20), Buffer.allocUnsafe(4 << 20)];
    let pos = 0;
    let pending: Promise<number> | null = readAt(fd, bufs[0]!, pos);
    try {
      for (let k = 0; ; k++) {
        const n: number = await pending!;
        pending = null;
        if (n <= 0) break;
        pos += n;
        const buf = bufs[k & 1]!;
        pending = readAt(fd, bufs[(k + 1) & 1]!, pos);
        if (!parser.push(n === buf.length ? buf : buf.subarray(0, n))) break;
      }
    } catch (e) {
      if (e instanceof ScapError) throw e;
      throw toScapError(e, file, parser.stats.bytes);
    } finally {
      // the fd stays open until a read in flight has ended
      if (pending) await pending.catch(() => 0);
      fs.closeSync(fd);
    }
    if (!parser.isStopped) parser.end();
    return parser.stats;
  }
  fs.closeSync(fd);
  let stream: NodeJS.ReadableStream;
  try {
    stream = openCaptureStream(file);
  } catch (e) {
    throw toScapError(e, file, 0);
  }
  try {
    for await (const chunk of stream) {
      if (!parser.push(chunk as Buffer)) break;
    }
  } catch (e) {
    if (e instanceof ScapError) throw e;
    throw toScapError(e, file, parser.stats.bytes);
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
  if (!parser.isStopped) parser.end();
  return parser.stats;
}

function toScapError(e: unknown, file: string, offset: number): ScapError {
  // errors of the consumer (a closed output pipe…) are not capture damage: pass them through
  if (e instanceof Error && e.name === 'PipeClosed') throw e;
  const err = e as NodeJS.ErrnoException;
  // only I/O and zlib errors carry a code: anything else is a bug in a consumer, and calling it
  // damage in the user's file would send them looking in the wrong place
  if (!(e instanceof Error) || typeof err.code !== 'string') throw e;
  return new ScapError(ioMessage(e), file, offset);
}

/** The words a capture error shows for an I/O or zlib error (its message for anything else). */
export function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'Z_BUF_ERROR': return 'truncated gzip stream';
    case 'Z_DATA_ERROR': return `corrupt gzip stream (${err.message})`;
    default: return err && err.message ? err.message : String(e);
  }
}

/** One read(2) of up to buf.length bytes at pos, on libuv's thread pool. */
function readAt(fd: number, buf: Buffer, pos: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
}
