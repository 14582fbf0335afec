// Recursive-descent parser for sysdig/falco filter expressions, producing an AST with 1-based
// columns on every node (compile errors must point at the right place).
//
//   or_expr   := and_expr { "or" and_expr }
//   and_expr  := not_expr { "and" not_expr }
//   not_expr  := "not" not_expr | "(" or_expr ")" | check
//   check     := lhs "exists"
//              | lhs ("in" | "intersects" | "pmatch") "(" [ value { "," value } ] ")"
//              | lhs OP ( value | "val(" lhs ")" )
//   lhs       := FIELD [ "[" arg "]" ] | TRANSFORMER "(" lhs ")"
//
// This is the modern falcosecurity precedence (not > and > or). It is a superset of 0.29.3, which
// rejected mixed and/or without brackets; accepting them is strictly more permissive.
import { Scanner, ValueToken } from './lexer';

export type Op =
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'contains' | 'icontains' | 'bcontains' | 'bstartswith' | 'startswith' | 'endswith'
  | 'glob' | 'iglob' | 'in' | 'intersects' | 'pmatch' | 'exists' | 'regex';

export const TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len'] as const;
export type Transformer = (typeof TRANSFORMERS)[number];

export interface FieldRefNode {
  kind: 'field';
  /** Full dotted name, e.g. "evt.arg.fd" or "proc.aname" (the [arg] is separate). */
  name: string;
  arg?: string;
  col: number;
}
export interface TransformNode {
  kind: 'xform';
  fn: Transformer;
  inner: LhsNode;
  col: number;
}
export type LhsNode = FieldRefNode | TransformNode;

export type RhsNode =
  | { kind: 'none' }
  | { kind: 'value'; value: ValueToken }
  | { kind: 'list'; values: ValueToken[]; col: number }
  | { kind: 'field'; ref: LhsNode; col: number };

export interface CheckNode {
  kind: 'check';
  lhs: LhsNode;
  op: Op;
  /** The operator as written ('==' vs '='), for messages. */
  opText: string;
  opCol: number;
  rhs: RhsNode;
  col: number;
}
export interface BoolNode {
  kind: 'and' | 'or';
  items: FilterNode[];
}
export interface NotNode {
  kind: 'not';
  expr: FilterNode;
  col: number;
}
export type FilterNode = CheckNode | BoolNode | NotNode;

const LIST_OPS: ReadonlySet<string> = new Set(['in', 'intersects', 'pmatch']);

class Parser {
  private readonly s: Scanner;
  constructor(src: string) {
    this.s = new Scanner(src);
  }

  parseAll(): FilterNode {
    const s: Scanner = this.s;
    s.skipWs();
    if (s.eof()) s.fail('empty filter expression');
    const node = this.parseOr('');
    s.skipWs();
    if (!s.eof()) {
      if (s.code() === 41) s.fail("unbalanced parenthesis: unexpected ')'");
      s.fail(`unexpected token '${s.peekJunk()}'`);
    }
    return node;
  }

  // `after` names the previous token, so errors read "expected ... after 'and'".
  private parseOr(after: string): FilterNode {
    const first = this.parseAnd(after);
    const items = [first];
    for (;;) {
      this.s.skipWs();
      if (!this.s.atKeyword('or')) break;
      this.s.pos += 2;
      items.push(this.parseAnd('or'));
    }
    return items.length === 1 ? first : { kind: 'or', items };
  }

  private parseAnd(after: string): FilterNode {
    const first = this.parseNot(after);
    const items = [first];
    for (;;) {
      this.s.skipWs();
      if (!this.s.atKeyword('and')) break;
      this.s.pos += 3;
      items.push(this.parseNot('and'));
    }
    return items.length === 1 ? first : { kind: 'and', items };
  }

