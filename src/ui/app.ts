// The full-screen UI (blessed). Drawing only: snapshots come from the aggregator (collection runs
// asynchronously over the capture and publishes one immutable snapshot per interval of event
// time); this module keeps them in memory, plays them back at the -d pace, and renders the one
// under the time cursor. Keys follow csysdig, and every F-key has a letter.
import * as path from 'node:path';
import blessed from 'blessed';
import { CliOptions } from '../cli/options';
import { compileFilter, FilterError } from '../filter';
import { EventCtx } from '../fields/context';
import { findView, VIEWS } from '../views';
import { ViewDef } from '../views/types';
import { Aggregator, cmpCells } from '../snapshot/aggregator';
import { Abort, collectSnapshots } from '../snapshot/collect';
import { viewRegistry } from '../snapshot/fields';
import { completeFilter, drillFilter } from '../snapshot/filter';
import { formatCell, humanBytes, layoutColumns, nsTime, rowLine, headerLine, safeText } from '../snapshot/format';
import { DrillStep, SnapRow, Snapshot } from '../snapshot/types';
import { digLines, echoLines } from './text';
import { actionTarget, ActionTarget, currentComm, dockerAction, killProcess } from './actions';
import { exportView } from './export';
import { legendLines } from './legend';
import type { LiveFeed } from './live';
import { HELP_TEXT, FOOTER } from './help';
import { asciiSparkline } from './spark';

type Mode = 'table' | 'picker' | 'filter' | 'search' | 'seek' | 'prompt' | 'text' | 'help';

/** A one-line question in the footer: each key runs its handler; Esc cancels. */
interface Prompt {
  text: string;
  keys: Record<string, () => void>;
  /** Enter does this (when set) */
  enter?: () => void;
}

/** Results of one query (view + filter + drill-down) kept so drill-up and revisits need no re-read. */
interface CacheEntry {
  snaps: Snapshot[];
  captured: number;
  agg: Aggregator;
}
const CACHE_MAX = 8;
/** live mode keeps this many intervals for stepping back */
const LIVE_KEEP = 600;

interface ViewState {
  viewId: string;
  drill: DrillStep[];
  sortCol: number;
  sortAsc: boolean;
  selKey: string | null;
  sel: number;
  top: number;
}

const HEADER_H = 3;
const CHART_H = 8;

export class UiApp {
  private readonly files: string[];
  private readonly delayMs: number;
  private readonly ascii: boolean;
  private screen!: blessed.Widgets.Screen;
  private header!: blessed.Widgets.BoxElement;
  private table!: blessed.Widgets.BoxElement;
  private footer!: blessed.Widgets.BoxElement;
  private overlay: blessed.Widgets.BoxElement | null = null;
  private chart: blessed.Widgets.BoxElement | null = null;
  private chartWidget: { setData(d: unknown): void } | null = null;

  private st: ViewState;
  private readonly stack: ViewState[] = [];
  private userFilter: string;
  private mode: Mode = 'table';
  private input = '';
  private inputError = '';
  private pickerSel = 0;
  private textLines: string[] = [];
  private textTitle = '';
  private textTop = 0;
  private message = '';
  private prompt: Prompt | null = null;
  private pendingSeekNs: number | null = null;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly live: boolean;
  private feed: LiveFeed | null = null;
  private readonly opts: CliOptions;
  private stderrWrite: typeof process.stderr.write | null = null;

  private snaps: Snapshot[] = [];
  private cursor = 0;
  private done = false;
  private collectError = '';
  private abort: Abort | null = null;
  private agg: Aggregator | null = null;
  private captured = 0;
  private paused = false;
  private speed = 1;
  private timer: NodeJS.Timeout | null = null;
  private userActed = false;
  private chartOn = false;
  private chartFallback = false;
  private sortedCache: { snap: Snapshot; col: number; asc: boolean; rows: SnapRow[] } | null = null;
  private finished: ((code: number) => void) | null = null;
  private destroyed = false;

