// Socket parsers: socket, bind, connect, accept, socketpair, and the tuple updates that
// sendto/recvfrom/sendmsg/recvmsg make to unconnected sockets — following sinsp's rules for names
// and client/server roles, since they decide how fds print. They work on the socket's union bytes
// (sockets.ts) as sinsp does, then refresh the readable fields.
import { ScapEvent } from '../../events/event';
import { FdType } from '../../scap/types';
import { FdInfo, L4 } from '../fdinfo';
import { ThreadInfo } from '../thread';
import type { StateEngine } from '../engine';
import { bytesParam, param } from './util';
import { addFd } from './files';
import { ipv4Str, ipv6Str, isV4Mapped, mappedOrAny } from '../../util/net';
import {
  PPM_AF_INET, PPM_AF_INET6, PPM_AF_UNIX, guessRole, isV4Proto, setTuple, setUnixInfo, sockBytes, sockName, swapAddresses,
  syncView, tupleIsV4, tupleOk, unixTupleStr, updateFd,
} from '../sockets';
import { sanitize } from '../../util/sanitize';

/** A tuple's printed form when it is not an IP one (sinsp names the fd after the raw parameter) */
function tupleParamStr(b: Buffer): string {
  return b[0] === PPM_AF_UNIX && b.length >= 17 ? unixTupleStr(b) : `family ${b[0]}`;
}

function cstr(b: Buffer, o: number): string {
  let e = o;
  while (e < b.length && b[e] !== 0) e++;
  return b.toString('latin1', o, e);
}

export function onSocketExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fd = e.int(0);
  if (fd === undefined || fd < 0 || !s.enterAvailable) return;
  const en = s.enter;
  const domain = en.uint(0) ?? 0;
  const type = en.uint(1) ?? 0;
  const proto = en.uint(2) ?? 0;
  addSocket(s, t, fd, domain, type, proto);
}

/** sinsp's add_socket: a fresh socket with only its protocol known */
function addSocket(s: StateEngine, t: ThreadInfo, fd: number, domain: number, type: number, proto: number): void {
  const f = new FdInfo();
  if (domain === PPM_AF_UNIX) f.type = FdType.UNIX_SOCK;
  else if (domain === PPM_AF_INET || domain === PPM_AF_INET6) {
    f.type = domain === PPM_AF_INET ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    const raw = type === 3;
    let l4 = L4.UNKNOWN;
    if (proto === 6) l4 = raw ? L4.RAW : L4.TCP;
    else if (proto === 17) l4 = raw ? L4.RAW : L4.UDP;
    else if (proto === 0) l4 = (type & 0xff) === 1 ? L4.TCP : (type & 0xff) === 2 ? L4.UDP : L4.UNKNOWN;
    else if (proto === 1) l4 = raw ? L4.RAW : L4.ICMP;
    else if (proto === 255) l4 = L4.RAW;
    sockBytes(f)[domain === PPM_AF_INET ? 12 : 36] = l4;
    syncView(f);
  } else if (domain === 16) f.type = FdType.NETLINK;
  else return; // unknown families are not tracked
  addFd(s, t, fd, f);
}

/** PT_SOCKADDR as sysdig prints it */
function sockaddrStr(b: Buffer): string {
  if (b[0] === PPM_AF_UNIX) return sanitize(cstr(b, 1));
  if (b[0] === PPM_AF_INET) return b.length === 7 ? `${ipv4Str(b, 1)}:${b.readUInt16LE(5)}` : 'INVALID IPv4';
  if (b[0] === PPM_AF_INET6) return b.length === 19 ? `${ipv6Str(b, 1)}:${b.readUInt16LE(17)}` : 'INVALID IPv6';
  return `family ${b[0]}`;
}

