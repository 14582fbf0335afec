// Errors raised while parsing or compiling a filter (and, reused, a -p format string). The message
// stays free of position info so callers can compose it; formatFilterError() adds the column and
// a caret line, which is how the CLI shows it.

export class FilterError extends Error {
  /** 1-based column in `expr` where parsing/compiling failed (expr.length + 1 = end of input). */
  readonly column: number;
  readonly expr: string;
  /** Which language failed: decides the "filter error" / "format error" prefix. */
  readonly kind: 'filter' | 'format';

  constructor(message: string, column: number, expr: string, kind: 'filter' | 'format' = 'filter') {
    super(message);
    this.name = 'FilterError';
    this.column = column;
    this.expr = expr;
    this.kind = kind;
  }
}

/**
 * "filter error at column 17: unknown field 'proc.nme'" followed by the expression and a caret
 * under the failing column. Tabs/newlines are shown as spaces so the caret stays aligned.
 */
export function formatFilterError(err: FilterError): string {
  const shown = err.expr.replace(/[\t\n\r\v\f]/g, ' ');
  const caret = Math.max(1, Math.min(err.column, shown.length + 1));
  return `${err.kind} error at column ${err.column}: ${err.message}\n  ${shown}\n  ${' '.repeat(caret - 1)}^`;
}
