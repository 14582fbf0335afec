// The UI's live event source: the shared live capture loop (src/live/source.ts) feeding one
// EventProcessor, whose accepted events go to whichever aggregator the UI currently shows.
// Switching view or filter swaps the consumer; there is no history to re-read in live mode.
//
// Collection never blocks drawing: the capture hands over batches of up to 1 MiB (~10,000 events,
// ~20 ms of work) and up to 16 of them back to back, so processing each batch whole would keep
// keys waiting for hundreds of ms under load. Events are processed for at most SLICE_MS at a
// time; what is left of a batch is queued (references into the batch buffer, which the capture
// never reuses) and processed in later slices, with the event loop (keys, timers, drawing) running
// in between. Past QUEUE_MAX_BYTES of queued batches the UI is behind for good: the queue is then
// processed at once, which slows the capture down to what the UI can take (the ring buffer drops
// the excess, and the header shows the drops). bench/ui.ts measures the key-to-redraw latency.
import { CliOptions } from '../cli/options';
import { EventProcessor } from '../pipeline/processor';
import { EventCtx } from '../fields/context';
import { ScapEvent } from '../events/event';
import { captureLive, LiveResult } from '../live/source';
import { withBackgroundPackets } from '../net/live';

const SLICE_MS = 4;
const QUEUE_MAX_BYTES = 8 << 20;

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
  // deferred events: batch buffer, then offset, cpu and evt.num of each event (flat)
  private readonly qBufs: Buffer[] = [];
  private qEvents: number[] = [];
  private qHead = 0;
  private qBytes = 0;
  private lastBuf: Buffer | null = null;
  private sliceStart = -1;
  private draining = false;
  private readonly ev = new ScapEvent();
  private proc: EventProcessor | null = null;

  /** events queued for a later slice */
  get queued(): number {
    return (this.qEvents.length - this.qHead) / 4;
  }

  /** One event from the capture: processed now, or queued when this slice has used its time. */
  private handle(ev: ScapEvent): boolean {
    if (this.stopped) return false;
    if (this.sliceStart < 0) this.sliceStart = performance.now();
    if (this.qHead < this.qEvents.length || performance.now() - this.sliceStart > SLICE_MS) {
      if (ev.buf !== this.lastBuf) {
        this.lastBuf = ev.buf;
        this.qBufs.push(ev.buf);
        this.qBytes += ev.buf.length;
      }
      this.qEvents.push(this.qBufs.length - 1, ev.off, ev.cpu, ev.num);
      return true;
    }
    return this.proc!.handle(ev) !== false && !this.stopped;
  }

  /** End of a batch from the capture: the next one starts a new slice; queued events go on later. */
  private batchDone(): void {
    this.sliceStart = -1;
    if (this.qBytes > QUEUE_MAX_BYTES) this.drain(Infinity);
    else if (this.queued && !this.draining) {
      this.draining = true;
      setImmediate(() => this.drain(SLICE_MS));
    }
    this.afterBatch?.();
  }

  /** Processes queued events for up to `ms`; schedules itself again while some are left. */
  private drain(ms: number): void {
    const t0 = performance.now();
    const q = this.qEvents;
    const ev = this.ev;
    const proc = this.proc!;
    let n = 0;
    while (this.qHead < q.length && !this.stopped) {
      const h = this.qHead;
      ev.set(this.qBufs[q[h]!]!, q[h + 1]!, 26, q[h + 2]!, 0);
      ev.num = q[h + 3]!;
      this.qHead = h + 4;
      proc.handle(ev);
      if ((++n & 255) === 0 && performance.now() - t0 > ms) break;
    }
    if (this.qHead >= q.length || this.stopped) {
      // all done: drop the references to the batches
      this.qEvents = [];
      this.qHead = 0;
      this.qBufs.length = 0;
      this.qBytes = 0;
      this.lastBuf = null;
      this.draining = false;
      return;
    }
    this.draining = true;
    setImmediate(() => this.drain(SLICE_MS));
  }

  start(o: CliOptions): Promise<LiveResult | null> {
    const proc = new EventProcessor({ filter: null }, (c) => {
      this.lastCtx = c;
      this.events++;
      this.consumer?.(c);
      this.tap?.(c);
      return !this.stopped;
    });
    proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
    this.proc = proc;
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
        handle: (ev) => this.handle(ev),
        afterBatch: () => this.batchDone(),
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
