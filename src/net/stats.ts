// Packet counters for the TUI and chisels: per interface, per container and per connection, with
// TCP flag and retransmission counts, and rates computed between successive snapshot() calls.
// A connection is counted per interface it was seen on (a packet between two containers on one
// bridge crosses both veths and is therefore counted once for each container, as sysdig's
// per-container views count each side's socket).
import { PacketInfo, PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, formatAddr } from './decode';
import type { ConnResolver, SockOwner } from './owners';
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

interface Counters {
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

const newCounters = (): Counters => ({
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

class Conn {
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

export interface ConnSnapshot {
  ifaceId: number;
  iface: string;
  containerId: string;
  containerName: string;
  proto: string;
  family: number;
  /** client (SYN sender) when known, otherwise the lower address:port */
  src: string;
  sport: number;
  dst: string;
  dport: number;
  packets: number;
  bytes: number;
  pktsOut: number; // src → dst
  bytesOut: number;
  pktsIn: number;
  bytesIn: number;
  payloadOut: number;
  payloadIn: number;
  syn: number;
  synAck: number;
  fin: number;
  rst: number;
  retrans: number;
  firstMs: number;
  lastMs: number;
  pps: number; // since the previous snapshot
  bps: number; // bytes per second
  /**
   * The process holding the socket of the end inside this interface's container (on a host
   * interface: the src end when it is local, else the dst end); null when not attributed.
   */
  pid: number | null;
  proc: string | null;
  /** container name of that process ('host' for host processes) */
  container: string | null;
  /** which end pid/proc/container describe */
  side: 'src' | 'dst' | null;
  /** both ends, each when it is a local socket the syscall capture saw */
  srcOwner: OwnerSnapshot | null;
  dstOwner: OwnerSnapshot | null;
}

/** Wire totals of one end, a container or the host: in = received, out = sent. */
export interface WireTotals {
  bytesIn: number;
  bytesOut: number;
  pktsIn: number;
  pktsOut: number;
  /** TCP segments sent again */
  retrans: number;
}

export interface WireEnd extends WireTotals {
  /** the connection (identity only: the same object for as long as it is tracked) */
  conn: object;
  /** which side of conn the end is (a loopback connection has both ends on one conn) */
  localIsA: boolean;
}

export interface OwnerSnapshot {
  pid: number;
  ppid: number;
  tid: number;
  proc: string;
  exe: string;
  containerId: string; // short id, '' for the host
  container: string; // name, 'host' for the host
}

export interface GroupSnapshot {
  packets: number;
  bytes: number;
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  tcpRetrans: number;
  pps: number;
  bps: number;
  /** averages over the whole run, and the highest one-second rates (when sample() runs every second) */
  avgPps: number;
  avgBps: number;
  peakPps: number;
  peakBps: number;
}

export interface ContainerSnapshot extends GroupSnapshot {
  id: string; // '' for the host
  name: string;
  ifaces: string[];
  connections: number;
}

export interface IfaceSnapshot extends GroupSnapshot {
  id: number;
  name: string;
  containerId: string;
  containerName: string;
  nonIp: number;
}

export interface NetSnapshot {
  timeMs: number;
  intervalMs: number;
  packets: number;
  bytes: number;
  interfaces: IfaceSnapshot[];
  containers: ContainerSnapshot[];
  connections: ConnSnapshot[];
}

const PROTO_NAMES: Record<number, string> = { [PROTO_TCP]: 'tcp', [PROTO_UDP]: 'udp', [PROTO_ICMP]: 'icmp', [PROTO_ICMPV6]: 'icmp6' };

/** Signed 32-bit distance a - b on sequence numbers. */
const seqDiff = (a: number, b: number): number => (a - b) | 0;

export class NetStats {
  packets = 0;
  bytes = 0;
  private readonly ifaces = new Map<number, { info: NetIface; c: Counters; nonIp: number }>();
  private readonly containers = new Map<string, { id: string; name: string; ifaces: Set<string>; c: Counters; conns: number }>();
  private readonly table = new Map<number, Conn>();
  /** TCP/UDP connections by "proto|A address|A port|B address|B port" (addresses as the syscall side writes them) */
  private readonly byTuple = new Map<string, Conn[]>();
  private nConns = 0;
  private lastSnapMs = Date.now();
  private readonly startMs = Date.now();
  private lastSampleMs = Date.now();
  /** syscall attribution of connection ends (src/net/owners.ts); none: connections carry no process */
  resolver: ConnResolver | undefined;

  addInterface(info: NetIface): void {
    if (!this.ifaces.has(info.id)) this.ifaces.set(info.id, { info, c: newCounters(), nonIp: 0 });
    const key = info.containerId || 'host';
    let ct = this.containers.get(key);
    if (!ct) {
      ct = { id: info.containerId, name: info.containerName, ifaces: new Set(), c: newCounters(), conns: 0 };
      this.containers.set(key, ct);
    }
    ct.ifaces.add(info.name);
  }

  /** Counts one decoded packet seen on interface ifId; buf holds the frame the offsets in p refer to. */
  account(ifId: number, buf: Uint8Array, p: PacketInfo, wireLen: number, nowMs: number): void {
    const ie = this.ifaces.get(ifId);
    if (!ie) return;
    const info = ie.info;
    const ct = this.containers.get(info.containerId || 'host')!;
    this.packets++;
    this.bytes += wireLen;
    // direction relative to the endpoint behind the interface, from the Ethernet source MAC
    let tx = false;
    const mac = info.localMac;
    if (mac && p.ethOff >= 0) {
      const s = p.ethOff + 6;
      tx = buf[s] === mac[0] && buf[s + 1] === mac[1] && buf[s + 2] === mac[2] && buf[s + 3] === mac[3] && buf[s + 4] === mac[4] && buf[s + 5] === mac[5];
    }
    bump(ie.c, tx, wireLen);
    bump(ct.c, tx, wireLen);
    if (p.family === 0) {
      ie.nonIp++;
      return;
    }
    const conn = this.lookup(info, buf, p, nowMs, ct);
    const fromA = this.fromA;
    const r = this.resolver;
    // attribution is looked up again only when the index changed, at most every 20 ms per connection
    if (r !== undefined && conn.attrGen !== r.gen && (conn.ownA === undefined || conn.ownB === undefined) && nowMs - conn.attrMs >= 20) {
      conn.attrMs = nowMs;
      attribute(conn, r);
    }
    conn.packets++;
    conn.bytes += wireLen;
    conn.lastMs = nowMs;
    if (fromA) {
      conn.pktsAB++;
      conn.bytesAB += wireLen;
      conn.payloadAB += p.payloadLen;
    } else {
      conn.pktsBA++;
      conn.bytesBA += wireLen;
      conn.payloadBA += p.payloadLen;
    }
    if (p.proto === PROTO_TCP && !p.fragment && !p.truncated) {
      const f = p.tcpFlags;
      if (f & TCP_SYN) {
        if (f & TCP_ACK) conn.synAck++;
        else {
          conn.syn++;
          if (conn.clientIsA < 0) conn.clientIsA = fromA ? 1 : 0;
        }
      }
      if (f & TCP_FIN) conn.fin++;
      if (f & TCP_RST) conn.rst++;
      const segLen = p.payloadLen + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0);
      if (segLen > 0 && !(f & TCP_RST)) {
        const end = (p.seq + segLen) >>> 0;
        const init = fromA ? conn.seqInitAB : conn.seqInitBA;
        const next = fromA ? conn.nextSeqAB : conn.nextSeqBA;
        if (!init || seqDiff(end, next) > 0) {
          if (fromA) {
            conn.seqInitAB = true;
            conn.nextSeqAB = end;
          } else {
            conn.seqInitBA = true;
            conn.nextSeqBA = end;
          }
        } else if (!(p.payloadLen <= 1 && !(f & (TCP_SYN | TCP_FIN)) && seqDiff(p.seq, next) === -1)) {
          // already-seen sequence space (a keep-alive probe, one byte below next, is not one)
          conn.retrans++;
          if (fromA) conn.retransAB++;
          ie.c.tcpRetrans++;
          ct.c.tcpRetrans++;
        }
      }
    }
  }

  private fromA = true;

  private lookup(info: NetIface, buf: Uint8Array, p: PacketInfo, nowMs: number, ct: { conns: number }): Conn {
    const n = p.addrLen;
    const s = p.srcOff;
    const d = p.dstOff;
    const hasPorts = p.proto === PROTO_TCP || p.proto === PROTO_UDP;
    const sp = hasPorts && !p.fragment ? p.sport : 0;
    const dp = hasPorts && !p.fragment ? p.dport : 0;
    // canonical order: lower (address, port) is side A
    let cmp = 0;
    for (let i = 0; i < n && cmp === 0; i++) cmp = buf[s + i]! - buf[d + i]!;
    if (cmp === 0) cmp = sp - dp;
    const srcIsA = cmp <= 0;
    const aOff = srcIsA ? s : d;
    const bOff = srcIsA ? d : s;
    const aPort = srcIsA ? sp : dp;
    const bPort = srcIsA ? dp : sp;
    let h = (info.id * 31 + p.proto) | 0;
    h = Math.imul(h ^ aPort, 0x9e3779b1) ^ bPort;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ buf[aOff + i]!, 0x01000193) ^ (buf[bOff + i]! << 8);
    h = h >>> 0;
    this.fromA = srcIsA;
    for (let c = this.table.get(h); c; c = c.next) {
      if (c.iface !== info || c.proto !== p.proto || c.family !== p.family || c.aPort !== aPort || c.bPort !== bPort) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) same = c.aAddr[i] === buf[aOff + i] && c.bAddr[i] === buf[bOff + i];
      if (same) return c;
    }
    const c = new Conn(h, info, p.family, p.proto, buf, aOff, bOff, aPort, bPort);
    c.firstMs = nowMs;
    c.next = this.table.get(h);
    this.table.set(h, c);
    if (p.proto === PROTO_TCP || p.proto === PROTO_UDP) this.indexTuple(c);
    this.nConns++;
    ct.conns++;
    return c;
  }

  /**
   * One-second rate sample for the peak rates of interfaces and containers: call about once a
   * second (independent of snapshot(), whose rates are since the previous snapshot).
   */
  sample(nowMs = Date.now()): void {
    const dt = nowMs - this.lastSampleMs;
    if (dt < 200) return;
    this.lastSampleMs = nowMs;
    const upd = (c: Counters): void => {
      const pps = ((c.packets - c.sampPackets) * 1000) / dt;
      const bps = ((c.bytes - c.sampBytes) * 1000) / dt;
      if (pps > c.peakPps) c.peakPps = pps;
      if (bps > c.peakBps) c.peakBps = bps;
      c.sampPackets = c.packets;
      c.sampBytes = c.bytes;
    };
    for (const ie of this.ifaces.values()) upd(ie.c);
    for (const ct of this.containers.values()) upd(ct.c);
  }

  private indexTuple(c: Conn): void {
    const k = `${c.proto}|${(c.aText ??= addrText(c.aAddr))}|${c.aPort}|${(c.bText ??= addrText(c.bAddr))}|${c.bPort}`;
    const l = this.byTuple.get(k);
    if (l) l.push(c);
    else this.byTuple.set(k, [c]);
  }

  /**
   * Wire counters of one socket end: the connection whose local end is lip:lport and remote end
   * rip:rport (addresses as text, as the syscall side writes them), seen on the interface of the
   * socket's container (containerId: short id, '' for the host), else on any interface. In/out are
   * from that end's side. undefined when no packet of it was seen.
   */
  wireEnd(ipProto: number, lip: string, lport: number, rip: string, rport: number, containerId: string): WireEnd | undefined {
    let localIsA = true;
    let l = this.byTuple.get(`${ipProto}|${lip}|${lport}|${rip}|${rport}`);
    if (!l) {
      l = this.byTuple.get(`${ipProto}|${rip}|${rport}|${lip}|${lport}`);
      localIsA = false;
      if (!l) return undefined;
    }
    let c = l[0]!;
    for (const x of l) {
      const cid = x.iface.containerId;
      if (containerId ? cid.startsWith(containerId) : cid === '') {
        c = x;
        break;
      }
    }
    return localIsA
      ? { conn: c, localIsA: true, bytesIn: c.bytesBA, bytesOut: c.bytesAB, pktsIn: c.pktsBA, pktsOut: c.pktsAB, retrans: c.retransAB }
      : { conn: c, localIsA: false, bytesIn: c.bytesAB, bytesOut: c.bytesBA, pktsIn: c.pktsAB, pktsOut: c.pktsBA, retrans: c.retrans - c.retransAB };
  }

  /** Totals of a container's interfaces (short or full id; '' for the host's), rx = into the container. */
  containerWire(id: string): WireTotals | undefined {
    const ct = id ? this.containerByPrefix(id) : this.containers.get('host');
    if (!ct) return undefined;
    const c = ct.c;
    return { bytesIn: c.rxBytes, bytesOut: c.txBytes, pktsIn: c.rxPackets, pktsOut: c.txPackets, retrans: c.tcpRetrans };
  }

  /** containerWire() of every container seen, by short id ('host' for the host's interfaces) */
  allContainerWire(): Map<string, WireTotals> {
    const m = new Map<string, WireTotals>();
    for (const [k, ct] of this.containers) {
      const c = ct.c;
      m.set(k === 'host' ? 'host' : k.slice(0, 12), { bytesIn: c.rxBytes, bytesOut: c.txBytes, pktsIn: c.rxPackets, pktsOut: c.txPackets, retrans: c.tcpRetrans });
    }
    return m;
  }

  private containerByPrefix(id: string): { c: Counters } | undefined {
    const exact = this.containers.get(id);
    if (exact) return exact;
    for (const [k, v] of this.containers) if (k.startsWith(id)) return v;
    return undefined;
  }

  /**
   * Forgets connections without a packet for idleMs (long live runs: the table would otherwise only
   * grow). Interface and container totals keep what they counted.
   */
  expire(idleMs: number, nowMs = Date.now()): number {
    let n = 0;
    for (const [h, head] of this.table) {
      let first: Conn | undefined;
      let last: Conn | undefined;
      for (let c: Conn | undefined = head; c; ) {
        const next: Conn | undefined = c.next;
        if (nowMs - c.lastMs > idleMs) {
          n++;
          this.nConns--;
          if (c.proto === PROTO_TCP || c.proto === PROTO_UDP) {
            const k = `${c.proto}|${c.aText}|${c.aPort}|${c.bText}|${c.bPort}`;
            const l = this.byTuple.get(k);
            if (l) {
              const i = l.indexOf(c);
              if (i >= 0) l.splice(i, 1);
              if (l.length === 0) this.byTuple.delete(k);
            }
          }
        } else {
          c.next = undefined;
          if (last) last.next = c;
          else first = c;
          last = c;
        }
        c = next;
      }
      if (first) this.table.set(h, first);
      else this.table.delete(h);
    }
    return n;
  }

  get connectionCount(): number {
    return this.nConns;
  }

  /** Current counters; rates are over the time since the previous snapshot() (or the start). */
  snapshot(nowMs = Date.now()): NetSnapshot {
    const intervalMs = Math.max(1, nowMs - this.lastSnapMs);
    const perSec = 1000 / intervalMs;
    const runSecs = Math.max(1e-3, (nowMs - this.startMs) / 1000);
    const group = (c: Counters): GroupSnapshot => {
      const g: GroupSnapshot = {
        packets: c.packets,
        bytes: c.bytes,
        rxPackets: c.rxPackets,
        rxBytes: c.rxBytes,
        txPackets: c.txPackets,
        txBytes: c.txBytes,
        tcpRetrans: c.tcpRetrans,
        pps: (c.packets - c.lastPackets) * perSec,
        bps: (c.bytes - c.lastBytes) * perSec,
        avgPps: c.packets / runSecs,
        avgBps: c.bytes / runSecs,
        peakPps: c.peakPps,
        peakBps: c.peakBps,
      };
      c.lastPackets = c.packets;
      c.lastBytes = c.bytes;
      return g;
    };
    const interfaces: IfaceSnapshot[] = [];
    for (const { info, c, nonIp } of this.ifaces.values()) {
      interfaces.push({ id: info.id, name: info.name, containerId: info.containerId, containerName: info.containerName, nonIp, ...group(c) });
    }
    const containers: ContainerSnapshot[] = [];
    for (const ct of this.containers.values()) {
      containers.push({ id: ct.id, name: ct.name, ifaces: [...ct.ifaces], connections: ct.conns, ...group(ct.c) });
    }
    const connections: ConnSnapshot[] = [];
    const r = this.resolver;
    for (const head of this.table.values()) {
      for (let c: Conn | undefined = head; c; c = c.next) {
        if (r !== undefined && c.attrGen !== r.gen && (c.ownA === undefined || c.ownB === undefined)) attribute(c, r);
        connections.push(connSnapshot(c, perSec, r));
      }
    }
    connections.sort((x, y) => y.bytes - x.bytes);
    this.lastSnapMs = nowMs;
    return { timeMs: nowMs, intervalMs, packets: this.packets, bytes: this.bytes, interfaces, containers, connections };
  }

  get elapsedMs(): number {
    return Date.now() - this.startMs;
  }
}

function bump(c: Counters, tx: boolean, len: number): void {
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
function attribute(c: Conn, r: ConnResolver): void {
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

function addrText(x: Uint8Array): string {
  const b = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return x.length === 4 ? ipv4Str(b, 0) : ipv6Str(b, 0);
}

function ownerSnapshot(o: SockOwner | undefined, r: ConnResolver | undefined): OwnerSnapshot | null {
  if (!o) return null;
  const container = o.containerId ? r?.containerName(o.containerId) || o.containerId : 'host';
  return { pid: o.pid, ppid: o.ppid, tid: o.tid, proc: o.proc, exe: o.exe, containerId: o.containerId, container };
}

function connSnapshot(c: Conn, perSec: number, r?: ConnResolver): ConnSnapshot {
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
