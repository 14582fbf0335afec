// The reusable "group by key fields, sum a value field, show the top N" engine behind most top*
// and *_by chisels (sysdig's table_generator), and the text layout of its tables.
import type { ChiselApi, ChiselArgs, ChiselHooks, ChiselTable, ValueUnits, EventCtx, FieldAccessor } from './api';
import { DASHES, extendString, formatBytes, formatTime } from './format';

export interface TableSpec {
  /** key fields, e.g. ['proc.name', 'proc.pid'] */
  keys: string[];
  /** column headers for the keys */
  keyDescs: string[];
  /** keys/headers used instead when -pc is given */
  containerKeys?: string[];
  containerKeyDescs?: string[];
  /** the summed field (e.g. evt.rawarg.res, evt.latency, evt.count) */
  value: string;
  valueDesc: string;
  filter?: string;
  /** rows shown; 0 = all */
  top: number;
  units: ValueUnits;
}

/** Render a table the way sysdig's chisels print it. */
export function renderTable(t: ChiselTable): string {
  const W = 20;
  let out = extendString(t.value.name, W);
  for (const k of t.keys) out += extendString(k, W);
  out += '\n' + DASHES + '\n';
  for (const row of t.rows) {
    const v = row[0];
    let s: string;
    switch (t.value.units) {
      case 'bytes': s = formatBytes(v); break;
      case 'time': s = formatTime(v); break;
      case 'timepct': s = t.deltaNs > 0 ? ((v / t.deltaNs) * 100).toFixed(2) + '%' : '0.00%'; break;
      default: s = String(v);
    }
    let line = extendString(s, W);
    for (let i = 1; i < row.length; i++) {
      const k = row[i] as string;
      line += i < row.length - 1 ? extendString(k.slice(0, W), W) : k;
    }
    out += line + '\n';
  }
  return out;
}

/** Key text of a field value, as the Lua chisels concatenated it. */
export function keyText(f: FieldAccessor<EventCtx>, c: EventCtx): string | undefined {
  const v = f.value(c);
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return f.display(c);
}

export function numeric(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') { const n = Number(v); return Number.isFinite(n) ? n : 0; }
  return 0;
}

/** A sorted, cut table from an accumulator. Ties keep first-seen order. */
export function topRows(acc: Map<string, number>, top: number, nkeys: number): Array<[number, ...string[]]> {
  const entries = [...acc.entries()].sort((a, b) => b[1] - a[1]);
  const n = top > 0 ? Math.min(top, entries.length) : entries.length;
  const rows: Array<[number, ...string[]]> = [];
  for (let i = 0; i < n; i++) {
    const [k, v] = entries[i]!;
    const parts = nkeys > 1 ? k.split('\u0001\u0001') : [k];
    rows.push([v, ...parts]);
  }
  return rows;
}

/** Build the init() of a table chisel from a spec (or from a function of the args). */
export function tableChisel(spec: TableSpec | ((args: ChiselArgs) => TableSpec)): (api: ChiselApi, args: ChiselArgs) => ChiselHooks {
  return (api, args) => {
    const sp = typeof spec === 'function' ? spec(args) : spec;
    const useC = api.printContainerData() && !!sp.containerKeys;
    const keyNames = useC ? sp.containerKeys! : sp.keys;
    const keyDescs = useC ? sp.containerKeyDescs ?? sp.containerKeys! : sp.keyDescs;
    const keys = keyNames.map((k) => api.field(k));
    const value = api.field(sp.value);
    if (sp.filter) api.setFilter(sp.filter);
    let acc = new Map<string, number>();
    const nk = keys.length;
    const emit = (ts: bigint, delta: number) => {
      api.out.table({ ts, deltaNs: delta, value: { name: sp.valueDesc, units: sp.units }, keys: keyDescs, rows: topRows(acc, sp.top, nk) });
    };
    if (api.isLive()) api.setIntervalMs(1000);
    return {
      onEvent(c) {
        let key: string | undefined;
        if (nk === 1) {
          key = keyText(keys[0]!, c);
          if (key === undefined) return;
        } else {
          key = '';
          for (let i = 0; i < nk; i++) {
            const k = keyText(keys[i]!, c);
            if (k === undefined) return;
            key = i === 0 ? k : key + '\u0001\u0001' + k;
          }
        }
        const v = numeric(value.value(c));
        if (v > 0) acc.set(key, (acc.get(key) ?? 0) + v);
      },
      onInterval(ts, delta) {
        emit(ts, delta);
        acc = new Map();
      },
      captureEnd(ts, duration) {
        emit(ts, duration);
      },
    };
  };
}
