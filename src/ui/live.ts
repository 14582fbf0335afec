// The UI's live event source: the shared live capture loop (src/live/source.ts) feeding one
// EventProcessor, whose accepted events go to whichever aggregator the UI currently shows.
// Switching view or filter swaps the consumer; there is no history to re-read in live mode.
//
// Collection never blocks drawing: the capture hands over batches of up to 1 MiB (~10,000 events,
// ~20 ms of work) and up to 16 of them back to back, so processing each batch whole would keep
// keys waiting for hundreds of ms under load. Events are processed for at most SLICE_MS at a
// time; what is left of a batch is queued (references into the batch buffer, which the capture
// never reuses) and processed in later slices, with the event loop (keys, timers, drawing) running
// in between. The capture delivers up to 16 queued batches in one go, so the queue absorbs such
// bursts (QUEUE_MAX_BYTES, 32 MiB, about half a second of events at the rates bench/ui.ts drives).
// Past that the UI is behind for good (the machine cannot give it the CPU the event rate needs):
// new events are dropped and counted with the ring buffer's drops in the header, as the kernel
// would drop them if the UI stopped reading; processing them instead would block the keys for as
// long as the UI is behind. bench/ui.ts measures the key-to-redraw latency.
import { CliOptions } from '../cli/options';
import { EventProcessor } from '../pipeline/processor';
import { EventCtx } from '../fields/context';
import { ScapEvent } from '../events/event';
import { captureLive, LiveResult } from '../live/source';
import { withBackgroundPackets } from '../net/live';
import { activeMetrics } from '../metrics';

const SLICE_MS = 4;
const QUEUE_MAX_BYTES = 32 << 20;

export class LiveFeed {
  /** receives every event (the UI's current aggregator) */
  consumer: ((c: EventCtx) => void) | null = null;
  /** live dig/echo: sees every event after the aggregator */
  tap: ((c: EventCtx) => void) | null = null;
  /** the event time of events the consumer does not see (state-only): the aggregator's clock */
  clock: ((tsNs: number) => void) | null = null;
  /** after each batch of events */
  afterBatch: (() => void) | null = null;
  lastCtx: EventCtx | null = null;
  /** events the ring buffer dropped, and events dropped here because the UI fell too far behind */
  ringDrops = 0;
  uiDrops = 0;
  events = 0;
  private stopped = false;
  done: Promise<LiveResult | null> = Promise.resolve(null);
  // deferred events: the batch buffer of each, then its offset, cpu, evt.num and dump flags (flat)
  private qBufs: Buffer[] = [];
  private qEvents: number[] = [];
  private qHead = 0;
  /** bytes of the batches that still have queued events */
  private qBytes = 0;
  private lastBuf: Buffer | null = null;
  private sliceStart = -1;
  private draining = false;
  private readonly ev = new ScapEvent();
  private proc: EventProcessor | null = null;

  get drops(): number {
    return this.ringDrops + this.uiDrops;
  }

  /** events queued for a later slice */
  get queued(): number {
    return this.qBufs.length - this.qHead;
  }

  /** One event from the capture: processed now, or queued when this slice has used its time. */
  private handle(ev: ScapEvent): boolean {
    if (this.stopped) return false;
    if (this.sliceStart < 0) this.sliceStart = performance.now();
    if (this.qHead < this.qBufs.length || performance.now() - this.sliceStart > SLICE_MS) {
      if (this.qBytes > QUEUE_MAX_BYTES) {
        this.uiDrops++;
        return true;
      }
      if (ev.buf !== this.lastBuf) {
        this.lastBuf = ev.buf;
        this.qBytes += ev.buf.length;
      }
      this.qBufs.push(ev.buf);
      this.qEvents.push(ev.off, ev.cpu, ev.num, ev.dumpFlags);
      return true;
    }
    return this.process(this.proc!, ev) !== false && !this.stopped;
  }

  /**
   * One event through the processor. A state-only event (a remote stream's events that failed its
   * filter, kept for the state) is never shown, but its time still moves the intervals on.
   */
  private process(proc: EventProcessor, ev: ScapEvent): boolean {
    const r = proc.handle(ev);
    if (ev.dumpFlags & 1) this.clock?.(ev.tsNum);
    return r;
  }

  /** End of a batch from the capture: the next one starts a new slice; queued events go on later. */
  private batchDone(): void {
    this.sliceStart = -1;
    if (this.queued && !this.draining) {
      this.draining = true;
      setImmediate(() => this.drain(SLICE_MS));
    }
    this.afterBatch?.();
  }

  /** Processes queued events for up to `ms`; schedules itself again while some are left. */
  private drain(ms: number): void {
    const t0 = performance.now();
    const bufs = this.qBufs;
    const q = this.qEvents;
    const ev = this.ev;
    const proc = this.proc!;
    let n = 0;
    while (this.qHead < bufs.length && !this.stopped) {
      const h = this.qHead++;
      const buf = bufs[h]!;
      ev.set(buf, q[4 * h]!, 26, q[4 * h + 1]!, q[4 * h + 3]!);
      ev.num = q[4 * h + 2]!;
      this.process(proc, ev);
      if (bufs[h + 1] !== buf) this.qBytes -= buf.length; // the last event of its batch
      if ((++n & 255) === 0 && performance.now() - t0 > ms) break;
    }
    if (this.qHead >= bufs.length || this.stopped) {
      // all done: drop the references to the batches
      this.qBufs = [];
      this.qEvents = [];
      this.qHead = 0;
      this.qBytes = 0;
      this.lastBuf = null;
      this.draining = false;
      return;
    }
    if (this.qHead > 100_000) {
      // never empty under steady load: let go of what was processed
      this.qBufs = bufs.slice(this.qHead);
      this.qEvents = q.slice(4 * this.qHead);
      this.qHead = 0;
    }
    this.draining = true;
    setImmediate(() => this.drain(SLICE_MS));
  }

  /** the live source's start-up status (the UI shows it in its footer) */
  onStatus: ((text: string) => void) | null = null;

  start(o: CliOptions): Promise<LiveResult | null> {
    const metrics = activeMetrics();
    const proc = new EventProcessor({ filter: null }, (c) => {
      this.lastCtx = c;
      this.events++;
      metrics?.consume(c);
      this.consumer?.(c);
      this.tap?.(c);
      return !this.stopped;
    });
    proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
    this.proc = proc;
    const engine = proc.engine;
    const sink = engine.metadataSink((e) => proc.handle(e));
    const addSink = { onThread: sink.onThread, onFds: sink.onFds };
    if (o.remote) {
      // the capture runs on the remote host (src/live/remote.ts); its packets are not counted here
      const consumer = {
        engine,
        bootSink: () => sink,
        lateSink: () => addSink,
        handle: (ev: ScapEvent) => this.handle(ev),
        afterBatch: () => this.batchDone(),
      };
      this.done = import('../live/remote').then((m) => m.captureRemote(o, consumer, { warnDrops: false, isStopped: () => this.stopped }));
      return this.done;
    }
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
          this.ringDrops = st.drops;
          metrics?.setDrops(this.drops);
        },
      },
      { warnDrops: false, status: (t) => this.onStatus?.(t) },
    );
    this.done = captureLive(o, live.consumer, live.opts).finally(() => live.packets.stop());
    return this.done;
  }

  stop(): void {
    this.stopped = true;
  }
}
