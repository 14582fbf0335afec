// Socket state as sinsp keeps it, byte for byte.
//
// sinsp stores a socket's addresses in one union (sinsp_sockinfo): the IPv4 tuple, the IPv6 tuple,
// the IPv4/IPv6 server address and the unix tuple share the same 40 bytes, and each reader picks
// the member the fd's current type names. When a socket changes type (a server socket that sends
// or receives, an IPv6 socket that gets an IPv4 tuple, a process-list socket whose bytes were left
// by the previous fd) the old member's bytes show through the new one — and sysdig prints them.
// To print what sysdig prints, the socket parsers keep these bytes and apply sinsp's update rules
// to them; the readable fields of FdInfo (sip, dip, sport…) are refreshed from them (syncView).
//
// Layouts (natural C alignment): IPv4 tuple sip@0 dip@4 sport@8 dport@10 l4@12; IPv6 tuple
// sip@0 dip@16 sport@32 dport@34 l4@36; IPv4 server ip@0 port@4 l4@6; IPv6 server ip@0 port@16
// l4@18; unix source@0 dest@8. Addresses in network order, ports in host (little-endian) order.
import { FdInfo, L4 } from './fdinfo';
import { FdType, InterfaceRecord } from '../scap/types';
import { ipv4Str, ipv6Str, mappedOrAny, parseIp } from '../util/net';
import { sanitize } from '../util/sanitize';
import { u64hex } from '../util/bytes';

export const PPM_AF_UNIX = 1;
export const PPM_AF_INET = 2;
export const PPM_AF_INET6 = 10;

export const SOCK_LEN = 40;

export function tupleName(f: FdInfo): string {
  return `${f.sip}:${f.sport}->${f.dip}:${f.dport}`;
}

/** The socket bytes of f, ready to be written (allocated, or unshared from a process-list snapshot). */
export function sockBytes(f: FdInfo): Buffer {
  let b = f.sock;
  if (!b) b = f.sock = Buffer.alloc(SOCK_LEN);
  else if (f.sockShared) {
    b = f.sock = Buffer.from(b);
    f.sockShared = false;
  }
  return b;
}

const ZERO = Buffer.alloc(SOCK_LEN);
const bytesOf = (f: FdInfo): Buffer => f.sock ?? ZERO;

/** Refreshes the readable fields from the union member the fd's type selects. */
export function syncView(f: FdInfo): void {
  const b = bytesOf(f);
  switch (f.type) {
    case FdType.IPV4_SOCK:
      f.sip = ipv4Str(b, 0); f.dip = ipv4Str(b, 4);
      f.sport = b.readUInt16LE(8); f.dport = b.readUInt16LE(10); f.l4proto = b[12] as L4;
      break;
    case FdType.IPV6_SOCK:
      f.sip = ipv6Str(b, 0); f.dip = ipv6Str(b, 16);
      f.sport = b.readUInt16LE(32); f.dport = b.readUInt16LE(34); f.l4proto = b[36] as L4;
      break;
    case FdType.IPV4_SERVSOCK:
      f.sip = ipv4Str(b, 0); f.dip = ''; f.sport = b.readUInt16LE(4); f.dport = 0; f.l4proto = b[6] as L4;
      break;
    case FdType.IPV6_SERVSOCK:
      f.sip = ipv6Str(b, 0); f.dip = ''; f.sport = b.readUInt16LE(16); f.dport = 0; f.l4proto = b[18] as L4;
      break;
    case FdType.UNIX_SOCK:
      if (f.sock) { f.usrc = u64hex(b, 0); f.udst = u64hex(b, 8); }
      break;
  }
}

