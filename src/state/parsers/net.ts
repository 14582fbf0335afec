// Socket parsers: socket, bind, connect, accept, socketpair, and the tuple updates that
// sendto/recvfrom/sendmsg/recvmsg make to unconnected sockets — following sinsp's rules for names
// and client/server roles, since they decide how fds print.
import { ScapEvent } from '../../events/event';
import { FdType } from '../../scap/types';
import { FdInfo, L4 } from '../fdinfo';
import { ThreadInfo } from '../thread';
import type { StateEngine } from '../engine';
import { bytesParam, param } from './util';
import { addFd } from './files';
import { ipv4Str, ipv6Str, isV4Mapped, mappedOrAny } from '../../util/net';
import { PPM_AF_INET, PPM_AF_INET6, PPM_AF_UNIX } from '../sockets';
import { sanitize } from '../../util/sanitize';

const isIp = (f: FdInfo) => f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK;

/** sinsp's sockinfo_to_str */
export function socketName(f: FdInfo): string {
  const p = f.l4proto;
  if (p === L4.TCP || p === L4.UDP) return `${f.sip}:${f.sport}->${f.dip}:${f.dport}`;
  if (p === L4.ICMP || p === L4.RAW) return `${f.sip}->${f.dip}`;
  return '<unknown>';
}

function cstr(b: Buffer, o: number): string {
  let e = o;
  while (e < b.length && b[e] !== 0) e++;
  return b.toString('latin1', o, e);
}

/** unix tuple as sysdig prints it: "src->dst path" (hex, no padding) */
function unixTupleName(b: Buffer): string {
  return `${b.readBigUInt64LE(1).toString(16)}->${b.readBigUInt64LE(9).toString(16)} ${sanitize(cstr(b, 17))}`;
}

export function onSocketExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fd = e.int(0);
  if (fd === undefined || fd < 0 || !s.enterAvailable) return;
  const en = s.enter;
  const domain = en.uint(0) ?? 0;
  const type = en.uint(1) ?? 0;
  const proto = en.uint(2) ?? 0;
  const f = new FdInfo();
  if (domain === 1) f.type = FdType.UNIX_SOCK;
  else if (domain === 2 || domain === 10) {
    f.type = domain === 2 ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    const raw = type === 3;
    if (proto === 6) f.l4proto = raw ? L4.RAW : L4.TCP;
    else if (proto === 17) f.l4proto = raw ? L4.RAW : L4.UDP;
    else if (proto === 0) f.l4proto = (type & 0xff) === 1 ? L4.TCP : (type & 0xff) === 2 ? L4.UDP : L4.UNKNOWN;
    else if (proto === 1) f.l4proto = raw ? L4.RAW : L4.ICMP;
    else if (proto === 255) f.l4proto = L4.RAW;
  } else if (domain === 16) f.type = FdType.NETLINK;
  else return; // unknown families are not tracked
  addFd(s, t, fd, f);
}

export function onBindExit(s: StateEngine, e: ScapEvent): void {
  const f = s.fd;
  if (!f || (e.int(0) ?? -1) < 0) return;
  const b = bytesParam(e, 'addr');
  if (!b || b.length === 0) return;
  const fam = b[0];
  if (fam === PPM_AF_INET && b.length >= 7) {
    const port = b.readUInt16LE(5);
    if (port > 0) {
      f.type = FdType.IPV4_SERVSOCK;
      f.sip = ipv4Str(b, 1);
      f.sport = port;
      f.role = 1;
    }
    f.name = `${ipv4Str(b, 1)}:${port}`;
  } else if (fam === PPM_AF_INET6 && b.length >= 19) {
    const port = b.readUInt16LE(17);
    if (port > 0) {
      const mapped = isV4Mapped(b, 1);
      f.type = mapped ? FdType.IPV4_SERVSOCK : FdType.IPV6_SERVSOCK;
      f.sip = mapped ? ipv4Str(b, 13) : ipv6Str(b, 1);
      f.sport = port;
      f.role = 1;
    }
    f.name = `${ipv6Str(b, 1)}:${port}`;
  } else if (fam === PPM_AF_UNIX) {
    f.name = sanitize(cstr(b, 1));
  }
}

export function onConnectEnter(s: StateEngine, e: ScapEvent): void {
  const f = s.fd;
  if (!f) return;
  const i = param(e, 'addr');
  if (i < 0) return;
  const b = e.bytes(i)!;
  if (b.length === 0) return;
  const fam = b[0];
  if (fam === PPM_AF_INET && b.length >= 7) {
    f.type = FdType.IPV4_SOCK;
    f.dip = ipv4Str(b, 1);
    f.dport = b.readUInt16LE(5);
  } else if (fam === PPM_AF_INET6 && b.length >= 19) {
    if (isV4Mapped(b, 1)) {
      f.type = FdType.IPV4_SOCK;
      f.dip = ipv4Str(b, 13);
    } else {
      f.type = FdType.IPV6_SOCK;
      f.dip = ipv6Str(b, 1);
    }
    f.dport = b.readUInt16LE(17);
  } else {
    f.name = sanitize(cstr(b, 1));
  }
}