  /** bench: draw on these streams, and show these snapshots instead of collecting any */
  private readonly bench: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; snaps: Snapshot[]; viewId: string } | null;

  constructor(o: CliOptions, bench?: UiApp['bench']) {
    this.bench = bench ?? null;
    this.files = o.read;
    this.opts = o;
    this.live = o.read.length === 0;
    this.delayMs = Math.max(100, o.delayMs);
    this.userFilter = o.filter.trim();
    const term = process.env.TERM ?? '';
    this.ascii = !!process.env.TSDIG_ASCII || /^(linux|vt1\d\d|vt2\d\d|dumb|ansi)/.test(term);
    this.st = this.freshState(bench?.viewId ?? 'procs');
  }

  private freshState(viewId: string, drill: DrillStep[] = []): ViewState {
    const v = findView(viewId)!;
    return { viewId, drill, sortCol: v.sortCol, sortAsc: !!v.sortAsc, selKey: null, sel: 0, top: 0 };
  }

  private get view(): ViewDef {
    return findView(this.st.viewId)!;
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
    this.header = blessed.box({ parent: s, top: 0, left: 0, width: '100%', height: HEADER_H, tags: true, wrap: false });
    this.table = blessed.box({ parent: s, top: HEADER_H, left: 0, width: '100%', height: this.tableHeight(), tags: true, wrap: false });
    this.footer = blessed.box({ parent: s, bottom: 0, left: 0, width: '100%', height: 1, tags: true, wrap: false });
    s.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
      try {
        this.onKey(ch, key);
      } catch (e) {
        this.message = `error: ${(e as Error).message}`;
        this.render();
      }
    });
    s.on('resize', () => this.layout());
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
        if (!this.destroyed) setImmediate(() => this.render());
      }
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      if (cb) cb();
      return true;
    }) as typeof process.stderr.write;
    if (this.bench) {
      this.snaps = this.bench.snaps;
      this.done = true;
      this.paused = true;
    } else {
      if (this.live) void this.startLive();
      this.startCollect();
    }
    this.restartTimer();
    this.render();
    return new Promise((resolve) => {
      this.finished = resolve;
    });
  }

  // ---- collection ---------------------------------------------------------------------------

  private queryKey(): string {
    return JSON.stringify([this.st.viewId, this.userFilter, this.st.drill]);
  }

  private startCollect(): void {
    if (this.abort) this.abort.aborted = true;
    const abort: Abort = { aborted: false };
    this.abort = abort;
    this.snaps = [];
    this.done = false;
    this.collectError = '';
    this.sortedCache = null;
    const view = this.view;
    const key = this.queryKey();
    const cached = this.live ? undefined : this.cache.get(key);
    if (cached) {
      // drill-up, or back to a view already collected: no re-read
      this.cache.delete(key);
      this.cache.set(key, cached);
      this.snaps = cached.snaps;
      this.agg = cached.agg;
      this.captured = cached.captured;
      this.done = true;
      if (this.cursor >= this.snaps.length) this.cursor = Math.max(0, this.snaps.length - 1);
      this.applyPendingSeek();
      return;
    }
    const snaps: Snapshot[] = [];
    this.snaps = snaps;
    const opts = { view, userFilter: this.userFilter, drill: this.st.drill, intervalNs: this.delayMs * 1e6, onSnapshot: (snap: Snapshot) => {
      if (abort.aborted) return;
      snaps.push(snap);
      if (this.live) {
        if (snaps.length > LIVE_KEEP) {
          snaps.splice(0, snaps.length - LIVE_KEEP);
          if (this.paused) this.cursor = Math.max(0, this.cursor - 1);
        }
        if (!this.paused) this.cursor = snaps.length - 1;
        this.render();
        return;
      }
      if (snap.index === 0) this.maybeStartInContainers(snap);
      if (this.pendingSeekNs !== null) this.applyPendingSeek();
      if (snap.index <= this.cursor || snaps.length === 1) this.render();
    } };
    let agg: Aggregator;
    try {
      // compiles the complete filter: an error is shown instead of the table
      agg = new Aggregator(opts);
      this.agg = agg;
    } catch (e) {
      this.collectError = e instanceof FilterError ? `filter error at column ${e.column}: ${e.message}` : (e as Error).message;
      this.done = true;
      if (this.feed) this.feed.consumer = null;
      this.render();
      return;
    }
    if (this.live) {
      // live: the running capture feeds the new aggregator from now on
      if (this.feed) this.feed.consumer = (c) => agg.consume(c);
      return;
    }
    // collection runs on its own; the aggregator is fed by the processor, never by drawing
    collectSnapshots(this.files, opts, abort)
      .then((r) => {
        if (abort.aborted) return;
        this.agg = r.agg;
        this.captured = r.captured;
        this.done = true;
        this.cache.set(key, { snaps, captured: r.captured, agg: r.agg });
        while (this.cache.size > CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
        if (this.cursor >= this.snaps.length) this.cursor = Math.max(0, this.snaps.length - 1);
        this.applyPendingSeek();
        this.render();
      })
      .catch((e) => {
        if (abort.aborted) return;
        this.collectError = (e as Error).message;
        this.done = true;
        this.render();
      });
  }

  /** Live: start the capture; the current aggregator is its consumer. */
  private async startLive(): Promise<void> {
    const { LiveFeed } = await import('./live');
    const feed = new LiveFeed();
    this.feed = feed;
    if (this.agg && !this.collectError) {
      const agg = this.agg;
      feed.consumer = (c) => agg.consume(c);
    }
    let started = false;
    feed.afterBatch = () => {
      if (!started) {
        started = true;
        this.render();
      }
    };
    try {
      const r = await feed.start(this.opts);
      if (this.destroyed) return;
      this.done = true;
      if (!r) this.collectError = 'live capture is not available (see the message below); use -r FILE to replay a capture';
      else if (r.failure) this.collectError = `live capture failed: ${(r.failure as Error).message ?? r.failure}`;
      else this.collectError = `live capture stopped${r.signal ? ` (${r.signal})` : ''}`;
    } catch (e) {
      if (this.destroyed) return;
      this.done = true;
      this.collectError = `live capture failed: ${(e as Error).message}`;
    }
    this.render();
  }

  /** Start view: Containers when the capture has containers, else Processes. */
  private maybeStartInContainers(snap: Snapshot): void {
    if (this.userActed || !snap.hasContainers || this.st.viewId !== 'procs' || this.stack.length) return;
    this.st = this.freshState('containers');
    setImmediate(() => this.startCollect());
  }

  private restartTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), Math.max(25, this.delayMs / this.speed));
  }

  private tick(): void {
    if (this.live) {
      // live: snapshots arrive with events; redraw the header clock and keep the cursor on the newest
      if (!this.paused && this.mode === 'table') this.render();
      return;
    }
    if (this.paused || this.mode === 'text') return;
    if (this.cursor < this.snaps.length - 1) {
      this.cursor++;
      this.render();
    }
  }

  // ---- keys ---------------------------------------------------------------------------------

  private onKey(ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg): void {
    const name = key?.name ?? '';
    if (key?.full === 'C-c') return this.quit(0);
    // Esc then a key, arriving in one read (fast typing, ssh, tmux): blessed reports Meta-key.
    // There is no Alt binding, so treat it as the two keys it was.
    const seq = key?.sequence ?? '';
    if (key?.meta && seq.length === 2 && seq[0] === '\x1b' && seq[1]! >= ' ' && seq[1]! <= '~') {
      this.onKey(undefined, { name: 'escape', full: 'escape', sequence: '\x1b' } as blessed.Widgets.Events.IKeyEventArg);
      if (this.destroyed) return;
      const c = seq[1]!;
      return this.onKey(c, { ...key, meta: false, full: key.name, sequence: c });
    }
    switch (this.mode) {
      case 'filter':
      case 'search':
      case 'seek':
        return this.onInputKey(ch, name);
      case 'prompt':
        return this.onPromptKey(ch, name);
      case 'picker':
        return this.onPickerKey(ch, name);
      case 'text':
      case 'help':
        return this.onTextKey(ch, name);
      default:
        return this.onTableKey(ch, name);
    }
  }

  private onTableKey(ch: string | undefined, name: string): void {
    const rows = this.rows();
    this.message = '';
    switch (true) {
      case ch === 'q' || name === 'f10':
        return this.quit(0);
      case name === 'up':
        return this.moveSel(-1);
      case name === 'down':
        return this.moveSel(1);
      case name === 'pageup':
        return this.moveSel(-this.pageRows());
      case name === 'pagedown':
        return this.moveSel(this.pageRows());
      case name === 'home':
        return this.moveSel(-1e9);
      case name === 'end':
        return this.moveSel(1e9);
      case name === 'enter':
        return this.drillDown(rows);
      case name === 'backspace':
        return this.drillUp();
      case name === 'f2' || ch === 'v':
        this.mode = 'picker';
        this.pickerSel = Math.max(0, this.pickerViews().findIndex((v) => v.id === this.st.viewId));
        return this.render();
      case name === 'f4' || ch === '\\':
        this.mode = 'filter';
        this.input = this.userFilter;
        this.validateInput();
        return this.render();
      case ch === '/' || name === 'C-f':
        this.mode = 'search';
        this.input = '';
        this.inputError = '';
        return this.render();
      case name === 'f9' || ch === '>':
        this.st.sortCol = (this.st.sortCol + 1) % this.view.columns.length;
        this.st.sortAsc = this.view.columns[this.st.sortCol]!.format === 'text';
        this.userActed = true;
        return this.render();
      case ch === '<':
        this.st.sortAsc = !this.st.sortAsc;
        return this.render();
      case ch !== undefined && /^[!@#$%^&*(]$/.test(ch): {
        const n = '!@#$%^&*('.indexOf(ch!);
        if (n < this.view.columns.length) {
          this.st.sortAsc = this.st.sortCol === n ? !this.st.sortAsc : this.view.columns[n]!.format === 'text';
          this.st.sortCol = n;
        }
        return this.render();
      }
      case ch === 'p':
        this.paused = !this.paused;
        return this.render();
      case ch === ',' || name === 'left':
        this.paused = true;
        if (this.cursor > 0) this.cursor--;
        return this.render();
      case ch === '.' || name === 'right':
        this.paused = true;
        if (this.cursor < this.snaps.length - 1) this.cursor++;
        return this.render();
      case ch === '+' || ch === '=':
        this.speed = Math.min(64, this.speed * 2);
        this.restartTimer();
        return this.render();
      case ch === '-' || ch === '_':
        this.speed = Math.max(1 / 8, this.speed / 2);
        this.restartTimer();
        return this.render();
      case ch === 'c':
        this.chartOn = !this.chartOn;
        return this.layout();
      case name === 'f6' || ch === 'd':
        return void this.openText('dig', rows);
      case name === 'f5' || ch === 'e':
        return void this.openText('echo', rows);
      case name === 'f7' || ch === 'l':
        this.mode = 'help';
        this.textTitle = `Legend: ${this.view.name}`;
        this.textLines = legendLines(this.view);
        this.textTop = 0;
        return this.render();
      case name === 'f8' || ch === 'a':
        return this.actionMenu(rows);
      case ch === 'x':
        return this.exportMenu(rows);
      case ch === 'g':
        if (this.live) {
          this.message = 'seek: only when replaying a capture (-r FILE)';
          return this.render();
        }
        this.mode = 'seek';
        this.input = '';
        this.inputError = '';
        return this.render();
      case name === 'f1' || ch === '?' || ch === 'h':
        this.mode = 'help';
        this.textTitle = 'Help';
        this.textLines = HELP_TEXT.split('\n');
        this.textTop = 0;
        return this.render();
      default:
    }
  }

  private onInputKey(ch: string | undefined, name: string): void {
    if (name === 'escape') {
      this.mode = 'table';
      this.input = '';
      this.inputError = '';
      return this.render();
    }
    if (name === 'enter' && this.mode === 'seek') {
      this.mode = 'table';
      this.seek(this.input.trim());
      this.input = '';
      this.inputError = '';
      return this.render();
    }
    if (name === 'enter') {
      if (this.mode === 'filter') {
        if (this.inputError) return this.render();
        this.userFilter = this.input.trim();
        this.userActed = true;
        this.mode = 'table';
        this.startCollect();
      } else {
        this.mode = 'table';
      }
      this.input = '';
      this.inputError = '';
      return this.render();
    }
    if (name === 'backspace') this.input = this.input.slice(0, -1);
    else if (ch && ch.length === 1 && ch >= ' ' && ch <= '~') this.input += ch;
    else return;
    if (this.mode === 'filter') this.validateInput();
    else if (this.mode === 'seek') this.inputError = /^[+-]?(\d+(\.\d*)?|\.\d+)?$/.test(this.input.trim()) ? '' : 'a number of seconds, e.g. 12.5 (or +5 / -5 from here)';
    else this.searchRows();
    this.render();
  }

  // ---- seek, prompts, actions, export -------------------------------------------------------

  /** `g`: seconds from the start of the capture (+N/-N: relative to the shown interval). */
  private seek(text: string): void {
    if (!text) return;
    const secs = Number(text);
    if (!Number.isFinite(secs)) {
      this.message = `not a number of seconds: ${text}`;
      return;
    }
    const first = this.snaps[0];
    const cur = this.snaps[Math.min(this.cursor, this.snaps.length - 1)];
    if (!first || !cur) {
      this.message = 'nothing collected yet';
      return;
    }
    const rel = /^[+-]/.test(text);
    this.pendingSeekNs = Math.max(first.startNs, (rel ? cur.startNs : first.startNs) + secs * 1e9);
    this.paused = true;
    this.applyPendingSeek();
  }

  private applyPendingSeek(): void {
    const target = this.pendingSeekNs;
    if (target === null || !this.snaps.length) return;
    const last = this.snaps[this.snaps.length - 1]!;
    if (target >= last.endNs && !this.done) {
      this.cursor = this.snaps.length - 1;
      this.message = `seeking to +${((target - this.snaps[0]!.startNs) / 1e9).toFixed(1)}s (still reading the capture)...`;
      return;
    }
    this.pendingSeekNs = null;
    let i = this.snaps.findIndex((sn) => sn.endNs > target);
    if (i < 0) {
      i = this.snaps.length - 1;
      this.message = `the capture ends at +${((last.endNs - this.snaps[0]!.startNs) / 1e9).toFixed(1)}s: showing the last interval`;
    } else this.message = `at +${((this.snaps[i]!.startNs - this.snaps[0]!.startNs) / 1e9).toFixed(1)}s (paused; p resumes)`;
    this.cursor = i;
  }

  private ask(text: string, keys: Record<string, () => void>, enter?: () => void): void {
    this.mode = 'prompt';
    this.prompt = { text, keys, enter };
    this.render();
  }

  private onPromptKey(ch: string | undefined, name: string): void {
    const p = this.prompt;
    const close = () => {
      this.mode = 'table';
      this.prompt = null;
    };
    if (!p || name === 'escape') {
      close();
      if (p) this.message = 'cancelled';
      return this.render();
    }
    const k = ch && ch.length === 1 ? ch.toLowerCase() : '';
    if (name === 'enter' && p.enter) {
      close();
      p.enter();
    } else if (k && p.keys[k]) {
      close();
      p.keys[k]!();
    } else return;
    this.render();
  }

  private actionMenu(rows: SnapRow[]): void {
    const t = actionTarget(this.view, rows[this.st.sel]);
    if (typeof t === 'string') {
      this.message = t;
      return this.render();
    }
    if (t.kind === 'process') {
      const what = `pid ${t.pid}${t.label ? ` (${t.label})` : ''}`;
      const sig = (s: 'SIGTERM' | 'SIGKILL') => () => this.confirmKill(t, s);
      return this.ask(`Action on ${what}: t SIGTERM  k SIGKILL  Esc cancel`, { t: sig('SIGTERM'), k: sig('SIGKILL'), '1': sig('SIGTERM'), '9': sig('SIGKILL') });
    }
    const what = `container ${t.label || t.id.slice(0, 12)}`;
    const verb = (vb: 'stop' | 'restart') => () => this.ask(`Run docker ${vb} on ${what} (${t.id.slice(0, 12)})? y/n`, {
      y: () => {
        this.message = `docker ${vb} ${t.id.slice(0, 12)}: running...`;
        dockerAction(vb, t.id, (m) => {
          this.message = m;
          this.render();
        });
      },
      n: () => (this.message = 'cancelled'),
    });
    this.ask(`Action on ${what}: s docker stop  r docker restart  Esc cancel`, { s: verb('stop'), r: verb('restart') });
  }

  private confirmKill(t: Extract<ActionTarget, { kind: 'process' }>, sig: 'SIGTERM' | 'SIGKILL'): void {
    const now = currentComm(t.pid);
    if (now === null) {
      this.message = `pid ${t.pid} is not running on this machine`;
      return;
    }
    const src = this.live ? '' : ' (pid from the capture)';
    this.ask(`Send ${sig} to pid ${t.pid}${src}, now running '${now}'? y/n`, {
      y: () => (this.message = killProcess(t.pid, sig)),
      n: () => (this.message = 'cancelled'),
    });
  }

  private exportMenu(rows: SnapRow[]): void {
    const snap = this.snaps[Math.min(this.cursor, this.snaps.length - 1)];
    if (!snap) {
      this.message = 'nothing to export yet';
      return this.render();
    }
    const go = (kind: 'csv' | 'json') => () => {
      try {
        const v = this.view;
        const file = exportView(kind, snap, rows, {
          viewId: v.id, viewName: v.name, path: this.breadcrumb(), filter: completeFilter(v, this.userFilter, this.st.drill),
          source: this.live ? 'live' : this.files.map((f) => path.basename(f)).join(','),
        });
        this.message = `exported ${rows.length} rows to ${file}`;
      } catch (e) {
        this.message = `export failed: ${(e as Error).message}`;
      }
    };
    this.ask(`Export this interval of the view to ${process.cwd()}: c/Enter CSV  j JSON  Esc cancel`, { c: go('csv'), j: go('json') }, go('csv'));
  }

  private validateInput(): void {
    this.inputError = '';
    if (!this.input.trim()) return;
    try {
      compileFilter<EventCtx>(this.input, viewRegistry());
    } catch (e) {
      if (e instanceof FilterError) this.inputError = `error at column ${e.column}: ${e.message}`;
      else this.inputError = (e as Error).message;
    }
  }

  private searchRows(): void {
    const q = this.input.toLowerCase();
    if (!q) return;
    const rows = this.rows();
    const cols = this.view.columns;
    const i = rows.findIndex((r) => r.cells.some((c, j) => formatCell(c, cols[j]!.format).toLowerCase().includes(q)));
    if (i >= 0) this.select(rows, i);
    this.inputError = i >= 0 ? '' : 'not found';
  }

  private pickerViews(): ViewDef[] {
    const field = this.st.drill.length ? this.st.drill[this.st.drill.length - 1]!.field : '';
    const vs = VIEWS.filter((v) => v.appliesTo.includes(field));
    return vs.length ? vs : [...VIEWS];
  }

  private onPickerKey(ch: string | undefined, name: string): void {
    const vs = this.pickerViews();
    if (name === 'escape' || name === 'f2' || ch === 'v' || name === 'backspace') {
      this.mode = 'table';
      return this.render();
    }
    if (ch === 'q') return this.quit(0);
    if (name === 'up') this.pickerSel = Math.max(0, this.pickerSel - 1);
    else if (name === 'down') this.pickerSel = Math.min(vs.length - 1, this.pickerSel + 1);
    else if (name === 'home') this.pickerSel = 0;
    else if (name === 'end') this.pickerSel = vs.length - 1;
    else if (name === 'enter') {
      const v = vs[this.pickerSel];
      this.mode = 'table';
      if (v && v.id !== this.st.viewId) {
        this.userActed = true;
        const drill = this.st.drill;
        this.st = this.freshState(v.id, drill);
        this.startCollect();
      }
    } else if (ch && /^[A-Za-z]$/.test(ch)) {
      // type-ahead: next view whose name starts with the letter
      const l = ch.toLowerCase();
      for (let k = 1; k <= vs.length; k++) {
        const i = (this.pickerSel + k) % vs.length;
        if (vs[i]!.name.toLowerCase().startsWith(l)) {
          this.pickerSel = i;
          break;
        }
      }
    }
    this.render();
  }

  private onTextKey(ch: string | undefined, name: string): void {
    const page = Math.max(1, ((this.screen.height as number) || 24) - 3);
    if (name === 'escape' || name === 'backspace' || (this.mode === 'help' && (ch === '?' || ch === 'l' || name === 'f1' || name === 'f7' || name === 'enter'))) {
      this.mode = 'table';
      this.textLines = [];
      return this.render();
    }
    if (ch === 'q') return this.quit(0);
    if (name === 'up') this.textTop--;
    else if (name === 'down') this.textTop++;
    else if (name === 'pageup') this.textTop -= page;
    else if (name === 'pagedown' || ch === ' ') this.textTop += page;
    else if (name === 'home') this.textTop = 0;
    else if (name === 'end') this.textTop = this.textLines.length;
    else return;
    this.textTop = Math.max(0, Math.min(this.textTop, this.textLines.length - page));
    this.render();
  }

  // ---- navigation ---------------------------------------------------------------------------

  private drillDown(rows: SnapRow[]): void {
    const v = this.view;
    const row = rows[this.st.sel];
    if (!row || !v.drilldown || v.type === 'list' || !findView(v.drilldown)) {
      this.message = v.type === 'list' ? 'list views cannot be drilled into' : row ? 'no drill-down for this view' : 'no row selected';
      return this.render();
    }
    const field = v.drillField ?? v.groupBy ?? v.key;
    const step: DrillStep = { viewId: v.id, field, value: row.key, numeric: this.agg?.drillNumeric ?? false };
    this.userActed = true;
    this.stack.push(this.st);
    this.st = this.freshState(v.drilldown, [...this.st.drill, step]);
    this.startCollect();
    this.render();
  }

  private drillUp(): void {
    const prev = this.stack.pop();
    if (!prev) {
      this.message = 'already at the top';
      return this.render();
    }
    this.st = prev;
    this.startCollect();
    this.render();
  }

  private moveSel(d: number): void {
    const rows = this.rows();
    if (!rows.length) return;
    this.select(rows, Math.max(0, Math.min(rows.length - 1, this.st.sel + d)));
    this.render();
  }

  private select(rows: SnapRow[], i: number): void {
    this.st.sel = i;
    this.st.selKey = rows[i]?.key ?? null;
  }

  private pageRows(): number {
    return Math.max(1, this.tableHeight() - 1);
  }

  private async openText(kind: 'dig' | 'echo', rows: SnapRow[]): Promise<void> {
    if (this.live) {
      this.message = `${kind}: only when replaying a capture (write one with -w, then -r it)`;
      return this.render();
    }
    const v = this.view;
    const row = rows[this.st.sel];
    const steps = [...this.st.drill];
    if (row && v.type === 'table') steps.push({ viewId: v.id, field: v.drillField ?? v.groupBy ?? v.key, value: row.key, numeric: this.agg?.drillNumeric ?? false });
    const filter = completeFilter(null, this.userFilter, steps);
    const snap = this.snaps[this.cursor];
    const range = snap ? { from: snap.startNs, to: snap.endNs } : undefined;
    this.mode = 'text';
    this.textTitle = `${kind === 'dig' ? 'Dig' : 'Echo'}: ${filter || 'all events'} (interval ${this.cursor + 1})`;
    this.textLines = ['loading...'];
    this.textTop = 0;
    this.render();
    try {
      const r = kind === 'dig' ? await digLines(this.files, filter, range) : await echoLines(this.files, filter, range);
      if (this.mode !== 'text') return;
      this.textLines = r.lines.length ? r.lines : ['(no events)'];
      if (r.truncated) this.textLines.push('... (truncated)');
    } catch (e) {
      this.textLines = [`error: ${(e as Error).message}`];
    }
    this.render();
  }

  /** bench: one refresh (step to the next snapshot and draw) */
  benchRefresh(): void {
    this.cursor = (this.cursor + 1) % Math.max(1, this.snaps.length);
    this.render();
  }

  benchQuit(): void {
    this.quit(0);
  }

  private quit(code: number): void {
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
  private teardown(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.abort) this.abort.aborted = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
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
    process.stdin.pause();
  }

  // ---- drawing ------------------------------------------------------------------------------

  private tableHeight(): number {
    const h = (this.screen?.height as number | undefined) ?? 24;
    return Math.max(3, h - HEADER_H - this.footerHeight() - (this.chartOn ? CHART_H : 0));
  }

  private footerHeight(): number {
    return this.mode === 'filter' || this.mode === 'search' || this.mode === 'seek' || this.mode === 'prompt' ? 2 : 1;
  }

  private layout(): void {
    this.table.height = this.tableHeight();
    if (this.chartOn && !this.chart) {
      this.chart = blessed.box({ parent: this.screen, bottom: 1, left: 0, width: '100%', height: CHART_H, tags: false, border: this.border(), label: ' top rows over time ' });
    } else if (!this.chartOn && this.chart) {
      this.chart.destroy();
      this.chart = null;
      this.chartWidget = null;
    }
    this.render();
  }

  private border(): blessed.Widgets.Border {
    return { type: 'line' };
  }

  private rows(): SnapRow[] {
    const snap = this.snaps[Math.min(this.cursor, this.snaps.length - 1)];
    if (!snap) return [];
    const c = this.sortedCache;
    if (c && c.snap === snap && c.col === this.st.sortCol && c.asc === this.st.sortAsc) return c.rows;
    const v = this.view;
    let rows = snap.rows.slice();
    if (this.st.sortCol !== v.sortCol || this.st.sortAsc !== !!v.sortAsc || v.type === 'list') {
      const k = this.st.sortCol;
      rows = rows.sort((a, b) => cmpCells(a.cells[k], b.cells[k], this.st.sortAsc) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    this.sortedCache = { snap, col: this.st.sortCol, asc: this.st.sortAsc, rows };
    return rows;
  }

  private breadcrumb(): string {
    if (!this.st.drill.length) return 'whole machine';
    return this.st.drill.map((d) => `${findView(d.viewId)?.name ?? d.viewId}: ${drillFilter(d)}`).join(' > ');
  }

  private render(): void {
    if (this.destroyed) return;
    const W = (this.screen.width as number) || 80;
    const e = (s: string) => blessed.escape(safeText(s));
    const cut = (s: string) => (s.length > W ? s.slice(0, W) : s);
    const v = this.view;
    const snap = this.snaps[Math.min(this.cursor, this.snaps.length - 1)];
    // header
    const src = this.live ? 'live' : this.files.map((f) => path.basename(f)).join(',');
    const first = this.snaps[0];
    const lastSnap = this.snaps[this.snaps.length - 1];
    const pos = snap ? `${this.cursor + 1}/${this.snaps.length}${this.done ? '' : '+'}` : '-';
    const tcur = snap ? `${nsTime(snap.startNs)} +${((snap.startNs - first!.startNs) / 1e9).toFixed(1)}s/${((lastSnap!.endNs - first!.startNs) / 1e9).toFixed(1)}s` : this.live ? 'starting live capture' : 'collecting';
    const state = this.live
      ? (this.paused ? 'PAUSED' : 'LIVE') + (this.feed?.drops ? ` drops ${this.feed.drops}` : '')
      : (this.paused ? 'PAUSED' : this.done && this.cursor >= this.snaps.length - 1 ? 'END' : 'PLAY') + ` x${this.speed < 1 ? this.speed.toFixed(2) : this.speed}`;
    // the time cursor: where the shown interval lies in what has been collected
    let line2 = `Source: ${src} [${pos}] ${tcur} ${state}`;
    const barW = W - line2.length - 3;
    if (snap && barW >= 8 && this.snaps.length > 1) {
      const at = Math.round((this.cursor / (this.snaps.length - 1)) * (barW - 1));
      line2 += ` [${'-'.repeat(at)}|${'-'.repeat(barW - 1 - at)}]`;
    }
    const t = snap?.totals;
    const tot = t ? `Evts ${t.events} Match ${t.matched} Procs ${t.procs} Thr ${t.threads} Ctr ${t.containers} File ${humanBytes(t.fileIn)}/${humanBytes(t.fileOut)} Net ${humanBytes(t.netIn)}/${humanBytes(t.netOut)}` : '';
    const flt = completeFilter(null, this.userFilter, []);
    this.header.setContent([
      `{bold}${e(cut(`Viewing: ${v.name}  For: ${this.breadcrumb()}`))}{/bold}`,
      e(cut(line2)),
      e(cut(flt ? `Filter: ${flt}  ${tot}` : tot)),
    ].join('\n'));
    // table
    const th = this.tableHeight();
    const lines: string[] = [];
    const widths = layoutColumns(v.columns, W);
    const hdr = headerLine(v.columns, widths).slice(0, W);
    const sortName = v.columns[this.st.sortCol]?.name ?? '';
    lines.push(`{inverse}${e(hdr.padEnd(W))}{/inverse}`);
    const rows = this.rows();
    if (this.st.selKey !== null) {
      const i = rows.findIndex((r) => r.key === this.st.selKey);
      if (i >= 0) this.st.sel = i;
    }
    if (this.st.sel >= rows.length) this.st.sel = Math.max(0, rows.length - 1);
    const vis = th - 1;
    if (this.st.sel < this.st.top) this.st.top = this.st.sel;
    if (this.st.sel >= this.st.top + vis) this.st.top = this.st.sel - vis + 1;
    if (this.st.top > Math.max(0, rows.length - vis)) this.st.top = Math.max(0, rows.length - vis);
    if (this.collectError) lines.push(e(cut(this.collectError)));
    else if (!snap) lines.push(e('Collecting data...'));
    else if (!rows.length) lines.push(e('(no data in this interval)'));
    for (let i = this.st.top; i < Math.min(rows.length, this.st.top + vis); i++) {
      const l = e(rowLine(rows[i]!.cells, v.columns, widths).slice(0, W).padEnd(W));
      lines.push(i === this.st.sel && this.mode !== 'picker' ? `{inverse}${l}{/inverse}` : l);
    }
    this.table.setContent(lines.join('\n'));
    // footer
    let foot: string;
    if (this.mode === 'prompt' && this.prompt) {
      const q = safeText(this.prompt.text);
      // two lines, broken at a space when the question is wider than the screen
      let br = q.length > W ? q.lastIndexOf(' ', W) : q.length;
      if (br <= 0) br = Math.min(W, q.length);
      foot = `{bold}${e(q.slice(0, br))}{/bold}\n{bold}${e(q.slice(br).trimStart().slice(0, W))}{/bold}`;
    } else if (this.mode === 'filter' || this.mode === 'search' || this.mode === 'seek') {
      const label = this.mode === 'filter' ? 'Filter: ' : this.mode === 'seek' ? 'Go to second: ' : 'Search: ';
      const text = label + this.input + '_';
      const help = this.mode === 'filter' ? 'Enter apply  Esc cancel  (sysdig filter, checked as you type)'
        : this.mode === 'seek' ? 'seconds from the start of the capture (+N/-N: from here)  Enter go  Esc cancel' : 'Enter keep  Esc cancel';
      // long input scrolls left so the cursor stays visible
      foot = `{bold}${e(text.length > W ? text.slice(text.length - W) : text)}{/bold}\n`
        + (this.inputError ? `{red-fg}${e(cut(this.inputError))}{/red-fg}` : e(cut(help)));
    } else if (this.message) {
      foot = e(cut(this.message));
    } else {
      foot = e(cut(`${FOOTER}  sort:${sortName}`));
    }
    this.footer.height = this.footerHeight();
    this.table.height = th;
    this.footer.setContent(foot);
    this.renderOverlay(W);
    try {
      this.renderChart(rows, v);
    } catch {
      this.chartFallback = true; // blessed-contrib refused (too small, no canvas): text sparklines
      this.chartWidget = null;
      try {
        this.renderChart(rows, v);
      } catch {
        /* no chart */
      }
    }
    this.screen.render();
  }

  private renderOverlay(W: number): void {
    const e = (s: string) => blessed.escape(safeText(s));
    if (this.mode === 'table' || this.mode === 'filter' || this.mode === 'search' || this.mode === 'seek' || this.mode === 'prompt') {
      if (this.overlay) {
        this.overlay.destroy();
        this.overlay = null;
      }
      return;
    }
    const H = (this.screen.height as number) || 24;
    if (!this.overlay) {
      this.overlay = blessed.box({ parent: this.screen, top: 0, left: 0, width: W, height: H - 1, tags: true, wrap: false, border: this.border() });
    }
    const o = this.overlay;
    if (this.mode === 'picker') {
      const vs = this.pickerViews();
      const w = Math.min(W, 34);
      o.left = 0;
      o.top = HEADER_H;
      o.width = w;
      o.height = Math.max(5, H - HEADER_H - 1);
      o.setLabel(' Views ');
      const inner = (o.height as number) - 2;
      const top = Math.max(0, this.pickerSel - inner + 3);
      const lines = vs.slice(top, top + inner - 2).map((x, i) => {
        const t = e(((x.id === this.st.viewId ? '*' : ' ') + x.name).padEnd(w - 2).slice(0, w - 2));
        return top + i === this.pickerSel ? `{inverse}${t}{/inverse}` : t;
      });
      lines.push('');
      lines.push(e((vs[this.pickerSel]?.description ?? '').slice(0, w - 2)));
      o.setContent(lines.join('\n'));
    } else {
      o.left = 0;
      o.top = 0;
      o.width = W;
      o.height = H - 1;
      o.setLabel(` ${safeText(this.textTitle).slice(0, W - 6)} `);
      const inner = H - 3;
      const shown = this.textLines.slice(this.textTop, this.textTop + inner).map((l) => e(safeText(l).slice(0, W - 2)));
      o.setContent(shown.join('\n'));
      this.footer.setContent(e(`Up/Down/PgUp/PgDn scroll  Backspace/Esc back  q quit   ${this.textTop + 1}/${this.textLines.length}`.slice(0, W)));
    }
    o.setFront();
  }

  private renderChart(rows: SnapRow[], v: ViewDef): void {
    if (!this.chartOn || !this.chart) return;
    const col = this.st.sortCol;
    const top = rows.slice(0, 4);
    const upto = Math.min(this.cursor, this.snaps.length - 1);
    const hist = this.snaps.slice(Math.max(0, upto - 59), upto + 1);
    const series = top.map((r) => ({
      title: safeText(r.key).slice(0, 20),
      y: hist.map((s) => {
        const x = s.rows.find((q) => q.key === r.key)?.cells[col];
        return typeof x === 'number' ? x : 0;
      }),
    }));
    const W = ((this.chart.width as number) || 80) - 2;
    const colName = v.columns[col]?.name ?? '';
    if (this.ascii || this.chartFallback || hist.length < 2) {
      if (this.chartWidget) {
        (this.chartWidget as unknown as blessed.Widgets.BoxElement).destroy();
        this.chartWidget = null;
      }
      const lines = series.map((s) => `${s.title.padEnd(20)} ${asciiSparkline(s.y, W - 22)}`);
      if (!series.length) lines.push('(no rows)');
      lines.unshift(`${colName} per interval (top rows)`);
      this.chart.setContent(lines.join('\n').replace(/[{}]/g, ''));
      return;
    }
    this.chart.setContent('');
    if (!this.chartWidget) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const contrib = require('blessed-contrib') as { line: (o: unknown) => { setData(d: unknown): void } };
      this.chartWidget = contrib.line({ top: 0, left: 0, width: '100%-2', height: CHART_H - 2, showLegend: true, legend: { width: 22 }, minY: 0, wholeNumbersOnly: false, style: { line: 'yellow', text: 'green', baseline: 'white' } });
      // appended after construction: the canvas is created on 'attach'
      this.chart.append(this.chartWidget as unknown as blessed.Widgets.Node);
    }
    this.screen.render(); // the line chart's canvas exists only once it has been drawn
    const colors = ['yellow', 'cyan', 'green', 'magenta'];
    this.chartWidget.setData(series.map((s, i) => ({ title: s.title, x: hist.map((h) => String(h.index + 1)), y: s.y, style: { line: colors[i % colors.length] } })));
  }
}

