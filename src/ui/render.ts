// Drawing the main screen from the snapshot under the time cursor: a 3-line header (view and
// drill-down path; source, position, time cursor and play state; filter and host totals), the
// table, and the footer (keys, a message, an input line or a question). Nothing here collects.
// Every captured string goes through safeText and blessed.escape before it reaches the screen.
import * as path from 'node:path';
import blessed from 'blessed';
import { cmpCells } from '../snapshot/aggregator';
import { completeFilter } from '../snapshot/filter';
import { humanBytes, layoutColumns, nsTime, rowLine, headerLine, safeText } from '../snapshot/format';
import { SnapRow } from '../snapshot/types';
import type { UiApp } from './app';
import { CHART_H, HEADER_H } from './types';
import { FOOTER } from './help';
import { breadcrumb } from './drill';
import { renderOverlay } from './overlay';
import { destroyChart, drawChart } from './chart';

export function tableHeight(app: UiApp): number {
  const h = (app.screen?.height as number | undefined) ?? 24;
  return Math.max(3, h - HEADER_H - footerHeight(app) - (app.chartOn ? CHART_H : 0));
}

function footerHeight(app: UiApp): number {
  return app.mode === 'filter' || app.mode === 'search' || app.mode === 'seek' || app.mode === 'prompt' ? 2 : 1;
}

export function border(): blessed.Widgets.Border {
  return { type: 'line' };
}

/** Re-lays the screen out (resize, chart on/off) and draws. */
export function layout(app: UiApp): void {
  app.table.height = tableHeight(app);
  if (app.chartOn && !app.chart) {
    app.chart = blessed.box({ parent: app.screen, bottom: 1, left: 0, width: '100%', height: CHART_H, tags: false, border: border(), label: ' top rows over time ' });
  } else if (!app.chartOn && app.chart) destroyChart(app);
  render(app);
}

