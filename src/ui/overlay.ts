// Screens drawn over the table: the view picker (F2/v) and the text screens (help, legend, dig,
// echo). Text lines are escaped when drawn, whatever produced them.
import blessed from 'blessed';
import { safeText } from '../snapshot/format';
import type { UiApp } from './app';
import { HEADER_H } from './types';
import { border } from './render';
import { pickerViews } from './dialogs';

export function renderOverlay(app: UiApp, W: number): void {
  const e = (s: string) => blessed.escape(safeText(s));
  if (app.mode !== 'picker' && app.mode !== 'text' && app.mode !== 'help') {
    if (app.overlay) {
      app.overlay.destroy();
      app.overlay = null;
    }
    return;
  }
  const H = (app.screen.height as number) || 24;
  if (!app.overlay) {
    app.overlay = blessed.box({ parent: app.screen, top: 0, left: 0, width: W, height: H - 1, tags: true, wrap: false, border: border() });
  }
  const o = app.overlay;
  if (app.mode === 'picker') {
    const vs = pickerViews(app);
    const w = Math.min(W, 34);
    o.left = 0;
    o.top = HEADER_H;
    o.width = w;
    o.height = Math.max(5, H - HEADER_H - 1);
    o.setLabel(' Views ');
    const inner = (o.height as number) - 2;
    const top = Math.max(0, app.pickerSel - inner + 3);
    const lines = vs.slice(top, top + inner - 2).map((x, i) => {
      const t = e(((x.id === app.st.viewId ? '*' : ' ') + x.name).padEnd(w - 2).slice(0, w - 2));
      return top + i === app.pickerSel ? `{inverse}${t}{/inverse}` : t;
    });
    lines.push('');
    lines.push(e((vs[app.pickerSel]?.description ?? '').slice(0, w - 2)));
    o.setContent(lines.join('\n'));
  } else {
    const t = app.text;
    o.left = 0;
    o.top = 0;
    o.width = W;
    o.height = H - 1;
    o.setLabel(` ${safeText(t.title).slice(0, W - 6)} `);
    const inner = H - 3;
    if (t.follow) t.top = Math.max(0, t.lines.length - inner);
    const shown = t.lines.slice(t.top, t.top + inner).map((l) => e(safeText(l).slice(0, W - 2)));
    o.setContent(shown.join('\n'));
    const keys = t.chunks ? `x ${t.hex ? 'ASCII' : 'hex'}  ` : '';
    app.footer.setContent(e(`Up/Down/PgUp/PgDn scroll  ${keys}Backspace/Esc back  q quit   ${t.top + 1}/${t.lines.length}`.slice(0, W)));
  }
  o.setFront();
}
