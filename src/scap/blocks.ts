// Parsers for .scap metadata blocks (machine info, process/fd/interface/user lists), every version
// sysdig 0.29.3 reads. Each takes the block body and returns records; they run once per capture,
// so clarity beats speed here. Every length is checked against the body before it is used.
import { latin1 } from '../util/sanitize';
import { u32le } from '../util/bytes';
import { FdRecord, FdType, GroupRecord, InterfaceRecord, MachineInfo, RawFdList, RawText, ScapFdRecord, ThreadRecord, UserRecord } from './types';
import { ipv4Str, ipv6Str } from '../util/net';

export class BlockError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

/** Bounds-checked little-endian cursor over a block body. */
class Cur {
  /** end is moved to an entry's end while the entry is read (one cursor per block, not per entry) */
  constructor(readonly b: Buffer, public p: number, public end: number) {}
  need(n: number, what: string): void {
    if (this.p + n > this.end) throw new BlockError(`truncated ${what}`, this.p);
  }
  // bytes by hand once need() has checked the bounds: Buffer.read* would check them again
  u8(w = 'u8'): number { this.need(1, w); return this.b[this.p++]!; }
  u16(w = 'u16'): number {
    this.need(2, w);
    const b = this.b, p = this.p;
    this.p = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }
  u32(w = 'u32'): number {
    this.need(4, w);
    const v = this.lo32(this.p);
    this.p += 4;
    return v;
  }
  i32(w = 'i32'): number { return this.u32(w) | 0; }
  i64(w = 'i64'): number {
    this.need(8, w);
    const v = (this.lo32(this.p + 4) | 0) * 4294967296 + this.lo32(this.p);
    this.p += 8;
    return v;
  }
  u64(w = 'u64'): number {
    this.need(8, w);
    const v = this.lo32(this.p + 4) * 4294967296 + this.lo32(this.p);
    this.p += 8;
    return v;
  }
  private lo32(p: number): number {
    return u32le(this.b, p);
  }
  /** A length-prefixed string read as sinsp reads it: a C string, so it ends at the first NUL. */
  lstr(max: number, w: string): string {
    const n = this.u16(w);
    if (n > max) throw new BlockError(`${w} length ${n} exceeds ${max}`, this.p - 2);
    this.need(n, w);
    let e = this.p;
    const end = this.p + n;
    while (e < end && this.b[e] !== 0) e++;
    const s = latin1(this.b, this.p, e);
    this.p += n;
    return s;
  }

  /** lstr's checks without decoding the string */
  skipStr(max: number, w: string): void {
    const n = this.u16(w);
    if (n > max) throw new BlockError(`${w} length ${n} exceeds ${max}`, this.p - 2);
    this.need(n, w);
    this.p += n;
  }

  /** A length-prefixed NUL-separated list, kept whole. */
  lraw(max: number, w: string): string {
    const n = this.u16(w);
    if (n > max) throw new BlockError(`${w} length ${n} exceeds ${max}`, this.p - 2);
    this.need(n, w);
    const s = latin1(this.b, this.p, this.p + n);
    this.p += n;
    return s;
  }
  /** A length-prefixed list left undecoded: its bytes in `copy`, which holds this body from `base` on. */
  lrawLazy(max: number, w: string, copy: Buffer, base: number): RawText | string {
    const n = this.u16(w);
    if (n > max) throw new BlockError(`${w} length ${n} exceeds ${max}`, this.p - 2);
    this.need(n, w);
    const at = this.p - base;
    this.p += n;
    return n === 0 ? '' : new RawText(copy, at, at + n);
  }
  bytes(n: number, w: string): number {
    this.need(n, w);
    const at = this.p;
    this.p += n;
    return at;
  }
}