/** sinsp's sockinfo_to_str: the name a connected IP socket gets. */
export function sockName(f: FdInfo): string {
  const b = bytesOf(f);
  if (f.type === FdType.IPV4_SOCK) {
    const p = b[12];
    if (p === L4.TCP || p === L4.UDP) return `${ipv4Str(b, 0)}:${b.readUInt16LE(8)}->${ipv4Str(b, 4)}:${b.readUInt16LE(10)}`;
    if (p === L4.ICMP || p === L4.RAW) return `${ipv4Str(b, 0)}->${ipv4Str(b, 4)}`;
    return '<unknown>';
  }
  const p = b[36];
  const mapped = mappedOrAny(b, 0) && mappedOrAny(b, 16);
  if (p === L4.TCP || p === L4.UDP) {
    // sinsp prints a v4-mapped pair with the ports read through the IPv4 view of the union
    if (mapped) return `${ipv4Str(b, 12)}:${b.readUInt16LE(8)}->${ipv4Str(b, 28)}:${b.readUInt16LE(10)}`;
    return `${ipv6Str(b, 0)}:${b.readUInt16LE(32)}->${ipv6Str(b, 16)}:${b.readUInt16LE(34)}`;
  }
  if (p === L4.ICMP) return mapped ? `${ipv4Str(b, 12)}->${ipv4Str(b, 28)}` : `${ipv6Str(b, 0)}->${ipv6Str(b, 16)}`;
  return '<unknown>';
}

function cstr(b: Buffer, o: number): string {
  let e = o;
  while (e < b.length && b[e] !== 0) e++;
  return b.toString('latin1', o, e);
}

/** A unix PT_SOCKTUPLE as sysdig prints it: "source->dest path" (hex, no padding). */
export function unixTupleStr(b: Buffer): string {
  return `${u64hex(b, 1)}->${u64hex(b, 9)} ${sanitize(cstr(b, 17))}`;
}

/** sinsp's set_unix_info: the 16 bytes after the family (missing bytes read as zero). */
export function setUnixInfo(f: FdInfo, packed: Buffer): void {
  const b = sockBytes(f);
  b.fill(0, 0, 16);
  packed.copy(b, 0, 1, Math.min(packed.length, 17));
}

/** update_ipv4_addresses_and_ports: source always, destination only where still zero. */
function updateV4(f: FdInfo, b: Buffer, tsip: number, tsport: number, tdip: number, tdport: number): boolean {
  if (f.type === FdType.IPV4_SOCK) {
    const sip = b.readUInt32LE(0);
    const dip = b.readUInt32LE(4);
    const sp = b.readUInt16LE(8);
    const dp = b.readUInt16LE(10);
    if ((tsip === sip && tsport === sp && tdip === dip && tdport === dp) || (tdip === sip && tdport === sp && tsip === dip && tsport === dp)) return false;
  }
  let changed = false;
  if (b.readUInt32LE(0) !== tsip) { b.writeUInt32LE(tsip, 0); changed = true; }
  if (b.readUInt16LE(8) !== tsport) { b.writeUInt16LE(tsport, 8); changed = true; }
  if (b.readUInt32LE(4) === 0) { b.writeUInt32LE(tdip, 4); changed = true; }
  if (b.readUInt16LE(10) === 0) { b.writeUInt16LE(tdport, 10); changed = true; }
  return changed;
}

const isZero = (b: Buffer, o: number, n: number) => { for (let i = 0; i < n; i++) if (b[o + i] !== 0) return false; return true; };

/** set_ipv6_addresses_and_ports, from a PT_SOCKTUPLE (family at 0). */
function updateV6(f: FdInfo, b: Buffer, t: Buffer): boolean {
  const tsport = t.readUInt16LE(17);
  const tdport = t.readUInt16LE(35);
  if (f.type === FdType.IPV6_SOCK) {
    const sp = b.readUInt16LE(32);
    const dp = b.readUInt16LE(34);
    if ((b.compare(t, 1, 17, 0, 16) === 0 && tsport === sp && b.compare(t, 19, 35, 16, 32) === 0 && tdport === dp)
      || (b.compare(t, 19, 35, 0, 16) === 0 && tdport === sp && b.compare(t, 1, 17, 16, 32) === 0 && tsport === dp)) return false;
  }
  let changed = false;
  if (b.compare(t, 1, 17, 0, 16) !== 0) { t.copy(b, 0, 1, 17); changed = true; }
  if (b.readUInt16LE(32) !== tsport) { b.writeUInt16LE(tsport, 32); changed = true; }
  if (isZero(b, 16, 16)) { t.copy(b, 16, 19, 35); changed = true; }
  if (b.readUInt16LE(34) === 0) { b.writeUInt16LE(tdport, 34); changed = true; }
  return changed;
}

