// Turning snapshots into text: cell formatting (bytes, rates, durations) and the plain-text frame
// printed by --snapshot. Everything that reaches a terminal goes through safeText().
import { timeOfDay } from '../fields/timefmt';
import { CellFormat, ColumnDef } from '../views/types';
import { Cell, Snapshot } from './types';

/** Printable ASCII only: captured names may hold control bytes or escape sequences. */
export function safeText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '.');
}

const UNITS = ['', 'K', 'M', 'G', 'T', 'P'];

export function humanBytes(n: number): string {
  if (!Number.isFinite(n)) return '0';
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const sign = n < 0 ? '-' : '';
  if (u === 0) return sign + (Number.isInteger(v) ? String(v) : v.toFixed(2));
  return sign + (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) + UNITS[u];
}

export function humanNs(ns: number): string {
  if (ns <= 0) return '0';
  if (ns < 1e3) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)}us`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)}ms`;
  return `${(ns / 1e9).toFixed(2)}s`;
}

export function formatCell(v: Cell, fmt: CellFormat | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return safeText(v);
  switch (fmt) {
    case 'bytes': case 'rate': return humanBytes(v);
    case 'ns': return humanNs(v);
    case 'pct': return v.toFixed(2);
    case 'num': return Number.isInteger(v) ? String(v) : v.toFixed(2);
    default: return safeText(String(v));
  }
}

export const isRightAligned = (c: ColumnDef): boolean => c.format !== 'text';

/** Pads/cuts a cell to its column width (numbers right-aligned, text left-aligned). */
export function fitCell(text: string, col: ColumnDef, width: number): string {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : text.slice(0, width - 1) + '~';
  return isRightAligned(col) ? text.padStart(width) : text.padEnd(width);
}

/**
 * Column widths for a total width: each column gets its own width, the last one takes what is
 * left; when that is too wide, the widest text columns shrink (down to 8, or their minWidth) until
 * the row fits; what still does not fit is cut off at the right edge.
 */
export function layoutColumns(cols: readonly ColumnDef[], total: number): number[] {
  const w = cols.map((c) => Math.max(c.width, c.name.length));
  if (w.length === 0) return w;
  const sum = () => w.reduce((a, b) => a + b, 0) + w.length - 1;
  const last = w.length - 1;
  const floor = (i: number) => Math.min(w[i]!, Math.max(8, cols[i]!.minWidth ?? 8));
  if (sum() < total) w[last] = w[last]! + (total - sum());
  while (sum() > total) {
    let best = -1;
    for (let i = 0; i < w.length; i++) {
      if (cols[i]!.format !== 'text' || w[i]! <= floor(i)) continue;
      if (best < 0 || w[i]! > w[best]! || (w[i] === w[best] && i === last)) best = i;
    }
    if (best < 0) break; // nothing shrinks further: the columns past the edge are cut off
    const f = floor(best);
    w[best] = Math.max(f, w[best]! - Math.max(1, Math.min(sum() - total, w[best]! - f)));
  }
  return w;
}

export function headerLine(cols: readonly ColumnDef[], widths: number[]): string {
  return cols.map((c, i) => fitCell(c.name, c, widths[i]!)).join(' ');
}

export function rowLine(cells: readonly Cell[], cols: readonly ColumnDef[], widths: number[]): string {
  return cols.map((c, i) => fitCell(formatCell(cells[i], c.format), c, widths[i]!)).join(' ');
}

export function nsTime(ns: number): string {
  if (ns <= 0) return '-';
  const hi = Math.floor(ns / 4294967296);
  const lo = ns - hi * 4294967296;
  return timeOfDay(hi, lo, false);
}

export interface FrameInfo {
  viewName: string;
  /** drill-down path, e.g. "curl (proc.pid=17497)" */
  path: string;
  source: string;
  filter: string;
}

/** The plain-text frame of a snapshot (no escape codes): header lines, column header, rows. */
export function renderFrame(s: Snapshot, info: FrameInfo, width = 160): string {
  // scripts get whole values: every column as wide as its widest cell
  void width;
  const widths = s.columns.map((c, i) => Math.max(c.name.length, ...s.rows.map((r) => formatCell(r.cells[i], c.format).length), 1));
  const t = s.totals;
  const out: string[] = [];
  out.push(safeText(`Viewing: ${info.viewName}  For: ${info.path || 'whole machine'}`));
  out.push(safeText(`Source: ${info.source}  Interval: ${s.index + 1} ${nsTime(s.startNs)} - ${nsTime(s.endNs)}`));
  out.push(safeText(`Filter: ${info.filter || 'none'}`));
  out.push(`Totals: evts ${t.events} matched ${t.matched} procs ${t.procs} threads ${t.threads} containers ${t.containers} file in/out ${humanBytes(t.fileIn)}/${humanBytes(t.fileOut)} net in/out ${humanBytes(t.netIn)}/${humanBytes(t.netOut)}`);
  out.push(headerLine(s.columns, widths).trimEnd());
  for (const r of s.rows) out.push(rowLine(r.cells, s.columns, widths).trimEnd());
  if (s.rows.length === 0) out.push('(no data)');
  return out.join('\n') + '\n';
}
