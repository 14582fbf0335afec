// The full-screen UI (blessed). Drawing only: snapshots come from collection, which runs
// asynchronously over the capture (replay jobs, src/snapshot/store.ts) or the live feed and
// publishes one immutable snapshot per interval of event time; the UI plays them back at the -d
// pace and renders the one under the time cursor. Keys follow csysdig, and every F-key has a letter.
//
// This file holds the UI's state, opens and closes the screen; the jobs are split by file:
//   keys.ts (key dispatch per mode), dialogs.ts (prompts, actions, export, search, picker),
//   replay.ts (play/pause/step/speed/seek), query.ts (collection per query, live start),
//   drill.ts (drill-down stack), render.ts (header, table, footer), overlay.ts (picker and text
//   screens), chart.ts (the chart panel), textview.ts (dig and echo).
import blessed from 'blessed';
import { CliOptions } from '../cli/options';
import { compileFilter } from '../filter';
import { EventCtx } from '../fields/context';
import { findView } from '../views';
import { ViewDef } from '../views/types';
import { viewRegistry } from '../snapshot/fields';
import { SnapRow, Snapshot } from '../snapshot/types';
import { Aggregator } from '../snapshot/aggregator';
import { ReplayIndex } from '../snapshot/replay-index';
import { QueryStore, SnapshotPool } from '../snapshot/store';
import type { LiveFeed } from './live';
import { ListStore, SnapSource } from './source';
import { Mode, Prompt, ViewState } from './types';
import { onKey } from './keys';
import { startCollect, startLive } from './query';
import { restartTimer } from './replay';
import { freshState } from './drill';
import { layout, render } from './render';
import { TextScreen } from './textview';

export class UiApp {
  readonly files: string[];
  readonly delayMs: number;
  readonly ascii: boolean;
  readonly live: boolean;
  readonly opts: CliOptions;
  screen!: blessed.Widgets.Screen;
  header!: blessed.Widgets.BoxElement;
  table!: blessed.Widgets.BoxElement;
  footer!: blessed.Widgets.BoxElement;
  overlay: blessed.Widgets.BoxElement | null = null;
  chart: blessed.Widgets.BoxElement | null = null;
  chartWidget: { setData(d: unknown): void } | null = null;

  // what is viewed
  st: ViewState;
  readonly stack: ViewState[] = [];
  userFilter: string;
  mode: Mode = 'table';
  input = '';
  inputError = '';
  pickerSel = 0;
  /** a snapshot showed Kubernetes pods: the picker offers the K8s views from then on */
  seenPods = false;
  /** the help, legend, dig or echo screen */
  text: TextScreen = new TextScreen();
  message = '';
  /** a status notice (not a warning) leaves the footer to the keys again at this time (ms) */
  messageUntil = 0;
  prompt: Prompt | null = null;
  pendingSeekNs: number | null = null;

  // collection
  /** the snapshots of the current query */
  src: SnapSource = new ListStore();
  /** replay: timeline and checkpoints of the capture, shared by every query */
  readonly ix: ReplayIndex | null;
  readonly pool = new SnapshotPool();
  /** replay: the stores of recent queries (drill-up and revisits find their snapshots there) */
  readonly cache = new Map<string, QueryStore>();
  feed: LiveFeed | null = null;
  /** live: the aggregator of the current query (fed by the capture) */
  liveAgg: Aggregator | null = null;
  collectError = '';
  stderrWrite: typeof process.stderr.write | null = null;

  // playback
  cursor = 0;
  paused = false;
  speed = 1;
  timer: NodeJS.Timeout | null = null;
  userActed = false;
  chartOn = false;
  chartFallback = false;
  sortedCache: { snap: Snapshot; col: number; asc: boolean; rows: SnapRow[] } | null = null;
  lastRender = 0;
  finished: ((code: number) => void) | null = null;
  destroyed = false;

