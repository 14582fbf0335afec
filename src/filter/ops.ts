// Operator semantics. Everything that depends only on the operator, the field type and the literal
// right-hand side is computed here once, at compile time, and captured in a Matcher closure; the
// per-event path only compares. Matchers take one scalar: multi-valued fields (string[]) are
// handled by the caller, which asks "does any element match".
import type { FieldType } from '../fields/types';
import { ERRNO_BY_NAME } from '../events/errno';
import { parseIp } from '../util/net';
import type { ValueToken } from './lexer';
import type { Op } from './parser';

export type Scalar = string | number | bigint | boolean | Buffer;
export type Matcher = (x: Scalar) => boolean;
export type Fail = (message: string, col: number) => never;

/** How values of a field type are compared. */
type Cat = 'num' | 'big' | 'bool' | 'ip' | 'bytes' | 'str';

function category(t: FieldType): Cat {
  switch (t) {
    case 'int': case 'reltime': case 'port': case 'double': return 'num';
    case 'bigint': case 'abstime': return 'big';
    case 'bool': return 'bool';
    case 'ipaddr': case 'ipnet': return 'ip';
    case 'bytes': return 'bytes';
    default: return 'str'; // string, l4proto, list (of strings)
  }
}

export function toStr(x: Scalar): string {
  return typeof x === 'string' ? x : Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
}
function toNum(x: Scalar): number {
  return typeof x === 'number' ? x : typeof x === 'boolean' ? (x ? 1 : 0) : Number(typeof x === 'bigint' ? x : toStr(x));
}
function toBuf(x: Scalar): Buffer {
  return Buffer.isBuffer(x) ? x : Buffer.from(toStr(x), 'utf8');
}
function toBool(x: Scalar): boolean {
  return typeof x === 'boolean' ? x : typeof x === 'string' ? x === 'true' || x === '1' : toNum(x) !== 0;
}

const INT_RE = /^[-+]?(\d+|0[xX][0-9a-fA-F]+)$/;
const FLOAT_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseNum(v: ValueToken, type: FieldType, field: string, fail: Fail): number {
  const t = v.text;
  if (type === 'double' ? FLOAT_RE.test(t) || INT_RE.test(t) : INT_RE.test(t)) {
    const neg = t.startsWith('-');
    const n = Number(t.replace(/^[-+]/, '')); // Number() rejects a signed hex literal
    return neg ? -n : n;
  }
  // errno names compare against raw (negative) return values: evt.rawres=ENOENT means -2.
  const errno = ERRNO_BY_NAME.get(t);
  if (errno !== undefined) return -errno;
  return fail(`expected a number for '${field}', got '${t}'`, v.col);
}

function parseBig(v: ValueToken, field: string, fail: Fail): bigint {
  if (INT_RE.test(v.text)) {
    const neg = v.text.startsWith('-');
    const b = BigInt(v.text.replace(/^[-+]/, ''));
    return neg ? -b : b;
  }
  return fail(`expected an integer for '${field}', got '${v.text}'`, v.col);
}

function parseBool(v: ValueToken, field: string, fail: Fail): boolean {
  const t = v.text.toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return fail(`expected true/false for '${field}', got '${v.text}'`, v.col);
}

function parseHex(v: ValueToken, fail: Fail): Buffer {
  if (!/^([0-9a-fA-F]{2})*$/.test(v.text) || v.text.length === 0) {
    fail(`expected a hex byte string (e.g. 48545450), got '${v.text}'`, v.col);
  }
  return Buffer.from(v.text, 'hex');
}

