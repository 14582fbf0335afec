// Turns the metrics views' snapshots (src/metrics/views.ts, one per interval of event time, from
// the same aggregator the UI uses) into Prometheus series in a prom-client registry: counters grow
// by each interval's sums, gauges take the interval's value. The registry is what /metrics
// serves (./prometheus.ts) and what the OTLP exporter reads (./otlp.ts). Label cardinality is
// bounded per group (./cardinality.ts): top-N series plus `other`.
import * as os from 'node:os';
import { Counter, Gauge, Registry } from 'prom-client';
import { Aggregator } from '../snapshot/aggregator';
import { EventCtx } from '../fields/context';
import { Snapshot } from '../snapshot/types';
import type { StateEngine } from '../state/engine';
import { activePackets } from '../net/active';
import type { WireTotals } from '../net/stats';
import { METRIC_GROUPS, MetricGroup } from './views';
import { OTHER, SeriesLimiter } from './cardinality';
import { CgroupCpu } from './cpu';

export interface MetricsOpts {
  /** series per group (containers, process groups) before the rest folds into `other` */
  top: number;
  /** an admitted series idle for this long leaves (ms) */
  idleMs: number;
  /** aggregation interval (ms of event time) */
  intervalMs: number;
}

type Labels = Record<string, string>;

interface GroupState {
  g: MetricGroup;
  agg: Aggregator;
  limiter: SeriesLimiter;
  /** labels of each admitted series key (and of OTHER once used) */
  labels: Map<string, Labels>;
  /** per column: its metric (undefined for label columns) */
  metrics: (Counter | Gauge | undefined)[];
  labelCols: { i: number; label: string }[];
  folded: Counter;
}

export class MetricsCollector {
  readonly registry = new Registry();
  private readonly groups: GroupState[] = [];
  private ctx: EventCtx | null = null;
  private readonly events: Counter;
  private readonly drops: Counter;
  private readonly series: Gauge;
  private dropsSeen = 0;
  private readonly cpu = new CgroupCpu();
  private readonly cpuSeen = new Map<string, number>();
  /** per wire metric: the container totals it last reported */
  private readonly wireSeen = new Map<string, Map<string, WireTotals>>();

  constructor(readonly o: MetricsOpts) {
    const reg = this.registry;
    const made = new Map<string, Counter | Gauge>();
    for (const g of METRIC_GROUPS) {
      const st: GroupState = {
        g,
        agg: null as unknown as Aggregator,
        limiter: new SeriesLimiter(Math.max(1, o.top), o.idleMs),
        labels: new Map(),
        metrics: [],
        labelCols: [],
        folded: null as unknown as Counter,
      };
      g.cols.forEach((c, i) => {
        if (c.label) st.labelCols.push({ i, label: c.label });
        if (!c.metric) {
          st.metrics.push(undefined);
          return;
        }
        const name = `tsdig_${g.id}_${c.metric}`;
        let m = made.get(name);
        if (!m) {
          const cfg = { name, help: c.help ?? name, labelNames: [...g.labels, ...Object.keys(c.fixed ?? {})], registers: [reg] };
          m = c.kind === 'gauge' ? new Gauge(cfg) : new Counter(cfg);
          made.set(name, m);
        }
        st.metrics.push(m);
      });
      st.agg = new Aggregator({ view: g.view, intervalNs: o.intervalMs * 1e6, onSnapshot: (s) => this.publish(st, s) });
      this.groups.push(st);
    }
    this.events = new Counter({ name: 'tsdig_events_total', help: 'events tsdig processed', labelNames: ['host'], registers: [reg] });
    this.drops = new Counter({ name: 'tsdig_drops_total', help: 'events lost: the ring buffer was full (or the UI fell behind)', labelNames: ['host'], registers: [reg] });
    this.series = new Gauge({ name: 'tsdig_metrics_series', help: 'series keys admitted per group (the bound is --metrics-top)', labelNames: ['host', 'group'], registers: [reg] });
    for (const st of this.groups) {
      st.folded = new Counter({ name: `tsdig_${st.g.id}_folded_rows_total`, help: `${st.g.id} rows counted under "other" (no series slot left)`, labelNames: ['host'], registers: [reg] });
    }
    const self = this;
    new Counter({
      name: 'tsdig_container_cpu_seconds_total', help: 'CPU time of the container (its cgroup)', labelNames: [...METRIC_GROUPS[0]!.labels], registers: [reg],
      collect() { self.collectCpu(this); },
    });
    const wire = (name: string, help: string, dir: boolean) => new Counter({
      name, help, labelNames: [...METRIC_GROUPS[0]!.labels, ...(dir ? ['direction'] : [])], registers: [reg],
      collect() { self.collectWire(name, this); },
    });
    wire('tsdig_container_wire_bytes_total', 'bytes on the container\'s interfaces (packet capture; in = received by the container)', true);
    wire('tsdig_container_wire_packets_total', 'packets on the container\'s interfaces (packet capture)', true);
    wire('tsdig_container_wire_retransmits_total', 'TCP retransmissions on the container\'s interfaces (packet capture)', false);
  }

