// Collection per query (view + user filter + drill-down). Replay: each query has a QueryStore that
// collects the intervals around the time cursor, starting from the nearest checkpoint — a
// drill-down, a new filter or view at a late cursor reads only from there, never from the start
// of the capture (src/snapshot/replay-index.ts says why checkpoints and how memory is bounded).
// Stores of recent queries stay cached: drill-up and revisits show what they already hold.
// Live: the running capture feeds one aggregator, swapped when the query changes.
import { FilterError } from '../filter';
import { Aggregator } from '../snapshot/aggregator';
import { QueryStore } from '../snapshot/store';
import { Snapshot } from '../snapshot/types';
import type { UiApp } from './app';
import { LIVE_KEEP, ListStore } from './source';
import { render } from './render';
import { applyPendingSeek, setCursor } from './replay';
import { freshState } from './drill';

/** stores of this many queries are kept (their snapshots are evicted by the pool's budget) */
const CACHE_MAX = 8;
/** while collecting far from the cursor, the header (interval count) is redrawn this often at most */
const RENDER_EVERY_MS = 250;

function queryKey(app: UiApp): string {
  return JSON.stringify([app.st.viewId, app.userFilter, app.st.drill]);
}

function errorText(e: unknown): string {
  return e instanceof FilterError ? `filter error at column ${e.column}: ${e.message}` : (e as Error).message;
}

export function startCollect(app: UiApp): void {
  app.collectError = '';
  app.sortedCache = null;
  const view = app.view;
  if (app.live) return startLiveQuery(app);
  const ix = app.ix!;
  const key = queryKey(app);
  const old = app.src instanceof QueryStore ? app.src : null;
  let store = app.cache.get(key);
  if (store) {
    app.cache.delete(key);
  } else {
    try {
      // compiles the complete filter: an error is shown instead of the table
      store = new QueryStore(ix, { view, userFilter: app.userFilter, drill: app.st.drill }, app.pool);
    } catch (e) {
      app.collectError = errorText(e);
      app.src = new ListStore([], true);
      return render(app);
    }
  }
  app.cache.set(key, store);
  for (const [k, s] of app.cache) {
    if (app.cache.size <= CACHE_MAX) break;
    if (s === store) continue;
    s.detach(true);
    app.pool.forget(s);
    app.cache.delete(k);
  }
  const st = store;
  st.onChange = (s) => onStoreChange(app, st, s);
  app.src = st;
  app.pool.show(st);
  if (st.complete && app.cursor >= st.count) app.cursor = Math.max(0, st.count - 1);
  // a job from the start of the capture extends the timeline itself; otherwise the previous
  // query's job at the end of what is known goes on (later seeks find checkpoints there)
  const fromStart = ix.nearest(app.cursor) === null && !st.get(app.cursor);
  setCursor(app, app.cursor);
  if (old && old !== st) old.detach(!fromStart);
  applyPendingSeek(app);
}

function onStoreChange(app: UiApp, store: QueryStore, s: Snapshot | null): void {
  if (app.src !== store || app.destroyed) return;
  if (s) {
    if (s.index === 0) maybeStartInContainers(app, s);
    if (app.pendingSeekNs !== null) applyPendingSeek(app);
    // the shown interval (or the one playback moves to next) arrived: draw now; others only
    // change the interval count in the header
    if (s.index > app.cursor + 1 && Date.now() - app.lastRender < RENDER_EVERY_MS) return;
  }
  render(app);
}

/** Start view: Containers when the capture has containers, else Processes. */
function maybeStartInContainers(app: UiApp, snap: Snapshot): void {
  if (app.userActed || app.opts.view !== undefined || !snap.hasContainers || app.st.viewId !== 'procs' || app.stack.length) return;
  app.st = freshState('containers');
  setImmediate(() => startCollect(app));
}

/** Live: a new aggregator for the query; the running capture feeds it from now on. */
function startLiveQuery(app: UiApp): void {
  const store = new ListStore();
  let agg: Aggregator;
  try {
    agg = new Aggregator({
      view: app.view, userFilter: app.userFilter, drill: app.st.drill, intervalNs: app.delayMs * 1e6,
      onSnapshot: (s) => {
        if (app.src !== store) return;
        const dropped = store.push(s, LIVE_KEEP);
        if (dropped && app.paused) app.cursor = Math.max(0, app.cursor - dropped);
        if (!app.paused) app.cursor = store.count - 1;
        // live containers may show up only in the first intervals (cgroups of running threads,
        // Docker metadata): the start view follows until the user acts
        if (s.index < 3) maybeStartInContainers(app, s);
        render(app);
      },
    });
  } catch (e) {
    app.collectError = errorText(e);
    store.complete = true;
    app.src = store;
    if (app.feed) {
      app.feed.consumer = null;
      app.feed.clock = null;
    }
    return render(app);
  }
  store.drillNumeric = agg.drillNumeric;
  app.src = store;
  if (app.feed) {
    app.feed.consumer = (c) => agg.consume(c);
    app.feed.clock = (ts) => agg.advanceTo(ts, app.feed!.lastCtx);
  }
  app.liveAgg = agg;
}

/** Live: start the capture; the current aggregator is its consumer. */
/** how long the start-up status shows in the footer before the keys come back */
const STATUS_MS = 4000;

export async function startLive(app: UiApp): Promise<void> {
  const { LiveFeed } = await import('./live');
  const feed = new LiveFeed();
  app.feed = feed;
  feed.onStatus = (text) => {
    if (app.destroyed || (app.message && !app.messageUntil)) return; // a warning stays
    app.message = text;
    app.messageUntil = Date.now() + STATUS_MS;
    render(app);
  };
  const agg = app.liveAgg;
  if (agg && !app.collectError) {
    feed.consumer = (c) => agg.consume(c);
    feed.clock = (ts) => agg.advanceTo(ts, feed.lastCtx);
  }
  let started = false;
  feed.afterBatch = () => {
    if (!started) {
      started = true;
      render(app);
    }
  };
  const done = (msg: string) => {
    if (app.destroyed) return;
    if (app.src instanceof ListStore) app.src.complete = true;
    app.collectError = msg;
    render(app);
  };
  try {
    const r = await feed.start(app.opts);
    if (!r) done('live capture is not available (see the message below); use -r FILE to replay a capture');
    else if (r.failure) done(`live capture failed: ${(r.failure as Error).message ?? r.failure}`);
    else done(`live capture stopped${r.signal ? ` (${r.signal})` : ''}`);
  } catch (e) {
    done(`live capture failed: ${(e as Error).message}`);
  }
}
