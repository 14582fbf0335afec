// The drill-down stack and the selection: Enter pushes the selected row as a filter step and opens
// the view's drill target, Backspace pops back to the previous view with its sort and selection.
// A new query starts collecting at the time cursor (no re-read from the start: see query.ts).
import { findView } from '../views';
import { drillFilter } from '../snapshot/filter';
import { DrillStep, SnapRow } from '../snapshot/types';
import type { UiApp } from './app';
import { ViewState } from './types';
import { startCollect } from './query';
import { render, rows, tableHeight } from './render';

export function freshState(viewId: string, drill: DrillStep[] = []): ViewState {
  const v = findView(viewId)!;
  return { viewId, drill, sortCol: v.sortCol, sortAsc: !!v.sortAsc, selKey: null, sel: 0, top: 0 };
}

/** The filter step Enter would push for the selected row (null: none). */
export function selectionStep(app: UiApp, list: SnapRow[]): DrillStep | null {
  const v = app.view;
  const row = list[app.st.sel];
  if (!row || v.type !== 'table') return null;
  return { viewId: v.id, field: v.drillField ?? v.groupBy ?? v.key, value: row.key, numeric: app.src.drillNumeric };
}

export function drillDown(app: UiApp, list: SnapRow[]): void {
  const v = app.view;
  const row = list[app.st.sel];
  if (!row || !v.drilldown || v.type === 'list' || !findView(v.drilldown)) {
    app.message = v.type === 'list' ? 'list views cannot be drilled into' : row ? 'no drill-down for this view' : 'no row selected';
    return render(app);
  }
  const step = selectionStep(app, list)!;
  app.userActed = true;
  app.stack.push(app.st);
  app.st = freshState(v.drilldown, [...app.st.drill, step]);
  startCollect(app);
  render(app);
}

export function drillUp(app: UiApp): void {
  const prev = app.stack.pop();
  if (!prev) {
    app.message = 'already at the top';
    return render(app);
  }
  app.st = prev;
  startCollect(app);
  render(app);
}

export function breadcrumb(app: UiApp): string {
  if (!app.st.drill.length) return 'whole machine';
  return app.st.drill.map((d) => `${findView(d.viewId)?.name ?? d.viewId}: ${drillFilter(d)}`).join(' > ');
}

export function moveSel(app: UiApp, d: number): void {
  const list = rows(app);
  if (!list.length) return;
  select(app, list, Math.max(0, Math.min(list.length - 1, app.st.sel + d)));
  render(app);
}

export function select(app: UiApp, list: SnapRow[], i: number): void {
  app.st.sel = i;
  app.st.selKey = list[i]?.key ?? null;
}

export function pageRows(app: UiApp): number {
  return Math.max(1, tableHeight(app) - 1);
}
