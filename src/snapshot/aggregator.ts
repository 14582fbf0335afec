// Collection side: consumes accepted events (from the EventProcessor) and publishes one immutable
// Snapshot per interval of EVENT time. It never draws; renderers only ever see published snapshots.
import { EventCtx } from '../fields/context';
import { FieldAccessor } from '../fields/types';
import { compileFilter, CompiledFilter } from '../filter';
import { Agg, ColumnDef, ViewDef } from '../views/types';
import { viewRegistry } from './fields';
import { Cell, DrillStep, SnapRow, Snapshot, Totals } from './types';
import { completeFilter } from './filter';
import { WireJoin, endKey, wireCell } from './wire';
import type { WireMetric } from '../views/types';
import { multiHost } from '../views';

interface ColAcc {
  sum: number;
  n: number;
  max: number;
  min: number;
  last: Cell;
  set: Set<string> | null;
}

interface RowAcc {
  key: string;
  group: string;
  /** the group's key in the merge: the group, per host when several hosts are merged */
  gkey: string;
  cols: ColAcc[];
  /** socket ends the row's events used (views with conn.* wire columns) */
  ends: Set<string> | null;
}

const ZERO_WIRE = { bytesIn: 0, bytesOut: 0, pktsIn: 0, pktsOut: 0, retrans: 0 };

const NUMERIC_TYPES = new Set(['int', 'bigint', 'reltime', 'abstime', 'double', 'port']);

