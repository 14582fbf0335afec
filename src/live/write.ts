// `sudo tsdig -w FILE [filter]`: a live capture written to a .scap file sysdig 0.29.3 reads.
//
// The shared live source (src/live/source.ts) drives a WriteSession (src/cli/write.ts): the /proc
// scan becomes the first file's machine info, interface, user, process and fd lists (the raw
// records, as sysdig writes its own scan); threads first seen later are read from /proc and join
// the state; every file starts with a container event (324) per container Docker described, and
// containers described later get one in the stream. Filtering, fatfile (default), -n, -M, -C, -G,
// -W, -e and -z are the session's; -s and --bufsize go to the addon.
//
// Progress: drops come from the ring buffer's counters once a second. On stop (limit, signal, a
// full disk) the file is flushed and closed; a write error is reported as one line, exit 1, and
// the file keeps every complete block.
import { CliOptions, UsageError } from '../cli/options';
import { WriteError } from '../scap/writer';
import { ContainerInfo } from '../state/containers';
import { sessionFor, summary } from '../cli/write';
import type { ProgressHandle } from '../cli/progress';
import { captureLive, notStarted } from './source';
import type { ScapEvent } from '../events/event';
import type { StateEngine } from '../state/engine';

/** Observers of the session's events (`--pcap` with `-w` keeps its socket index from them). */
export interface LiveWriteHooks {
  /** the capture runs (the engine holds the /proc scan) */
  started?(engine: StateEngine): void;
  /** around the session's handling of each event */
  before?(ev: ScapEvent): void;
  after?(ev: ScapEvent): void;
}

/** a container Docker has not described: its name is its id, nothing worth a 324 event */
const described = (c: ContainerInfo) => !(c.name === c.id && c.fullId === c.id && !c.image);

export async function runLiveWrite(o: CliOptions, hooks: LiveWriteHooks = {}): Promise<number> {
  if (o.stream && process.stdout.isTTY) throw new UsageError('--stream writes binary .scap data to stdout: pipe it (tsdig --remote reads it over ssh)');
  const session = sessionFor(o, { live: true, keepContainer: described });
  const bootSink = session.fileSink();
  const metrics = await (await import('../metrics')).startMetrics(o);
  if (metrics) session.onAccepted = (c) => metrics.consume(c);
  let progress: ProgressHandle | null = null;
  const startProgress = o.quiet ? null : (await import('../cli/progress')).startProgress;

  let r;
  try {
    r = await captureLive(
      o,
      {
        engine: session.engine,
        bootSink: () => bootSink,
        lateSink: () => session.lateSink(),
        handle: hooks.after
          ? (ev) => {
              hooks.before?.(ev);
              const go = bootSink.onEvent(ev) !== false;
              hooks.after!(ev);
              return go;
            }
          : (ev) => bootSink.onEvent(ev) !== false,
        afterBatch: () => {
          session.syncContainers();
          // a stream's reader shows events as they come: every batch goes out at once
          if (o.stream) session.out.current?.flush();
          if (session.error) throw session.error;
        },
        tick: (st) => {
          session.stats.drops = st.drops;
          metrics?.setDrops(st.drops);
        },
        onForce: () => {
          progress?.stop();
          try {
            session.finish();
          } catch {
            /* exiting anyway */
          }
        },
      },
      {
        warnDrops: false,
        started: () => {
          session.stats.startMs = Date.now();
          hooks.started?.(session.engine);
          progress = startProgress?.(() => session.progress(), { tty: !!process.stderr.isTTY }) ?? null;
        },
      },
    );
  } catch (e) {
    (progress as ProgressHandle | null)?.stop();
    await metrics?.stop();
    try {
      session.finish(false);
    } catch {
      /* the first error is the one reported */
    }
    throw e;
  }
  await metrics?.stop();
  if (!r) {
    // nothing was captured: leave no file behind
    return 1;
  }
  if (!r.started) {
    // stopped by a signal while tsdig loaded: no file (nothing was captured), one line, non-zero
    try {
      session.finish(false);
    } catch {
      /* no file was started */
    }
    (progress as ProgressHandle | null)?.stop();
    return notStarted(r, `nothing was captured, ${o.write} not written`) ?? 1;
  }
  // the last frame still names the file: stop the display before closing it
  (progress as ProgressHandle | null)?.stop();
  let failure: unknown = r.failure ?? session.error;
  try {
    // the capture started: the file holds what it captured (at least the /proc state), events or not
    session.finish(!failure || failure instanceof WriteError);
  } catch (e) {
    failure ??= e;
  }
  if (!o.quiet) {
    process.stderr.write(
      summary(session, r.signal !== null).replace(/\n$/, '') +
        ` Live: ${r.events} events captured in ${r.secs.toFixed(1)} s, ${r.stats.drops} dropped by the ring buffer` +
        `${r.malformed ? `, ${r.malformed} malformed` : ''}${r.lookups ? `, ${r.lookups} late threads read from /proc` : ''}.\n`,
    );
  }
  if (failure instanceof WriteError) {
    process.stderr.write(`tsdig: ${failure.path}: ${failure.message}\n`);
    return 1;
  }
  if (failure) throw failure;
  return 0;
}