  /** every event the run sees (after the user's filter) */
  consume(c: EventCtx): void {
    this.ctx = c;
    for (let i = 0; i < this.groups.length; i++) this.groups[i]!.agg.consume(c);
  }

  /** the capture's drop counter (cumulative) */
  setDrops(total: number): void {
    if (total > this.dropsSeen) {
      this.drops.inc({ host: this.host() }, total - this.dropsSeen);
      this.dropsSeen = total;
    }
  }

  /** publishes the interval in progress (at the end of a run) */
  flush(): void {
    for (const st of this.groups) st.agg.finish(this.ctx);
  }

  private get engine(): StateEngine | null {
    return this.ctx?.s ?? null;
  }

  private host(): string {
    return this.engine?.machine?.hostname || os.hostname();
  }

  private otherLabels(g: MetricGroup, host: string): Labels {
    const l: Labels = { host, container: OTHER, container_id: OTHER, image: OTHER, k8s_pod: '', k8s_ns: '' };
    if (g.labels.includes('proc')) l.proc = OTHER;
    return l;
  }

  private rowLabels(st: GroupState, cells: readonly unknown[], host: string): Labels {
    const l: Labels = { host, container: '', container_id: '', image: '', k8s_pod: '', k8s_ns: '' };
    for (const { i, label } of st.labelCols) l[label] = cells[i] === undefined ? '' : String(cells[i]);
    const id = l.container_id!;
    const ct = id && id !== 'host' ? this.engine?.containers.get(id) : undefined;
    if (ct?.k8s) {
      l.k8s_pod = ct.k8s.podName;
      l.k8s_ns = ct.k8s.namespace;
    }
    return l;
  }

  private removeSeries(st: GroupState, labels: Labels): void {
    st.g.cols.forEach((c, i) => {
      const m = st.metrics[i];
      if (m) m.remove({ ...labels, ...(c.fixed ?? {}) });
    });
    if (st.g.id === 'container') this.removeContainerExtras(labels);
  }

  private removeContainerExtras(labels: Labels): void {
    for (const name of ['tsdig_container_cpu_seconds_total', 'tsdig_container_wire_bytes_total', 'tsdig_container_wire_packets_total', 'tsdig_container_wire_retransmits_total']) {
      const m = this.registry.getSingleMetric(name) as Counter | undefined;
      if (!m) continue;
      if (name.includes('bytes') || name.includes('packets')) {
        m.remove({ ...labels, direction: 'in' });
        m.remove({ ...labels, direction: 'out' });
      } else m.remove(labels);
    }
    this.cpuSeen.delete(labels.container_id!);
    for (const m of this.wireSeen.values()) m.delete(labels.container_id!);
  }

