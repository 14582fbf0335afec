// Character-level scanner for the filter language. The language is context sensitive (a bare value
// such as `>` or `/etc/*.conf` would be an operator or garbage elsewhere), so instead of a token
// stream the parser pulls the kind of token it expects next from this scanner.
import { FilterError } from './errors';

/** A literal value on the right-hand side. `bytes` is the exact byte string (\xHH escapes can
 * produce bytes that are not valid UTF-8); `text` is its UTF-8 reading. */
export interface ValueToken {
  text: string;
  bytes: Buffer;
  quoted: boolean;
  /** 1-based column of the first character (the quote for quoted values). */
  col: number;
}

export const SYMBOL_OPS = ['==', '!=', '<=', '>=', '=', '<', '>'] as const;
export const WORD_OPS = [
  'contains', 'icontains', 'bcontains', 'bstartswith', 'startswith', 'endswith',
  'glob', 'iglob', 'in', 'intersects', 'pmatch', 'exists', 'regex',
] as const;

const isWs = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentChar = (c: number): boolean => isIdentStart(c) || isDigit(c);
/** Characters of a field name: identifier characters plus '.'. */
export const isFieldChar = (c: number): boolean => isIdentChar(c) || c === 46;
const hexVal = (c: number): number =>
  isDigit(c) ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

export class Scanner {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string, pos = this.pos): never {
    throw new FilterError(message, pos + 1, this.src);
  }

  eof(): boolean {
    return this.pos >= this.src.length;
  }

  code(at = this.pos): number {
    return at < this.src.length ? this.src.charCodeAt(at) : -1;
  }

  skipWs(): void {
    while (this.pos < this.src.length && isWs(this.src.charCodeAt(this.pos))) this.pos++;
  }

  /** True (and consumes it) if `ch` is next. */
  eat(ch: string): boolean {
    if (this.src.startsWith(ch, this.pos)) {
      this.pos += ch.length;
      return true;
    }
    return false;
  }

  /** True if the keyword `w` is next and not merely the start of a longer name (e.g. `notify.x`). */
  atKeyword(w: string): boolean {
    return this.src.startsWith(w, this.pos) && !isFieldChar(this.code(this.pos + w.length));
  }

  /** A run of field-name characters starting with a letter or '_' ('' if none). */
  readName(): string {
    const start = this.pos;
    if (!isIdentStart(this.code())) return '';
    while (isFieldChar(this.code())) this.pos++;
    return this.src.slice(start, this.pos);
  }

  /** The text inside `[...]` (the '[' has been seen, not consumed). Any character but ']' is allowed
   * because arguments are things like paths or label names. */
  readBracketArg(): string {
    const open = this.pos;
    this.pos++;
    const close = this.src.indexOf(']', this.pos);
    if (close < 0) this.fail("expected ']' to close the field argument", open);
    const arg = this.src.slice(this.pos, close);
    this.pos = close + 1;
    return arg;
  }

  /** Reads an operator, or returns undefined without moving. Word operators must end at a word
   * boundary so that e.g. `insider` is not read as `in`. */
  readOperator(): string | undefined {
    for (const op of SYMBOL_OPS) if (this.eat(op)) return op;
    for (const op of WORD_OPS) {
      if (this.src.startsWith(op, this.pos) && !isIdentChar(this.code(this.pos + op.length))) {
        this.pos += op.length;
        return op;
      }
    }
    return undefined;
  }

  /** Text of whatever is next, up to whitespace or a parenthesis: used to quote junk in errors. */
  peekJunk(): string {
    let end = this.pos;
    while (end < this.src.length) {
      const c = this.src.charCodeAt(end);
      if (isWs(c) || ((c === 40 || c === 41) && end > this.pos)) break;
      end++;
    }
    return this.src.slice(this.pos, end);
  }

  /**
   * A value: quoted ('...' or "...") or bare. Bare words end at whitespace or a parenthesis, and
   * inside lists also at ','. Returns undefined (not moving) if no value starts here.
   */
  readValue(inList: boolean): ValueToken | undefined {
    const start = this.pos;
    const q = this.code();
    if (q === 34 || q === 39) return this.readQuoted(q);
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (isWs(c) || c === 40 || c === 41 || (inList && c === 44)) break;
      this.pos++;
    }
    if (this.pos === start) return undefined;
    const text = this.src.slice(start, this.pos);
    return { text, bytes: Buffer.from(text, 'utf8'), quoted: false, col: start + 1 };
  }

  private readQuoted(quote: number): ValueToken {
    const start = this.pos;
    this.pos++;
    // Byte-level accumulation only when a \x escape appears; otherwise plain string building.
    let text = '';
    let bytes: number[] | undefined;
    let segStart = this.pos;
    const flush = (end: number): void => {
      const seg = this.src.slice(segStart, end);
      if (bytes) for (const b of Buffer.from(seg, 'utf8')) bytes.push(b);
      else text += seg;
    };
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated quoted string', start);
      const c = this.src.charCodeAt(this.pos);
      if (c === quote) {
        flush(this.pos);
        this.pos++;
        break;
      }
      if (c !== 92 /* \ */) {
        this.pos++;
        continue;
      }
      const n = this.code(this.pos + 1);
      if (n === 92 || n === 34 || n === 39) {
        flush(this.pos);
        segStart = this.pos + 1; // keep the escaped char as the start of the next segment
        this.pos += 2;
      } else if (n === 120 /* x */) {
        const h = hexVal(this.code(this.pos + 2));
        const l = hexVal(this.code(this.pos + 3));
        if (h < 0 || l < 0) this.fail('invalid \\x escape: expected two hex digits', this.pos);
        flush(this.pos);
        if (!bytes) bytes = [...Buffer.from(text, 'utf8')];
        bytes.push(h * 16 + l);
        this.pos += 4;
        segStart = this.pos;
      } else {
        // Any other \c is kept literally (backslash included): regexes need `\d`, `\.`…
        this.pos += n < 0 ? 1 : 2;
      }
    }
    if (bytes) {
      const buf = Buffer.from(bytes);
      return { text: buf.toString('utf8'), bytes: buf, quoted: true, col: start + 1 };
    }
    return { text, bytes: Buffer.from(text, 'utf8'), quoted: true, col: start + 1 };
  }
}