/** Compare results for the ordering operators, applied to a three-way comparison. */
function orderTest(op: Op): (c: number) => boolean {
  switch (op) {
    case '<': return (c) => c < 0;
    case '<=': return (c) => c <= 0;
    case '>': return (c) => c > 0;
    default: return (c) => c >= 0;
  }
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * Shell wildcards over the whole string as fnmatch(3) without FNM_PATHNAME: `*` also matches '/'.
 * `[abc]`, `[a-z]`, `[!x]`/`[^x]` classes; `\c` quotes c; an unclosed '[' is a literal.
 */
export function globToRegExp(pat: string, icase: boolean): RegExp {
  let re = '^';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === '*') {
      while (pat[i + 1] === '*') i++;
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else if (c === '\\' && i + 1 < pat.length) {
      re += escapeRe(pat[++i]!);
    } else if (c === '[') {
      let j = i + 1;
      const neg = pat[j] === '!' || pat[j] === '^';
      if (neg) j++;
      if (pat[j] === ']') j++; // a ']' right after '[' or '[!' is a member, not the end
      const close = pat.indexOf(']', j);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      const body = pat.slice(neg ? i + 2 : i + 1, close).replace(/[\\\]^[]/g, '\\$&');
      re += (neg ? '[^' : '[') + body + ']';
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(re + '$', icase ? 'i' : '');
}

/**
 * `regex`: sysdig/falco use RE2 with partial matching; a JS RegExp with test() (match anywhere)
 * approximates it. RE2's leading inline flags like `(?i)` are turned into RegExp flags since Node 20
 * does not support inline modifiers.
 */
function compileRegex(v: ValueToken, fail: Fail): RegExp {
  let src = v.text;
  let flags = '';
  const m = /^\(\?([ims]+)\)/.exec(src);
  if (m) {
    flags = [...new Set(m[1]!)].join('');
    src = src.slice(m[0].length);
  }
  try {
    return new RegExp(src, flags);
  } catch (e) {
    return fail(`invalid regex '${v.text}': ${(e as Error).message}`, v.col);
  }
}

/** ASCII case-insensitive search of a lower-cased needle in a buffer, without allocating. */
function bufIncludesFolded(hay: Buffer, needle: Buffer): boolean {
  const n = needle.length;
  outer: for (let i = 0; i + n <= hay.length; i++) {
    for (let j = 0; j < n; j++) {
      let c = hay[i + j]!;
      if (c >= 65 && c <= 90) c |= 32;
      if (c !== needle[j]) continue outer;
    }
    return true;
  }
  return false;
}

export interface MatchCtx {
  op: Op;
  opText: string;
  opCol: number;
  type: FieldType;
  field: string;
  fail: Fail;
}

/** Builds the matcher for `field OP literal(s)`. `values` has one element except for list ops. */
export function buildMatcher(ctx: MatchCtx, values: ValueToken[]): Matcher {
  const { op, type, fail } = ctx;
  const cat = category(type);
  const v = values[0]!;
  switch (op) {
    case 'in':
    case 'intersects':
      return setMatcher(ctx, cat, values);
    case 'pmatch':
      return pmatchMatcher(values);
    case 'glob':
    case 'iglob': {
      const re = globToRegExp(v.text, op === 'iglob');
      return (x) => re.test(toStr(x));
    }
    case 'regex': {
      const re = compileRegex(v, fail);
      return (x) => re.test(toStr(x));
    }
    case 'bcontains':
    case 'bstartswith':
      return byteOpMatcher(op, cat, parseHex(v, fail));
    case 'contains':
    case 'icontains':
    case 'startswith':
    case 'endswith':
      return cat === 'bytes' ? byteOpMatcher(op, cat, v.bytes) : stringOpMatcher(op, v.text);
    case '=':
    case '!=':
      return eqMatcher(ctx, cat, v);
    default:
      return orderMatcher(ctx, cat, v);
  }
}

function stringOpMatcher(op: Op, r: string): Matcher {
  switch (op) {
    case 'contains': return (x) => toStr(x).includes(r);
    case 'startswith': return (x) => toStr(x).startsWith(r);
    case 'endswith': return (x) => toStr(x).endsWith(r);
    default: {
      // A case-insensitive RegExp avoids lower-casing every event's string.
      const re = new RegExp(escapeRe(r), 'i');
      return (x) => re.test(toStr(x));
    }
  }
}

function byteOpMatcher(op: Op, cat: Cat, r: Buffer): Matcher {
  const n = r.length;
  if (cat !== 'bytes') {
    // On text fields, use string ops when the needle is valid UTF-8 (then byte and string
    // containment agree); otherwise fall back to encoding the value per event (rare).
    const s = r.toString('utf8');
    if (Buffer.from(s, 'utf8').equals(r)) {
      if (op === 'bcontains') return (x) => toStr(x).includes(s);
      if (op === 'bstartswith') return (x) => toStr(x).startsWith(s);
    }
  }
  switch (op) {
    case 'contains':
    case 'bcontains':
      return (x) => toBuf(x).indexOf(r) >= 0;
    case 'icontains': {
      const folded = Buffer.from(r.toString('latin1').toLowerCase(), 'latin1');
      return (x) => bufIncludesFolded(toBuf(x), folded);
    }
    case 'endswith':
      return (x) => {
        const b = toBuf(x);
        return b.length >= n && r.compare(b, b.length - n, b.length) === 0;
      };
    default: // startswith, bstartswith
      return (x) => {
        const b = toBuf(x);
        return b.length >= n && r.compare(b, 0, n) === 0;
      };
  }
}

function pmatchMatcher(values: ValueToken[]): Matcher {
  // '/etc/' and '/etc' mean the same directory; '/' becomes '' and then matches any absolute path.
  const prefixes = values.map((v) => (v.text.length > 1 ? v.text.replace(/\/+$/, '') : v.text === '/' ? '' : v.text));
  return (x) => {
    const s = toStr(x);
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      if (s === p) return true;
      if (s.length > p.length && s.charCodeAt(p.length) === 47 && s.startsWith(p)) return true;
    }
    return false;
  };
}

// ---- IP addresses -------------------------------------------------------------------------------
// Addresses are compared as 16 bytes (IPv4 as v4-mapped IPv6) so that "1.2.3.4", "::ffff:1.2.3.4"
// and differently abbreviated IPv6 texts agree. Event-side text is parsed into a reusable scratch
// buffer by hand to keep the hot path allocation-free.

export interface IpNet {
  addr: Buffer; // 16 bytes
  bits: number; // prefix length over the 16 bytes (IPv4 /8 → 104)
}

/** "10.0.0.0/8", "2001:db8::/32" or a bare address (an exact /32 or /128). */
export function parseCidr(text: string): IpNet | undefined {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const v4 = !text.slice(0, slash < 0 ? undefined : slash).includes(':');
  if (slash < 0) return { addr, bits: 128 };
  const p = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p) || Number(p) > (v4 ? 32 : 128)) return undefined;
  return { addr, bits: Number(p) + (v4 ? 96 : 0) };
}

