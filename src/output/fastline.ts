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

let lastSec = -1;
let lastHms = '';

export class DefaultLine {
  private readonly procName: FieldAccessor<EventCtx>;
  private readonly outTime: FieldAccessor<EventCtx>;

  constructor() {
    const reg = fieldRegistry();
    this.procName = reg.resolve('proc.name');
    this.outTime = reg.resolve('evt.outputtime');
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
    out.byte(0x20);
    out.str(this.procName.display(c) ?? '<NA>');
    out.str(' (');
    out.int(e.tid);
    out.str(e.dir === 0 ? ') > ' : ') < ');
    out.str(evtTypeName(c));
    out.byte(0x20);
    const sys = syslogInfo(c);
    if (sys !== undefined) out.str(sys);
    else if (e.type > 1) {
      const params = e.info.params;
      const n = e.paramCount;
      for (let i = 0; i < n; i++) {
        const p = params[i]!;
        out.str(p.name);
        out.byte(0x3d);
        out.str(renderParam(c.s, e, i, p, c.render));
        out.byte(0x20);
      }
    }
    out.endLine();
  }
}