/** The rows of the shown snapshot in the user's sort order (cached per snapshot and order). */
export function rows(app: UiApp): SnapRow[] {
  const snap = app.snap;
  if (!snap) return [];
  const c = app.sortedCache;
  if (c && c.snap === snap && c.col === app.st.sortCol && c.asc === app.st.sortAsc) return c.rows;
  const v = app.view;
  let list = snap.rows.slice();
  if (app.st.sortCol !== v.sortCol || app.st.sortAsc !== !!v.sortAsc || v.type === 'list') {
    const k = app.st.sortCol;
    list = list.sort((a, b) => cmpCells(a.cells[k], b.cells[k], app.st.sortAsc) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  app.sortedCache = { snap, col: app.st.sortCol, asc: app.st.sortAsc, rows: list };
  return list;
}

function headerLines(app: UiApp, W: number): string[] {
  const src = app.src;
  const n = src.count;
  const span = src.span(Math.min(app.cursor, n - 1));
  const first = src.span(0);
  const last = src.span(n - 1);
  const name = app.live ? 'live' : app.files.map((f) => path.basename(f)).join(',');
  const pos = span ? `${app.cursor + 1}/${n}${src.complete ? '' : '+'}` : '-';
  const tcur = span && first && last
    ? `${nsTime(span.startNs)} +${((span.startNs - first.startNs) / 1e9).toFixed(1)}s/${((last.endNs - first.startNs) / 1e9).toFixed(1)}s`
    : app.live ? 'starting live capture' : 'collecting';
  const state = app.live
    ? (app.paused ? 'PAUSED' : 'LIVE') + (app.feed?.drops ? ` drops ${app.feed.drops}` : '')
    : (app.paused ? 'PAUSED' : src.complete && app.cursor >= n - 1 ? 'END' : 'PLAY') + ` x${app.speed < 1 ? app.speed.toFixed(2) : app.speed}`;
  // the time cursor: where the shown interval lies in what has been collected
  let line2 = `Source: ${name} [${pos}] ${tcur} ${state}`;
  const barW = W - line2.length - 3;
  if (span && barW >= 8 && n > 1) {
    const at = Math.round((Math.min(app.cursor, n - 1) / (n - 1)) * (barW - 1));
    line2 += ` [${'-'.repeat(at)}|${'-'.repeat(barW - 1 - at)}]`;
  }
  const t = app.snap?.totals;
  const tot = t ? `Evts ${t.events} Match ${t.matched} Procs ${t.procs} Thr ${t.threads} Ctr ${t.containers} File ${humanBytes(t.fileIn)}/${humanBytes(t.fileOut)} Net ${humanBytes(t.netIn)}/${humanBytes(t.netOut)}` : '';
  const flt = completeFilter(null, app.userFilter, []);
  let line3 = flt ? `Filter: ${flt}  ${tot}` : tot;
  if (app.opts.verbose && app.ix) {
    // -v: what collection cost so far (a drill-down or seek reads from a checkpoint, not from the start)
    const ix = app.ix;
    line3 = `Debug: read ${humanBytes(ix.bytesRead)} of ${humanBytes(ix.totalBytes)}, ${ix.checkpoints.length} checkpoints ${humanBytes(ix.checkpointBytes)}, snapshots ${humanBytes(app.pool.used)}`;
  }
  return [`Viewing: ${app.view.name}  For: ${breadcrumb(app)}`, line2, line3];
}

function footerText(app: UiApp, W: number): string {
  const e = (s: string) => blessed.escape(safeText(s));
  const cut = (s: string) => (s.length > W ? s.slice(0, W) : s);
  if (app.mode === 'prompt' && app.prompt) {
    const q = safeText(app.prompt.text);
    // two lines, broken at a space when the question is wider than the screen
    let br = q.length > W ? q.lastIndexOf(' ', W) : q.length;
    if (br <= 0) br = Math.min(W, q.length);
    return `{bold}${e(q.slice(0, br))}{/bold}\n{bold}${e(q.slice(br).trimStart().slice(0, W))}{/bold}`;
  }
  if (app.mode === 'filter' || app.mode === 'search' || app.mode === 'seek') {
    const label = app.mode === 'filter' ? 'Filter: ' : app.mode === 'seek' ? 'Go to second: ' : 'Search: ';
    const text = label + app.input + '_';
    const help = app.mode === 'filter' ? 'Enter apply  Esc cancel  (sysdig filter, checked as you type)'
      : app.mode === 'seek' ? 'seconds from the start of the capture (+N/-N: from here)  Enter go  Esc cancel' : 'Enter keep  Esc cancel';
    // long input scrolls left so the cursor stays visible
    return `{bold}${e(text.length > W ? text.slice(text.length - W) : text)}{/bold}\n`
      + (app.inputError ? `{red-fg}${e(cut(app.inputError))}{/red-fg}` : e(cut(help)));
  }
  if (app.message && app.messageUntil && Date.now() >= app.messageUntil) {
    app.message = '';
    app.messageUntil = 0;
  }
  if (app.message) return e(cut(app.message));
  return e(cut(`${FOOTER}  sort:${app.view.columns[app.st.sortCol]?.name ?? ''}`));
}

export function render(app: UiApp): void {
  if (app.destroyed) return;
  app.lastRender = Date.now();
  const W = (app.screen.width as number) || 80;
  const e = (s: string) => blessed.escape(safeText(s));
  const cut = (s: string) => (s.length > W ? s.slice(0, W) : s);
  const v = app.view;
  const snap = app.snap;
  const [l1, l2, l3] = headerLines(app, W);
  app.header.setContent(`{bold}${e(cut(l1!))}{/bold}\n${e(cut(l2!))}\n${e(cut(l3!))}`);
  // table
  const th = tableHeight(app);
  const lines: string[] = [];
  const widths = layoutColumns(v.columns, W);
  lines.push(`{inverse}${e(headerLine(v.columns, widths).slice(0, W).padEnd(W))}{/inverse}`);
  const list = rows(app);
  const st = app.st;
  if (st.selKey !== null) {
    const i = list.findIndex((r) => r.key === st.selKey);
    if (i >= 0) st.sel = i;
  }
  if (st.sel >= list.length) st.sel = Math.max(0, list.length - 1);
  const vis = th - 1;
  if (st.sel < st.top) st.top = st.sel;
  if (st.sel >= st.top + vis) st.top = st.sel - vis + 1;
  if (st.top > Math.max(0, list.length - vis)) st.top = Math.max(0, list.length - vis);
  const err = app.collectError || app.src.error;
  if (err) lines.push(e(cut(err)));
  else if (!snap) lines.push(e('Collecting data...'));
  else if (!list.length) lines.push(e('(no data in this interval)'));
  for (let i = st.top; i < Math.min(list.length, st.top + vis); i++) {
    const l = e(rowLine(list[i]!.cells, v.columns, widths).slice(0, W).padEnd(W));
    lines.push(i === st.sel && app.mode !== 'picker' ? `{inverse}${l}{/inverse}` : l);
  }
  app.table.setContent(lines.join('\n'));
  app.footer.height = footerHeight(app);
  app.table.height = th;
  app.footer.setContent(footerText(app, W));
  renderOverlay(app, W);
  drawChart(app, list, v);
  app.screen.render();
}