export function parseMachineInfo(b: Buffer, p: number, end: number): MachineInfo {
  const c = new Cur(b, p, end);
  c.need(180, 'machine info');
  const numCpus = c.u32();
  const memorySize = c.u64();
  const maxPid = c.u64();
  let e = c.p;
  while (e < c.p + 128 && b[e] !== 0) e++;
  return { numCpus, memorySize, maxPid, hostname: latin1(b, c.p, e) };
}

/** PL versions by block type: 1..9 */
export const PL_VERSION: Record<number, number> = {
  0x202: 1, 0x8000abcd: 1, 0x207: 2, 0x8013abcd: 2, 0x209: 3, 0x8014abcd: 3,
  0x210: 4, 0x211: 5, 0x212: 6, 0x213: 7, 0x214: 8, 0x215: 9,
};

export function parseProcList(b: Buffer, p: number, end: number, ver: number, out: (t: ThreadRecord) => void): void {
  const c = new Cur(b, p, end);
  // the caller's buffer is reused after this block: lists kept raw point into a private copy
  const copy = Buffer.allocUnsafe(end - p);
  b.copy(copy, 0, p, end);
  while (end - c.p >= 4) {
    const start = c.p;
    let entryEnd = end;
    if (ver >= 9) {
      const len = c.u32('process entry length');
      if (len < 4 || start + len > end) throw new BlockError(`process entry length ${len} out of bounds`, start);
      entryEnd = start + len;
      c.end = entryEnd;
    }
    const ec = c;
    const t: ThreadRecord = {
      tid: ec.i64('tid'), pid: ec.i64('pid'), ptid: ec.i64('ptid'),
      sid: -1, vpgid: -1, comm: '', exe: '', exepath: '', args: [], cwd: '', fdlimit: 0, flags: 0,
      uid: 0, gid: 0, vmsize: 0, vmrss: 0, vmswap: 0, pfmajor: 0, pfminor: 0, env: [], vtid: -1, vpid: -1,
      cgroups: [], root: '/', loginuid: -1, exeWritable: false,
    };
    if (ver >= 6) t.sid = ec.i64('sid');
    if (ver >= 8) t.vpgid = ec.i64('vpgid');
    t.comm = ec.lstr(1024, 'comm');
    t.exe = ec.lstr(1024, 'exe');
    if (ver >= 7) t.exepath = ec.lstr(1024, 'exepath');
    t.args = ec.lrawLazy(4096, 'args', copy, p);
    t.cwd = ec.lstr(1024, 'cwd');
    t.fdlimit = ec.i64('fdlimit');
    t.flags = ec.u32('flags');
    t.uid = ec.u32('uid');
    t.gid = ec.u32('gid');
    if (ver >= 2) {
      t.vmsize = ec.u32(); t.vmrss = ec.u32(); t.vmswap = ec.u32();
      t.pfmajor = ec.u64(); t.pfminor = ec.u64();
    }
    if (ver >= 3) t.env = ec.lrawLazy(4096, 'env', copy, p);
    if (ver >= 4) {
      t.vtid = ec.i64('vtid'); t.vpid = ec.i64('vpid');
      t.cgroups = ec.lrawLazy(4096, 'cgroups', copy, p);
    }
    if (ver >= 5) t.root = ec.lstr(1024, 'root');
    if (ver >= 9) {
      if (entryEnd - ec.p >= 4) t.loginuid = ec.i32();
      if (entryEnd - ec.p >= 1) t.exeWritable = ec.u8() !== 0;
      c.p = entryEnd;
      c.end = end;
    }
    out(t);
  }
}

/**
 * With `scan`, the list is only checked (every length and type, as when decoding it) and the
 * ports of its server sockets go into `scan`: no records are built.
 */