/** A tuple on a socket (connect exit, accept): returns whether anything changed. */
export function setTuple(f: FdInfo, t: Buffer, asV4: boolean): boolean {
  const b = sockBytes(f);
  if (t[0] === PPM_AF_INET) return updateV4(f, b, t.readUInt32LE(1), t.readUInt16LE(5), t.readUInt32LE(7), t.readUInt16LE(11));
  if (asV4) return updateV4(f, b, t.readUInt32LE(13), t.readUInt16LE(17), t.readUInt32LE(31), t.readUInt16LE(35));
  return updateV6(f, b, t);
}

/** PT_SOCKTUPLE of the right size for its family */
export function tupleOk(t: Buffer): boolean {
  return t.length > 0 && ((t[0] === PPM_AF_INET && t.length >= 13) || (t[0] === PPM_AF_INET6 && t.length >= 37) || (t[0] === PPM_AF_UNIX && t.length >= 17));
}

/** both ends of an IPv6 tuple are v4-mapped (or unspecified): sinsp treats it as IPv4 */
export const tupleIsV4 = (t: Buffer) => t[0] === PPM_AF_INET || (t[0] === PPM_AF_INET6 && mappedOrAny(t, 1) && mappedOrAny(t, 19));

/**
 * sinsp's update_fd: a tuple seen on send/recv updates an unconnected socket. Returns false when
 * nothing changed (then sinsp leaves the name alone).
 */
export function updateFd(ifs: InterfaceRecord[], f: FdInfo, t: Buffer): boolean {
  if (t.length === 0) return false;
  const fam = t[0];
  if (fam === PPM_AF_INET) {
    if (t.length < 13) return false;
    const b = sockBytes(f);
    // a server socket passes its protocol on to the tuple
    if (f.type === FdType.IPV4_SERVSOCK) b[12] = b[6]!;
    f.type = FdType.IPV4_SOCK;
    if (!updateV4(f, b, t.readUInt32LE(1), t.readUInt16LE(5), t.readUInt32LE(7), t.readUInt16LE(11))) return false;
  } else if (fam === PPM_AF_INET6) {
    if (t.length < 37) return false;
    const b = sockBytes(f);
    if (mappedOrAny(t, 1) && mappedOrAny(t, 19)) {
      f.type = FdType.IPV4_SOCK;
      if (!updateV4(f, b, t.readUInt32LE(13), t.readUInt16LE(17), t.readUInt32LE(31), t.readUInt16LE(35))) return false;
    } else if (!updateV6(f, b, t)) return false; // sinsp leaves the type as it was here
  } else if (fam === PPM_AF_UNIX) {
    if (t.length < 17) return false;
    f.type = FdType.UNIX_SOCK;
    setUnixInfo(f, t);
    return true;
  }
  // not yet known: a protocol that changes addresses mid-way is UDP (TCP would fail)
  if (f.type === FdType.IPV4_SOCK) {
    const b = sockBytes(f);
    if (b[12] === L4.UNKNOWN) b[12] = L4.UDP;
  } else if (f.type === FdType.IPV6_SOCK) {
    const b = sockBytes(f);
    if (b[36] === L4.UNKNOWN) b[36] = L4.UDP;
  }
  patchFromInterfaces(ifs, f);
  return true;
}

/** sinsp's swap_addresses: IPv4 tuple for IPv4 sockets, the IPv6 tuple for anything else */
export function swapAddresses(f: FdInfo): void {
  const b = sockBytes(f);
  if (f.type === FdType.IPV4_SOCK) {
    const ip = b.readUInt32LE(0);
    const port = b.readUInt16LE(8);
    b.writeUInt32LE(b.readUInt32LE(4), 0);
    b.writeUInt16LE(b.readUInt16LE(10), 8);
    b.writeUInt32LE(ip, 4);
    b.writeUInt16LE(port, 10);
  } else {
    const ip = Buffer.from(b.subarray(0, 16));
    const port = b.readUInt16LE(32);
    b.copy(b, 0, 16, 32);
    b.writeUInt16LE(b.readUInt16LE(34), 32);
    ip.copy(b, 16);
    b.writeUInt16LE(port, 34);
  }
}

/** is_udp_socket / is_tcp_socket: sinsp asks the IPv4 view only */
export const isV4Proto = (f: FdInfo, p: L4) => f.type === FdType.IPV4_SOCK && bytesOf(f)[12] === p;

