// Joins packet counters (src/net/stats.ts, when packet capture runs in this process) to a view's
// rows, for the columns marked `wire` (src/views/types.ts):
//  * conn.*: each syscall event on a TCP/UDP socket names one socket end (protocol, local and remote
//    address:port, container); a row sums the wire traffic of the ends its events used, each end
//    from its own side (in = received by that socket), as BPS IN/OUT sum the row's reads and writes.
//    An end's traffic is reported once: each publish reports what it carried since its last report,
//    so a short connection is counted in the interval its events fall in, even if its packets were
//    decoded a little after its syscalls.
//  * container.*: what a container's interfaces carried during the interval (rx = into it).
// Bytes and packets become per-second rates of the interval; retransmissions stay counts.
import { EventCtx } from '../fields/context';
import { L4 } from '../state/fdinfo';
import { FdType } from '../scap/types';
import { activePackets } from '../net/active';
import type { NetStats, WireTotals } from '../net/stats';
import type { WireMetric } from '../views/types';
import type { Cell } from './types';

const ZERO: WireTotals = { bytesIn: 0, bytesOut: 0, pktsIn: 0, pktsOut: 0, retrans: 0 };

function minus(a: WireTotals, b: WireTotals): WireTotals {
  return { bytesIn: a.bytesIn - b.bytesIn, bytesOut: a.bytesOut - b.bytesOut, pktsIn: a.pktsIn - b.pktsIn, pktsOut: a.pktsOut - b.pktsOut, retrans: a.retrans - b.retrans };
}

/** The socket end an event uses, as "proto|lip|lport|rip|rport|container" (undefined: not a TCP/UDP connection). */
export function endKey(c: EventCtx): string | undefined {
  const f = c.s.fd;
  if (!f || (f.type !== FdType.IPV4_SOCK && f.type !== FdType.IPV6_SOCK)) return undefined;
  const proto = f.l4proto === L4.TCP ? 6 : f.l4proto === L4.UDP ? 17 : 0;
  if (proto === 0 || f.sport === 0 || f.dport === 0 || f.sip === '' || f.dip === '') return undefined;
  const t = c.s.thread;
  const cid = t ? t.mainThread().containerId || t.containerId : '';
  // the tuple reads client → server: the server's end is the destination
  return f.role === 1 ? `${proto}|${f.dip}|${f.dport}|${f.sip}|${f.sport}|${cid}` : `${proto}|${f.sip}|${f.sport}|${f.dip}|${f.dport}|${cid}`;
}

export class WireJoin {
  /** what was reported of each connection, per side */
  private readonly reported = new WeakMap<object, [WireTotals | undefined, WireTotals | undefined]>();
  private ctBase: Map<string, WireTotals>;
  private ctDelta = new Map<string, WireTotals>();
  private stats: NetStats | null;

  constructor() {
    this.stats = activePackets();
    // container rates start from what was counted before this view was opened
    this.ctBase = this.stats ? this.stats.allContainerWire() : new Map();
  }

  /** The first interval starts now: container totals count from here. */
  rebase(): void {
    this.stats = activePackets();
    this.ctBase = this.stats ? this.stats.allContainerWire() : new Map();
  }

  /** Call once per publish, before the cells: takes the containers' interval totals. */
  beginInterval(): void {
    const s = activePackets();
    if (s !== this.stats) {
      // packet capture started (or was replaced) since: its counters all belong to this interval
      this.stats = s;
      this.ctBase = new Map();
    }
    this.ctDelta = new Map();
    if (!s) return;
    const now = s.allContainerWire();
    for (const [id, t] of now) this.ctDelta.set(id, minus(t, this.ctBase.get(id) ?? ZERO));
    this.ctBase = now;
  }

  get active(): boolean {
    return this.stats !== null;
  }

  /** Wire traffic of these ends since each one's previous report (undefined when no end was seen on the wire). */
  ends(keys: Iterable<string>): WireTotals | undefined {
    const s = this.stats;
    if (!s) return undefined;
    let sum: WireTotals | undefined;
    for (const k of keys) {
      const p = k.split('|');
      const e = s.wireEnd(Number(p[0]), p[1]!, Number(p[2]), p[3]!, Number(p[4]), p[5]!);
      if (!e) continue;
      let r = this.reported.get(e.conn);
      if (!r) this.reported.set(e.conn, (r = [undefined, undefined]));
      const side = e.localIsA ? 0 : 1;
      const d = minus(e, r[side] ?? ZERO);
      r[side] = { bytesIn: e.bytesIn, bytesOut: e.bytesOut, pktsIn: e.pktsIn, pktsOut: e.pktsOut, retrans: e.retrans };
      sum = sum ? add(sum, d) : d;
    }
    return sum;
  }

  /** A container's traffic this interval (short id; 'host' for the host's interfaces). */
  container(id: string): WireTotals | undefined {
    if (!this.stats) return undefined;
    return this.ctDelta.get(id) ?? ZERO;
  }
}

function add(a: WireTotals, b: WireTotals): WireTotals {
  return { bytesIn: a.bytesIn + b.bytesIn, bytesOut: a.bytesOut + b.bytesOut, pktsIn: a.pktsIn + b.pktsIn, pktsOut: a.pktsOut + b.pktsOut, retrans: a.retrans + b.retrans };
}

/** One cell: rates for bytes and packets, counts for retransmissions. */
export function wireCell(t: WireTotals | undefined, metric: WireMetric, secs: number): Cell {
  if (!t) return undefined;
  const m = metric.slice(metric.indexOf('.') + 1) as keyof WireTotals;
  const v = t[m];
  return m === 'retrans' ? v : v / secs;
}