/** Reads an INET/INET6 tuple: [sip, sport, dip, dport, v4] or null */
function readTuple(b: Buffer): [string, number, string, number, boolean] | null {
  const fam = b[0];
  if (fam === PPM_AF_INET && b.length >= 13) return [ipv4Str(b, 1), b.readUInt16LE(5), ipv4Str(b, 7), b.readUInt16LE(11), true];
  if (fam === PPM_AF_INET6 && b.length >= 37) {
    if (mappedOrAny(b, 1) && mappedOrAny(b, 19)) return [ipv4Str(b, 13), b.readUInt16LE(17), ipv4Str(b, 31), b.readUInt16LE(35), true];
    return [ipv6Str(b, 1), b.readUInt16LE(17), ipv6Str(b, 19), b.readUInt16LE(35), false];
  }
  return null;
}

export function onConnectExit(s: StateEngine, e: ScapEvent): void {
  const f = s.fd;
  if (!f) return;
  const res = e.int(0) ?? 0;
  const b = bytesParam(e, 'tuple');
  if (res < 0 && res !== -115) {
    // sysdig shows the attempted unix peer as fd.name of the failed connect, without keeping it
    if (b && b[0] === PPM_AF_UNIX && b.length >= 17) {
      const tmp = f.clone();
      tmp.name = unixTupleName(b);
      s.failedFd = tmp;
    }
    return;
  }
  if (!b || b.length === 0) return;
  if (b[0] === PPM_AF_UNIX && b.length >= 17) {
    f.type = FdType.UNIX_SOCK;
    f.usrc = b.readBigUInt64LE(1).toString(16);
    f.udst = b.readBigUInt64LE(9).toString(16);
    f.name = unixTupleName(b);
  } else {
    const tu = readTuple(b);
    if (!tu) return;
    const [sip, sport, dip, dport, v4] = tu;
    f.type = v4 ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    const same = (f.sip === sip && f.sport === sport && f.dip === dip && f.dport === dport)
      || (f.sip === dip && f.sport === dport && f.dip === sip && f.dport === sport);
    if (!same) {
      f.sip = sip;
      f.sport = sport;
      if ((f.dip === '' || f.dip === '0.0.0.0' || f.dip === '::') && f.dport === 0) {
        f.dip = dip;
        f.dport = dport;
      } else if (f.dip === '' || f.dip === '0.0.0.0' || f.dip === '::') f.dip = dip;
      else if (f.dport === 0) f.dport = dport;
      if (f.role === 1 && f.l4proto === L4.UDP) swap(f);
    }
    f.name = socketName(f);
  }
  if (f.role === 0) f.role = 2;
}

export function onAcceptExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fd = e.int(0);
  if (fd === undefined) return;
  if (fd < 0) {
    // sysdig shows a failed accept's (empty) tuple as its fd.name: "NULL"
    const tb = bytesParam(e, 'tuple');
    const tmp = new FdInfo();
    tmp.name = !tb || tb.length === 0 ? 'NULL' : tb[0] === PPM_AF_UNIX && tb.length >= 17 ? unixTupleName(tb) : (readTuple(tb) ?? []).slice(0, 4).join(':');
    s.failedFd = tmp;
    return;
  }
  const b = bytesParam(e, 'tuple');
  if (!b || b.length === 0) return;
  const f = new FdInfo();
  if (b[0] === PPM_AF_UNIX && b.length >= 17) {
    f.type = FdType.UNIX_SOCK;
    f.usrc = b.readBigUInt64LE(1).toString(16);
    f.udst = b.readBigUInt64LE(9).toString(16);
    f.name = unixTupleName(b);
  } else {
    const tu = readTuple(b);
    if (!tu) return;
    [f.sip, f.sport, f.dip, f.dport] = tu;
    f.type = tu[4] ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    f.l4proto = L4.TCP;
    f.name = `${f.sip}:${f.sport}->${f.dip}:${f.dport}`;
  }
  f.role = 1;
  addFd(s, t, fd, f);
}

export function onSocketpairExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if ((e.int(0) ?? -1) < 0) return;
  const src = e.paramCount > 3 ? e.u64(3) : undefined;
  const peer = e.paramCount > 4 ? e.u64(4) : undefined;
  for (const i of [1, 2]) {
    const fd = e.int(i);
    if (fd === undefined || fd < 0) continue;
    const f = new FdInfo(FdType.UNIX_SOCK, '');
    f.usrc = src?.toString(16) ?? '';
    f.udst = peer?.toString(16) ?? '';
    t.fds.set(fd, f);
  }
  void s;
}

function swap(f: FdInfo): void {
  const ip = f.sip;
  const port = f.sport;
  f.sip = f.dip;
  f.sport = f.dport;
  f.dip = ip;
  f.dport = port;
}

