// Parameter rendering: how sysdig prints each PT_* value in evt.args / evt.info / evt.arg.X, with
// values resolved through state (fd names, process names, user names, absolute paths).
import { ScapEvent } from '../events/event';
import { ParamInfo, PF, PT, SYSCALL_NAMES } from '../events/table';
import { ERRNO_NAMES, SIGNAL_NAMES } from '../events/errno';
import { StateEngine } from '../state/engine';
import { FdInfo, fdTypeChar, l4Char, L4 } from '../state/fdinfo';
import { ThreadInfo } from '../state/thread';
import { FdType } from '../scap/types';
import { PPM_AF_INET, PPM_AF_INET6, PPM_AF_UNIX } from '../state/sockets';
import { ipv4Str, ipv6Str, mappedOrAny } from '../util/net';
import { escapeBuffer, BufFormat } from './buffers';
import { sanitize } from '../util/sanitize';
import { sinspConcat } from '../util/paths';
import { u64hex } from '../util/bytes';
export { sanitize };

export interface RenderOpts {
  bufFormat: BufFormat;
  /** max bytes of a data buffer shown (sysdig: 80 unless -v) */
  bufLimit: number;
}

export const DEFAULT_RENDER: RenderOpts = { bufFormat: 'normal', bufLimit: 80 };

/**
 * printf-style integer rendering as sinsp does it: PF_DEC uses a *signed* %d of the value's width
 * (so a UINT32 above 2^31 prints negative), PF_HEX upper-case %X, PF_OCT %#o; 8- and 16-bit values
 * are promoted to int first.
 */
function num(v: number, fmt: PF, bits: number): string {
  let x: number | bigint = v;
  if (bits === 64) {
    const b = BigInt.asIntN(64, BigInt(v));
    x = fmt === PF.HEX || fmt === PF.OCT ? BigInt.asUintN(64, b) : b;
  } else if (bits === 32) {
    x = fmt === PF.HEX || fmt === PF.OCT ? v >>> 0 : v | 0;
  } else {
    // promoted to int: signed types keep their sign, hex/oct of a negative is the 32-bit pattern
    x = (fmt === PF.HEX || fmt === PF.OCT) && v < 0 ? v >>> 0 : v;
  }
  switch (fmt) {
    case PF.HEX: return x.toString(16).toUpperCase();
    case PF.OCT: return x === 0 || x === 0n ? '0' : '0' + x.toString(8);
    case PF.PADDED_DEC: {
      const str = x.toString();
      return str.startsWith('-') ? '-' + str.slice(1).padStart(8, '0') : str.padStart(9, '0');
    }
    default: return x.toString();
  }
}

