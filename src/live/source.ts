// The live event source shared by every live job (printing, -w, -c): loads the eBPF addon, fills
// the consumer's state engine from /proc, follows the container runtimes (src/live/runtimes) for metadata, and hands each
// event of each batch to the consumer, looking up threads it has never seen in /proc first.
//
// Stops on the consumer's request (handle() → false), -M wall-clock time, SIGINT, SIGTERM, SIGHUP
// or an error thrown from the consumer; closes the capture before returning (no batch is delivered
// after that). A second signal calls onForce() (close files now) and exits with 128+signal. The
// signal handlers go in first: a signal that arrived during start-up (src/cli/signals.ts) or
// arrives during the BPF load stops the capture before it starts (no events, nothing written).
//
// Leak checks: SIGUSR2 prints one line on stderr with the events so far, the rate since the last
// such line, the drops and the size of every table that grows with processes, fds or containers;
// `-v` prints the tables once more at the end.
import { CliOptions } from '../cli/options';
import { EVENTS, EVENT_MAX } from '../events/table';
import { ScapEvent } from '../events/event';
import { StateEngine } from '../state/engine';
import { CaptureSink } from '../scap/types';
import { PipeClosed } from '../output/writer';
import { NativeCapture, NativeStats, NativeUnavailableError, checkPrerequisites, forEachRecord, liveOpenOptions, openCapture } from './native';
import { BootstrapStats, bootstrap, readThreadInto } from './proc';
import { ContainerRuntimes } from './runtimes';
import { enableLiveCgroupRules } from '../state/containers';
import { unavailableMessage } from './messages';
import { claimSignals, holdSignals } from '../cli/signals';
import { Sizes, formatSizes, stateSizes } from './tables';

/** clone-family exits (the child's first event creates it) and procexit: never looked up in /proc */
const NO_LOOKUP = new Uint8Array(EVENT_MAX);
for (const e of EVENTS) {
  if ((e.dir === 1 && /^(clone|fork|vfork|clone3)$/.test(e.name)) || e.name === 'procexit') NO_LOOKUP[e.id] = 1;
}

export interface LiveConsumer {
  /** the state engine the threads, fds and containers go to */
  readonly engine: StateEngine;
  /** receives the /proc scan (machine, interfaces, users, threads, fds) */
  bootSink(): CaptureSink;
  /** receives threads first seen in an event (read from /proc then) */
  lateSink(): Pick<CaptureSink, 'onThread' | 'onFds'>;
  /** one event (the cursor is reused: copy what must outlive the call); false stops the capture */
  handle(ev: ScapEvent): boolean;
  /** after each batch: flush output, write container events… */
  afterBatch?(): void;
  /** about once a second, with the ring buffer's counters */
  tick?(st: NativeStats): void;
  /** a second signal arrived: close files now (the process exits right after) */
  onForce?(): void;
  /** sizes of the consumer's own per-thread/per-container maps (leak checks) */
  tables?(): Sizes;
}

export interface LiveSourceOpts {
  /** print a line on stderr when the ring buffer drops events (off when a progress panel shows them) */
  warnDrops: boolean;
  /** called right after the "capturing" line (start progress displays here) */
  started?(): void;
  /**
   * Where the start-up status goes instead of stderr (the full-screen UI puts it in its footer:
   * a line on the terminal would sit over the screen until the next redraw).
   */
  status?(text: string): void;
}

export interface LiveResult {
  /** false when a signal stopped it before the capture started (nothing was captured) */
  started: boolean;
  /** events delivered (well-formed records) */
  events: number;
  malformed: number;
  lookups: number;
  stats: NativeStats;
  boot: BootstrapStats;
  secs: number;
  /** the signal that stopped the capture, if any */
  signal: NodeJS.Signals | null;
  /** an error thrown by the consumer (PipeClosed excluded) */
  failure: unknown;
  /** table sizes when the capture ended (threads, fds, containers, container runtimes and consumer maps) */
  tables: Sizes;
}

