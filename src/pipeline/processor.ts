// The per-event pipeline shared by replay and live capture: state → filter → consumers.
// Applies sysdig's rules for what is counted, numbered, filtered and shown.
import { ScapEvent } from '../events/event';
import { EVENTS } from '../events/table';
import { StateEngine } from '../state/engine';
import { EventCtx } from '../fields/context';

export interface ProcessorOpts {
  filter?: { test(c: EventCtx): boolean } | null;
  /** -D: also show internal events (procinfo, container…) */
  showInternal?: boolean;
  /** -n: stop after this many events pass the filter (internal ones included); 0 = no limit */
  maxEvents?: number;
  /** -M: stop after this many seconds of event time */
  maxSeconds?: number;
  /**
   * Nothing reads the state (-q without a filter only counts): events are counted as sysdig
   * counts them but not applied to the state engine.
   */
  stateless?: boolean;
}

/** Consumer of accepted events (printer, chisel host, aggregator…). Return false to stop. */
export type EventConsumer = (c: EventCtx) => boolean | void;

const INTERNAL: boolean[] = EVENTS.map((i) => i.categoryId === 'INTERNAL');

export class EventProcessor {
  readonly engine = new StateEngine();
  readonly ctx = new EventCtx(this.engine);
  /** events returned by the inspector (sysdig's "Captured Events") */
  captured = 0;
  /** events that passed the filter */
  accepted = 0;
  private leading = true;
  private stopAtHi = -1;
  private stopAtLo = 0;
  private stopped = false;

  private readonly stateless: boolean;

  constructor(private readonly opts: ProcessorOpts, private readonly consumer: EventConsumer) {
    this.stateless = !!opts.stateless && !opts.filter;
    // sinsp filters events that do not modify state before parsing them (see StateEngine.preFilter)
    const f = opts.filter;
    if (f) this.engine.preFilter = (e) => { this.ctx.e = e; return f.test(this.ctx); };
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resets per-capture state: a new section or a new file. */
  newSection(): void {
    this.leading = true;
  }

  handle(e: ScapEvent): boolean {
    if (this.stopped) return false;
    const s = this.engine;
    const type = e.type;
    const isContainer = type === 228 || type === 272 || type === 324;
    if (this.leading) {
      if (isContainer) {
        // sinsp consumes the leading container events while opening the file
        if (!this.stateless) s.process(e);
        return true;
      }
      this.leading = false;
    }
    if (!this.stateless) s.process(e);
    if (e.dumpFlags & 1) return true; // state-only event: parsed, never shown
    if (this.opts.maxSeconds !== undefined && this.opts.maxSeconds > 0) {
      if (this.stopAtHi < 0) {
        const end = e.tsNum + this.opts.maxSeconds * 1e9;
        this.stopAtHi = Math.floor(end / 4294967296);
        this.stopAtLo = end - this.stopAtHi * 4294967296;
      } else if (e.nsSince(this.stopAtHi, this.stopAtLo) > 0) {
        this.stopped = true;
        return false;
      }
    }
    this.captured++;
    const ctx = this.ctx;
    ctx.e = e;
    const f = this.opts.filter;
    if (f && (s.preFiltered ? s.filteredOut : !f.test(ctx))) return true;
    this.accepted++;
    const internal = INTERNAL[type]!;
    if (!internal || this.opts.showInternal) {
      if (this.consumer(ctx) === false) {
        this.stopped = true;
        return false;
      }
    }
    if (this.opts.maxEvents && this.accepted >= this.opts.maxEvents) {
      this.stopped = true;
      return false;
    }
    return true;
  }
}
