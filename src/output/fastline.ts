// The default output line (`*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir
// %evt.type %evt.info`) written straight into the output buffer: numbers as digits, the time of day
// from a per-second cache, each argument piece by piece — no per-line string building. It must
// print exactly what the generic Formatter prints for that format (the parity tests run both).
import { EventCtx } from '../fields/context';
import { FieldAccessor } from '../fields/types';
import { fieldRegistry } from '../fields';
import { OutWriter } from './writer';
import { renderParam } from './render';
import { evtTypeName, syslogInfo } from '../fields/evt';
import { isContainerEvt } from '../fields/proc';
import { splitTs, timeOfDay } from '../fields/timefmt';
import { EVENTS, ParamInfo, PF, PT } from '../events/table';
import { FdInfo } from '../state/fdinfo';
import { ScapEvent } from '../events/event';
import { errnoStr, fdTag, RenderOpts, sanitize } from './render';
import { writeEscapedBuffer } from './buffers';
import { i32le } from '../util/bytes';

// Constant pieces are kept as bytes: copying bytes beats reading a string char by char (and
// strings built by concatenation are ropes, slower still to read).
const bytes = (s: string): Uint8Array => {
  // a plain typed array filled by hand: Buffer.from's pool and subclass cost more for a few bytes
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
};

let lastSec = -1;
let lastHms: Uint8Array = bytes('');

/** One slot of the per-thread cache: " comm (tid" while the slot's tid and comm are the event's (a pure function of the two, so it survives a new section's thread objects). */
interface TagSlot { tid: number; comm: string; tag: Uint8Array }
const TAG_SLOTS = 256;

/** ") > type " / ") < type " per event type and direction, built once */
const TYPE_TAIL: Uint8Array[] = EVENTS.map((info, type) => bytes((type & 1 ? ') < ' : ') > ') + info.name + ' '));
/** "name=" per param, per event type */
const PARAM_HEADS: Uint8Array[][] = EVENTS.map((info) => info.params.map((p) => bytes(p.name + '=')));

/**
 * How a param is written. Most values are written straight into the output (digits, names from
 * tables, buffer bytes) instead of being rendered to a string and copied; every writer prints
 * exactly what renderParam returns for that param (the generic-format parity check compares them).
 */
const enum K {
  /** renderParam's string */
  GENERIC,
  /** signed integer, %d of its width (INT*, PF_DEC) */
  INT_DEC,
  /** unsigned integer printed with a signed %d of its width (UINT8/16/32, PF_DEC) */
  UINT_DEC,
  /** UINT64, PF_DEC */
  U64_DEC,
  ERRNO,
  FD,
  PID,
  /** a pure function of (value, length): rendered once per value (flags, modes, hex, syscall ids…) */
  MEMO,
  CHARBUF,
  BYTEBUF,
  /** UINT64, PF_HEX: upper-case hex without BigInt */
  U64_HEX,
  /** FSPATH / FSRELPATH: an absolute path with nothing to fold prints as it is */
  PATH,
}

function kindOf(p: ParamInfo): K {
  switch (p.type) {
    case PT.INT8: case PT.INT16: case PT.INT32: case PT.INT64:
      return p.fmt === PF.DEC ? K.INT_DEC : K.GENERIC;
    case PT.UINT8: case PT.UINT16: case PT.UINT32:
      return p.fmt === PF.DEC ? K.UINT_DEC : p.fmt === PF.HEX || p.fmt === PF.OCT ? K.MEMO : K.GENERIC;
    case PT.UINT64:
      return p.fmt === PF.DEC ? K.U64_DEC : p.fmt === PF.HEX ? K.U64_HEX : K.GENERIC;
    case PT.FSPATH: case PT.FSRELPATH:
      return K.PATH;
    case PT.ERRNO: return K.ERRNO;
    case PT.FD: return K.FD;
    case PT.PID: return K.PID;
    case PT.FLAGS8: case PT.FLAGS16: case PT.FLAGS32: case PT.ENUMFLAGS32: case PT.MODE: case PT.SYSCALLID: case PT.SIGTYPE:
      return K.MEMO;
    case PT.CHARBUF: return K.CHARBUF;
    case PT.BYTEBUF: return K.BYTEBUF;
    default: return K.GENERIC;
  }
}

