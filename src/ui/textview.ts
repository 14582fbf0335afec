// Text screens: help and legend (fixed text), dig (F6/d: the events of the selection) and echo
// (F5/e: the I/O buffers of the selection, escaped; x switches ASCII / hex dump).
//   Replay: the events of the interval under the cursor, read by a replay job that starts at the
//   nearest checkpoint and stops after that interval (not a pass over the whole capture).
//   Live: the events of the selection as they arrive (csysdig does the same), the newest at the
//   bottom; the screen is redrawn at most every 200 ms, so a busy selection cannot flood it.
import { compileFilter } from '../filter';
import { EventCtx } from '../fields/context';
import { viewRegistry } from '../snapshot/fields';
import { completeFilter } from '../snapshot/filter';
import { runJob } from '../snapshot/replay-job';
import { SnapRow } from '../snapshot/types';
import type { UiApp } from './app';
import { render } from './render';
import { selectionStep } from './drill';
import { chunkLines, digFormatter, EchoChunk, echoChunk, isIo } from './text';

const MAX_LINES = 5000;
const LIVE_REDRAW_MS = 200;

export class TextScreen {
  title = '';
  lines: string[] = [];
  top = 0;
  /** live dig/echo: new lines arrive */
  live = false;
  /** keep the newest line in view (live, until the user scrolls up) */
  follow = false;
  /** echo: the buffers, to redraw them as hex or ASCII */
  chunks: EchoChunk[] | null = null;
  hex = false;
  stop: (() => void) | null = null;

  /** Stops whatever feeds the screen and empties it. */
  close(): void {
    this.stop?.();
    this.stop = null;
    this.lines = [];
    this.chunks = null;
    this.live = false;
    this.follow = false;
    this.hex = false;
  }
}

export function showText(app: UiApp, title: string, lines: string[]): void {
  app.text.close();
  app.mode = 'help';
  app.text.title = title;
  app.text.lines = lines;
  app.text.top = 0;
  render(app);
}

export function toggleHex(app: UiApp): void {
  const t = app.text;
  if (!t.chunks) return;
  t.hex = !t.hex;
  t.lines = t.chunks.length ? t.chunks.flatMap((c) => chunkLines(c, t.hex)) : t.lines;
  t.top = Math.min(t.top, Math.max(0, t.lines.length - 1));
  render(app);
}

export function openText(app: UiApp, kind: 'dig' | 'echo', list: SnapRow[]): void {
  const steps = [...app.st.drill];
  const step = selectionStep(app, list);
  if (step) steps.push(step);
  const filterText = completeFilter(null, app.userFilter, steps);
  const f = filterText ? compileFilter<EventCtx>(filterText, viewRegistry()) : null;
  const t = app.text;
  t.close();
  app.mode = 'text';
  t.top = 0;
  const echo = kind === 'echo';
  if (echo) t.chunks = [];
  const fmt = echo ? null : digFormatter();
  /** one event: false once the screen is full */
  const add = (c: EventCtx, out: string[]): boolean => {
    if (echo) {
      if (!isIo(c) || (f && !f.test(c))) return true;
      const ch = echoChunk(c);
      if (!ch) return true;
      t.chunks!.push(ch);
      for (const l of chunkLines(ch, t.hex)) out.push(l);
    } else {
      if (f && !f.test(c)) return true;
      const l = fmt!(c);
      if (l !== null) out.push(l);
    }
    return out.length < MAX_LINES;
  };
  const what = `${echo ? 'Echo' : 'Dig'}${app.live ? ' (live)' : ''}: ${filterText || 'all events'}`;
  if (app.live) return openLive(app, what, add);
  const k = app.cursor;
  t.title = `${what} (interval ${k + 1})`;
  t.lines = ['loading...'];
  render(app);
  const ix = app.ix;
  if (!ix) return;
  const out: string[] = [];
  let truncated = false;
  const abort = { aborted: false };
  t.stop = () => (abort.aborted = true);
  runJob(ix, {
    from: ix.nearest(k),
    abort,
    agg: { view: app.view },
    onSnapshot: () => true,
    tap: (c, index) => {
      if (index < k) return true;
      if (index > k) return false; // past the interval: done
      if (add(c, out)) return true;
      truncated = true;
      return false;
    },
  })
    .then(() => {
      if (abort.aborted) return;
      t.lines = out.length ? out : ['(no events)'];
      if (truncated) t.lines.push('... (truncated)');
      render(app);
    })
    .catch((e: unknown) => {
      if (abort.aborted) return;
      t.lines = [`error: ${(e as Error).message}`];
      render(app);
    });
}

function openLive(app: UiApp, title: string, add: (c: EventCtx, out: string[]) => boolean): void {
  const t = app.text;
  const feed = app.feed;
  t.title = title;
  t.live = true;
  t.follow = true;
  if (!feed) {
    t.lines = ['live capture has not started yet'];
    return render(app);
  }
  const waiting = '(waiting for events of the selection...)';
  t.lines = [waiting];
  let timer: NodeJS.Timeout | null = null;
  const tap = (c: EventCtx) => {
    if (t.lines.length === 1 && t.lines[0] === waiting) t.lines = [];
    add(c, t.lines);
    if (t.lines.length > MAX_LINES) {
      // keep the newest lines (dropped in blocks: one splice per many events)
      const drop = t.lines.length - MAX_LINES + 500;
      t.lines.splice(0, drop);
      if (t.chunks && t.chunks.length > MAX_LINES) t.chunks.splice(0, t.chunks.length - MAX_LINES);
      if (!t.follow) t.top = Math.max(0, t.top - drop);
    }
    timer ??= setTimeout(() => {
      timer = null;
      if (app.mode === 'text' && app.text === t) render(app);
    }, LIVE_REDRAW_MS);
  };
  feed.tap = tap;
  t.stop = () => {
    if (feed.tap === tap) feed.tap = null;
    if (timer) clearTimeout(timer);
  };
  render(app);
}