const SIGNUM: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * A capture that a signal stopped before it started (while tsdig loaded): prints the one line
 * saying so and returns the exit code (128 + the signal's number); null when the capture started.
 */
export function notStarted(r: LiveResult, what = 'nothing was captured'): number | null {
  if (r.started || r.signal === null) return null;
  process.stderr.write(`tsdig: stopped by ${r.signal} before the capture started: ${what}\n`);
  return 128 + (SIGNUM[r.signal] ?? 0);
}

const NO_STATS: NativeStats = { events: 0, drops: 0, bytes: 0, errors: 0, batches: 0, records: 0 };
/** how often the set of tids that vanished before their /proc lookup is forgotten (tids are reused) */
const GONE_RESET_MS = 10_000;

/**
 * Runs a live capture into `c`. Returns null (after printing why on stderr) when live capture is
 * not possible here.
 */
export async function captureLive(o: CliOptions, c: LiveConsumer, so: LiveSourceOpts): Promise<LiveResult | null> {
  const engine = c.engine;
  engine.keepForkFds = true;
  const warn = (m: string) => process.stderr.write(`tsdig: ${m}\n`);
  let stopped = false;
  let signal: NodeJS.Signals | null = null;
  /** events delivered so far */
  let num = 0;
  /** when the capture started (secs and rates count from there), 0 before */
  let t0 = 0;
  /** a signal came before the first event: stop once a batch delivered one (see onSignal) */
  let firstThenStop = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => (finish = r));
  const stop = () => {
    if (stopped) return;
    stopped = true;
    // never close the capture from inside its own batch callback
    setImmediate(finish);
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal !== null && stopped) {
      // second signal: do not wait for the capture to wind down
      try {
        c.onForce?.();
      } finally {
        process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
      }
    }
    signal ??= sig;
    // a capture that has started but delivered nothing yet takes its first batch (20 ms away on
    // any live system) before it stops: sysdig will not read a capture file without an event
    if (t0 > 0 && num === 0 && !stopped) {
      firstThenStop = true;
      setTimeout(stop, 250).unref();
      return;
    }
    stop();
  };
  for (const s of sigs) process.on(s, onSignal);
  const early = claimSignals();
  if (early) onSignal(early);

  let runtimes: ContainerRuntimes | null = null;
  let cap: NativeCapture | null = null;
  const gone = new Set<number>();
  const tables = (): Sizes => ({ ...stateSizes(engine), ...(runtimes?.sizes() ?? {}), lookupMisses: gone.size, ...(c.tables?.() ?? {}) });
  let lastReport = { t: 0, num: 0 };
  const onUsr2 = () => {
    const now = performance.now();
    const st = cap && !cap.closed ? cap.stats() : NO_STATS;
    const rate = t0 ? ((num - lastReport.num) * 1000) / Math.max(1, now - Math.max(t0, lastReport.t)) : 0;
    lastReport = { t: now, num };
    const m = process.memoryUsage();
    const mb = (x: number) => Math.round(x / 1048576);
    warn(
      `stats at ${t0 ? ((now - t0) / 1000).toFixed(1) : '0.0'} s: ${num} events, ${Math.round(rate)} events/s since the last report, ${st.drops} dropped; ` +
        `memory MB: rss=${mb(m.rss)} heapUsed=${mb(m.heapUsed)} external=${mb(m.external)} arrayBuffers=${mb(m.arrayBuffers)}; state tables: ${formatSizes(tables())}`,
    );
  };
  process.on('SIGUSR2', onUsr2);
  const timers: NodeJS.Timeout[] = [];
  const boot0: BootstrapStats = { processes: 0, threads: 0, fds: 0, ms: 0 };
  const result = (boot: BootstrapStats, st: NativeStats, extra: Partial<LiveResult>): LiveResult => {
    const r = { started: t0 > 0, events: num, malformed: 0, lookups: 0, stats: st, boot, secs: t0 ? (performance.now() - t0) / 1000 : 0, signal, failure: null, tables: tables(), ...extra };
    if (o.verbose) warn(`state tables at exit: ${formatSizes(r.tables)}`);
    return r;
  };
  try {
    const pre = checkPrerequisites();
    if (pre) {
      process.stderr.write(unavailableMessage(pre));
      return null;
    }
    // stopped during start-up: nothing was captured, nothing to load. (A signal is seen only when
    // the event loop polls: module loading and awaited imports never let it, a macrotask does.)
    await new Promise((r) => setImmediate(r));
    if (stopped) return result(boot0, NO_STATS, {});
    // The BPF load (verification: the slow part of start-up; main() may have started it already)
    // runs on a worker thread while this thread connects to Docker and scans /proc. A thread that
    // starts between the scan and the attach is read from /proc at its first event, like any
    // thread the scan missed; an fd a scanned process opens in that window stays unnamed until
    // it is closed (that window used to be the Docker wait, now it is what is left of the load).
    const loading = openCapture(liveOpenOptions(o));
    let loadError: unknown = null;
    const loaded = loading.then(
      (x) => x,
      (e) => {
        loadError = e;
        return null;
      },
    );
    enableLiveCgroupRules();
    const rt = new ContainerRuntimes(engine.containers, {
      warn,
      // a containerd namespace appeared: threads already seen may be its containers
      onRulesChanged: () => { for (const t of engine.recomputeContainerIds()) rt.want(t); },
    });
    runtimes = rt;
    const runtimesStarted = rt.start();
    const boot = bootstrap(c.bootSink());
    for (const t of engine.threads.values()) if (t.containerId) rt.want(t);
    // the runtimes' answers wait while the (synchronous) scan runs: their 1.5 s start after the scan
    const runtimesReady = Promise.race([runtimesStarted, new Promise((r) => setTimeout(r, 1500).unref())]);
    cap = await Promise.race([loaded, done.then(() => null)]);
    if (stopped) {
      // a signal during the load: close the programs once they are loaded (never attached)
      void loaded.then((x) => x?.close());
      return result(boot, NO_STATS, {});
    }
    if (loadError instanceof NativeUnavailableError) {
      process.stderr.write(unavailableMessage(loadError));
      return null;
    }
    if (loadError) throw loadError;
    await Promise.race([runtimesReady, done]);
    if (stopped) return result(boot, NO_STATS, {});
    return await run(cap!, rt, boot);
  } finally {
    for (const t of timers) clearInterval(t);
    for (const s of sigs) process.off(s, onSignal);
    holdSignals(); // callers still close files and print summaries: a signal must not cut that short
    process.off('SIGUSR2', onUsr2);
    cap?.close();
    runtimes?.stop();
  }

  async function run(cap: NativeCapture, runtimes: ContainerRuntimes, boot: BootstrapStats): Promise<LiveResult> {
    const threads = engine.threads;
    const ev = new ScapEvent();
    const haveMain = (pid: number) => threads.has(pid);
    let malformed = 0;
    let lookups = 0;
    let failure: unknown = null;

    const onBatch = (ab: ArrayBuffer, nbytes: number) => {
      if (stopped) return;
      const buf = Buffer.from(ab, 0, nbytes);
      try {
        forEachRecord(ab, nbytes, (off, cpu) => {
          if (stopped) return;
          ev.set(buf, off, 26, cpu, 0);
          if (ev.type >= EVENT_MAX || !ev.wellFormed()) {
            malformed++;
            return;
          }
          ev.num = ++num;
          const tid = ev.tid;
          let t = threads.get(tid);
          if (!t && !NO_LOOKUP[ev.type] && !gone.has(tid)) {
            lookups++;
            if (!readThreadInto(tid, haveMain, c.lateSink())) gone.add(tid);
            t = threads.get(tid);
          }
          if (t && t.containerId && !engine.containers.byId.has(t.containerId)) runtimes.want(t);
          if (!c.handle(ev)) {
            stop();
            return;
          }
          const t2 = engine.thread;
          if (t2 && t2 !== t && t2.containerId && !engine.containers.byId.has(t2.containerId)) runtimes.want(t2);
        });
        c.afterBatch?.();
        if (firstThenStop && num > 0) stop();
      } catch (e) {
        if (!(e instanceof PipeClosed)) failure = e;
        stop();
      }
    };

    let lastDrops = 0;
    timers.push(
      setInterval(() => {
        const st = cap.stats();
        c.tick?.(st);
        if (so.warnDrops && st.drops > lastDrops) {
          warn(`ring buffer full: ${st.drops - lastDrops} events dropped in the last second (${st.drops} in total): events arrive faster than tsdig reads them; a larger --bufsize (MB) absorbs bursts`);
        }
        lastDrops = st.drops;
      }, 1000),
    );
    // a tid that vanished before its lookup may be reused by a new process later
    timers.push(setInterval(() => gone.clear(), GONE_RESET_MS));
    if (o.seconds > 0) timers.push(setTimeout(stop, o.seconds * 1000 + 100));

    if (!stopped) {
      t0 = performance.now();
      cap.start(onBatch);
      // connections a runtime put off (nothing of it ran) are made once the first batches are out
      timers.push(setTimeout(() => runtimes.background(), 200));
      const cts = engine.containers.byId.size;
      const what = `capturing live events system-wide (state: ${boot.processes} processes, ${boot.threads} threads, ${boot.fds} fds from /proc in ${boot.ms.toFixed(0)} ms` +
        `${cts ? `, ${cts} containers` : ''})`;
      if (so.status) so.status(what);
      else warn(`${what}; Ctrl-C to stop`);
      so.started?.();
    }
    await done;
    for (const t of timers) clearInterval(t);
    const st = cap.stats();
    cap.close();
    c.tick?.(st);
    return result(boot, st, { malformed, lookups, failure });
  }
}
