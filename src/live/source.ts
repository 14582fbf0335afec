// The live event source shared by every live job (printing, -w, -c): loads the eBPF addon, fills
// the consumer's state engine from /proc, follows Docker for container metadata, and hands each
// event of each batch to the consumer, looking up threads it has never seen in /proc first.
//
// Stops on the consumer's request (handle() → false), -M wall-clock time, SIGINT, SIGTERM, SIGHUP
// or an error thrown from the consumer; closes the capture before returning (no batch is delivered
// after that). A second signal calls onForce() (close files now) and exits with 128+signal.
import { CliOptions } from '../cli/options';
import { EVENTS, EVENT_MAX } from '../events/table';
import { ScapEvent } from '../events/event';
import { StateEngine } from '../state/engine';
import { CaptureSink } from '../scap/types';
import { PipeClosed } from '../output/writer';
import { NativeCapture, NativeStats, NativeUnavailableError, checkPrerequisites, forEachRecord } from './native';
import { BootstrapStats, bootstrap, readThreadInto } from './proc';
import { DockerWatcher, DEFAULT_DOCKER_SOCKET } from './docker';
import { unavailableMessage } from './messages';

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
}

export interface LiveSourceOpts {
  /** print a line on stderr when the ring buffer drops events (off when a progress panel shows them) */
  warnDrops: boolean;
  /** called right after the "capturing" line (start progress displays here) */
  started?(): void;
}

export interface LiveResult {
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
}

/**
 * Runs a live capture into `c`. Returns null (after printing why on stderr) when live capture is
 * not possible here.
 */
export async function captureLive(o: CliOptions, c: LiveConsumer, so: LiveSourceOpts): Promise<LiveResult | null> {
  const pre = checkPrerequisites();
  if (pre) {
    process.stderr.write(unavailableMessage(pre));
    return null;
  }
  const engine = c.engine;
  const warn = (m: string) => process.stderr.write(`tsdig: ${m}\n`);
  const docker = new DockerWatcher(engine.containers, { socketPath: process.env.TSDIG_DOCKER_SOCKET || DEFAULT_DOCKER_SOCKET, warn });
  const dockerReady = docker.start();

  let cap: NativeCapture;
  try {
    cap = new NativeCapture({
      bufferSize: o.bufsize !== undefined && o.bufsize > 0 ? Math.round(o.bufsize * 1024 * 1024) : undefined,
      snaplen: Math.max(0, Math.min(4096, Math.floor(o.snaplen))),
    });
  } catch (e) {
    docker.stop();
    if (e instanceof NativeUnavailableError) {
      process.stderr.write(unavailableMessage(e));
      return null;
    }
    throw e;
  }

  // state: the /proc scan after the (slow) load narrows the window of processes we miss; any tid
  // that still slips through is read from /proc when its first event arrives
  const boot = bootstrap(c.bootSink());
  const threads = engine.threads;
  for (const t of threads.values()) if (t.containerId) docker.want(t.containerId);
  await Promise.race([dockerReady, new Promise((r) => setTimeout(r, 1500).unref())]);

  const ev = new ScapEvent();
  const gone = new Set<number>();
  const haveMain = (pid: number) => threads.has(pid);
  let num = 0;
  let malformed = 0;
  let lookups = 0;
  let stopped = false;
  let failure: unknown = null;
  let signal: NodeJS.Signals | null = null;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => (finish = r));

  const stop = () => {
    if (stopped) return;
    stopped = true;
    // never close the capture from inside its own batch callback
    setImmediate(finish);
  };

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
        if (t && t.containerId && !engine.containers.byId.has(t.containerId)) docker.want(t.containerId);
        if (!c.handle(ev)) {
          stop();
          return;
        }
        const t2 = engine.thread;
        if (t2 && t2 !== t && t2.containerId && !engine.containers.byId.has(t2.containerId)) docker.want(t2.containerId);
      });
      c.afterBatch?.();
    } catch (e) {
      if (!(e instanceof PipeClosed)) failure = e;
      stop();
    }
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
    stop();
  };
  for (const s of sigs) process.on(s, onSignal);

  let lastDrops = 0;
  const tickTimer = setInterval(() => {
    const st = cap.stats();
    c.tick?.(st);
    if (so.warnDrops && st.drops > lastDrops) {
      warn(`ring buffer full: ${st.drops - lastDrops} events dropped in the last second (${st.drops} in total): events arrive faster than tsdig reads them; a larger --bufsize (MB) absorbs bursts`);
    }
    lastDrops = st.drops;
  }, 1000);
  let wallTimer: NodeJS.Timeout | null = null;
  if (o.seconds > 0) wallTimer = setTimeout(stop, o.seconds * 1000 + 100);

  const t0 = performance.now();
  let st: NativeStats;
  try {
    cap.start(onBatch);
    const cts = engine.containers.byId.size;
    warn(
      `capturing live events system-wide (state: ${boot.processes} processes, ${boot.threads} threads, ${boot.fds} fds from /proc in ${boot.ms.toFixed(0)} ms` +
        `${cts ? `, ${cts} containers` : ''}); Ctrl-C to stop`,
    );
    so.started?.();
    await done;
  } finally {
    clearInterval(tickTimer);
    if (wallTimer) clearTimeout(wallTimer);
    for (const s of sigs) process.off(s, onSignal);
    st = cap.stats();
    cap.close();
    docker.stop();
    c.tick?.(st);
  }
  return { events: num, malformed, lookups, stats: st, boot, secs: (performance.now() - t0) / 1000, signal, failure };
}