  private parseNot(after: string): FilterNode {
    const s: Scanner = this.s;
    s.skipWs();
    if (s.atKeyword('not')) {
      const col = s.pos + 1;
      s.pos += 3;
      return { kind: 'not', expr: this.parseNot('not'), col };
    }
    if (s.code() === 40 /* ( */) {
      const open = s.pos;
      s.pos++;
      const inner = this.parseOr('(');
      s.skipWs();
      if (s.eof()) s.fail("unbalanced parenthesis: '(' is never closed", open);
      if (s.code() !== 41) s.fail(`unexpected token '${s.peekJunk()}'`);
      s.pos++;
      return inner;
    }
    if (s.eof() || s.code() === 41) {
      const where = after ? ` after '${after}'` : '';
      s.fail(`expected a field, 'not' or '('${where}`);
    }
    return this.parseCheck();
  }

  private parseLhs(): LhsNode {
    const s: Scanner = this.s;
    const start = s.pos;
    const name = s.readName();
    if (!name) s.fail(`unexpected token '${s.peekJunk()}'`);
    if ((TRANSFORMERS as readonly string[]).includes(name) && s.code() === 40) {
      s.pos++;
      s.skipWs();
      const inner = this.parseLhs();
      s.skipWs();
      if (!s.eat(')')) s.fail(`expected ')' to close '${name}('`);
      return { kind: 'xform', fn: name as Transformer, inner, col: start + 1 };
    }
    if (!name.includes('.')) s.fail(`unknown field '${name}'`, start);
    const ref: FieldRefNode = { kind: 'field', name, col: start + 1 };
    if (s.code() === 91 /* [ */) ref.arg = s.readBracketArg();
    return ref;
  }

  private parseCheck(): CheckNode {
    const s: Scanner = this.s;
    const col = s.pos + 1;
    const lhs = this.parseLhs();
    const lhsText = s.src.slice(col - 1, s.pos);
    s.skipWs();
    const opPos = s.pos;
    const opText = s.readOperator();
    if (opText === undefined) {
      if (s.eof()) s.fail(`expected an operator after '${lhsText}'`);
      s.fail(`unknown operator '${s.peekJunk()}'`);
    }
    const op = (opText === '==' ? '=' : opText) as Op;
    const node: CheckNode = { kind: 'check', lhs, op, opText, opCol: opPos + 1, rhs: { kind: 'none' }, col };
    if (op === 'exists') return node;
    s.skipWs();
    if (LIST_OPS.has(op)) {
      if (s.code() !== 40) s.fail(`expected '(' after '${opText}'`);
      node.rhs = this.parseList();
      return node;
    }
    if (s.eof() || s.code() === 41) s.fail(`expected value after '${opText}'`);
    if (s.src.startsWith('val(', s.pos)) {
      const vcol = s.pos + 1;
      s.pos += 4;
      s.skipWs();
      const ref = this.parseLhs();
      s.skipWs();
      if (!s.eat(')')) s.fail("expected ')' to close 'val('");
      node.rhs = { kind: 'field', ref, col: vcol };
      return node;
    }
    const v = s.readValue(false);
    if (!v) s.fail(`expected value after '${opText}'`);
    node.rhs = { kind: 'value', value: v };
    return node;
  }

  private parseList(): RhsNode {
    const s: Scanner = this.s;
    const open = s.pos;
    s.pos++;
    const values: ValueToken[] = [];
    s.skipWs();
    if (s.eat(')')) return { kind: 'list', values, col: open + 1 }; // `in ()`: matches nothing
    for (;;) {
      s.skipWs();
      if (s.eof()) s.fail("unbalanced parenthesis: list is never closed", open);
      const v = s.readValue(true);
      if (!v) s.fail(`expected value in list, got '${s.src[s.pos]}'`);
      values.push(v);
      s.skipWs();
      if (s.eat(',')) continue;
      if (s.eat(')')) break;
      if (s.eof()) s.fail("unbalanced parenthesis: list is never closed", open);
      s.fail(`expected ',' or ')' in list, got '${s.peekJunk()}'`);
    }
    return { kind: 'list', values, col: open + 1 };
  }
}

/** Parses a filter expression into an AST. Throws FilterError (with column) on syntax errors. */
export function parseFilter(expr: string): FilterNode {
  return new Parser(expr).parseAll();
}
