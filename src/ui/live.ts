// The UI's live event source: the shared live capture loop (src/live/source.ts) feeding one
// EventProcessor, whose accepted events go to whichever aggregator the UI currently shows.
// Switching view or filter swaps the consumer; there is no history to re-read in live mode.
import { CliOptions } from '../cli/options';
import { EventProcessor } from '../pipeline/processor';
import { EventCtx } from '../fields/context';
import { captureLive, LiveResult } from '../live/source';
import { withBackgroundPackets } from '../net/live';

export class LiveFeed {
  /** receives every event (the UI's current aggregator) */
  consumer: ((c: EventCtx) => void) | null = null;
  /** live dig/echo: sees every event after the aggregator */
  tap: ((c: EventCtx) => void) | null = null;
  /** after each batch of events */
  afterBatch: (() => void) | null = null;
  lastCtx: EventCtx | null = null;
  drops = 0;
  events = 0;
  private stopped = false;
  done: Promise<LiveResult | null> = Promise.resolve(null);

  start(o: CliOptions): Promise<LiveResult | null> {
    const proc = new EventProcessor({ filter: null }, (c) => {
      this.lastCtx = c;
      this.events++;
      this.consumer?.(c);
      this.tap?.(c);
      return !this.stopped;
    });
    proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
    const engine = proc.engine;
    const sink = engine.metadataSink((e) => proc.handle(e));
    const addSink = { onThread: sink.onThread, onFds: sink.onFds };
    // packets counted in the background fill the views' wire columns (src/net/live.ts; --no-pcap-stats: off)
    const live = withBackgroundPackets(
      o,
      {
        engine,
        bootSink: () => sink,
        lateSink: () => addSink,
        handle: (ev) => !this.stopped && proc.handle(ev) !== false && !this.stopped,
        afterBatch: () => this.afterBatch?.(),
        tick: (st) => {
          this.drops = st.drops;
        },
      },
      { warnDrops: false },
    );
    this.done = captureLive(o, live.consumer, live.opts).finally(() => live.packets.stop());
    return this.done;
  }

  stop(): void {
    this.stopped = true;
  }
}