function toNum(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function newCol(agg: Agg): ColAcc {
  return { sum: 0, n: 0, max: -Infinity, min: Infinity, last: undefined, set: agg === 'distinct' ? new Set() : null };
}

export interface AggregatorOpts {
  view: ViewDef;
  userFilter?: string;
  drill?: readonly DrillStep[];
  /** interval length in ns; 0 = one snapshot for the whole trace */
  intervalNs: number;
  onSnapshot: (s: Snapshot) => void;
  /** list views keep at most this many rows per snapshot (the newest) */
  maxListRows?: number;
  /** keep rows apart per host (default: whether the session merges several hosts, src/views) */
  perHost?: boolean;
  /** resuming from a replay checkpoint (src/snapshot/replay-index.ts): the interval the first event falls in */
  resume?: { index: number; startNs: number };
}

export class Aggregator {
  readonly view: ViewDef;
  readonly filter: CompiledFilter<EventCtx> | null;
  readonly filterText: string;
  private readonly keyAcc: FieldAccessor<EventCtx>;
  private readonly groupAcc: FieldAccessor<EventCtx> | null;
  private readonly drillAcc: FieldAccessor<EventCtx>;
  private readonly colAcc: FieldAccessor<EventCtx>[];
  private readonly aggs: Agg[];
  private readonly totalsAcc: FieldAccessor<EventCtx>[];
  /** packet counters per column (undefined: a plain column), joined at publish */
  private readonly wireCols: (WireMetric | undefined)[];
  private readonly connWire: boolean;
  private readonly wire: WireJoin | null;
  private rows = new Map<string, RowAcc>();
  private list: SnapRow[] = [];
  private index = 0;
  private startNs = -1;
  private lastNs = -1;
  private events = 0;
  private matched = 0;
  private tot = [0, 0, 0, 0];
  private readonly maxList: number;
  private finished = false;
  /** events from several hosts: rows are kept apart per host (pids, fds… are per host) */
  private readonly perHost: boolean;

  constructor(private readonly o: AggregatorOpts) {
    const reg = viewRegistry();
    const v = o.view;
    this.view = v;
    this.filterText = completeFilter(v, o.userFilter ?? '', o.drill ?? []);
    this.filter = this.filterText ? compileFilter<EventCtx>(this.filterText, reg) : null;
    this.keyAcc = reg.resolve(v.key);
    this.groupAcc = v.groupBy ? reg.resolve(v.groupBy) : null;
    this.drillAcc = reg.resolve(v.drillField ?? v.groupBy ?? v.key);
    this.colAcc = v.columns.map((c) => reg.resolve(c.field));
    this.aggs = v.columns.map((c) => c.agg ?? 'last');
    this.totalsAcc = ['evt.buflen.file.in', 'evt.buflen.file.out', 'evt.buflen.net.in', 'evt.buflen.net.out'].map((f) => reg.resolve(f));
    this.maxList = o.maxListRows ?? 5000;
    this.wireCols = v.columns.map((c) => c.wire);
    this.connWire = v.type === 'table' && this.wireCols.some((w) => w?.startsWith('conn.'));
    this.wire = v.type === 'table' && this.wireCols.some(Boolean) ? new WireJoin() : null;
    this.perHost = o.perHost ?? multiHost();
    if (o.resume) {
      this.index = o.resume.index;
      this.startNs = o.resume.startNs;
    }
  }

  /** the interval being filled: its index (the next to publish) and start (-1 before the first event) */
  get position(): { index: number; startNs: number } {
    return { index: this.index, startNs: this.startNs };
  }

  /** true when the drill field compares as a number */
  get drillNumeric(): boolean {
    return NUMERIC_TYPES.has(this.drillAcc.type);
  }

  /**
   * Time moves on without an event for this aggregator (live: the state-only events of a filtered
   * remote stream): publishes the intervals that ended before `ts`.
   */
  advanceTo(ts: number, c: EventCtx | null): void {
    if (this.startNs < 0 || this.finished) return;
    this.closeIntervals(ts, c);
  }

  private closeIntervals(ts: number, c: EventCtx | null): void {
    const iv = this.o.intervalNs;
    if (iv > 0 && ts >= this.startNs + iv) {
      // publish the finished interval, then empty ones for gaps (bounded), then jump
      let guard = 0;
      while (ts >= this.startNs + iv) {
        this.publish(c, this.startNs + iv);
        this.startNs += iv;
        if (++guard > 100 && ts >= this.startNs + iv) {
          this.startNs = ts - ((ts - this.startNs) % iv);
          break;
        }
      }
    }
  }

  consume(c: EventCtx): void {
    const ts = c.e.tsNum;
    if (this.startNs < 0) {
      this.startNs = ts;
      this.wire?.rebase(); // container rates count from the first interval's start
    }
    this.closeIntervals(ts, c);
    this.lastNs = ts;
    this.events++;
    for (let i = 0; i < 4; i++) {
      const v = this.totalsAcc[i]!.value(c);
      if (typeof v === 'number') this.tot[i]! += v;
    }
    if (this.filter && !this.filter.test(c)) return;
    const kv = this.keyAcc.value(c);
    if (kv === undefined) return;
    this.matched++;
    if (this.view.type === 'list') {
      const cells = this.colAcc.map((a, i) => this.cellOf(a, c, this.view.columns[i]!));
      this.list.push({ key: String(this.drillAcc.value(c) ?? ''), cells });
      if (this.list.length > this.maxList * 2) this.list = this.list.slice(-this.maxList);
      return;
    }
    const host = this.perHost ? (c.s.machine?.hostname ?? '') + '\u0001' : '';
    const key = host + String(kv);
    let row = this.rows.get(key);
    if (!row) {
      const g = this.drillAcc.value(c);
      const group = g === undefined ? '' : String(g);
      row = { key, group, gkey: host + group, cols: this.aggs.map(newCol), ends: null };
      this.rows.set(key, row);
    }
    if (this.connWire) {
      const k = endKey(c);
      if (k !== undefined) (row.ends ??= new Set()).add(k);
    }
    const cols = row.cols;
    const wc = this.wire ? this.wireCols : null;
    for (let i = 0; i < cols.length; i++) {
      if (wc && wc[i]) continue; // filled from the packet counters at publish
      const a = this.colAcc[i]!;
      const agg = this.aggs[i]!;
      const col = cols[i]!;
      if (agg === 'last') {
        const cell = this.cellOf(a, c, this.view.columns[i]!);
        if (cell !== undefined) col.last = cell;
        continue;
      }
      const v = a.value(c);
      if (v === undefined) continue;
      if (agg === 'distinct') {
        col.set!.add(String(v));
        continue;
      }
      const n = toNum(v);
      if (n === undefined) continue;
      col.sum += n;
      col.n++;
      if (n > col.max) col.max = n;
      if (n < col.min) col.min = n;
    }
  }

  /** The wire columns of one row: its socket ends' traffic, or its container's (key = container id). */
  private fillWire(cells: Cell[], key: string, ends: Set<string> | null, secs: number): void {
    const w = this.wire!;
    let conn: ReturnType<WireJoin['ends']> | null = null; // computed once per row: reporting consumes
    for (let i = 0; i < cells.length; i++) {
      const m = this.wireCols[i];
      if (!m) continue;
      if (m.startsWith('conn.')) {
        if (conn === null) conn = ends && w.active ? w.ends(ends) : undefined;
        cells[i] = wireCell(w.active && ends ? conn ?? ZERO_WIRE : undefined, m, secs);
      } else {
        cells[i] = wireCell(w.container(key), m, secs);
      }
    }
  }

  private cellOf(a: FieldAccessor<EventCtx>, c: EventCtx, col: ColumnDef): Cell {
    if (col.format !== 'text') {
      const n = toNum(a.value(c));
      if (n !== undefined) return n;
    }
    return a.display(c);
  }

  /** Publishes the last (partial) interval. Call once at the end of the trace. */
  finish(c: EventCtx | null): void {
    if (this.finished) return;
    this.finished = true;
    if (this.startNs < 0) {
      this.startNs = 0;
      this.lastNs = 0;
    }
    const end = this.o.intervalNs > 0 ? Math.max(this.lastNs, this.startNs) : this.lastNs;
    this.publish(c, end);
  }

  private publish(c: EventCtx | null, endNs: number): void {
    const v = this.view;
    let spanNs = endNs - this.startNs;
    if (this.o.intervalNs > 0) spanNs = this.o.intervalNs;
    const secs = spanNs > 0 ? spanNs / 1e9 : 1;
    let rows: SnapRow[];
    if (v.type === 'list') {
      rows = this.list.slice(-this.maxList);
    } else {
      const fin = (col: ColAcc, agg: Agg): Cell => {
        switch (agg) {
          case 'sum': return col.sum;
          case 'avg': return col.n ? col.sum / col.n : 0;
          case 'max': return col.n ? col.max : undefined;
          case 'min': return col.n ? col.min : undefined;
          case 'count': return col.n;
          case 'rate': return col.sum / secs;
          case 'distinct': return col.set!.size;
          default: return col.last;
        }
      };
      this.wire?.beginInterval();
      if (!this.groupAcc) {
        rows = [...this.rows.values()].map((r) => {
          const cells = r.cols.map((col, i) => fin(col, this.aggs[i]!));
          if (this.wire) this.fillWire(cells, r.group, r.ends, secs);
          return { key: r.group, cells };
        });
      } else {
        const groups = new Map<string, { key: string; cells: Cell[]; sets: (Set<string> | null)[]; n: number; ends: Set<string> | null }>();
        for (const r of this.rows.values()) {
          let g = groups.get(r.gkey);
          const vals = r.cols.map((col, i) => fin(col, this.aggs[i]!));
          if (!g) {
            g = { key: r.group, cells: vals.slice(), sets: r.cols.map((col, i) => (v.columns[i]!.groupAgg === 'distinct' && col.set ? new Set(col.set) : null)), n: 1, ends: r.ends ? new Set(r.ends) : null };
            groups.set(r.gkey, g);
            continue;
          }
          if (r.ends) for (const k of r.ends) (g.ends ??= new Set()).add(k);
          g.n++;
          for (let i = 0; i < vals.length; i++) {
            const ga = v.columns[i]!.groupAgg ?? (this.aggs[i] === 'rate' ? 'sum' : this.aggs[i]!);
            const a = g.cells[i];
            const b = vals[i];
            if (ga === 'distinct' && g.sets[i]) {
              for (const x of r.cols[i]!.set ?? []) g.sets[i]!.add(x);
              continue;
            }
            if (typeof a !== 'number' || typeof b !== 'number') {
              if (b !== undefined) g.cells[i] = b;
              continue;
            }
            switch (ga) {
              case 'sum': case 'rate': case 'count': g.cells[i] = a + b; break;
              case 'max': g.cells[i] = Math.max(a, b); break;
              case 'min': g.cells[i] = Math.min(a, b); break;
              case 'avg': g.cells[i] = a + (b - a) / g.n; break;
              default: g.cells[i] = b;
            }
          }
        }
        rows = [...groups.values()].map((g) => {
          const cells = g.cells.map((x, i) => (g.sets[i] ? g.sets[i]!.size : x));
          if (this.wire) this.fillWire(cells, g.key, g.ends, secs);
          return { key: g.key, cells };
        });
      }
      const sc = v.sortCol;
      rows.sort((a, b) => cmpCells(a.cells[sc], b.cells[sc], !!v.sortAsc) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    const s = c?.s;
    let procs = 0;
    let threads = 0;
    let hasContainers = false;
    let hasPods = false;
    if (s) {
      threads = s.threads.size;
      for (const t of s.threads.values()) {
        if (t.tid === t.pid) procs++;
        if (t.containerId) hasContainers = true;
      }
      if (s.containers.byId.size > 0) hasContainers = true;
      hasPods = !s.k8s.empty;
      if (!hasPods) for (const k of s.containers.byId.values()) if (k.k8s) { hasPods = true; break; }
    }
    const totals: Totals = Object.freeze({
      events: this.events, matched: this.matched, procs, threads,
      containers: s ? s.containers.byId.size : 0,
      fileIn: this.tot[0]!, fileOut: this.tot[1]!, netIn: this.tot[2]!, netOut: this.tot[3]!,
    });
    const snap: Snapshot = Object.freeze({
      index: this.index++,
      startNs: this.startNs,
      endNs,
      viewId: v.id,
      columns: v.columns,
      rows: Object.freeze(rows.map((r) => Object.freeze({ key: r.key, cells: Object.freeze(r.cells.slice()) }))),
      totals,
      hasContainers,
      hasPods,
    });
    this.rows = new Map();
    this.list = [];
    this.events = 0;
    this.matched = 0;
    this.tot = [0, 0, 0, 0];
    this.o.onSnapshot(snap);
  }
}

/** Sort order of two cells: numbers descending (or ascending), text ascending; missing last. */
export function cmpCells(a: Cell, b: Cell, asc: boolean): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return asc ? a - b : b - a;
  const sa = String(a);
  const sb = String(b);
  const r = sa < sb ? -1 : sa > sb ? 1 : 0;
  return typeof a === 'number' || typeof b === 'number' ? (asc ? r : -r) : r;
}