  private publish(st: GroupState, s: Snapshot): void {
    const now = Date.now();
    const host = this.host();
    const cols = st.g.cols;
    const gauges = new Map<string, number[]>();
    let folded = 0;
    for (const row of s.rows) {
      const key = st.limiter.pick(row.key, now);
      let labels: Labels;
      if (key === OTHER) {
        folded++;
        labels = st.labels.get(OTHER) ?? this.otherLabels(st.g, host);
      } else {
        labels = this.rowLabels(st, row.cells, host);
        const old = st.labels.get(key);
        if (old && !sameLabels(old, labels)) this.removeSeries(st, old); // a name Docker told us late
        else if (old) labels = old;
      }
      st.labels.set(key, labels);
      let gv = gauges.get(key);
      for (let i = 0; i < cols.length; i++) {
        const m = st.metrics[i];
        if (!m) continue;
        const v = row.cells[i];
        const n = typeof v === 'number' && Number.isFinite(v) ? v : 0;
        const l = cols[i]!.fixed ? { ...labels, ...cols[i]!.fixed } : labels;
        if (cols[i]!.kind === 'gauge') {
          if (!gv) gauges.set(key, (gv = new Array(cols.length).fill(0)));
          gv[i]! += n;
        } else (m as Counter).inc(l, n);
      }
    }
    // gauges: this interval's value; 0 for series that saw nothing
    for (const [key, labels] of st.labels) {
      const gv = gauges.get(key);
      for (let i = 0; i < cols.length; i++) {
        if (cols[i]!.kind !== 'gauge') continue;
        (st.metrics[i] as Gauge).set(cols[i]!.fixed ? { ...labels, ...cols[i]!.fixed } : labels, gv ? gv[i]! : 0);
      }
    }
    for (const k of st.limiter.evict(now)) {
      const l = st.labels.get(k);
      if (l) this.removeSeries(st, l);
      st.labels.delete(k);
    }
    if (folded) st.folded.inc({ host }, folded);
    this.series.set({ host, group: st.g.id }, st.limiter.size);
    if (st.g.id === 'container') this.events.inc({ host }, s.totals.events);
  }

  private containerLabels(id: string): Labels | undefined {
    const st = this.groups[0]!;
    return st.labels.get(id) ?? st.labels.get(OTHER);
  }

  private collectCpu(m: Counter): void {
    const e = this.engine;
    if (!e) return;
    const st = this.groups[0]!;
    const ids = [...st.labels.keys()].filter((k) => k !== OTHER && k !== 'host');
    for (const [id, secs] of this.cpu.read(e, ids)) {
      const prev = this.cpuSeen.get(id) ?? 0;
      if (secs > prev) m.inc(st.labels.get(id)!, secs - prev);
      this.cpuSeen.set(id, secs);
    }
  }

  private collectWire(name: string, m: Counter): void {
    const net = activePackets();
    if (!net) return;
    let seen = this.wireSeen.get(name);
    if (!seen) this.wireSeen.set(name, (seen = new Map()));
    for (const [id, w] of net.allContainerWire()) {
      const labels = this.containerLabels(id);
      if (!labels) continue;
      const prev = seen.get(id) ?? { bytesIn: 0, bytesOut: 0, pktsIn: 0, pktsOut: 0, retrans: 0 };
      seen.set(id, { ...w });
      if (name.endsWith('bytes_total')) {
        inc(m, { ...labels, direction: 'in' }, w.bytesIn - prev.bytesIn);
        inc(m, { ...labels, direction: 'out' }, w.bytesOut - prev.bytesOut);
      } else if (name.endsWith('packets_total')) {
        inc(m, { ...labels, direction: 'in' }, w.pktsIn - prev.pktsIn);
        inc(m, { ...labels, direction: 'out' }, w.pktsOut - prev.pktsOut);
      } else inc(m, labels, w.retrans - prev.retrans);
    }
  }
}

function inc(m: Counter, l: Labels, d: number): void {
  if (d >= 0) m.inc(l, d);
}

function sameLabels(a: Labels, b: Labels): boolean {
  for (const k in a) if (a[k] !== b[k]) return false;
  return true;
}
