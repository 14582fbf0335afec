// Replay controls: play at the -d pace (faster/slower), pause, step one interval, seek to a second.
// Moving the time cursor asks the store for that interval (and the next, so playback finds it
// ready); a missing one is collected from the nearest checkpoint while the screen says so.
import type { UiApp } from './app';
import { render } from './render';
import { QueryStore } from '../snapshot/store';

export function restartTimer(app: UiApp): void {
  if (app.timer) clearInterval(app.timer);
  app.timer = setInterval(() => tick(app), Math.max(25, app.delayMs / app.speed));
}

/** Moves the time cursor (no drawing). */
export function setCursor(app: UiApp, i: number): void {
  app.cursor = Math.max(0, i);
  const src = app.src;
  if (src instanceof QueryStore) src.cursor = app.cursor;
  src.ensure(app.cursor);
  src.ensure(app.cursor + 1);
}

function tick(app: UiApp): void {
  if (app.live) {
    // live: snapshots arrive with events; redraw the header clock and keep the cursor on the newest
    if (!app.paused && app.mode === 'table') render(app);
    return;
  }
  const src = app.src;
  // nobody is reading towards the end of the capture any more (its job was stopped): go on from here
  if (src instanceof QueryStore && !src.complete && !src.running && app.ix && !app.ix.extending) src.ensure(src.count);
  if (app.paused || app.mode === 'text') return;
  if (app.cursor < src.count - 1) {
    if (!src.get(app.cursor + 1)) return src.ensure(app.cursor + 1); // still being collected: wait
    setCursor(app, app.cursor + 1);
    render(app);
  }
}

export function togglePause(app: UiApp): void {
  app.paused = !app.paused;
  render(app);
}

export function step(app: UiApp, d: -1 | 1): void {
  app.paused = true;
  const i = app.cursor + d;
  if (i >= 0 && i < app.src.count) setCursor(app, i);
  render(app);
}

export function changeSpeed(app: UiApp, faster: boolean): void {
  app.speed = faster ? Math.min(64, app.speed * 2) : Math.max(1 / 8, app.speed / 2);
  restartTimer(app);
  render(app);
}

/** `g`: seconds from the start of the capture (+N/-N: relative to the shown interval). */
export function seek(app: UiApp, text: string): void {
  if (!text) return;
  const secs = Number(text);
  if (!Number.isFinite(secs)) {
    app.message = `not a number of seconds: ${text}`;
    return;
  }
  const first = app.src.span(0);
  const cur = app.src.span(Math.min(app.cursor, app.src.count - 1));
  if (!first || !cur) {
    app.message = 'nothing collected yet';
    return;
  }
  const rel = /^[+-]/.test(text);
  app.pendingSeekNs = Math.max(first.startNs, (rel ? cur.startNs : first.startNs) + secs * 1e9);
  app.paused = true;
  applyPendingSeek(app);
}

/** Moves to the pending seek target once the timeline reaches it. */
export function applyPendingSeek(app: UiApp): void {
  const target = app.pendingSeekNs;
  const src = app.src;
  if (target === null || !src.count) return;
  const first = src.span(0)!;
  const last = src.span(src.count - 1)!;
  if (target >= last.endNs && !src.complete) {
    setCursor(app, src.count - 1);
    src.ensure(src.count); // keep reading towards the target
    app.message = `seeking to +${((target - first.startNs) / 1e9).toFixed(1)}s (still reading the capture)...`;
    return;
  }
  app.pendingSeekNs = null;
  let i = src.indexAt(target);
  if (i < 0) {
    i = src.count - 1;
    app.message = `the capture ends at +${((last.endNs - first.startNs) / 1e9).toFixed(1)}s: showing the last interval`;
  } else app.message = `at +${((src.span(i)!.startNs - first.startNs) / 1e9).toFixed(1)}s (paused; p resumes)`;
  setCursor(app, i);
}
