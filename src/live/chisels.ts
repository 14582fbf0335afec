// `sudo tsdig -c CHISEL [args] [filter]` without -r: chisels on live events. The same ChiselHost
// as for files (src/chisel/run.ts) gets its events from the shared live source; chisels see
// isLive() = true (the top-N tables then print every second, as in sysdig). Entered from
// runChisels() when there is no -r. Ends with the same summary line on stderr as live printing
// ("N events captured in S s (M matched the filter), D dropped by the ring buffer").
import { CliOptions } from '../cli/options';
import { EventProcessor } from '../pipeline/processor';
import { fieldRegistry } from '../fields';
import { compileFilter } from '../filter';
import { EventCtx } from '../fields/context';
import { OutWriter, PipeClosed } from '../output/writer';
import { ChiselHost, resolveRequests, textOutput } from '../chisel/run';
import { loadChisel, parseChiselArgs } from '../chisel/loader';
import { captureLive, notStarted } from './source';

export async function runLiveChisels(o: CliOptions, dirs: string[]): Promise<number> {
  const { requests, filter } = resolveRequests(o, dirs);
  const defs = requests.map((r) => {
    const { def } = loadChisel(r.name, dirs);
    return { name: r.name, def, args: parseChiselArgs(def, r.args) };
  });
  const gfilter = filter.trim() ? compileFilter<EventCtx>(filter, fieldRegistry()) : null;
  const w = new OutWriter(1, o.unbuffered ? 0 : 256 * 1024);
  let host!: ChiselHost;
  const proc = new EventProcessor({ filter: gfilter, showInternal: true, maxEvents: o.numEvents, maxSeconds: o.seconds }, (c) => host.onEvent(c));
  proc.ctx.timeMode = o.timeType;
  proc.ctx.render = { bufFormat: o.bufFormat, bufLimit: 0 }; // as sysdig: no 80-byte cut when chisels run
  const report = (m: string) => {
    w.flush();
    process.stderr.write(m + '\n');
  };
  host = new ChiselHost(proc, textOutput(w), { live: true, containerData: o.containerFormat, json: o.json, bufFormat: o.bufFormat, verbose: o.verbose, report }, '');
  for (const d of defs) host.add(d.name, d.def, d.args);

  const sink = proc.engine.metadataSink((e) => proc.handle(e));
  const onFds = sink.onFds.bind(sink);
  sink.onFds = (tid, fds) => {
    host.fdTids.add(tid);
    onFds(tid, fds);
  };
  const late = { onThread: sink.onThread, onFds: sink.onFds };
  const threads = proc.engine.threads;
  host.captureStart();
  let r: Awaited<ReturnType<typeof captureLive>> = null;
  try {
    r = await captureLive(
      o,
      {
        engine: proc.engine,
        bootSink: () => sink,
        lateSink: () => late,
        handle: (ev) => {
          const ok = proc.handle(ev);
          if (ok && !proc.isStopped) host.seen(ev);
          return ok;
        },
        afterBatch: () => w.flush(),
        tick: () => {
          // fdTids only matters for threads still in the table: forget the ones that exited
          if (host.fdTids.size > threads.size) for (const tid of host.fdTids) if (!threads.has(tid)) host.fdTids.delete(tid);
        },
        tables: () => ({ 'chisel.fdTids': host.fdTids.size }),
      },
      { warnDrops: true },
    );
  } finally {
    try {
      if (r && r.started) host.captureEnd();
      w.flush();
    } catch (e) {
      if (!(e instanceof PipeClosed)) throw e;
    }
  }
  if (!r) return 1;
  const early = notStarted(r);
  if (early !== null) return early;
  process.stderr.write(
    `tsdig: ${r.events} events captured in ${r.secs.toFixed(1)} s (${proc.accepted} matched the filter), ${r.stats.drops} dropped by the ring buffer` +
      `${r.malformed ? `, ${r.malformed} malformed` : ''}${r.lookups ? `; ${r.lookups} late threads read from /proc` : ''}\n`,
  );
  if (r.failure) throw r.failure;
  return 0;
}
