// AST → predicate. Fields are resolved and literals converted here, once; the returned closure
// tree only calls accessors and pre-built matchers (no parsing, lookups or regex construction per
// event). and/or short-circuit.
import { FieldError, type FieldAccessor, type FieldRegistry, type FieldType, type FieldValue } from '../fields/types';
import { FilterError } from './errors';
import { buildMatcher, buildPairCompare, toStr, type Matcher, type Scalar } from './ops';
import type { CheckNode, FilterNode, LhsNode, Transformer } from './parser';

export type Predicate<E> = (e: E) => boolean;

class Compiler<E> {
  readonly fields: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly src: string, private readonly reg: FieldRegistry<E>) {}

  readonly fail = (message: string, col: number): never => {
    throw new FilterError(message, col, this.src);
  };

  compile(n: FilterNode): Predicate<E> {
    switch (n.kind) {
      case 'not': {
        const f = this.compile(n.expr);
        return (e) => !f(e);
      }
      case 'and':
      case 'or':
        return this.bool(n.kind, n.items.map((i) => this.compile(i)));
      default:
        return this.check(n);
    }
  }

  private bool(kind: 'and' | 'or', fs: Predicate<E>[]): Predicate<E> {
    // Two-operand forms are by far the most common; keep them free of the loop.
    if (fs.length === 2) {
      const [a, b] = fs as [Predicate<E>, Predicate<E>];
      return kind === 'and' ? (e) => a(e) && b(e) : (e) => a(e) || b(e);
    }
    if (kind === 'and') {
      return (e) => {
        for (let i = 0; i < fs.length; i++) if (!fs[i]!(e)) return false;
        return true;
      };
    }
    return (e) => {
      for (let i = 0; i < fs.length; i++) if (fs[i]!(e)) return true;
      return false;
    };
  }

  private resolve(ref: LhsNode): FieldAccessor<E> {
    if (ref.kind === 'xform') return transform(ref.fn, this.resolve(ref.inner));
    let acc: FieldAccessor<E>;
    try {
      acc = this.reg.resolve(ref.name, ref.arg);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      const shown = ref.arg === undefined ? ref.name : `${ref.name}[${ref.arg}]`;
      const msg = /unknown/i.test(err.message) || !err.message ? `unknown field '${shown}'` : `invalid field '${shown}': ${err.message}`;
      return this.fail(msg, ref.col + Math.max(0, Math.min(err.offset, shown.length - 1)));
    }
    if (!this.seen.has(acc.name)) {
      this.seen.add(acc.name);
      this.fields.push(acc.name);
    }
    return acc;
  }

  private check(n: CheckNode): Predicate<E> {
    const acc = this.resolve(n.lhs);
    const rhs = n.rhs;
    if (n.op === 'exists') return (e) => acc.value(e) !== undefined;
    if (rhs.kind === 'field') return this.fieldPair(n, acc, this.resolve(rhs.ref));
    const values = rhs.kind === 'list' ? rhs.values : rhs.kind === 'value' ? [rhs.value] : [];
    if (acc.oneOf && values.length > 0 && (n.op === '=' || n.op === '!=' || (n.op === 'in' && rhs.kind === 'list'))) {
      const p = acc.oneOf(values.map((v) => v.text));
      return n.op === '!=' ? (e) => !p(e) : p;
    }
    const ctx = { op: n.op, opText: n.opText, opCol: n.opCol, type: acc.type, field: acc.name, fail: this.fail };
    return lift(acc, buildMatcher(ctx, values), n.op === '!=');
  }

  private fieldPair(n: CheckNode, a: FieldAccessor<E>, b: FieldAccessor<E>): Predicate<E> {
    const cmp = buildPairCompare(n.op, n.opText, n.opCol, this.fail);
    const neg = n.op === '!=';
    return (e) => {
      const x = a.value(e);
      const y = b.value(e);
      if (x === undefined || y === undefined) return false;
      const xs = Array.isArray(x) ? x : null;
      const ys = Array.isArray(y) ? y : null;
      if (!xs && !ys) return neg ? !cmp(x as Scalar, y as Scalar) : cmp(x as Scalar, y as Scalar);
      // Multi-valued side(s): "any pair matches"; != means no pair is equal.
      const xl = xs ?? [x as Scalar];
      const yl = ys ?? [y as Scalar];
      for (let i = 0; i < xl.length; i++) for (let j = 0; j < yl.length; j++) if (cmp(xl[i]!, yl[j]!)) return !neg;
      return neg;
    };
  }
}

/**
 * Wraps a scalar matcher into an event predicate. A missing value (undefined) fails every operator,
 * '!=' included, as in sysdig. A list value matches if any element does; for '!=' (neg) the check
 * is true only if no element is equal, so `proc.aname != bash` means "no ancestor is bash".
 */
function lift<E>(acc: FieldAccessor<E>, m: Matcher, neg: boolean): Predicate<E> {
  return (e) => {
    const v = acc.value(e);
    if (v === undefined) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (m(v[i]!)) return !neg;
      return neg;
    }
    return neg ? !m(v) : m(v);
  };
}

/** Field transformers (newer falco syntax). They allocate per event, but only when used. */
function transform<E>(fn: Transformer, inner: FieldAccessor<E>): FieldAccessor<E> {
  let f: (x: Scalar) => string | number;
  let type: FieldType = inner.type === 'list' ? 'list' : 'string';
  switch (fn) {
    case 'tolower': f = (x) => toStr(x).toLowerCase(); break;
    case 'toupper': f = (x) => toStr(x).toUpperCase(); break;
    case 'b64': f = (x) => Buffer.from(toStr(x), 'base64').toString('utf8'); break;
    case 'basename': f = (x) => { const s = toStr(x); return s.slice(s.lastIndexOf('/') + 1); }; break;
    case 'len':
      // len() of a list is its element count, of a buffer its byte length, of text its UTF-8 length.
      type = 'int';
      f = (x) => (Buffer.isBuffer(x) ? x.length : Buffer.byteLength(toStr(x), 'utf8'));
      break;
  }
  const value = (e: E): FieldValue => {
    const v = inner.value(e);
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return fn === 'len' ? v.length : v.map((s) => f(s) as string);
    return f(v);
  };
  return {
    name: `${fn}(${inner.name})`,
    type,
    value,
    display: (e) => {
      const v = value(e);
      return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
    },
  };
}

export function compileAst<E>(ast: FilterNode, src: string, reg: FieldRegistry<E>): { test: Predicate<E>; fields: string[] } {
  const c = new Compiler<E>(src, reg);
  const test = c.compile(ast);
  return { test, fields: c.fields };
}
