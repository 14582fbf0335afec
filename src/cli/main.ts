// tsdig's entry point: parse flags, pick the job (list, replay, live, write, UI), report errors
// as one clear line and a non-zero exit code — never a stack trace for bad input.
//
// Start-up is mostly module loading (yargs, the decoder, the BPF addon); a SIGINT/SIGTERM/SIGHUP
// in that window must not kill a `-w` capture halfway. So the first thing main() does is install
// placeholder handlers (./signals) — before any other module of tsdig loads: this file imports
// nothing else eagerly. The live and write jobs claim a signal that arrived early and stop cleanly;
// the other jobs release it and die of it as they always did.
import type { CliOptions } from './options';
import { installEarlySignals, releaseSignals, dropSignals } from './signals';

export async function main(argv: string[]): Promise<void> {
  installEarlySignals();
  // scripts/bundle-replay.js writes the bundle's code cache from a replay start-up: the live
  // print/write jobs' modules load too then, so their top levels are in the cache as well
  if (process.env.TSDIG_WRITE_CODE_CACHE) await Promise.all([import('../live/run'), import('../live/write')]);
  let code = 0;
  let preopened = false;
  try {
    const { parseArgs } = await import('./options');
    const opts = parseArgs(argv);
    // a live job: the BPF load (the slow part of its start-up) starts now, on a worker thread
    if (opts && capturesLive(opts)) {
      const { preopen, liveOpenOptions } = await import('../live/native');
      preopen(liveOpenOptions(opts));
      preopened = true;
    }
    if (opts) code = await dispatch(opts); // else --help printed
  } catch (e) {
    code = await reportError(e);
  } finally {
    dropSignals();
  }
  process.exitCode = code;
  // a job that ended before its capture (bad filter, ...) need not wait for the BPF load it
  // started early: it runs on a worker thread that would keep the process alive until it ends
  if (preopened && (await import('../live/native')).preopenUnclaimed()) process.exit(code);
}

/** Entry of the replay's printing worker thread (src/cli/replay-parallel.ts), started by bin/tsdig. */
export async function replayWorker(job: import('./replay-parallel').WorkerJob): Promise<void> {
  return (await import('./replay-parallel')).runReplayWorker(job);
}

/** Whether the job captures through the live source (src/live/source.ts). */
function capturesLive(o: CliOptions): boolean {
  if (o.read.length > 0 || o.list || o.listEvents || o.listChisels || o.chiselInfo !== undefined || o.pcap) return false;
  return true;
}

/** Whether the job stops cleanly on SIGINT/SIGTERM/SIGHUP itself (it claims early signals). */
function handlesSignals(o: CliOptions, ui: boolean): boolean {
  if (o.list || o.listEvents || o.listChisels || o.chiselInfo !== undefined || o.snapshot || o.pcap) return false;
  if (o.chisels.length > 0) return o.read.length === 0; // live chisels
  if (o.write !== undefined) return true; // re-write or live -w
  return o.read.length === 0 && !ui; // live printing (the UI restores the terminal on its own)
}

async function dispatch(o: CliOptions): Promise<number> {
  // on a terminal with no output option the UI opens (live or on the -r files); else events print
  const ui = !o.list && !o.listEvents && (await import('../ui')).wantsUi(o);
  // awaited imports never let the event loop poll: a macrotask does, so a signal that arrived
  // while the modules loaded reaches the placeholder before the job claims or releases it
  await new Promise((r) => setImmediate(r));
  if (!handlesSignals(o, ui)) await releaseSignals();
  if (o.list) {
    (await import('./listings')).listFields(o.listVerbose);
    return 0;
  }
  if (o.listEvents) {
    (await import('./listings')).listEvents();
    return 0;
  }
  // the chisel, snapshot and UI stacks load only when asked for: replay starts faster without them
  if (o.listChisels || o.chiselInfo !== undefined || o.chisels.length > 0) return (await import('../chisel/run')).runChisels(o);
  if (o.remote !== undefined) {
    if (!ui) throw new (await import('./options')).UsageError('--remote shows the UI of the remote capture: run it on a terminal (for a file: ssh HOST sudo tsdig --stream > out.scap)');
    return (await import('../ui')).runUi(o);
  }
  if (o.snapshot) return (await import('../snapshot/run')).runSnapshot(o);
  if (o.pcap) return (await import('../net/run')).runPcap(o);
  if (o.write !== undefined) return (await import('./write')).runWrite(o);
  if (o.read.length === 0 && o.ui !== true && !ui) return (await import('../live/run')).runLive(o);
  if (ui) return (await import('../ui')).runUi(o);
  if (o.read.length > 0) return (await import('./replay')).runReplay(o);
  const { UsageError } = await import('./options');
  throw new UsageError('live capture is not available yet in this build: use -r FILE to replay a capture');
}

export async function reportError(e: unknown): Promise<number> {
  const [{ UsageError }, { ScapError }, { PipeClosed }, { FilterError, formatFilterError }] = await Promise.all([
    import('./options'),
    import('../scap/types'),
    import('../output/writer'),
    import('../filter/errors'),
  ]);
  if (e instanceof PipeClosed) return 0;
  if (e instanceof UsageError) {
    process.stderr.write(`tsdig: ${e.message}\nTry 'tsdig --help' for more information.\n`);
    return 2;
  }
  if (e instanceof ScapError) {
    process.stderr.write(`tsdig: ${e.file}: ${e.message} (at byte offset ${e.offset})\n`);
    return 1;
  }
  if (e instanceof FilterError) {
    process.stderr.write(`tsdig: ${formatFilterError(e)}\n`);
    return 2;
  }
  if (process.env.TSDIG_DEBUG) process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
  process.stderr.write(`tsdig: ${(e as Error)?.message ?? String(e)}\n`);
  return 1;
}
