// Keys, per mode. csysdig's bindings, and a letter for every F-key (many SSH clients eat F-keys).
import blessed from 'blessed';
import type { UiApp } from './app';
import { HELP_TEXT } from './help';
import { legendLines } from './legend';
import { render, rows, layout } from './render';
import { drillDown, drillUp, freshState, moveSel, pageRows } from './drill';
import { actionMenu, exportMenu, pickerViews, searchRows, validateInput } from './dialogs';
import { changeSpeed, seek, step, togglePause } from './replay';
import { startCollect } from './query';
import { openText, showText, toggleHex } from './textview';

type Key = blessed.Widgets.Events.IKeyEventArg;

export function onKey(app: UiApp, ch: string | undefined, key: Key): void {
  const name = key?.name ?? '';
  if (key?.full === 'C-c') return app.quit(0);
  // Esc then a key, arriving in one read (fast typing, ssh, tmux): blessed reports Meta-key.
  // There is no Alt binding, so treat it as the two keys it was.
  const seq = key?.sequence ?? '';
  if (key?.meta && seq.length === 2 && seq[0] === '\x1b' && seq[1]! >= ' ' && seq[1]! <= '~') {
    onKey(app, undefined, { name: 'escape', full: 'escape', sequence: '\x1b' } as Key);
    if (app.destroyed) return;
    const c = seq[1]!;
    return onKey(app, c, { ...key, meta: false, full: key.name, sequence: c });
  }
  // the same with a function or cursor key after the Esc ("\x1b\x1b[18~": blessed reports F7 alone)
  if (seq.length > 2 && seq.startsWith('\x1b\x1b')) {
    onKey(app, undefined, { name: 'escape', full: 'escape', sequence: '\x1b' } as Key);
    if (app.destroyed) return;
    return onKey(app, ch, { ...key, meta: false, full: key.name, sequence: seq.slice(1) });
  }
  switch (app.mode) {
    case 'filter':
    case 'search':
    case 'seek':
      return onInputKey(app, ch, name);
    case 'prompt':
      return onPromptKey(app, ch, name);
    case 'picker':
      return onPickerKey(app, ch, name);
    case 'text':
    case 'help':
      return onTextKey(app, ch, name);
    default:
      return onTableKey(app, ch, name);
  }
}

function onTableKey(app: UiApp, ch: string | undefined, name: string): void {
  const list = rows(app);
  app.message = '';
  const v = app.view;
  switch (true) {
    case ch === 'q' || name === 'f10':
      return app.quit(0);
    case name === 'up':
      return moveSel(app, -1);
    case name === 'down':
      return moveSel(app, 1);
    case name === 'pageup':
      return moveSel(app, -pageRows(app));
    case name === 'pagedown':
      return moveSel(app, pageRows(app));
    case name === 'home':
      return moveSel(app, -1e9);
    case name === 'end':
      return moveSel(app, 1e9);
    case name === 'enter':
      return drillDown(app, list);
    case name === 'backspace':
      return drillUp(app);
    case name === 'f2' || ch === 'v':
      app.mode = 'picker';
      app.pickerSel = Math.max(0, pickerViews(app).findIndex((x) => x.id === app.st.viewId));
      return render(app);
    case name === 'f4' || ch === '\\':
      app.mode = 'filter';
      app.input = app.userFilter;
      validateInput(app);
      return render(app);
    case ch === '/' || name === 'C-f':
      app.mode = 'search';
      app.input = '';
      app.inputError = '';
      return render(app);
    case name === 'f9' || ch === '>':
      app.st.sortCol = (app.st.sortCol + 1) % v.columns.length;
      app.st.sortAsc = v.columns[app.st.sortCol]!.format === 'text';
      app.userActed = true;
      return render(app);
    case ch === '<':
      app.st.sortAsc = !app.st.sortAsc;
      return render(app);
    case ch !== undefined && /^[!@#$%^&*(]$/.test(ch): {
      const n = '!@#$%^&*('.indexOf(ch!);
      if (n < v.columns.length) {
        app.st.sortAsc = app.st.sortCol === n ? !app.st.sortAsc : v.columns[n]!.format === 'text';
        app.st.sortCol = n;
      }
      return render(app);
    }
    case ch === 'p':
      return togglePause(app);
    case ch === ',' || name === 'left':
      return step(app, -1);
    case ch === '.' || name === 'right':
      return step(app, 1);
    case ch === '+' || ch === '=':
      return changeSpeed(app, true);
    case ch === '-' || ch === '_':
      return changeSpeed(app, false);
    case ch === 'c':
      app.chartOn = !app.chartOn;
      return layout(app);
    case name === 'f6' || ch === 'd':
      return openText(app, 'dig', list);
    case name === 'f5' || ch === 'e':
      return openText(app, 'echo', list);
    case name === 'f7' || ch === 'l':
      return showText(app, `Legend: ${v.name}`, legendLines(v));
    case name === 'f8' || ch === 'a':
      return actionMenu(app, list);
    case ch === 'x':
      return exportMenu(app, list);
    case ch === 'g':
      if (app.live) {
        app.message = 'seek: only when replaying a capture (-r FILE)';
        return render(app);
      }
      app.mode = 'seek';
      app.input = '';
      app.inputError = '';
      return render(app);
    case name === 'f1' || ch === '?' || ch === 'h':
      return showText(app, 'Help', HELP_TEXT.split('\n'));
    default:
  }
}