/** param kinds per event type */
const KINDS: Uint8Array[] = EVENTS.map((info) => Uint8Array.from(info.params, kindOf));

/** renderParam's text per (value, length) of MEMO params, per param; bounded so memory stays flat */
const MEMO_MAX = 4096;
const memos = new Map<ParamInfo, Map<number, string>>();

/** errno names as renderParam writes them: "-2(ENOENT)" */
const ERRNO_TEXT: string[] = [];

export class DefaultLine {
  private readonly procName: FieldAccessor<EventCtx>;
  private readonly outTime: FieldAccessor<EventCtx>;
  /** direct-mapped by tid: most events come from a few hot threads, so this hits nearly always */
  private readonly tags: TagSlot[] = Array.from({ length: TAG_SLOTS }, () => ({ tid: -1, comm: '', tag: bytes('') }));

  constructor() {
    const reg = fieldRegistry();
    this.procName = reg.resolve('proc.name');
    this.outTime = reg.resolve('evt.outputtime');
  }

  /** " comm (tid" for the event's thread — what proc.name and thread.tid print, cached per thread */
  private tag(c: EventCtx, out: OutWriter): void {
    const t = c.s.thread;
    const tid = c.e.tid;
    // proc.name reads a container event's own thread, and another thread when the engine's is not
    // the event's: those take the field; otherwise the text is " comm (tid", <NA> for no name
    if (t === null ? isContainerEvt(c) : t.tid !== tid) {
      out.str(' ' + (this.procName.display(c) ?? '<NA>') + ' (' + tid);
      return;
    }
    const comm = t === null ? '' : t.comm;
    const slot = this.tags[tid & (TAG_SLOTS - 1)]!;
    if (slot.tid !== tid || slot.comm !== comm) {
      slot.tid = tid;
      slot.comm = comm;
      slot.tag = bytes(' ' + (this.procName.display(c) ?? '<NA>') + ' (' + tid);
    }
    out.bytes(slot.tag);
  }

  write(c: EventCtx, out: OutWriter): void {
    const e = c.e;
    out.int(e.num);
    out.byte(0x20);
    if (c.timeMode === 'h') {
      const [sec, ns] = splitTs(e.tsHi, e.tsLo);
      if (sec !== lastSec) {
        lastSec = sec;
        lastHms = bytes(timeOfDay(e.tsHi, e.tsLo, false) + '.');
      }
      out.bytes(lastHms);
      out.pad9(ns);
    } else {
      out.str(this.outTime.display(c) ?? '<NA>');
    }
    out.byte(0x20);
    out.int(e.cpu);
    this.tag(c, out);
    const type = e.type;
    if (type > 1) out.bytes(TYPE_TAIL[type]!);
    else {
      out.str(e.dir === 0 ? ') > ' : ') < ');
      out.str(evtTypeName(c));
      out.byte(0x20);
    }
    const sys = syslogInfo(c);
    if (sys !== undefined) out.str(sys);
    else if (type > 1) {
      const params = e.info.params;
      const heads = PARAM_HEADS[type]!;
      const n = e.paramCount;
      const kinds = KINDS[type]!;
      for (let i = 0; i < n; i++) {
        out.bytes(heads[i]!);
        const k = kinds[i]!;
        if (k === K.GENERIC || !writeParam(c, e, i, params[i]!, k, out)) out.str(renderParam(c.s, e, i, params[i]!, c.render));
        out.byte(0x20);
      }
    }
    out.endLine();
  }
}

/** `<type>` tags of fds by type, protocol and role (fdTag's text), made once each */
const FD_TAGS: string[] = [];

/** One slot of the fd-text cache: the bytes of "(<type>name)", a pure function of the fd's kind and name. */
interface FdSlot { name: string; key: number; text: Uint8Array }
const FD_SLOTS = 256;
/** direct-mapped by fd number: a thread reading or writing one fd over and over hits it every time */
const fdSlots: FdSlot[] = Array.from({ length: FD_SLOTS }, () => ({ name: '', key: -1, text: bytes('') }));

