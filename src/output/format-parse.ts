// Parser for sysdig `-p` output format strings, e.g. `*%evt.num %12proc.name (%thread.tid)`.
// It only splits the string into literal text and field references; resolving the names against
// the field registry is the formatter's job, so this module has no registry dependency.
import { FilterError } from '../filter/errors';

export interface FmtLiteral {
  kind: 'lit';
  text: string;
}
export interface FmtField {
  kind: 'field';
  /** Dotted field name without the [arg], e.g. "proc.aname" for %proc.aname[2]. */
  name: string;
  arg?: string;
  /** Pad to this many characters (%12proc.name). */
  width?: number;
  /** Set (true) only for the explicit `%-12proc.name` form. sysdig's `%12proc.name` already pads on
   * the right (left-aligned text), so consumers should treat undefined as left-aligned too. */
  leftAlign?: boolean;
  /** 1-based column of the field name's first character in the whole format string. */
  column: number;
}
export interface ParsedFormat {
  /** Leading '*': print the line even when some fields have no value (as <NA>). */
  printAll: boolean;
  tokens: (FmtLiteral | FmtField)[];
}

const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57) || c === 46;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function fail(message: string, pos: number, fmt: string): never {
  throw new FilterError(message, pos + 1, fmt, 'format');
}

/**
 * Syntax: literal text with `%[-][N]field.name[arg]` references; `%%` is a literal '%'. A name ends
 * at the first character outside [A-Za-z0-9_.]; trailing dots are not part of it (so the TTY
 * default `(%proc.pid.%thread.tid)` reads as proc.pid, ".", thread.tid). Adjacent literal text is
 * merged into one token.
 */
export function parseFormat(fmt: string): ParsedFormat {
  const tokens: (FmtLiteral | FmtField)[] = [];
  const printAll = fmt.startsWith('*');
  let lit = '';
  const pushLit = (): void => {
    if (lit) tokens.push({ kind: 'lit', text: lit });
    lit = '';
  };
  let i = printAll ? 1 : 0;
  while (i < fmt.length) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) {
      lit += fmt.slice(i);
      break;
    }
    lit += fmt.slice(i, pct);
    let p = pct + 1;
    if (fmt.charCodeAt(p) === 37) {
      lit += '%';
      i = p + 1;
      continue;
    }
    const field: FmtField = { kind: 'field', name: '', column: 0 };
    if (fmt.charCodeAt(p) === 45 /* - */) {
      field.leftAlign = true;
      p++;
    }
    const wStart = p;
    while (isDigit(fmt.charCodeAt(p))) p++;
    if (p > wStart) field.width = Number(fmt.slice(wStart, p));
    else if (field.leftAlign) fail("expected a width after '%-'", p, fmt);
    if (!isNameStart(fmt.charCodeAt(p))) {
      fail(p >= fmt.length ? "expected a field name after '%' at the end of the format" : "expected a field name after '%'", pct, fmt);
    }
    const nStart = p;
    while (isNameChar(fmt.charCodeAt(p))) p++;
    const dotsEnd = p;
    let nEnd = p;
    while (fmt.charCodeAt(nEnd - 1) === 46) nEnd--; // trailing dots are literal text
    field.name = fmt.slice(nStart, nEnd);
    field.column = nStart + 1;
    if (nEnd === p && fmt.charCodeAt(p) === 91 /* [ */) {
      const close = fmt.indexOf(']', p + 1);
      if (close < 0) fail("expected ']' to close the field argument", p, fmt);
      field.arg = fmt.slice(p + 1, close);
      p = close + 1;
    }
    pushLit();
    tokens.push(field);
    lit = fmt.slice(nEnd, dotsEnd); // the stripped trailing dots, if any
    i = p;
  }
  pushLit();
  return { printAll, tokens };
}
