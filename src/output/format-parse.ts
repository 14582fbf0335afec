// TEMPORARY minimal parser (to be replaced by the full one).
export interface FmtLiteral { kind: 'lit'; text: string }
export interface FmtField { kind: 'field'; name: string; arg?: string; width?: number; leftAlign?: boolean; column: number }
export interface ParsedFormat { printAll: boolean; tokens: (FmtLiteral | FmtField)[] }
export function parseFormat(fmt: string): ParsedFormat {
  let i = 0;
  let printAll = false;
  if (fmt.startsWith('*')) { printAll = true; i = 1; }
  const tokens: (FmtLiteral | FmtField)[] = [];
  let lit = '';
  while (i < fmt.length) {
    const ch = fmt[i]!;
    if (ch !== '%') { lit += ch; i++; continue; }
    if (lit) { tokens.push({ kind: 'lit', text: lit }); lit = ''; }
    const col = i + 1;
    i++;
    let w = '';
    while (i < fmt.length && /[0-9]/.test(fmt[i]!)) w += fmt[i++];
    let name = '';
    while (i < fmt.length && /[A-Za-z0-9_.]/.test(fmt[i]!)) name += fmt[i++];
    let arg: string | undefined;
    if (fmt[i] === '[') { const e = fmt.indexOf(']', i); arg = fmt.slice(i + 1, e); i = e + 1; }
    while (name.endsWith('.')) { name = name.slice(0, -1); lit = '.' + lit; }
    tokens.push({ kind: 'field', name, arg, width: w ? Number(w) : undefined, column: col });
  }
  if (lit) tokens.push({ kind: 'lit', text: lit });
  return { printAll, tokens };
}
