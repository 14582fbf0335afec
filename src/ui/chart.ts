// The chart panel (c): the sort column of the top rows over the last 60 intervals up to the cursor,
// as a blessed-contrib line chart, or ASCII sparklines on terminals without line drawing (and when
// blessed-contrib refuses: too small, no canvas). Intervals not in memory are left out.
import blessed from 'blessed';
import { safeText } from '../snapshot/format';
import { SnapRow, Snapshot } from '../snapshot/types';
import { ViewDef } from '../views/types';
import type { UiApp } from './app';
import { CHART_H } from './types';
import { asciiSparkline } from './spark';

export function destroyChart(app: UiApp): void {
  app.chart?.destroy();
  app.chart = null;
  app.chartWidget = null;
}

export function drawChart(app: UiApp, rows: SnapRow[], v: ViewDef): void {
  try {
    renderChart(app, rows, v);
  } catch {
    app.chartFallback = true; // blessed-contrib refused: text sparklines
    app.chartWidget = null;
    try {
      renderChart(app, rows, v);
    } catch {
      /* no chart */
    }
  }
}

function history(app: UiApp): Snapshot[] {
  const upto = Math.min(app.cursor, app.src.count - 1);
  const out: Snapshot[] = [];
  for (let i = Math.max(0, upto - 59); i <= upto; i++) {
    const s = app.src.get(i);
    if (s) out.push(s);
  }
  return out;
}

function renderChart(app: UiApp, rows: SnapRow[], v: ViewDef): void {
  const chart = app.chart;
  if (!app.chartOn || !chart) return;
  const col = app.st.sortCol;
  const top = rows.slice(0, 4);
  const hist = history(app);
  const series = top.map((r) => ({
    title: safeText(r.key).slice(0, 20),
    y: hist.map((s) => {
      const x = s.rows.find((q) => q.key === r.key)?.cells[col];
      return typeof x === 'number' ? x : 0;
    }),
  }));
  const W = ((chart.width as number) || 80) - 2;
  const colName = v.columns[col]?.name ?? '';
  if (app.ascii || app.chartFallback || hist.length < 2) {
    if (app.chartWidget) {
      (app.chartWidget as unknown as blessed.Widgets.BoxElement).destroy();
      app.chartWidget = null;
    }
    const lines = series.map((s) => `${s.title.padEnd(20)} ${asciiSparkline(s.y, W - 22)}`);
    if (!series.length) lines.push('(no rows)');
    lines.unshift(`${colName} per interval (top rows)`);
    chart.setContent(lines.join('\n').replace(/[{}]/g, ''));
    return;
  }
  chart.setContent('');
  if (!app.chartWidget) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const contrib = require('blessed-contrib') as { line: (o: unknown) => { setData(d: unknown): void } };
    app.chartWidget = contrib.line({ top: 0, left: 0, width: '100%-2', height: CHART_H - 2, showLegend: true, legend: { width: 22 }, minY: 0, wholeNumbersOnly: false, style: { line: 'yellow', text: 'green', baseline: 'white' } });
    // appended after construction: the canvas is created on 'attach'
    chart.append(app.chartWidget as unknown as blessed.Widgets.Node);
  }
  app.screen.render(); // the line chart's canvas exists only once it has been drawn
  const colors = ['yellow', 'cyan', 'green', 'magenta'];
  app.chartWidget.setData(series.map((s, i) => ({ title: s.title, x: hist.map((h) => String(h.index + 1)), y: s.y, style: { line: colors[i % colors.length] } })));
}
