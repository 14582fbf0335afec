// Packet counters for the TUI and chisels: per interface, per container and per connection, with
// TCP flag and retransmission counts, and rates computed between successive snapshot() calls.
// A connection is counted per interface it was seen on (a packet between two containers on one
// bridge crosses both veths and is therefore counted once for each container, as sysdig's
// per-container views count each side's socket).
import { PacketInfo, PROTO_TCP, PROTO_UDP, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST } from './decode';
import type { ConnResolver } from './owners';
import { Conn, addrText, attribute, bump, connSnapshot, newCounters } from './conn';
import type { Counters, NetIface } from './conn';
import type { ConnSnapshot, ContainerSnapshot, GroupSnapshot, IfaceSnapshot, NetSnapshot, WireTotals, WireEnd } from './net-snapshot';

export type { NetIface } from './conn';
export type { ConnSnapshot, WireTotals, WireEnd, OwnerSnapshot, GroupSnapshot, ContainerSnapshot, IfaceSnapshot, NetSnapshot } from './net-snapshot';

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
