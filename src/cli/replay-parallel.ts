// A replay printed by two threads: this thread and one worker both read the whole capture and keep
// the whole state (threads, fds, containers, evt.num, enter/exit pairing — exactly what the single
// thread keeps), but each formats only the segments of the input it reaches first, and the segments
// are written in order (src/output/segments.ts). Formatting is most of a replay's cost, so the wall
// time is about state + half the formatting instead of state + all of it.
//
// Taken only when it pays and the output cannot differ: one plain or gzip file (not a pipe), large
// enough, output not a terminal, at least MIN_CPUS CPUs, no event or time limit (-n, -M), no -t D
// or evt.deltatime fields (they depend on the events printed before), not --unbuffered, not -q.
//
// Why not on 2 CPUs: each isolate compiles its hot code with TurboFan on background threads
// (about 0.4–0.6 CPU-s per replay of bench/replay.ts's 1M-event file, next to ~1.4 s on the main
// thread), and the worker redoes the whole decode and state pass. On 2 CPUs the two threads, their
// compilers and GC then need ~3.3 CPU-s where one thread needs ~2.0: measured 1.8–2.1 s wall
// against 1.45–1.6 s for one thread. With more CPUs the compilers run beside the two threads.
// TSDIG_THREADS=1 forces the single thread; TSDIG_THREADS=2 forces two threads whatever the size,
// and TSDIG_PARALLEL_SPLIT=alternate makes them print every other segment (tests compare both
// ways on small files).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliOptions } from './options';
import { Printer, makePrinter, replayFile, printEnd } from './replay';
import { countEvent } from '../output/summary';
import { gzipTrailerSize, isGzipFd, readCapture } from '../scap/reader';
import { ScapError } from '../scap/types';
import { PipeClosed } from '../output/writer';
import { isTerminal } from '../util/terminal';
import { newControl, OutputStopped, Role, SegmentedOutput, Split, stopOutput, WriteFailed } from '../output/segments';

export interface ParallelPlan {
  file: string;
  segBytes: number;
  /** about how many segments the input has */
  keys: number;
  split: Split;
}

/** CPUs below which two threads are slower than one (see above) */
const MIN_CPUS = 4;
/** input bytes below which one thread is as fast (a worker's start-up and its second pass of the state cost more than they save) */
const MIN_PLAIN_BYTES = 4 << 20;
/** gzip captures inflate about 5–8 times */
const MIN_GZIP_BYTES = 1 << 20;
/** segment size: small enough that the two threads stay balanced, large enough that switching is rare */
const SEG_BYTES = 1 << 20;

/** fields whose value depends on the events printed (or evaluated) before */
const ORDER_DEPENDENT = /^evt\.deltatime/;

export function parallelPlan(o: CliOptions, p: Printer): ParallelPlan | null {
  const want = process.env.TSDIG_THREADS;
  if (want === '1' || want === '0') return null;
  const forced = want === '2';
  if (o.read.length !== 1 || o.quiet || o.unbuffered || o.numEvents > 0 || o.seconds > 0 || o.timeType === 'D') return null;
  if (o.chisels.length > 0 || o.write !== undefined) return null;
  if (p.fmt.fields.some((f) => ORDER_DEPENDENT.test(f))) return null;
  if (!forced && (os.availableParallelism?.() ?? os.cpus().length) < MIN_CPUS) return null;
  if (isTerminal(1)) return null;
  const file = o.read[0]!;
  let size: number;
  let gz = false;
  let inflated = 0;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return null;
    size = st.size;
    const fd = fs.openSync(file, 'r');
    try {
      gz = isGzipFd(fd);
      // the trailer's size is modulo 4 GiB: below the file's own size it is a wrap, and a guess will do
      if (gz) inflated = size >= 18 ? gzipTrailerSize(fd, size) : 0;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null; // the single-threaded path reports it
  }
  if (!forced && size < (gz ? MIN_GZIP_BYTES : MIN_PLAIN_BYTES)) return null;
  const bytes = !gz ? size : inflated >= size ? inflated : size * 6;
  const seg = Number(process.env.TSDIG_SEGMENT_BYTES) || Math.max(SEG_BYTES, Math.ceil(bytes / 4096));
  // TSDIG_PARALLEL_SPLIT=alternate: the threads print every other segment (tests: both threads print even on small files)
  const split: Split = process.env.TSDIG_PARALLEL_SPLIT === 'alternate' ? 'alternate' : 'adaptive';
  return { file, segBytes: seg, keys: Math.max(1, Math.ceil(bytes / seg)), split };
}

/** What the worker sends back when its share is done. */
interface WorkerResult {
  error?: { name: string; message: string; file?: string; offset?: number };
}

export interface WorkerJob {
  tsdigReplayWorker: true;
  /** the worker loads the replay from the bundle too when this thread runs from it */
  bundle: boolean;
  opts: CliOptions;
  plan: ParallelPlan;
  ctl: Int32Array;
}