function onInputKey(app: UiApp, ch: string | undefined, name: string): void {
  if (name === 'escape') {
    app.mode = 'table';
    app.input = '';
    app.inputError = '';
    return render(app);
  }
  if (name === 'enter' && app.mode === 'seek') {
    app.mode = 'table';
    seek(app, app.input.trim());
    app.input = '';
    app.inputError = '';
    return render(app);
  }
  if (name === 'enter') {
    if (app.mode === 'filter') {
      if (app.inputError) return render(app);
      app.userFilter = app.input.trim();
      app.userActed = true;
      app.mode = 'table';
      startCollect(app);
    } else {
      app.mode = 'table';
    }
    app.input = '';
    app.inputError = '';
    return render(app);
  }
  if (name === 'backspace') app.input = app.input.slice(0, -1);
  else if (ch && ch.length === 1 && ch >= ' ' && ch <= '~') app.input += ch;
  else return;
  if (app.mode === 'filter') validateInput(app);
  else if (app.mode === 'seek') app.inputError = /^[+-]?(\d+(\.\d*)?|\.\d+)?$/.test(app.input.trim()) ? '' : 'a number of seconds, e.g. 12.5 (or +5 / -5 from here)';
  else searchRows(app);
  render(app);
}

function onPromptKey(app: UiApp, ch: string | undefined, name: string): void {
  const p = app.prompt;
  const close = () => {
    app.mode = 'table';
    app.prompt = null;
  };
  if (!p || name === 'escape') {
    close();
    if (p) app.message = 'cancelled';
    return render(app);
  }
  const k = ch && ch.length === 1 ? ch.toLowerCase() : '';
  if (name === 'enter' && p.enter) {
    close();
    p.enter();
  } else if (k && p.keys[k]) {
    close();
    p.keys[k]!();
  } else return;
  render(app);
}

function onPickerKey(app: UiApp, ch: string | undefined, name: string): void {
  const vs = pickerViews(app);
  if (name === 'escape' || name === 'f2' || ch === 'v' || name === 'backspace') {
    app.mode = 'table';
    return render(app);
  }
  if (ch === 'q') return app.quit(0);
  if (name === 'up') app.pickerSel = Math.max(0, app.pickerSel - 1);
  else if (name === 'down') app.pickerSel = Math.min(vs.length - 1, app.pickerSel + 1);
  else if (name === 'home') app.pickerSel = 0;
  else if (name === 'end') app.pickerSel = vs.length - 1;
  else if (name === 'enter') {
    const v = vs[app.pickerSel];
    app.mode = 'table';
    if (v && v.id !== app.st.viewId) {
      app.userActed = true;
      app.st = freshState(v.id, app.st.drill);
      startCollect(app);
    }
  } else if (ch && /^[A-Za-z]$/.test(ch)) {
    // type-ahead: next view whose name starts with the letter
    const l = ch.toLowerCase();
    for (let k = 1; k <= vs.length; k++) {
      const i = (app.pickerSel + k) % vs.length;
      if (vs[i]!.name.toLowerCase().startsWith(l)) {
        app.pickerSel = i;
        break;
      }
    }
  }
  render(app);
}

function onTextKey(app: UiApp, ch: string | undefined, name: string): void {
  const t = app.text;
  const page = Math.max(1, ((app.screen.height as number) || 24) - 3);
  if (name === 'escape' || name === 'backspace' || (app.mode === 'help' && (ch === '?' || ch === 'l' || name === 'f1' || name === 'f7' || name === 'enter'))) {
    app.mode = 'table';
    t.close();
    return render(app);
  }
  if (ch === 'q') return app.quit(0);
  if (ch === 'x' && t.chunks) return toggleHex(app);
  if (name === 'up') t.top--;
  else if (name === 'down') t.top++;
  else if (name === 'pageup') t.top -= page;
  else if (name === 'pagedown' || ch === ' ') t.top += page;
  else if (name === 'home') t.top = 0;
  else if (name === 'end') t.top = t.lines.length;
  else return;
  t.top = Math.max(0, Math.min(t.top, t.lines.length - page));
  // live: following the newest lines while at the bottom, not after scrolling up
  t.follow = t.live && t.top >= t.lines.length - page;
  render(app);
}