const SCRATCH = Buffer.alloc(16);
const GROUPS = new Uint16Array(8);

function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
}

/** Dotted quad s[from, end) into out[off..off+4). */
function parseV4Into(s: string, from: number, end: number, out: Buffer, off: number): boolean {
  let part = 0;
  let val = 0;
  let digits = 0;
  for (let i = from; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || val > 255 || part > 3) return false;
      out[off + part++] = val;
      val = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      val = val * 10 + (c - 48);
      digits++;
    } else return false;
  }
  return part === 4;
}

/** IPv4/IPv6 text into `out` as 16 bytes; false if not an address. A "%zone" suffix is ignored. */
export function parseIpInto(s: string, out: Buffer): boolean {
  let end = s.indexOf('%');
  if (end < 0) end = s.length;
  if (s.indexOf(':') < 0) {
    out.fill(0, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    return parseV4Into(s, 0, end, out, 12);
  }
  let n = 0; // groups seen
  let gap = -1; // index in GROUPS where '::' was
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let j = i;
    let val = 0;
    while (j < end && j - i < 5) {
      const h = hexDigit(s.charCodeAt(j));
      if (h < 0) break;
      val = val * 16 + h;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 46) {
      // embedded IPv4 tail (::ffff:1.2.3.4): two groups
      if (n > 6 || !parseV4Into(s, i, end, out, 12)) return false;
      GROUPS[n++] = (out[12]! << 8) | out[13]!;
      GROUPS[n++] = (out[14]! << 8) | out[15]!;
      i = end;
      break;
    }
    if (j === i || j - i > 4 || n === 8) return false;
    GROUPS[n++] = val;
    if (j === end) { i = j; break; }
    if (s.charCodeAt(j) !== 58) return false;
    if (s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return false; // trailing single ':'
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  // groups before the gap keep their index; those after it shift right by the elided zeros
  const shift = 8 - n;
  out.fill(0);
  for (let g = 0; g < n; g++) {
    const at = gap >= 0 && g >= gap ? g + shift : g;
    out[2 * at] = GROUPS[g]! >> 8;
    out[2 * at + 1] = GROUPS[g]! & 255;
  }
  return true;
}

export function ipInNet(x: Scalar, net: IpNet): boolean {
  let a: Buffer;
  if (Buffer.isBuffer(x) && x.length === 16) a = x;
  else if (Buffer.isBuffer(x) && x.length === 4) {
    SCRATCH.fill(0, 0, 10);
    SCRATCH[10] = SCRATCH[11] = 0xff;
    x.copy(SCRATCH, 12);
    a = SCRATCH;
  } else if (parseIpInto(toStr(x), SCRATCH)) a = SCRATCH;
  else return false;
  const full = net.bits >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== net.addr[i]) return false;
  const rem = net.bits & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (a[full]! & mask) === (net.addr[full]! & mask);
}

function ipNet(ctx: MatchCtx, v: ValueToken): IpNet {
  const net = parseCidr(v.text);
  if (!net) ctx.fail(`expected an IP address or CIDR network for '${ctx.field}', got '${v.text}'`, v.col);
  return net;
}

function eqMatcher(ctx: MatchCtx, cat: Cat, v: ValueToken): Matcher {
  switch (cat) {
    case 'num': {
      const r = parseNum(v, ctx.type, ctx.field, ctx.fail);
      return (x) => toNum(x) === r;
    }
    case 'big': {
      const rb = parseBig(v, ctx.field, ctx.fail);
      const rn = Number(rb);
      return (x) => (typeof x === 'bigint' ? x === rb : toNum(x) === rn);
    }
    case 'bool': {
      const r = parseBool(v, ctx.field, ctx.fail);
      return (x) => toBool(x) === r;
    }
    case 'ip': {
      const net = ipNet(ctx, v);
      return (x) => ipInNet(x, net);
    }
    case 'bytes': {
      const r = v.bytes;
      return (x) => r.equals(toBuf(x));
    }
    default: {
      const r = v.text;
      return (x) => toStr(x) === r;
    }
  }
}

function orderMatcher(ctx: MatchCtx, cat: Cat, v: ValueToken): Matcher {
  const t = orderTest(ctx.op);
  switch (cat) {
    case 'num':
    case 'bool': {
      const r = cat === 'num' ? parseNum(v, ctx.type, ctx.field, ctx.fail) : +parseBool(v, ctx.field, ctx.fail);
      return (x) => {
        const n = toNum(x);
        return n === n && t(n < r ? -1 : n > r ? 1 : 0); // NaN never compares
      };
    }
    case 'big': {
      const rb = parseBig(v, ctx.field, ctx.fail);
      const rn = Number(rb);
      return (x) => {
        if (typeof x === 'bigint') return t(x < rb ? -1 : x > rb ? 1 : 0);
        const n = toNum(x);
        return n === n && t(n < rn ? -1 : n > rn ? 1 : 0);
      };
    }
    case 'bytes': {
      const r = v.bytes;
      return (x) => t(toBuf(x).compare(r));
    }
    case 'ip':
      return ctx.fail(`operator '${ctx.opText}' cannot be used with '${ctx.field}' (type ${ctx.type})`, ctx.opCol);
    default: {
      const r = v.text; // sysdig compares text fields lexicographically
      return (x) => {
        const s = toStr(x);
        return t(s < r ? -1 : s > r ? 1 : 0);
      };
    }
  }
}

function setMatcher(ctx: MatchCtx, cat: Cat, values: ValueToken[]): Matcher {
  if (values.length === 0) return () => false;
  switch (cat) {
    case 'num': {
      const set = new Set(values.map((v) => parseNum(v, ctx.type, ctx.field, ctx.fail)));
      return (x) => set.has(toNum(x));
    }
    case 'big': {
      const bigs = values.map((v) => parseBig(v, ctx.field, ctx.fail));
      const bset = new Set(bigs);
      const nset = new Set(bigs.map(Number)); // for accessors that hand back plain numbers
      return (x) => (typeof x === 'bigint' ? bset.has(x) : nset.has(toNum(x)));
    }
    case 'bool': {
      const set = new Set(values.map((v) => parseBool(v, ctx.field, ctx.fail)));
      return (x) => set.has(toBool(x));
    }
    case 'ip': {
      const nets = values.map((v) => ipNet(ctx, v));
      return (x) => {
        for (let i = 0; i < nets.length; i++) if (ipInNet(x, nets[i]!)) return true;
        return false;
      };
    }
    case 'bytes': {
      const bufs = values.map((v) => v.bytes);
      return (x) => {
        const b = toBuf(x);
        for (let i = 0; i < bufs.length; i++) if (bufs[i]!.equals(b)) return true;
        return false;
      };
    }
    default: {
      const set = new Set(values.map((v) => v.text));
      return (x) => set.has(toStr(x));
    }
  }
}

/**
 * `f OP val(g)`: both sides come from the event, so the comparison is dynamic. Numbers (and
 * bigints/booleans) compare numerically, buffers bytewise, anything else as text (addresses as their
 * text form, which is canonical when both come from the same extractor).
 */
export function buildPairCompare(op: Op, opText: string, opCol: number, fail: Fail): (a: Scalar, b: Scalar) => boolean {
  const cmp3 = (a: Scalar, b: Scalar): number => {
    const an = typeof a === 'number' || typeof a === 'bigint' || typeof a === 'boolean';
    const bn = typeof b === 'number' || typeof b === 'bigint' || typeof b === 'boolean';
    if (an && bn) {
      const x = typeof a === 'boolean' ? +a : a;
      const y = typeof b === 'boolean' ? +b : b;
      return x < y ? -1 : x > y ? 1 : x == y ? 0 : NaN; // == compares bigint with number
    }
    if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.compare(b);
    const s = toStr(a);
    const t = toStr(b);
    return s < t ? -1 : s > t ? 1 : 0;
  };
  switch (op) {
    case '=': case '!=': return (a, b) => cmp3(a, b) === 0;
    case '<': case '<=': case '>': case '>=': {
      const t = orderTest(op);
      return (a, b) => {
        const c = cmp3(a, b);
        return c === c && t(c);
      };
    }
    case 'contains': return (a, b) => toStr(a).includes(toStr(b));
    case 'icontains': return (a, b) => toStr(a).toLowerCase().includes(toStr(b).toLowerCase());
    case 'startswith': return (a, b) => toStr(a).startsWith(toStr(b));
    case 'endswith': return (a, b) => toStr(a).endsWith(toStr(b));
    default:
      return fail(`operator '${opText}' cannot take val(...)`, opCol);
  }
}
