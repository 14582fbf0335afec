// What a field extractor sees: the current event, the state engine (already updated for it) and
// the output options that change how some fields print (-t, buffer format).
import { ScapEvent } from '../events/event';
import { StateEngine } from '../state/engine';
import { RenderOpts } from '../output/render';

export type TimeMode = 'h' | 'a' | 'r' | 'd' | 'D';

export class EventCtx {
  e: ScapEvent = new ScapEvent();
  render: RenderOpts = { bufFormat: 'normal', bufLimit: 80 };
  timeMode: TimeMode = 'h';
  /** previous *printed* event time, for -t D */
  lastPrintedHi = -1;
  lastPrintedLo = -0; // a double field from the start, as ScapEvent.tsLo
  /** true when the capture is live (some fields differ) */
  live = false;
  constructor(readonly s: StateEngine) {}
}
