// The field registry: every filter/output field by name, resolved once into an accessor.
import { FieldAccessor, FieldError, FieldInfo, FieldRegistry, FieldType, FieldValue } from './types';
import { EventCtx } from './context';

export type Extract = (c: EventCtx) => FieldValue;
export type Display = (c: EventCtx) => string | undefined;

export interface FieldSpec {
  name: string;
  type: FieldType;
  desc: string;
  arg?: 'none' | 'required' | 'optional';
  /** for fields taking an argument: build an accessor for that argument */
  withArg?: (arg: string | undefined) => { value: Extract; display?: Display } | string;
  /** for stateful fields (evt.deltatime): a fresh extractor per use, like sinsp's per-filtercheck state */
  make?: () => { value: Extract; display?: Display };
  value?: Extract;
  display?: Display;
  /** "dotted" args: evt.arg.NAME, evt.type.is.NAME, proc.aname… use a prefix match */
  dottedArg?: boolean;
  /** see FieldAccessor.oneOf */
  oneOf?: (texts: string[]) => (c: EventCtx) => boolean;
}

export function defaultDisplay(type: FieldType, value: Extract): Display {
  return (c) => {
    const v = value(c);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (Buffer.isBuffer(v)) return v.toString('latin1');
    if (Array.isArray(v)) return v.join(',');
    void type;
    return String(v);
  };
}

export class Registry implements FieldRegistry<EventCtx> {
  private readonly specs = new Map<string, FieldSpec>();
  private readonly dotted: FieldSpec[] = [];

  add(...list: FieldSpec[]): void {
    for (const f of list) {
      this.specs.set(f.name, f);
      if (f.dottedArg) this.dotted.push(f);
    }
  }

  resolve(name: string, arg?: string): FieldAccessor<EventCtx> {
    let spec = this.specs.get(name);
    let a = arg;
    if (!spec || (spec.arg === 'required' && a === undefined && spec.dottedArg)) {
      // dotted argument form: evt.arg.fd → spec evt.arg, arg "fd"
      let best: FieldSpec | undefined;
      for (const d of this.dotted) {
        if (name.startsWith(d.name + '.') && (!best || d.name.length > best.name.length)) best = d;
      }
      if (best) {
        spec = best;
        a = name.slice(best.name.length + 1);
      }
    }
    if (!spec) throw new FieldError(`unknown field '${name}'`);
    if (spec.arg === 'required' && a === undefined) throw new FieldError(`field '${name}' requires an argument`);
    if ((spec.arg ?? 'none') === 'none' && a !== undefined) throw new FieldError(`field '${name}' does not take an argument`);
    let value = spec.value;
    let display = spec.display;
    if (spec.make) {
      const r = spec.make();
      value = r.value;
      display = r.display;
    } else if (spec.withArg) {
      const r = spec.withArg(a);
      if (typeof r === 'string') throw new FieldError(r);
      value = r.value;
      display = r.display;
    }
    if (!value) throw new FieldError(`field '${name}' has no extractor`);
    const canonical = a === undefined ? spec.name : spec.dottedArg && arg === undefined ? `${spec.name}.${a}` : `${spec.name}[${a}]`;
    const oneOf = a === undefined && !spec.make ? spec.oneOf : undefined;
    return { name: canonical, type: spec.type, value, display: display ?? defaultDisplay(spec.type, value), ...(oneOf ? { oneOf } : {}) };
  }

  list(): FieldInfo[] {
    return [...this.specs.values()].map((s) => ({ name: s.name, type: s.type, arg: s.arg ?? 'none', desc: s.desc }));
  }
}
