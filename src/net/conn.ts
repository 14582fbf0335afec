// One connection's packet counters and the per-interface/per-container counters NetStats keeps,
// with the step from a connection to its snapshot (owners from the socket index, direction
// from the SYN). src/net/stats.ts does the counting.
import { PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6, formatAddr } from './decode';
import type { ConnResolver, SockOwner } from './owners';
import type { ConnSnapshot, OwnerSnapshot } from './net-snapshot';
import { ipv4Str, ipv6Str } from '../util/net';

export interface NetIface {
  id: number; // interface id in the pcapng file (and in snapshots)
  name: string; // host-side interface name (vethXXXX, eth0, lo, …)
  ifindex: number;
  containerId: string; // '' for the host
  containerName: string; // 'host' for the host
  /** MAC of the endpoint behind the interface (the container's eth0, or the host interface itself): tx when it is the source. */
  localMac?: Uint8Array;
}

export interface Counters {
  packets: number;
  bytes: number;
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  tcpRetrans: number;
  lastPackets: number;
  lastBytes: number;
  /** per-second samples (sample()): previous totals and the highest rates seen */
  sampPackets: number;
  sampBytes: number;
  peakPps: number;
  peakBps: number;
}

export const newCounters = (): Counters => ({
  sampPackets: 0,
  sampBytes: 0,
  peakPps: 0,
  peakBps: 0,
  packets: 0,
  bytes: 0,
  rxPackets: 0,
  rxBytes: 0,
  txPackets: 0,
  txBytes: 0,
  tcpRetrans: 0,
  lastPackets: 0,
  lastBytes: 0,
});

export class Conn {
  next: Conn | undefined; // hash chain
  readonly aAddr: Uint8Array;
  readonly bAddr: Uint8Array;
  packets = 0;
  bytes = 0;
  pktsAB = 0;
  bytesAB = 0;
  pktsBA = 0;
  bytesBA = 0;
  payloadAB = 0;
  payloadBA = 0;
  syn = 0;
  synAck = 0;
  fin = 0;
  rst = 0;
  retrans = 0;
  /** of which sent by A (the rest by B) */
  retransAB = 0;
  clientIsA = -1; // -1 unknown, 1 a opened (sent the SYN), 0 b opened
  seqInitAB = false;
  seqInitBA = false;
  nextSeqAB = 0;
  nextSeqBA = 0;
  firstMs = 0;
  lastMs = 0;
  lastPackets = 0;
  lastBytes = 0;
  /** processes holding the A and B ends (syscall attribution), once found */
  ownA: SockOwner | undefined;
  ownB: SockOwner | undefined;
  /** resolver generation of the last lookup, and when (packet time) */
  attrGen = -1;
  attrMs = 0;
  aText: string | undefined;
  bText: string | undefined;
  constructor(
    readonly hash: number,
    readonly iface: NetIface,
    readonly family: number,
    readonly proto: number,
    src: Uint8Array,
    aOff: number,
    bOff: number,
    readonly aPort: number,
    readonly bPort: number,
  ) {
    const n = family === 6 ? 16 : 4;
    this.aAddr = src.slice(aOff, aOff + n);
    this.bAddr = src.slice(bOff, bOff + n);
  }
}

const PROTO_NAMES: Record<number, string> = { [PROTO_TCP]: 'tcp', [PROTO_UDP]: 'udp', [PROTO_ICMP]: 'icmp', [PROTO_ICMPV6]: 'icmp6' };

/** Signed 32-bit distance a - b on sequence numbers. */
export function bump(c: Counters, tx: boolean, len: number): void {
  c.packets++;
  c.bytes += len;
  if (tx) {
    c.txPackets++;
    c.txBytes += len;
  } else {
    c.rxPackets++;
    c.rxBytes += len;
  }
}

/** Looks both ends of c up in the socket index (TCP and UDP only). */
export function attribute(c: Conn, r: ConnResolver): void {
  c.attrGen = r.gen;
  if (c.proto !== PROTO_TCP && c.proto !== PROTO_UDP) return;
  if (c.aPort === 0 && c.bPort === 0) return; // fragments without ports
  // the same text the syscall side makes of socket addresses
  const a = (c.aText ??= addrText(c.aAddr));
  const b = (c.bText ??= addrText(c.bAddr));
  const cid = c.iface.containerId;
  c.ownA ??= r.lookup(c.proto, a, c.aPort, b, c.bPort, cid);
  c.ownB ??= r.lookup(c.proto, b, c.bPort, a, c.aPort, cid);
}

export function addrText(x: Uint8Array): string {
  const b = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return x.length === 4 ? ipv4Str(b, 0) : ipv6Str(b, 0);
}

function ownerSnapshot(o: SockOwner | undefined, r: ConnResolver | undefined): OwnerSnapshot | null {
  if (!o) return null;
  const container = o.containerId ? r?.containerName(o.containerId) || o.containerId : 'host';
  return { pid: o.pid, ppid: o.ppid, tid: o.tid, proc: o.proc, exe: o.exe, containerId: o.containerId, container };
}

export function connSnapshot(c: Conn, perSec: number, r?: ConnResolver): ConnSnapshot {
  const n = c.family === 6 ? 16 : 4;
  const aFirst = c.clientIsA !== 0; // unknown: report A → B
  const a = formatAddr(c.aAddr, 0, n);
  const b = formatAddr(c.bAddr, 0, n);
  const srcOwner = ownerSnapshot(aFirst ? c.ownA : c.ownB, r);
  const dstOwner = ownerSnapshot(aFirst ? c.ownB : c.ownA, r);
  // the end inside the interface's container (host interfaces: a host process, src first)
  const want = c.iface.containerId.slice(0, 12);
  const side: 'src' | 'dst' | null =
    srcOwner && srcOwner.containerId === want ? 'src' : dstOwner && dstOwner.containerId === want ? 'dst' : !want && srcOwner ? 'src' : !want && dstOwner ? 'dst' : null;
  const local = side === 'src' ? srcOwner : side === 'dst' ? dstOwner : null;
  const s: ConnSnapshot = {
    ifaceId: c.iface.id,
    iface: c.iface.name,
    containerId: c.iface.containerId,
    containerName: c.iface.containerName,
    proto: PROTO_NAMES[c.proto] ?? String(c.proto),
    family: c.family,
    src: aFirst ? a : b,
    sport: aFirst ? c.aPort : c.bPort,
    dst: aFirst ? b : a,
    dport: aFirst ? c.bPort : c.aPort,
    packets: c.packets,
    bytes: c.bytes,
    pktsOut: aFirst ? c.pktsAB : c.pktsBA,
    bytesOut: aFirst ? c.bytesAB : c.bytesBA,
    pktsIn: aFirst ? c.pktsBA : c.pktsAB,
    bytesIn: aFirst ? c.bytesBA : c.bytesAB,
    payloadOut: aFirst ? c.payloadAB : c.payloadBA,
    payloadIn: aFirst ? c.payloadBA : c.payloadAB,
    syn: c.syn,
    synAck: c.synAck,
    fin: c.fin,
    rst: c.rst,
    retrans: c.retrans,
    firstMs: c.firstMs,
    lastMs: c.lastMs,
    pps: (c.packets - c.lastPackets) * perSec,
    bps: (c.bytes - c.lastBytes) * perSec,
    pid: local ? local.pid : null,
    proc: local ? local.proc : null,
    container: local ? local.container : null,
    side,
    srcOwner,
    dstOwner,
  };
  c.lastPackets = c.packets;
  c.lastBytes = c.bytes;
  return s;
}