export function onBindExit(s: StateEngine, e: ScapEvent): void {
  const f = s.fd;
  if (!f || (e.int(0) ?? -1) < 0) return;
  const b = bytesParam(e, 'addr');
  if (!b || b.length === 0) return;
  const fam = b[0];
  // a bound port means a listening socket: the server member of the union takes over
  if (fam === PPM_AF_INET && b.length >= 7) {
    const port = b.readUInt16LE(5);
    if (port > 0) {
      const k = sockBytes(f);
      f.type = FdType.IPV4_SERVSOCK;
      b.copy(k, 0, 1, 5);
      k.writeUInt16LE(port, 4);
      k[6] = k[12]!;
      f.role = 1;
    }
  } else if (fam === PPM_AF_INET6 && b.length >= 19) {
    const port = b.readUInt16LE(17);
    if (port > 0) {
      const k = sockBytes(f);
      if (isV4Mapped(b, 1)) {
        f.type = FdType.IPV4_SERVSOCK;
        k[6] = k[36]!;
        b.copy(k, 0, 13, 17);
        k.writeUInt16LE(port, 4);
      } else {
        f.type = FdType.IPV6_SERVSOCK;
        k.writeUInt16LE(port, 16);
        b.copy(k, 0, 1, 17);
        k[18] = k[36]!;
      }
      f.role = 1;
    }
  }
  syncView(f);
  f.name = sockaddrStr(b);
}

export function onConnectEnter(s: StateEngine, e: ScapEvent): void {
  const f = s.fd;
  if (!f || e.paramCount < 2) return;
  const i = param(e, 'addr');
  if (i < 0) return;
  const b = e.bytes(i)!;
  if (b.length === 0) return;
  const fam = b[0];
  if (fam === PPM_AF_INET && b.length >= 7) {
    const k = sockBytes(f);
    f.type = FdType.IPV4_SOCK;
    b.copy(k, 4, 1, 5);
    k.writeUInt16LE(b.readUInt16LE(5), 10);
  } else if (fam === PPM_AF_INET6 && b.length >= 19) {
    const k = sockBytes(f);
    const port = b.readUInt16LE(17);
    if (isV4Mapped(b, 1)) {
      f.type = FdType.IPV4_SOCK;
      b.copy(k, 4, 13, 17);
      k.writeUInt16LE(port, 10);
    } else {
      f.type = FdType.IPV6_SOCK;
      k.writeUInt16LE(port, 34);
      b.copy(k, 16, 1, 17);
    }
  } else if (fam !== PPM_AF_INET && fam !== PPM_AF_INET6) {
    f.name = sockaddrStr(b);
    setUnixInfo(f, b);
  }
  syncView(f);
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
      tmp.name = unixTupleStr(b);
      s.failedFd = tmp;
    }
    return;
  }
  if (!b || b.length === 0) return;
  // fill_client_socket_info
  if ((b[0] === PPM_AF_INET && b.length >= 13) || (b[0] === PPM_AF_INET6 && b.length >= 37)) {
    const v4 = tupleIsV4(b);
    f.type = v4 ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    const changed = setTuple(f, b, v4);
    // connect done by a UDP server: the tuple is turned around
    if (changed && f.role === 1 && isV4Proto(f, L4.UDP)) swapAddresses(f);
    f.name = sockName(f);
  } else {
    f.name = tupleParamStr(b);
    setUnixInfo(f, b);
  }
  syncView(f);
  if (f.role === 0) f.role = 2;
}

