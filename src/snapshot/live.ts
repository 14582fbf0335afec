// `sudo tsdig --snapshot VIEW [-d ms] [-j] [filter]` without -r: one interval (-d, default 2 s) of
// live events aggregated by a view and printed as text (or JSON), as the live UI would show it.
// Packets are counted in the background as in the live UI (src/net/live.ts), so the views' wire
// columns (Connections, Containers Net, Containers) are filled; the interval starts once the
// interfaces are open. -M bounds the wait.
import { CliOptions } from '../cli/options';
import { ViewDef } from '../views/types';
import { EventProcessor } from '../pipeline/processor';
import { captureLive, notStarted } from '../live/source';
import { withBackgroundPackets } from '../net/live';
import { Aggregator } from './aggregator';
import { renderFrame } from './format';
import { snapshotJson } from './export';
import { Snapshot } from './types';

export async function runLiveSnapshot(o: CliOptions, view: ViewDef): Promise<number> {
  const why = (await import('../live/messages')).liveUnavailable();
  if (why) {
    process.stderr.write(why);
    return 1;
  }
  let agg: Aggregator | null = null;
  let first: Snapshot | null = null;
  const proc = new EventProcessor({ filter: null }, (c) => {
    agg?.consume(c);
    return first === null;
  });
  proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
  const engine = proc.engine;
  const sink = engine.metadataSink((e) => proc.handle(e));
  const addSink = { onThread: sink.onThread, onFds: sink.onFds };
  const live = withBackgroundPackets(
    o,
    { engine, bootSink: () => sink, lateSink: () => addSink, handle: (ev) => proc.handle(ev) !== false && first === null },
    { warnDrops: false },
  );
  const net = live.packets;
  await net.ready;
  agg = new Aggregator({
    view,
    userFilter: o.filter,
    drill: [],
    intervalNs: Math.max(100, o.delayMs) * 1e6,
    onSnapshot: (s) => {
      first ??= s;
    },
  });
  let r;
  try {
    r = await captureLive(o, live.consumer, live.opts);
    // -M ended it first: the partial interval, while the wire counters are still registered
    if (r && !first) agg.finish(proc.ctx);
  } finally {
    await net.stop();
  }
  if (!r) return 1;
  const early = notStarted(r);
  if (early !== null) return early;
  const snap = first as Snapshot | null;
  if (!snap) return 1;
  const source = `live (${r.events} evts; ${net.status})`;
  if (o.json) {
    const j = snapshotJson(snap, { viewId: view.id, viewName: view.name, path: '', filter: agg.filterText, source });
    process.stdout.write(JSON.stringify({ ...j, captured: r.events }) + '\n');
    return 0;
  }
  process.stdout.write(renderFrame(snap, { viewName: view.name, path: '', source, filter: agg.filterText }));
  return 0;
}