export function parseFdList(b: Buffer, p: number, end: number, v2: boolean, scan?: number[]): { tid: number; fds: FdRecord[] } {
  const c = new Cur(b, p, end);
  const tid = c.i64('fd list tid');
  const fds: FdRecord[] = [];
  if (scan) {
    scanFdList(c, end, v2, scan);
    return { tid, fds };
  }
  // socket bytes stay raw in a private copy of the body (the caller's buffer is reused)
  let copy: Buffer | null = null;
  /** keeps the entry's socket bytes, starting at `at`, after the checks the fields had when read one by one */
  const keep = (r: ScapFdRecord, at: number): void => {
    if (copy === null) {
      copy = Buffer.allocUnsafe(end - p);
      b.copy(copy, 0, p, end);
    }
    r.sock = copy;
    r.sockAt = at - p;
  };
  while (end - c.p >= 4) {
    const start = c.p;
    let entryEnd = end;
    if (v2) {
      const len = c.u32('fd entry length');
      if (len < 4 || start + len > end) throw new BlockError(`fd entry length ${len} out of bounds`, start);
      entryEnd = start + len;
      c.end = entryEnd;
    }
    const fd = c.i64('fd');
    const ino = c.u64('ino');
    const type = c.u8('fd type') as FdType;
    const r = new ScapFdRecord(fd, ino, type);
    switch (type) {
      case FdType.IPV4_SOCK:
        keep(r, c.bytes(8, 'ipv4 tuple'));
        c.u16(); c.u16(); c.u8();
        break;
      case FdType.IPV6_SOCK:
        keep(r, c.bytes(32, 'ipv6 tuple'));
        c.u16(); c.u16(); c.u8();
        break;
      case FdType.IPV4_SERVSOCK:
        keep(r, c.bytes(4, 'ipv4 server address'));
        c.u16(); c.u8();
        break;
      case FdType.IPV6_SERVSOCK:
        keep(r, c.bytes(16, 'ipv6 server address'));
        c.u16(); c.u8();
        break;
      case FdType.UNIX_SOCK: {
        keep(r, c.bytes(16, 'unix endpoints'));
        // libscap copies unix socket paths from /proc/net/unix with the line's newline
        const name = c.lstr(1024, 'fd name');
        r.name = name.endsWith('\n') ? name.slice(0, -1) : name;
        break;
      }
      case FdType.FILE_V2:
        r.openFlags = c.u32('open flags');
        r.name = c.lstr(1024, 'fd name');
        if (entryEnd - c.p >= 4 && v2) r.dev = c.u32('dev');
        break;
      case FdType.FILE: case FdType.DIRECTORY: case FdType.FIFO: case FdType.EVENT: case FdType.UNSUPPORTED:
      case FdType.SIGNALFD: case FdType.EVENTPOLL: case FdType.INOTIFY: case FdType.TIMERFD: case FdType.NETLINK:
        r.name = c.lstr(1024, 'fd name');
        break;
      case FdType.UNKNOWN:
        break;
      default:
        throw new BlockError(`wrong fd type ${type}`, start);
    }
    if (v2) {
      c.p = entryEnd;
      c.end = end;
    }
    fds.push(r);
  }
  return { tid, fds };
}

function scanFdList(c: Cur, end: number, v2: boolean, ports: number[]): void {
  while (end - c.p >= 4) {
    const start = c.p;
    let entryEnd = end;
    if (v2) {
      const len = c.u32('fd entry length');
      if (len < 4 || start + len > end) throw new BlockError(`fd entry length ${len} out of bounds`, start);
      entryEnd = start + len;
      c.end = entryEnd;
    }
    c.i64('fd');
    c.u64('ino');
    const type = c.u8('fd type') as FdType;
    switch (type) {
      case FdType.IPV4_SOCK: c.bytes(8, 'ipv4 tuple'); c.u16(); c.u16(); c.u8(); break;
      case FdType.IPV6_SOCK: c.bytes(32, 'ipv6 tuple'); c.u16(); c.u16(); c.u8(); break;
      case FdType.IPV4_SERVSOCK: c.bytes(4, 'ipv4 server address'); ports.push(c.u16()); c.u8(); break;
      case FdType.IPV6_SERVSOCK: c.bytes(16, 'ipv6 server address'); ports.push(c.u16()); c.u8(); break;
      case FdType.UNIX_SOCK: c.bytes(16, 'unix endpoints'); c.skipStr(1024, 'fd name'); break;
      case FdType.FILE_V2:
        c.u32('open flags');
        c.skipStr(1024, 'fd name');
        if (entryEnd - c.p >= 4 && v2) c.u32('dev');
        break;
      case FdType.FILE: case FdType.DIRECTORY: case FdType.FIFO: case FdType.EVENT: case FdType.UNSUPPORTED:
      case FdType.SIGNALFD: case FdType.EVENTPOLL: case FdType.INOTIFY: case FdType.TIMERFD: case FdType.NETLINK:
        c.skipStr(1024, 'fd name');
        break;
      case FdType.UNKNOWN:
        break;
      default:
        throw new BlockError(`wrong fd type ${type}`, start);
    }
    if (v2) {
      c.p = entryEnd;
      c.end = end;
    }
  }
}