  /** bench: draw on these streams; show these snapshots (or, with live, capture) instead of replaying */
  readonly bench: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; snaps?: Snapshot[]; viewId: string; live?: boolean } | null;
  /** bench: called after each key has been handled and drawn */
  onKeyDone: (() => void) | null = null;

  constructor(o: CliOptions, bench?: UiApp['bench']) {
    this.bench = bench ?? null;
    this.files = o.read;
    this.opts = o;
    this.live = o.read.length === 0 || !!bench?.live;
    this.delayMs = Math.max(100, o.delayMs);
    this.userFilter = o.filter.trim();
    const term = process.env.TERM ?? '';
    this.ascii = !!process.env.TSDIG_ASCII || /^(linux|vt1\d\d|vt2\d\d|dumb|ansi)/.test(term);
    this.ix = this.live || bench ? null : new ReplayIndex(this.files, this.delayMs * 1e6);
    this.st = freshState(bench?.viewId ?? (o.view ? findView(o.view)?.id : undefined) ?? 'procs');
  }

  get view(): ViewDef {
    return findView(this.st.viewId)!;
  }

  /** the snapshot under the time cursor (undefined while it is being collected, or while the
   *  collection of a newly chosen view has not started: never rows of one view under another's header) */
  get snap(): Snapshot | undefined {
    const s = this.src.get(this.cursor);
    return s && s.viewId === this.st.viewId ? s : undefined;
  }

  run(): Promise<number> {
    if (this.userFilter) compileFilter<EventCtx>(this.userFilter, viewRegistry()); // bad filter: CLI error before the screen opens
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: false,
      autoPadding: false,
      warnings: false,
      title: 'tsdig',
      dockBorders: false,
      forceUnicode: !this.ascii,
      ...(this.bench ? { input: this.bench.input, output: this.bench.output, terminal: 'xterm-256color' } : {}),
    } as blessed.Widgets.IScreenOptions);
    const s = this.screen;
    if (this.ascii) {
      // vt100/linux consoles: no ACS, no Unicode; blessed maps box drawing to + - |
      const tp = s.tput as unknown as { brokenACS: boolean; unicode: boolean; numbers: Record<string, unknown> };
      tp.brokenACS = true;
      tp.unicode = false;
      tp.numbers.U8 = 0;
    }
    this.header = blessed.box({ parent: s, top: 0, left: 0, width: '100%', height: 3, tags: true, wrap: false });
    this.table = blessed.box({ parent: s, top: 3, left: 0, width: '100%', height: 10, tags: true, wrap: false });
    this.footer = blessed.box({ parent: s, bottom: 0, left: 0, width: '100%', height: 1, tags: true, wrap: false });
    s.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
      try {
        onKey(this, ch, key);
      } catch (e) {
        this.message = `error: ${(e as Error).message}`;
        render(this);
      }
      this.onKeyDone?.();
    });
    s.on('resize', () => layout(this));
    // On a signal: restore the terminal, then die of the same signal with the default action.
    // (Exiting through node would re-apply the saved termios, which aborts when the tty hung up.)
    process.stdout.on('error', () => undefined);
    const onSignal = (sig: NodeJS.Signals) => {
      try {
        this.teardown();
      } catch {
        /* terminal gone */
      }
      process.removeAllListeners(sig);
      process.kill(process.pid, sig);
    };
    if (!this.bench) for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as NodeJS.Signals[]) process.once(sig, onSignal);
    process.once('uncaughtException', (e) => {
      this.teardown();
      process.stderr.write(`tsdig: ${e.stack ?? e}\n`);
      process.exit(1);
    });
    // anything written to stderr while the screen is up (warnings of the live source) goes to the footer
    if (!this.bench) this.stderrWrite = process.stderr.write;
    if (this.stderrWrite) process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
      const line = text.trim().split('\n').pop() ?? '';
      if (line) {
        this.message = line;
        this.messageUntil = 0;
        if (!this.destroyed) setImmediate(() => render(this));
      }
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      if (cb) cb();
      return true;
    }) as typeof process.stderr.write;
    if (this.bench?.snaps) {
      this.src = new ListStore(this.bench.snaps, true);
      this.paused = true;
    } else {
      if (this.live) void startLive(this);
      startCollect(this);
    }
    restartTimer(this);
    layout(this);
    return new Promise((resolve) => {
      this.finished = resolve;
    });
  }

  quit(code: number): void {
    this.teardown();
    const f = this.finished;
    this.finished = null;
    if (code !== 0) process.exit(code);
    if (this.feed) {
      // live: wait (briefly) for the capture to close before returning
      const feed = this.feed;
      const t = setTimeout(() => process.exit(code), 3000);
      void feed.done.finally(() => {
        clearTimeout(t);
        if (f) f(code);
      });
      return;
    }
    if (f) f(code);
  }

  /** Restores the terminal (normal screen, cursor, modes). Safe to call twice. */
  teardown(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const s of this.cache.values()) s.detach(false);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.text.close();
    if (this.feed) {
      this.feed.consumer = null;
      this.feed.stop();
    }
    try {
      this.screen.destroy();
    } catch {
      /* already gone */
    }
    if (this.stderrWrite) {
      process.stderr.write = this.stderrWrite;
      this.stderrWrite = null;
    }
    if (!this.bench) process.stdin.pause();
  }

  /** bench: one refresh (step to the next snapshot and draw) */
  benchRefresh(): void {
    this.cursor = (this.cursor + 1) % Math.max(1, this.src.count);
    render(this);
  }

  benchQuit(): void {
    this.quit(0);
  }
}
