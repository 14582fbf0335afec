// -p formats and -j JSON lines, compiled once: fields are resolved when the format is parsed, and
// each event only runs the accessors.
import { parseFormat } from './format-parse';
import { FilterError } from '../filter/errors';
import { FieldAccessor, FieldRegistry } from '../fields/types';
import { EventCtx } from '../fields/context';

export const DEFAULT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';
export const CONTAINER_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info';

interface Part {
  lit: string;
  field: FieldAccessor<EventCtx> | null;
  width: number;
  left: boolean;
}

export class Formatter {
  readonly printAll: boolean;
  private readonly parts: Part[];
  readonly fields: string[];

  constructor(fmt: string, reg: FieldRegistry<EventCtx>) {
    const pf = parseFormat(fmt);
    this.printAll = pf.printAll;
    this.parts = [];
    for (const t of pf.tokens) {
      if (t.kind === 'lit') this.parts.push({ lit: t.text, field: null, width: 0, left: true });
      else {
        let acc: FieldAccessor<EventCtx>;
        try {
          acc = reg.resolve(t.name, t.arg);
        } catch (e) {
          throw new FilterError((e as Error).message, t.column, fmt, 'format');
        }
        this.parts.push({ lit: '', field: acc, width: t.width ?? 0, left: t.leftAlign ?? true });
      }
    }
    this.fields = this.parts.filter((p) => p.field).map((p) => p.field!.name);
  }

  /** The line for this event, or null when a field is missing and the format has no leading '*'. */
  format(c: EventCtx): string | null {
    let out = '';
    for (const p of this.parts) {
      if (!p.field) {
        out += p.lit;
        continue;
      }
      let v = p.field.display(c);
      if (v === undefined) {
        if (!this.printAll) return null;
        v = '<NA>';
      }
      // sysdig resizes the value to exactly N chars: padded with spaces or cut
      if (p.width > 0) v = v.length > p.width ? v.slice(0, p.width) : v.padEnd(p.width);
      out += v;
    }
    return out;
  }

  /** One JSON object with the format's fields as keys, sorted; numbers stay numbers (as sysdig -j). */
  json(c: EventCtx): string | null {
    const entries: Array<[string, string]> = [];
    for (const p of this.parts) {
      if (!p.field) continue;
      const f = p.field;
      const name = f.name;
      let js: string;
      if (TIME_AS_NS.has(name)) {
        js = c.e.tsBig().toString();
      } else {
        const v = f.value(c);
        if (v === undefined) {
          if (!this.printAll) return null;
          js = 'null';
        } else if (typeof v === 'number') {
          js = Number.isFinite(v) ? String(v) : 'null';
        } else if (typeof v === 'bigint') {
          js = v.toString();
        } else if (typeof v === 'boolean') {
          js = v ? 'true' : 'false';
        } else {
          js = jsonString(f.display(c) ?? '');
        }
      }
      entries.push([name, js]);
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let out = '{';
    let first = true;
    let last = '';
    for (const [k, v] of entries) {
      if (k === last) continue;
      last = k;
      out += (first ? '' : ',') + jsonString(k) + ':' + v;
      first = false;
    }
    return out + '}';
  }
}

/** fields sysdig's JSON output carries as the raw ns timestamp, whatever -t says */
const TIME_AS_NS = new Set(['evt.outputtime', 'evt.time', 'evt.time.s', 'evt.datetime', 'evt.datetime.s', 'evt.time.iso8601']);

/** JSON string as jsoncpp writes it: control bytes escaped, everything else (incl. bytes ≥ 0x80) raw. */
export function jsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      default: out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    }
  }
  return out + s.slice(start) + '"';
}