/** `(<type>name)` of an fd, what renderParam appends to its number (fdDesc), from the cache above */
function writeFdText(out: OutWriter, f: FdInfo, fd: number): void {
  const key = f.type * 64 + f.l4proto * 4 + f.role;
  const slot = fdSlots[fd & (FD_SLOTS - 1)]!;
  if (slot.key !== key || slot.name !== f.name) {
    slot.name = f.name;
    slot.key = key;
    slot.text = bytes('(' + (FD_TAGS[key] ??= fdTag(f)) + sanitize(f.name) + ')');
  }
  out.bytes(slot.text);
}

/**
 * Writes param i the way renderParam renders it, for the kinds above. Returns false (having written
 * nothing) when the value is one renderParam takes a rarer path for.
 */
function writeParam(c: EventCtx, e: ScapEvent, i: number, p: ParamInfo, k: K, out: OutWriter): boolean {
  const len = e.plength(i);
  if (len < 0) return false; // absent (not below paramCount)
  switch (k) {
    case K.INT_DEC: case K.UINT_DEC: case K.U64_DEC: {
      const v = k === K.INT_DEC ? e.int(i) : e.uint(i);
      if (v === undefined) return true; // odd lengths print nothing
      if (len === 8) {
        // 64-bit values go through BigInt in renderParam: the same digits while exact
        if (!Number.isSafeInteger(v)) return false;
        out.int(v);
      } else {
        // %d of a 32-bit value is signed; UINT64 of another width is printed unsigned
        out.int(len === 4 && k !== K.U64_DEC ? v | 0 : v);
      }
      return true;
    }
    case K.ERRNO: {
      const v = e.int(i);
      if (v === undefined) return true;
      if (v >= 0) out.int(v);
      else if (v > -4096) out.str(ERRNO_TEXT[-v] ??= errnoStr(v));
      else out.str(errnoStr(v));
      return true;
    }
    case K.FD: {
      const v = e.int(i);
      if (v === undefined) return true;
      if (v < 0) return false; // AT_FDCWD, errors
      out.int(v);
      const t = c.s.thread;
      const f = t ? t.fds.get(v) : undefined;
      if (f !== undefined) writeFdText(out, f, v);
      return true;
    }
    case K.PID: {
      const v = e.int(i);
      if (v === undefined) return true;
      out.int(v);
      const th = c.s.threads.get(v);
      if (th && th.comm !== '') {
        out.byte(0x28);
        out.str(th.comm);
        out.byte(0x29);
      }
      return true;
    }
    case K.MEMO: {
      if (len > 4) return false;
      const v = e.uint(i);
      if (v === undefined) return false;
      let m = memos.get(p);
      if (m === undefined) memos.set(p, (m = new Map()));
      const key = v * 8 + len;
      let text = m.get(key);
      if (text === undefined) {
        text = renderParam(c.s, e, i, p, c.render);
        if (m.size >= MEMO_MAX) m.clear();
        m.set(key, text);
      }
      out.str(text);
      return true;
    }
    case K.CHARBUF: {
      const o = e.poffset(i);
      out.cstr(e.buf, o, o + len);
      return true;
    }
    case K.U64_HEX: {
      if (len !== 8) return false;
      const b = e.buf;
      const o = e.poffset(i);
      // int32 halves (the hex of their bits): a uint32 past 2^31 is no small integer to the JIT
      out.hex64(i32le(b, o + 4), i32le(b, o));
      return true;
    }
    case K.PATH: {
      // what renderParam prints unchanged (sinspConcat folds nothing): an absolute path of
      // printable bytes without "//", "./", or a trailing "/" or "."; anything else takes its way
      const b = e.buf;
      const o = e.poffset(i);
      if (len === 0 || b[o] !== 0x2f) return false;
      const end = o + len;
      let prev = 0;
      let j = o;
      for (; j < end; j++) {
        const ch = b[j]!;
        if (ch === 0) break;
        if (ch < 0x20 || ch > 0x7e) return false;
        if (ch === 0x2f && (prev === 0x2f || prev === 0x2e)) return false;
        prev = ch;
      }
      if (prev === 0x2f || prev === 0x2e) return false;
      out.range(b, o, j - o);
      return true;
    }
    case K.BYTEBUF: {
      const o: RenderOpts = c.render;
      if (o.bufFormat !== 'normal') return false;
      writeEscapedBuffer(out, e.buf, e.poffset(i), len, o.bufLimit);
      return true;
    }
  }
  return false;
}