/** The records of an fd list kept raw (RawFdList, already checked). */
export function decodeFdList(l: RawFdList): FdRecord[] {
  return parseFdList(l.body, 0, l.body.length, l.v2).fds;
}

export function parseInterfaceList(b: Buffer, p: number, end: number, v2: boolean): InterfaceRecord[] {
  const c = new Cur(b, p, end);
  const out: InterfaceRecord[] = [];
  while (end - c.p >= 4) {
    let entryEnd = end;
    if (v2) {
      const len = c.u32('interface entry length'); // IL v2 lengths do not count themselves
      if (c.p + len > end) throw new BlockError('corrupted interface list', c.p - 4);
      entryEnd = c.p + len;
    }
    const type = c.u16('interface type');
    const namelen = c.u16('interface name length');
    if (namelen >= 1024) throw new BlockError('interface name too long', c.p - 2);
    let rec: InterfaceRecord;
    if (type === 1 || type === 3) {
      const at = c.bytes(12, 'ipv4 interface');
      const speed = type === 1 ? c.u64() : 0;
      rec = { family: 4, addr: ipv4Str(b, at), netmask: ipv4Str(b, at + 4), bcast: ipv4Str(b, at + 8), linkspeed: speed, name: '' };
    } else if (type === 2 || type === 4) {
      const at = c.bytes(48, 'ipv6 interface');
      const speed = type === 2 ? c.u64() : 0;
      rec = { family: 6, addr: ipv6Str(b, at), netmask: ipv6Str(b, at + 16), bcast: ipv6Str(b, at + 32), linkspeed: speed, name: '' };
    } else {
      throw new BlockError('trace file has corrupted interface list', c.p - 4);
    }
    const at = c.bytes(namelen, 'interface name');
    rec.name = latin1(b, at, at + namelen);
    if (v2) c.p = Math.max(c.p, entryEnd);
    out.push(rec);
  }
  return out;
}

export function parseUserList(b: Buffer, p: number, end: number, v2: boolean): { users: UserRecord[]; groups: GroupRecord[] } {
  const c = new Cur(b, p, end);
  const users: UserRecord[] = [];
  const groups: GroupRecord[] = [];
  while (end - c.p >= 4) {
    const start = c.p;
    let entryEnd = end;
    if (v2) {
      const len = c.u32('user entry length');
      if (len < 4 || start + len > end) throw new BlockError(`user entry length ${len} out of bounds`, start);
      entryEnd = start + len;
    }
    const kind = c.u8('user entry kind');
    if (kind === 0) {
      const uid = c.u32(); const gid = c.u32();
      const name = c.lstr(255, 'user name'); const home = c.lstr(255, 'home dir'); const shell = c.lstr(255, 'shell');
      users.push({ uid, gid, name, home, shell });
    } else {
      const gid = c.u32();
      groups.push({ gid, name: c.lstr(255, 'group name') });
    }
    if (v2) c.p = entryEnd;
  }
  return { users, groups };
}