/** sendto/sendmsg (enter tuple) and recvfrom/recvmsg (exit tuple): unconnected sockets learn their peer. */
function updateFromTuple(s: StateEngine, t: ThreadInfo, f: FdInfo, b: Buffer, read: boolean): void {
  if (b.length === 0) return;
  if (b[0] === PPM_AF_UNIX && b.length >= 17) {
    f.type = FdType.UNIX_SOCK;
    f.usrc = b.readBigUInt64LE(1).toString(16);
    f.udst = b.readBigUInt64LE(9).toString(16);
    f.name = sanitize(cstr(b, 17));
    return;
  }
  const tu = readTuple(b);
  if (!tu) return;
  const [sip, sport, dip, dport, v4] = tu;
  if (b[0] === PPM_AF_INET || v4) {
    // an IPv6 server socket read through sinsp's IPv4 view has no protocol byte: it ends up UDP
    if (f.type === FdType.IPV6_SERVSOCK) f.l4proto = L4.UNKNOWN;
    f.type = FdType.IPV4_SOCK;
  }
  if (f.sip === sip && f.sport === sport && f.dip === dip && f.dport === dport) return;
  f.sip = sip; f.sport = sport; f.dip = dip; f.dport = dport;
  if (f.l4proto === L4.UNKNOWN) f.l4proto = L4.UDP;
  if (f.role === 0) {
    // sinsp guesses: a socket bound to the local port of this tuple is a server
    const local = read ? dport : sport;
    let server = false;
    for (const o of t.fds.values()) if ((o.type === FdType.IPV4_SERVSOCK || o.type === FdType.IPV6_SERVSOCK) && o.sport === local) server = true;
    f.role = server ? 1 : 2;
  }
  if (read && f.role === 2) swap(f);
  if (!read && f.role === 1) swap(f);
  if (f.type === FdType.IPV4_SOCK) {
    // sinsp fills an unspecified local address from the interface list
    if (f.sip === '0.0.0.0') f.sip = inferIpv4(s, f.dip);
    if (f.dip === '0.0.0.0') f.dip = inferIpv4(s, f.sip);
  }
  f.name = socketName(f);
}

const ip4num = (s: string) => {
  const p = s.split('.');
  return p.length === 4 ? ((+p[0]! << 24) | (+p[1]! << 16) | (+p[2]! << 8) | +p[3]!) >>> 0 : 0;
};

/** the interface address in the same subnet as `peer`, else the first non-loopback one */
function inferIpv4(s: StateEngine, peer: string): string {
  const d = ip4num(peer);
  for (const i of s.interfaces) {
    if (i.family !== 4) continue;
    const m = ip4num(i.netmask);
    if (((ip4num(i.addr) & m) >>> 0) === ((d & m) >>> 0)) return i.addr;
  }
  for (const i of s.interfaces) if (i.family === 4 && i.addr !== '127.0.0.1') return i.addr;
  return '0.0.0.0';
}

/** sinsp's is_tcp_socket looks at IPv4 sockets only */
const isTcpSocket = (f: FdInfo) => f.type === FdType.IPV4_SOCK && f.l4proto === L4.TCP;

export function onRecvExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const f = s.fd;
  if (!f || (e.int(0) ?? -1) < 0) return;
  if (!(f.name === '' || !isTcpSocket(f))) return;
  const b = bytesParam(e, 'tuple');
  if (b && (isIp(f) || f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK || f.type === FdType.UNIX_SOCK)) updateFromTuple(s, t, f, b, true);
}

export function onSendExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const f = s.fd;
  if (!f || (e.int(0) ?? -1) < 0 || !s.enterAvailable) return;
  if (!(f.name === '' || !isTcpSocket(f))) return;
  const b = bytesParam(s.enter, 'tuple');
  if (b && (isIp(f) || f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK || f.type === FdType.UNIX_SOCK)) updateFromTuple(s, t, f, b, false);
}

/** set/getsockopt exits name their fd in the exit (their enter has no params) */
export function onSockoptExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if (s.fd) return;
  const i = param(e, 'fd');
  if (i < 0) return;
  const fd = e.int(i);
  if (fd === undefined || fd < 0) return;
  s.fdNum = fd;
  s.fd = t.fds.get(fd) ?? null;
}

/** sendto enter on an fd sinsp does not know: it infers a UDP socket */
export function onSendtoEnter(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if (s.fd || s.fdNum < 0) return;
  const b = bytesParam(e, 'tuple');
  if (!b || b.length === 0 || (b[0] !== PPM_AF_INET && b[0] !== PPM_AF_INET6)) return;
  const f = new FdInfo(b[0] === PPM_AF_INET ? FdType.IPV4_SOCK : FdType.IPV6_SOCK, '');
  f.l4proto = L4.UDP;
  addFd(s, t, s.fdNum, f);
}