/**
 * set_net_role_by_guessing: server if the process has a socket bound to (or connected to) the
 * tuple's destination port and no socket using its source port; otherwise a guess by direction.
 * sinsp reads both ports through the IPv4 view, whatever the socket's family.
 */
export function guessRole(fds: Map<number, FdInfo>, f: FdInfo, incoming: boolean): void {
  const b = bytesOf(f);
  const dport = b.readUInt16LE(10);
  const sport = b.readUInt16LE(8);
  let bound = false;
  let client = false;
  for (const o of fds.values()) {
    if (o.type === FdType.IPV4_SOCK) {
      const ob = bytesOf(o);
      if (ob.readUInt16LE(10) === dport) bound = true;
      if (ob.readUInt16LE(8) === sport) client = true;
    } else if (o.type === FdType.IPV4_SERVSOCK && bytesOf(o).readUInt16LE(4) === dport) bound = true;
  }
  if (!bound) f.role = 2;
  else if (!client) f.role = 1;
  else f.role = incoming ? 1 : 2;
}

// ---- interface addresses (sinsp's sinsp_network_interfaces), converted once per list ----
let ifSrc: InterfaceRecord[] | null = null;
let if4: Array<{ addr: number; mask: number }> = [];
let if6: Buffer[] = [];
const LOOPBACK4 = 0x0100007f; // 127.0.0.1 as stored (network order read little-endian)
const LOOPBACK6 = parseIp('::1')!;

function v4Num(s: string): number {
  const p = s.split('.');
  return p.length === 4 ? ((+p[0]!) | (+p[1]! << 8) | (+p[2]! << 16) | (+p[3]! << 24)) >>> 0 : 0;
}

function loadIfs(ifs: InterfaceRecord[]): void {
  if (ifs === ifSrc) return;
  ifSrc = ifs;
  if4 = [];
  if6 = [];
  for (const i of ifs) {
    if (i.family === 4) if4.push({ addr: v4Num(i.addr), mask: v4Num(i.netmask) });
    else if6.push(parseIp(i.addr) ?? Buffer.alloc(16));
  }
}

function infer4(dst: number): number {
  for (const i of if4) if (i.addr === dst) return i.addr;
  for (const i of if4) if (((i.addr & i.mask) >>> 0) === ((dst & i.mask) >>> 0)) return i.addr;
  for (const i of if4) if (i.addr !== LOOPBACK4) return i.addr;
  return 0;
}

function infer6(b: Buffer, o: number): Buffer {
  for (const a of if6) if (a.compare(b, o, o + 16) === 0) return a;
  for (const a of if6) if (a.compare(b, o, o + 8, 0, 8) === 0) return a;
  for (const a of if6) if (!a.equals(LOOPBACK6)) return a;
  return ZERO.subarray(0, 16);
}

/** sinsp's network_interfaces::update_fd: fills an unspecified local or peer address. */
function patchFromInterfaces(ifs: InterfaceRecord[], f: FdInfo): void {
  loadIfs(ifs);
  const b = sockBytes(f);
  if (f.type === FdType.IPV4_SOCK) {
    const sip = b.readUInt32LE(0);
    const dip = b.readUInt32LE(4);
    if (sip !== 0 && dip !== 0) return;
    const samePorts = b.readUInt16LE(8) === b.readUInt16LE(10);
    if (sip === 0) {
      const n = infer4(dip);
      if (n === dip && samePorts) return;
      b.writeUInt32LE(n, 0);
    } else {
      const n = infer4(sip);
      if (n === sip && samePorts) return;
      b.writeUInt32LE(n, 4);
    }
  } else if (f.type === FdType.IPV6_SOCK) {
    const sEmpty = isZero(b, 0, 16);
    if (!sEmpty && !isZero(b, 16, 16)) return;
    const samePorts = b.readUInt16LE(32) === b.readUInt16LE(34);
    if (sEmpty) {
      const n = infer6(b, 16);
      if (n.compare(b, 16, 32) === 0 && samePorts) return;
      n.copy(b, 0);
    } else {
      const n = infer6(b, 0);
      if (n.compare(b, 0, 16) === 0 && samePorts) return;
      n.copy(b, 16);
    }
  }
}
