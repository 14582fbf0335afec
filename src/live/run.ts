// `sudo tsdig [filter]` (no -r): live capture. The eBPF addon (src/live/native.ts) delivers batches
// of sysdig-format events; they go through the same EventProcessor, filter, Formatter and OutWriter
// as replay. State starts from a /proc scan (src/live/proc.ts) fed through the engine's metadata
// sink, exactly like a capture file's process list; container metadata comes from Docker
// (src/live/docker.ts). Output is flushed once per batch (every ≤ 20 ms). The capture loop itself
// (src/live/source.ts) is shared with `-w` (src/live/write.ts) and `-c` (src/live/chisels.ts).
//
// Stops on -n, -M, SIGINT, SIGTERM, SIGHUP or a closed stdout; prints a summary (events, drops) on
// stderr. Ring-buffer drops are reported on stderr while they happen.
import { CliOptions } from '../cli/options';
import { EventProcessor } from '../pipeline/processor';
import { fieldRegistry } from '../fields';
import { compileFilter } from '../filter';
import { Formatter, DEFAULT_FORMAT, CONTAINER_FORMAT } from '../output/formatter';
import { OutWriter, PipeClosed } from '../output/writer';
import { EventCtx } from '../fields/context';
import { captureLive, notStarted, LiveConsumer } from './source';
import { withBackgroundPackets } from '../net/live';
import { countEvent, printSummary } from '../output/summary';

// (-w and -c live in ./write and ./chisels: importing them here would load the file writer and
// the chisel host into every live print job's start-up)

export async function runLive(o: CliOptions): Promise<number> {
  // everything that can fail on bad input fails before the (slow) BPF load
  const reg = fieldRegistry();
  const filter = o.filter.trim() ? compileFilter<EventCtx>(o.filter, reg) : null;
  const fmt = new Formatter(o.print ?? (o.containerFormat ? CONTAINER_FORMAT : DEFAULT_FORMAT), reg);
  const out = new OutWriter(1, o.unbuffered ? 0 : 256 * 1024);
  const summary = new Map<string, number>();
  const metrics = await (await import('../metrics')).startMetrics(o);

  const proc = new EventProcessor({ filter, showInternal: o.debug, maxEvents: o.numEvents, maxSeconds: o.seconds }, (c) => {
    metrics?.consume(c);
    if (o.summary) countEvent(summary, c);
    if (o.quiet) return;
    const line = o.json ? fmt.json(c) : fmt.format(c);
    if (line === null) return;
    out.write(line + '\n');
    c.lastPrintedHi = c.e.tsHi;
    c.lastPrintedLo = c.e.tsLo;
  });
  const ctx = proc.ctx;
  ctx.timeMode = o.timeType;
  ctx.render = { bufFormat: o.json && o.bufFormat === 'normal' ? 'json' : o.bufFormat, bufLimit: o.verbose || o.json ? 0 : 80 };
  const engine = proc.engine;
  const sink = engine.metadataSink((e) => proc.handle(e));
  const addSink = { onThread: sink.onThread, onFds: sink.onFds };

  const consumer: LiveConsumer = {
    engine,
    bootSink: () => sink,
    lateSink: () => addSink,
    handle: (ev) => proc.handle(ev),
    afterBatch: () => out.flush(),
    tick: metrics ? (st) => metrics.setDrops(st.drops) : undefined,
  };
  // metrics count packets in the background too (the wire series; --no-pcap-stats: syscalls only)
  const live = metrics ? withBackgroundPackets(o, consumer, { warnDrops: true }) : { consumer, opts: { warnDrops: true }, packets: null };
  let r;
  try {
    r = await captureLive(o, live.consumer, live.opts);
  } finally {
    await live.packets?.stop();
    await metrics?.stop();
    try {
      out.flush();
    } catch (e) {
      if (!(e instanceof PipeClosed)) throw e;
    }
  }
  if (!r) return 1;
  const early = notStarted(r);
  if (early !== null) return early;
  if (o.summary) printSummary(summary);
  if (o.verbose) process.stderr.write(`Captured Events: ${proc.captured}\n`);
  process.stderr.write(
    `tsdig: ${r.events} events captured in ${r.secs.toFixed(1)} s (${proc.accepted} matched the filter), ${r.stats.drops} dropped by the ring buffer` +
      `${r.malformed ? `, ${r.malformed} malformed` : ''}${r.lookups ? `; ${r.lookups} late threads read from /proc` : ''}\n`,
  );
  if (r.failure) throw r.failure;
  return 0;
}
