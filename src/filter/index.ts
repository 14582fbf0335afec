// Public API of the filter language: compile a sysdig/falco filter expression against a field
// registry into a reusable predicate.
import type { FieldRegistry } from '../fields/types';
import { compileAst } from './compile';
import { parseFilter } from './parser';

export { FilterError, formatFilterError } from './errors';
export { parseFilter } from './parser';
export type { FilterNode, CheckNode, LhsNode, RhsNode, Op } from './parser';

export interface CompiledFilter<E> {
  test(e: E): boolean;
  /** Canonical names (FieldAccessor.name) of the fields the filter reads, first use first. */
  fields: string[];
  source: string;
}

/** Parses and compiles `expr`; throws FilterError (with a 1-based column) on any error. */
export function compileFilter<E>(expr: string, reg: FieldRegistry<E>): CompiledFilter<E> {
  const ast = parseFilter(expr);
  const { test, fields } = compileAst(ast, expr, reg);
  return { test, fields, source: expr };
}