/** Replays plan.file on this thread and a worker; resolves or throws as the single-threaded replay does. */
export async function runParallel(o: CliOptions, printer: Printer, plan: ParallelPlan): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const ctl = newControl();
  const inBundle = path.basename(__filename) === 'tsdig-replay.js';
  const launcher = inBundle ? path.join(__dirname, '..', 'bin', 'tsdig') : path.join(__dirname, '..', '..', '..', 'bin', 'tsdig');
  const job: WorkerJob = { tsdigReplayWorker: true, bundle: inBundle, opts: o, plan, ctl };
  // bin/tsdig looks for a worker's job only when it has this one argument
  const worker = new Worker(launcher, { workerData: job, stdout: false, stderr: false, argv: ['--tsdig-replay-worker'] });
  let result: WorkerResult | null = null;
  let crashed: unknown = null;
  const ended = new Promise<void>((resolve) => {
    worker.on('message', (m: WorkerResult) => { result = m; });
    worker.on('error', (e) => {
      // it cannot write any more: the segments it claimed stop the output
      crashed = e;
      stopOutput(ctl);
    });
    worker.on('exit', () => resolve());
  });
  const summary = new Map<string, number>();
  // the counts of -S and -v need this thread to read the whole input
  const share = await replayShare(o, printer, plan, ctl, 'lead', o.summary ? summary : null, o.summary || o.verbose);
  const done = share.error === undefined && share.so.written(share.so.segments);
  const pipe = share.error instanceof PipeClosed;
  // (TSDIG_DEBUG_PARALLEL waits for the worker's line on how many segments it printed)
  if (pipe || (done && !process.env.TSDIG_DEBUG_PARALLEL)) {
    // everything is written (or nothing more can be): what the worker still does is of no use
    void worker.terminate();
  } else {
    await ended;
  }
  if (share.error !== undefined && !(share.error instanceof OutputStopped)) {
    throw share.error instanceof WriteFailed ? share.error.cause : share.error;
  }
  const r = result as WorkerResult | null;
  if (!done && r?.error) throw revive(r.error);
  if (!done && crashed) throw crashed;
  printEnd(o, summary, share.captured);
  return 0;
}

/** This thread's (or the worker's) pass over the file: all of the state, the segments it reaches first. */
async function replayShare(o: CliOptions, printer: Printer, plan: ParallelPlan, ctl: Int32Array, role: Role, summary: Map<string, number> | null, readAll: boolean): Promise<{ so: SegmentedOutput; captured: number; error?: unknown }> {
  const so = new SegmentedOutput(ctl, plan.segBytes, role, plan.keys, readAll, plan.split);
  const out = so.out;
  const { proc, sink } = replayFile(o, printer.filter, 0, (c) => {
    if (summary) countEvent(summary, c);
    if (so.mine) printer.print(c, out);
  });
  const onEvent = sink.onEvent;
  sink.onEvent = (e) => {
    so.at(e.fileOffset);
    return onEvent(e);
  };
  const t0 = Date.now();
  const debug = () => {
    // TSDIG_DEBUG_PARALLEL=1: how the two threads shared the work
    if (process.env.TSDIG_DEBUG_PARALLEL) fs.writeSync(2, `parallel: ${role} printed ${so.claimed} of ${so.segments} segments in ${Date.now() - t0} ms (thread cpu ${threadCpuMs()} ms)\n`);
  };
  try {
    await readCapture(plan.file, sink);
    so.finish();
    debug();
    return { so, captured: proc.captured };
  } catch (e) {
    debug();
    let error = e;
    try {
      so.abandon(e);
    } catch (e2) {
      // writing what came before the error failed: that is what the single thread reports too
      error = e2;
      stopOutput(ctl);
    }
    return { so, captured: proc.captured, error };
  }
}

/** CPU time of the calling thread (Linux), for TSDIG_DEBUG_PARALLEL */
function threadCpuMs(): number {
  try {
    const st = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

/** The worker's side (started by bin/tsdig in a worker thread). */
export async function runReplayWorker(job: WorkerJob): Promise<void> {
  const { parentPort } = await import('node:worker_threads');
  let msg: WorkerResult = {};
  try {
    const share = await replayShare(job.opts, makePrinter(job.opts), job.plan, job.ctl, 'follow', null, false);
    if (share.error !== undefined && !(share.error instanceof OutputStopped)) msg = { error: describe(share.error) };
  } catch (e) {
    stopOutput(job.ctl);
    msg = { error: describe(e) };
  }
  parentPort?.postMessage(msg);
}

function describe(e: unknown): WorkerResult['error'] {
  const err = (e instanceof WriteFailed ? e.cause : e) as Error & { file?: string; offset?: number };
  return { name: err?.name ?? 'Error', message: err?.message ?? String(e), file: err?.file, offset: err?.offset };
}

function revive(d: NonNullable<WorkerResult['error']>): Error {
  if (d.name === 'ScapError') return new ScapError(d.message, d.file ?? '', d.offset ?? 0);
  if (d.name === 'PipeClosed') return new PipeClosed();
  return new Error(d.message);
}
