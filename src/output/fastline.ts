// The default output line (`*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir
// %evt.type %evt.info`) written straight into the output buffer: numbers as digits, the time of day
// from a per-second cache, each argument piece by piece — no per-line string building. It must
// print exactly what the generic Formatter prints for that format (the parity tests run both).
import { EventCtx } from '../fields/context';
import { FieldAccessor } from '../fields/types';
import { fieldRegistry } from '../fields';
import { OutWriter } from './writer';
import { renderParam } from './render';
import { evtTypeName, syslogInfo } from '../fields/evt';
import { splitTs, timeOfDay } from '../fields/timefmt';
import { EVENTS } from '../events/table';
import { ThreadInfo } from '../state/thread';

let lastSec = -1;
let lastHms = '';

/** One slot of the per-thread cache: " comm (tid) " for a thread object while its comm is unchanged. */
interface TagSlot { t: ThreadInfo | null; comm: string; tag: string }
const TAG_SLOTS = 256;

/** ") > type " / ") < type " per event type and direction, built once */
const TYPE_TAIL: string[] = EVENTS.map((info, type) => (type & 1 ? ') < ' : ') > ') + info.name + ' ');
/** "name=" per param, per event type */
const PARAM_HEADS: string[][] = EVENTS.map((info) => info.params.map((p) => p.name + '='));

export class DefaultLine {
  private readonly procName: FieldAccessor<EventCtx>;
  private readonly outTime: FieldAccessor<EventCtx>;
  /** direct-mapped by tid: most events come from a few hot threads, so this hits nearly always */
  private readonly tags: TagSlot[] = Array.from({ length: TAG_SLOTS }, () => ({ t: null, comm: '', tag: '' }));

  constructor() {
    const reg = fieldRegistry();
    this.procName = reg.resolve('proc.name');
    this.outTime = reg.resolve('evt.outputtime');
  }

  /** " comm (tid" for the event's thread — what proc.name and thread.tid print, cached per thread */
  private tag(c: EventCtx): string {
    const t = c.s.thread;
    const tid = c.e.tid;
    if (t === null || t.tid !== tid) return ' ' + (this.procName.display(c) ?? '<NA>') + ' (' + tid;
    const slot = this.tags[tid & (TAG_SLOTS - 1)]!;
    if (slot.t === t && slot.comm === t.comm) return slot.tag;
    slot.t = t;
    slot.comm = t.comm;
    slot.tag = ' ' + (this.procName.display(c) ?? '<NA>') + ' (' + tid;
    return slot.tag;
  }

  write(c: EventCtx, out: OutWriter): void {
    const e = c.e;
    out.int(e.num);
    out.byte(0x20);
    if (c.timeMode === 'h') {
      const [sec, ns] = splitTs(e.tsHi, e.tsLo);
      if (sec !== lastSec) {
        lastSec = sec;
        lastHms = timeOfDay(e.tsHi, e.tsLo, false) + '.';
      }
      out.str(lastHms);
      out.pad9(ns);
    } else {
      out.str(this.outTime.display(c) ?? '<NA>');
    }
    out.byte(0x20);
    out.int(e.cpu);
    out.str(this.tag(c));
    const type = e.type;
    if (type > 1) out.str(TYPE_TAIL[type]!);
    else {
      out.str(e.dir === 0 ? ') > ' : ') < ');
      out.str(evtTypeName(c));
      out.byte(0x20);
    }
    const sys = syslogInfo(c);
    if (sys !== undefined) out.str(sys);
    else if (type > 1) {
      const params = e.info.params;
      const heads = PARAM_HEADS[type]!;
      const n = e.paramCount;
      for (let i = 0; i < n; i++) {
        out.str(heads[i]!);
        out.str(renderParam(c.s, e, i, params[i]!, c.render));
        out.byte(0x20);
      }
    }
    out.endLine();
  }
}
