// Exporting a snapshot (one interval of one view) as CSV or JSON: used by the UI's `x` key and by
// `--snapshot VIEW -j`. Numbers are exported raw (bytes, ns, bytes/s), text cells escaped with
// safeText so a captured name can never carry control bytes into a file someone later cats.
import { Cell, Snapshot } from './types';
import { safeText } from './format';

export interface ExportInfo {
  viewId: string;
  viewName: string;
  /** the complete filter (view + user + drill-down) */
  filter: string;
  /** drill-down path as shown in the header */
  path: string;
  source: string;
}

const cellValue = (c: Cell): number | string | null => (c === undefined ? null : typeof c === 'number' ? (Number.isFinite(c) ? c : null) : safeText(c));

function csvField(v: number | string | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** CSV: a header line with the column names, then one line per row (RFC 4180 quoting). */
export function snapshotCsv(s: Snapshot, rows: Snapshot['rows'] = s.rows): string {
  const out = [s.columns.map((c) => csvField(c.name)).join(',')];
  for (const r of rows) out.push(r.cells.map((c) => csvField(cellValue(c))).join(','));
  return out.join('\r\n') + '\r\n';
}

/** JSON object: what was viewed (view, filter, interval) and the rows as objects keyed by column name. */
export function snapshotJson(s: Snapshot, info: ExportInfo, rows: Snapshot['rows'] = s.rows): Record<string, unknown> {
  const names = s.columns.map((c) => c.name);
  return {
    view: info.viewId,
    viewName: info.viewName,
    path: info.path || 'whole machine',
    filter: info.filter,
    source: info.source,
    interval: { index: s.index + 1, startNs: s.startNs, endNs: s.endNs },
    totals: s.totals,
    columns: s.columns.map((c) => ({ name: c.name, field: c.field, agg: c.agg ?? 'last', format: c.format ?? 'num' })),
    rows: rows.map((r) => {
      const o: Record<string, number | string | null> = {};
      names.forEach((n, i) => (o[n] = cellValue(r.cells[i])));
      return o;
    }),
  };
}
