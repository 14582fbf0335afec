// `tsdig -r FILE… [filter]`: replay captures through the shared pipeline and print them.
import { CliOptions } from './options';
import { EventProcessor, EventConsumer } from '../pipeline/processor';
import { readCapture } from '../scap/reader';
import { captureHosts, readMerged, MergeInput } from '../scap/merge';
import { CaptureSink } from '../scap/types';
import { FD_FREE_FIELDS, fieldRegistry } from '../fields';
import { compileFilter, CompiledFilter } from '../filter';
import { Formatter, DEFAULT_FORMAT, CONTAINER_FORMAT } from '../output/formatter';
import { OutWriter } from '../output/writer';
import { DefaultLine } from '../output/fastline';
import { EventCtx } from '../fields/context';
import { countEvent, printSummary } from '../output/summary';

/** How events print: the filter, and the line writer for the chosen format. */
export interface Printer {
  filter: CompiledFilter<EventCtx> | null;
  fmt: Formatter;
  /** writes the event's line (if the format prints one for it) */
  print(c: EventCtx, out: OutWriter): void;
}

export function makePrinter(o: CliOptions): Printer {
  const reg = fieldRegistry();
  const filter = o.filter.trim() ? compileFilter<EventCtx>(o.filter, reg) : null;
  const fmt = new Formatter(o.print ?? (o.containerFormat ? CONTAINER_FORMAT : DEFAULT_FORMAT), reg);
  // the default line has a dedicated writer (set TSDIG_GENERIC_FORMAT=1 to compare with the generic one)
  const fast = !o.json && o.print === undefined && !o.containerFormat && !process.env.TSDIG_GENERIC_FORMAT ? new DefaultLine() : null;
  const json = o.json;
  return {
    filter,
    fmt,
    print(c, out) {
      if (fast) {
        fast.write(c, out);
      } else {
        const line = json ? fmt.json(c) : fmt.format(c);
        if (line === null) return;
        out.str(line);
        out.endLine();
      }
      c.lastPrintedHi = c.e.tsHi;
      c.lastPrintedLo = c.e.tsLo;
    },
  };
}

/** The processor and capture sink of one replayed file, set up for the job's options. */
export function replayFile(o: CliOptions, filter: CompiledFilter<EventCtx> | null, maxEvents: number, consumer: EventConsumer): { proc: EventProcessor; sink: CaptureSink } {
  const proc = new EventProcessor({ filter, showInternal: o.debug, maxEvents, maxSeconds: o.seconds, stateless: o.quiet && !filter }, consumer);
  const ctx = proc.ctx;
  ctx.timeMode = o.timeType;
  ctx.render = { bufFormat: o.json && o.bufFormat === 'normal' ? 'json' : o.bufFormat, bufLimit: o.verbose || o.json ? 0 : 80 };
  const sink = proc.engine.metadataSink((e) => proc.handle(e), () => proc.newSection());
  if (o.quiet && !filter) {
    // counting only: the process table is read (and checked) but not built into threads
    sink.onThread = () => undefined;
    sink.onFds = () => undefined;
    sink.onFdsRaw = () => undefined;
  } else if (o.quiet && filter && filter.fields.every((f) => FD_FREE_FIELDS.has(f))) {
    // nothing printed and the filter reads no fd: fd tables are not built
    proc.engine.fdState = false;
    sink.onFds = () => undefined;
    sink.onFdsRaw = () => undefined;
  }
  return { proc, sink };
}

/** What a replay prints when it is done: the -S table, and with -v the events read. */
export function printEnd(o: CliOptions, summary: Map<string, number>, total: number): void {
  if (o.summary) printSummary(summary);
  if (o.verbose) process.stderr.write(`Captured Events: ${total}\n`);
}

export async function runReplay(o: CliOptions): Promise<number> {
  const printer = makePrinter(o);
  // a large file printed to a pipe or file: two threads share the printing (./replay-parallel)
  const { parallelPlan, runParallel } = await import('./replay-parallel');
  const plan = parallelPlan(o, printer);
  if (plan) return runParallel(o, printer, plan);
  const filter = printer.filter;
  const out = new OutWriter(1, o.unbuffered ? 0 : 256 * 1024);
  let total = 0;
  const summary = new Map<string, number>();
  const inputs: MergeInput[] = [];
  // several -r from different hosts: merged by event time, one state per file (src/scap/merge.ts); -n counts across them
  const merged = o.read.length > 1 && new Set(await captureHosts(o.read)).size > 1;
  let shown = 0;
  const procs: EventProcessor[] = [];
  try {
    for (const file of o.read) {
      const { proc, sink } = replayFile(o, filter, merged ? 0 : o.numEvents, (c) => {
        if (merged && o.numEvents > 0 && ++shown > o.numEvents) return false;
        if (o.summary) countEvent(summary, c);
        if (o.quiet) return;
        printer.print(c, out);
      });
      procs.push(proc);
      if (merged) {
        inputs.push({ file, sink });
        continue;
      }
      try {
        await readCapture(file, sink);
      } finally {
        out.flush();
        total += proc.captured;
      }
    }
    if (merged) {
      try {
        await readMerged(inputs);
      } finally {
        out.flush();
        for (const p of procs) total += p.captured;
      }
    }
  } finally {
    out.flush();
  }
  printEnd(o, summary, total);
  return 0;
}