/** C's %g with 6 significant digits (used for RELTIME's resolved seconds). */
export function fmtG(v: number): string {
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  let str: string;
  if (exp < -4 || exp >= 6) {
    str = v.toExponential(5);
    let [m, e] = str.split('e') as [string, string];
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  str = v.toFixed(Math.max(0, 5 - exp));
  if (str.includes('.')) str = str.replace(/0+$/, '').replace(/\.$/, '');
  return str;
}

export function errnoStr(v: number): string {
  if (v < 0) {
    const n = ERRNO_NAMES[-v];
    if (n) return `${v}(${n})`;
  }
  return String(v);
}

/** The `<typechar[l4]>name` part of a resolved fd. */
export function fdDesc(t: ThreadInfo | null, fd: number): string | undefined {
  if (!t) return undefined;
  const f = t.fds.get(fd);
  if (!f) return undefined;
  return fdTag(f) + sanitize(f.name);
}

/** The `<typechar[l4]>` part of fdDesc. */
export function fdTag(f: FdInfo): string {
  let tc = fdTypeChar(f.type);
  if (f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) tc += l4Char(f.l4proto);
  else if (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) {
    // sinsp reports no protocol for a socket that is neither client nor server yet (except raw)
    if (f.l4proto === L4.RAW || f.role !== 0) tc += l4Char(f.l4proto);
  }
  return `<${tc}>`;
}

/** sinsp's flag walk: names in table order, stopping at an exact match of the original value. */
function flagNames(v: number, table: ReadonlyArray<readonly [string, number]> | null): string {
  if (!table) return '';
  let val = v;
  let out = '';
  let sep = '';
  let i = 0;
  for (; i < table.length; i++) {
    const [name, ev] = table[i]!;
    if (ev === v) break;
    if ((ev === 0 && v === 0) || (ev !== 0 && (val & ev) === ev && val !== 0)) {
      out += sep + name;
      sep = '|';
      val &= ~ev;
    }
  }
  if (i < table.length) out += sep + table[i]![0];
  return out;
}

function flagsStr(v: number, table: ReadonlyArray<readonly [string, number]> | null): string {
  const n = flagNames(v, table);
  return n ? `${v}(${n})` : String(v);
}

function reltime(v: bigint): string {
  if (v === 0xffffffffffffffffn) return 'none';
  return `${v}(${fmtG(Number(v) / 1e9)}s)`;
}

export function humanTime(ns: number): string {
  // sinsp's format_time: digits cut, not rounded
  const two = (v: number) => String(Math.floor(v)).padStart(2, '0');
  if (ns >= 3600e9) return `${two(ns / 3600e9)}:${two((ns / 60e9) % 60)}:${two((ns / 1e9) % 60)}`;
  if (ns >= 60e9) return `${Math.floor(ns / 60e9)}:${Math.floor((ns / 1e9) % 60)}`;
  if (ns >= 1e9) return `${Math.floor(ns / 1e9)}.${two((ns % 1e9) / 1e7)}s`;
  if (ns >= 1e7) return `${Math.floor(ns / 1e6)}ms`;
  if (ns >= 1e6) return `${Math.floor(ns / 1e6)}.${two((ns % 1e6) / 1e4)}ms`;
  if (ns >= 1e4) return `${Math.floor(ns / 1e3)}us`;
  if (ns >= 1e3) return `${Math.floor(ns / 1e3)}.${two((ns % 1e3) / 10)}us`;
  return `${ns}ns`;
}

function tupleStr(b: Buffer): string {
  if (b.length === 0) return 'NULL';
  const fam = b[0];
  if (fam === PPM_AF_INET) {
    if (b.length !== 13) return 'INVALID IPv4';
    return `${ipv4Str(b, 1)}:${b.readUInt16LE(5)}->${ipv4Str(b, 7)}:${b.readUInt16LE(11)}`;
  }
  if (fam === PPM_AF_INET6) {
    if (b.length !== 37) return 'INVALID IPv6';
    if (mappedOrAny(b, 1) && mappedOrAny(b, 19)) {
      return `${ipv4Str(b, 13)}:${b.readUInt16LE(17)}->${ipv4Str(b, 31)}:${b.readUInt16LE(35)}`;
    }
    return `${ipv6Str(b, 1)}:${b.readUInt16LE(17)}->${ipv6Str(b, 19)}:${b.readUInt16LE(35)}`;
  }
  if (fam === PPM_AF_UNIX && b.length >= 17) {
    let e = 17;
    while (e < b.length && b[e] !== 0) e++;
    return `${u64hex(b, 1)}->${u64hex(b, 9)} ${sanitize(b.toString('latin1', 17, e))}`;
  }
  return `family ${(fam! << 24) >> 24}`;
}

function sockaddrStr(b: Buffer): string {
  if (b.length === 0) return 'NULL';
  const fam = b[0]!;
  if (fam === PPM_AF_INET) return b.length === 7 ? `${ipv4Str(b, 1)}:${b.readUInt16LE(5)}` : 'INVALID IPv4';
  if (fam === PPM_AF_INET6) return b.length === 19 ? `${ipv6Str(b, 1)}:${b.readUInt16LE(17)}` : 'INVALID IPv6';
  if (fam === PPM_AF_UNIX) {
    let e = 1;
    while (e < b.length && b[e] !== 0) e++;
    return sanitize(b.toString('latin1', 1, e));
  }
  return `family ${(fam << 24) >> 24}`;
}

/**
 * Renders param i of e (whose table entry is p). Returns the text sysdig prints after `name=`.
 * `resolved` controls whether the `(…)` resolution is added (evt.arg vs evt.rawarg-ish uses).
 */
export function renderParam(s: StateEngine, e: ScapEvent, i: number, p: ParamInfo, o: RenderOpts): string {
  const len = e.plength(i);
  const t = s.thread;
  switch (p.type) {
    case PT.INT8: case PT.INT16: case PT.INT32: case PT.INT64: {
      const v = e.int(i);
      return v === undefined ? '' : num(v, p.fmt, len * 8);
    }
    case PT.UINT8: case PT.UINT16: case PT.UINT32: {
      const v = e.uint(i);
      return v === undefined ? '' : num(v, p.fmt, len * 8);
    }
    case PT.UINT64: {
      if (p.fmt !== PF.HEX && p.fmt !== PF.OCT && len === 8) {
        // common case without BigInt: values below 2^53 print the same either way
        const n = e.uint(i)!;
        if (n <= Number.MAX_SAFE_INTEGER) return String(n);
      }
      const v = e.u64(i);
      if (v === undefined) return '';
      if (p.fmt === PF.HEX) return v.toString(16).toUpperCase();
      if (p.fmt === PF.OCT) return v === 0n ? '0' : '0' + v.toString(8);
      return BigInt.asIntN(64, v).toString(); // sinsp prints UINT64 with a signed %ld
    }
    case PT.ERRNO: {
      const v = e.int(i);
      return v === undefined ? '' : errnoStr(v);
    }
    case PT.FD: {
      const v = e.int(i);
      if (v === undefined) return '';
      if (v === -100) return '-100(AT_FDCWD)';
      if (v < 0) return errnoStr(v);
      const d = fdDesc(t, v);
      return d === undefined ? String(v) : `${v}(${d})`;
    }
    case PT.PID: {
      const v = e.int(i);
      if (v === undefined) return '';
      const th = s.threads.get(v);
      return th && th.comm !== '' ? `${v}(${th.comm})` : String(v);
    }
    case PT.CHARBUF:
      return e.str(i) ?? '';
    case PT.FSPATH: case PT.FSRELPATH: {
      if (len === 0 && p.type === PT.FSRELPATH && p.dirfd >= 0) {
        // quirk kept for parity: sinsp renders an empty relative path as its dirfd's value
        const d = e.int(p.dirfd);
        if (d !== undefined) return String(d);
      }
      const path = e.str(i) ?? '';
      const raw = sanitize(path);
      if (!t || path === '' || path.startsWith('<NA>')) return raw;
      let dirfd: number | undefined;
      if (p.type === PT.FSRELPATH && p.dirfd >= 0) dirfd = e.int(p.dirfd) ?? undefined;
      const [full, resolved] = sinspConcat(s.baseDir(t, dirfd), path);
      return resolved ? `${raw}(${full})` : raw;
    }
    case PT.BYTEBUF: {
      const b = e.bytes(i);
      return b ? escapeBuffer(b, o.bufFormat, o.bufLimit) : '';
    }
    case PT.SOCKADDR:
      return sockaddrStr(e.bytes(i) ?? Buffer.alloc(0));
    case PT.SOCKTUPLE:
      return tupleStr(e.bytes(i) ?? Buffer.alloc(0));
    case PT.FDLIST: {
      const b = e.bytes(i);
      if (!b || b.length < 2) return '';
      const n = b.readUInt16LE(0);
      const parts: string[] = [];
      for (let k = 0, off = 2; k < n && off + 10 <= b.length; k++, off += 10) {
        const fd = b.readInt32LE(off + 4) * 4294967296 + b.readUInt32LE(off);
        const fl = b.readInt16LE(off + 8);
        const f = t?.fds.get(fd);
        const fdu = fd < 0 ? BigInt.asUintN(64, BigInt(fd)).toString() : String(fd);
        parts.push(`${fdu}:${f ? fdTypeChar(f.type) : '?'}${(fl >>> 0).toString(16)}`);
      }
      return parts.join(' ');
    }
    case PT.SYSCALLID: {
      const v = e.uint(i);
      if (v === undefined) return '';
      return `${v}(${SYSCALL_NAMES[v] ?? '<unknown>'})`;
    }
    case PT.SIGTYPE: {
      const v = e.uint(i);
      if (v === undefined) return '';
      const n = SIGNAL_NAMES[v];
      return n ? `${v}(${n})` : String(v);
    }
    case PT.RELTIME: {
      const v = e.u64(i);
      return v === undefined ? '' : reltime(v);
    }
    case PT.ABSTIME: {
      const v = e.u64(i);
      return v === undefined ? '' : v.toString();
    }
    case PT.FLAGS8: case PT.FLAGS16: case PT.FLAGS32: {
      const v = e.uint(i);
      return v === undefined ? '' : flagsStr(v, p.flags);
    }
    case PT.ENUMFLAGS32: {
      const v = e.uint(i);
      if (v === undefined) return '';
      const n = p.flags?.find((f) => f[1] === v);
      return n ? `${v}(${n[0]})` : String(v);
    }
    case PT.MODE: {
      const v = e.uint(i);
      if (v === undefined) return '';
      const oct = v === 0 ? '0' : '0' + v.toString(8);
      const fl = flagsStr(v, p.flags);
      const par = fl.indexOf('(');
      return par >= 0 ? oct + fl.slice(par) : oct;
    }
    case PT.UID: case PT.GID: {
      const v = e.uint(i);
      if (v === undefined) return '';
      if (v === 0xffffffff) return '-1(<NONE>)';
      const name = p.type === PT.UID ? s.users.get(v)?.name : s.groups.get(v)?.name;
      return `${v}(${name ?? '<NA>'})`;
    }
    case PT.SIGSET: {
      const v = e.uint(i);
      if (v === undefined) return '';
      const names: string[] = [];
      for (let b = 0; b < 32; b++) if (v & (1 << b) && SIGNAL_NAMES[b + 1]) names.push(SIGNAL_NAMES[b + 1]!);
      return names.join(' ');
    }
    case PT.DYN: {
      const b = e.bytes(i);
      if (!b || b.length < 1) return '';
      return renderDyn(p.dyn, b, o, s, t);
    }
    case PT.DOUBLE: {
      const b = e.bytes(i);
      return b && b.length === 8 ? String(b.readDoubleLE(0)) : '';
    }
    case PT.BOOL: {
      const v = e.uint(i);
      return v === undefined ? '' : v ? 'true' : 'false';
    }
    case PT.IPV4ADDR: {
      const b = e.bytes(i);
      return b && b.length >= 4 ? ipv4Str(b, 0) : '';
    }
    case PT.PORT: case PT.L4PROTO: case PT.SOCKFAMILY: {
      const v = e.uint(i);
      return v === undefined ? '' : String(v);
    }
    default:
      return '';
  }
}

function renderDyn(table: string | null, b: Buffer, o: RenderOpts, s: StateEngine, t: ThreadInfo | null): string {
  const idx = b[0]!;
  const v = b.subarray(1);
  const i64 = () => (v.length >= 8 ? v.readInt32LE(4) * 4294967296 + v.readUInt32LE(0) : 0);
  if (table === 'sockopt_dynamic_param') {
    switch (idx) {
      case 1: return errnoStr(i64());
      case 2: return v.length >= 4 ? String(v.readUInt32LE(0)) : '';
      case 3: return v.length >= 8 ? v.readBigUInt64LE(0).toString() : '';
      case 4: return v.length >= 8 ? reltime(v.readBigUInt64LE(0)) : '';
      default: return escapeBuffer(v, o.bufFormat, o.bufLimit);
    }
  }
  if (table === 'ptrace_dynamic_param') {
    if (idx === 1) {
      const sig = v[0] ?? 0;
      return SIGNAL_NAMES[sig] ? `${sig}(${SIGNAL_NAMES[sig]})` : String(sig);
    }
    return v.length >= 8 ? v.readBigUInt64LE(0).toString(16).toUpperCase() : '';
  }
  if (table === 'bpf_dynamic_param') {
    const n = i64();
    if (idx === 1) return errnoStr(n);
    const d = fdDesc(t, n);
    return d ? `${n}(${d})` : String(n);
  }
  return '';
}

/** evt.args: `name=value ` for each decodable param; generic syscall events print none. */
export function renderArgs(s: StateEngine, e: ScapEvent, o: RenderOpts): string {
  if (e.type <= 1) return '';
  const params = e.info.params;
  const n = e.paramCount;
  let out = '';
  for (let i = 0; i < n; i++) {
    const p = params[i]!;
    out += p.name + '=' + renderParam(s, e, i, p, o) + ' ';
  }
  return out;
}