export function onAcceptExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fd = e.int(0);
  if (fd === undefined) return;
  const b = bytesParam(e, 'tuple');
  if (fd < 0) {
    // sysdig shows a failed accept's (empty) tuple as its fd.name: "NULL"
    const tmp = new FdInfo();
    tmp.name = !b || b.length === 0 ? 'NULL' : b[0] === PPM_AF_UNIX && b.length >= 17 ? unixTupleStr(b) : tupleText(b);
    s.failedFd = tmp;
    return;
  }
  if (!b || b.length === 0 || !tupleOk(b)) return;
  const f = new FdInfo();
  if (b[0] === PPM_AF_UNIX) {
    f.type = FdType.UNIX_SOCK;
    setUnixInfo(f, b);
    f.name = unixTupleStr(b);
  } else {
    const v4 = tupleIsV4(b);
    setTuple(f, b, v4);
    f.type = v4 ? FdType.IPV4_SOCK : FdType.IPV6_SOCK;
    sockBytes(f)[v4 ? 12 : 36] = L4.TCP;
    f.name = tupleText(b);
  }
  syncView(f);
  f.role = 1;
  addFd(s, t, fd, f);
}

/** an IP PT_SOCKTUPLE as sysdig prints it (v4-mapped pairs as IPv4) */
function tupleText(b: Buffer): string {
  if (b[0] === PPM_AF_INET && b.length >= 13) return `${ipv4Str(b, 1)}:${b.readUInt16LE(5)}->${ipv4Str(b, 7)}:${b.readUInt16LE(11)}`;
  if (b[0] === PPM_AF_INET6 && b.length >= 37) {
    if (mappedOrAny(b, 1) && mappedOrAny(b, 19)) return `${ipv4Str(b, 13)}:${b.readUInt16LE(17)}->${ipv4Str(b, 31)}:${b.readUInt16LE(35)}`;
    return `${ipv6Str(b, 1)}:${b.readUInt16LE(17)}->${ipv6Str(b, 19)}:${b.readUInt16LE(35)}`;
  }
  return `family ${b[0]}`;
}

export function onSocketpairExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if ((e.int(0) ?? -1) < 0) return;
  const src = e.paramCount > 3 ? e.u64(3) : undefined;
  const peer = e.paramCount > 4 ? e.u64(4) : undefined;
  for (const i of [1, 2]) {
    const fd = e.int(i);
    if (fd === undefined || fd < 0) continue;
    const f = new FdInfo(FdType.UNIX_SOCK, '');
    const k = sockBytes(f);
    k.writeBigUInt64LE(BigInt.asUintN(64, BigInt(src ?? 0)), 0);
    k.writeBigUInt64LE(BigInt.asUintN(64, BigInt(peer ?? 0)), 8);
    syncView(f);
    t.fds.set(fd, f);
    // sinsp's event keeps the first end's fd info; the thread's last fd is the last one added
    if (i === 1) { s.fd = f; s.fdNum = fd; }
    t.lastEventFd = fd;
  }
}

/**
 * sendto/sendmsg (enter tuple) and recvfrom/recvmsg (exit tuple): sinsp updates the socket from
 * the tuple (update_fd), gives it a role if it has none, and orients it client→server.
 */
function updateFromTuple(s: StateEngine, t: ThreadInfo, f: FdInfo, b: Buffer, incoming: boolean): void {
  if (!updateFd(s.interfaces, f, b)) return;
  if (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) {
    if (f.role === 0) guessRole(t.fds, f, incoming);
    if (incoming ? f.role === 2 : f.role === 1) swapAddresses(f);
    f.name = sockName(f);
  } else {
    f.name = tupleParamStr(b);
  }
  syncView(f);
}

export function onRecvExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const f = s.fd;
  if (!f || (e.int(0) ?? -1) < 0) return;
  if (!(f.name === '' || !isV4Proto(f, L4.TCP))) return;
  const b = bytesParam(e, 'tuple');
  if (b) updateFromTuple(s, t, f, b, true);
}

export function onSendExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const f = s.fd;
  if (!f || (e.int(0) ?? -1) < 0 || !s.enterAvailable) return;
  if (!(f.name === '' || !isV4Proto(f, L4.TCP))) return;
  const b = bytesParam(s.enter, 'tuple');
  if (b) updateFromTuple(s, t, f, b, false);
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
  addSocket(s, t, s.fdNum, b[0], 2, 17);
}
