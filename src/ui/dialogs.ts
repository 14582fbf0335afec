// Footer questions and what they start: actions on the selection (F8/a: signals, docker stop and
// restart, always confirmed), export of the shown interval (x), the filter bar's validation, the
// row search and the list of views the picker offers under the current drill-down.
import * as path from 'node:path';
import { compileFilter, FilterError } from '../filter';
import { EventCtx } from '../fields/context';
import { VIEWS } from '../views';
import { ViewDef } from '../views/types';
import { viewRegistry } from '../snapshot/fields';
import { completeFilter } from '../snapshot/filter';
import { formatCell } from '../snapshot/format';
import { SnapRow } from '../snapshot/types';
import type { UiApp } from './app';
import { actionTarget, ActionTarget, currentComm, dockerAction, killProcess } from './actions';
import { exportView } from './export';
import { breadcrumb, select } from './drill';
import { render, rows } from './render';

export function ask(app: UiApp, text: string, keys: Record<string, () => void>, enter?: () => void): void {
  app.mode = 'prompt';
  app.prompt = { text, keys, enter };
  render(app);
}

export function actionMenu(app: UiApp, list: SnapRow[]): void {
  const t = actionTarget(app.view, list[app.st.sel]);
  if (typeof t === 'string') {
    app.message = t;
    return render(app);
  }
  if (t.kind === 'process') {
    const what = `pid ${t.pid}${t.label ? ` (${t.label})` : ''}`;
    const sig = (s: 'SIGTERM' | 'SIGKILL') => () => confirmKill(app, t, s);
    return ask(app, `Action on ${what}: t SIGTERM  k SIGKILL  Esc cancel`, { t: sig('SIGTERM'), k: sig('SIGKILL'), '1': sig('SIGTERM'), '9': sig('SIGKILL') });
  }
  const what = `container ${t.label || t.id.slice(0, 12)}`;
  const verb = (vb: 'stop' | 'restart') => () => ask(app, `Run docker ${vb} on ${what} (${t.id.slice(0, 12)})? y/n`, {
    y: () => {
      app.message = `docker ${vb} ${t.id.slice(0, 12)}: running...`;
      dockerAction(vb, t.id, (m) => {
        app.message = m;
        render(app);
      });
    },
    n: () => (app.message = 'cancelled'),
  });
  ask(app, `Action on ${what}: s docker stop  r docker restart  Esc cancel`, { s: verb('stop'), r: verb('restart') });
}

function confirmKill(app: UiApp, t: Extract<ActionTarget, { kind: 'process' }>, sig: 'SIGTERM' | 'SIGKILL'): void {
  const now = currentComm(t.pid);
  if (now === null) {
    app.message = `pid ${t.pid} is not running on this machine`;
    return;
  }
  const src = app.live ? '' : ' (pid from the capture)';
  ask(app, `Send ${sig} to pid ${t.pid}${src}, now running '${now}'? y/n`, {
    y: () => (app.message = killProcess(t.pid, sig)),
    n: () => (app.message = 'cancelled'),
  });
}

export function exportMenu(app: UiApp, list: SnapRow[]): void {
  const snap = app.snap;
  if (!snap) {
    app.message = 'nothing to export yet';
    return render(app);
  }
  const go = (kind: 'csv' | 'json') => () => {
    try {
      const v = app.view;
      const file = exportView(kind, snap, list, {
        viewId: v.id, viewName: v.name, path: breadcrumb(app), filter: completeFilter(v, app.userFilter, app.st.drill),
        source: app.live ? 'live' : app.files.map((f) => path.basename(f)).join(','),
      });
      app.message = `exported ${list.length} rows to ${file}`;
    } catch (e) {
      app.message = `export failed: ${(e as Error).message}`;
    }
  };
  ask(app, `Export this interval of the view to ${process.cwd()}: c/Enter CSV  j JSON  Esc cancel`, { c: go('csv'), j: go('json') }, go('csv'));
}

/** The filter bar: compiled as you type; the error names its column. */
export function validateInput(app: UiApp): void {
  app.inputError = '';
  if (!app.input.trim()) return;
  try {
    compileFilter<EventCtx>(app.input, viewRegistry());
  } catch (e) {
    if (e instanceof FilterError) app.inputError = `error at column ${e.column}: ${e.message}`;
    else app.inputError = (e as Error).message;
  }
}

export function searchRows(app: UiApp): void {
  const q = app.input.toLowerCase();
  if (!q) return;
  const list = rows(app);
  const cols = app.view.columns;
  const i = list.findIndex((r) => r.cells.some((c, j) => formatCell(c, cols[j]!.format).toLowerCase().includes(q)));
  if (i >= 0) select(app, list, i);
  app.inputError = i >= 0 ? '' : 'not found';
}

/** Views that apply under the last drill-down step (all of them when none does); K8s views once pods were seen. */
export function pickerViews(app: UiApp): ViewDef[] {
  const field = app.st.drill.length ? app.st.drill[app.st.drill.length - 1]!.field : '';
  if (app.snap?.hasPods) app.seenPods = true;
  const all = app.seenPods ? VIEWS : VIEWS.filter((v) => !v.k8s);
  const vs = all.filter((v) => v.appliesTo.includes(field));
  return vs.length ? vs : [...all];
}
