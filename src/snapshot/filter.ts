// The complete filter of a query: view filter AND user filter AND every drill-down selection.
import { ViewDef } from '../views/types';
import { DrillStep } from './types';

export function quoteValue(v: string): string {
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

export function drillFilter(d: DrillStep): string {
  return `${d.field}=${d.numeric ? d.value : quoteValue(d.value)}`;
}

export function completeFilter(view: ViewDef | null, userFilter: string, drill: readonly DrillStep[]): string {
  const parts: string[] = [];
  if (view?.filter) parts.push(view.filter);
  if (userFilter.trim()) parts.push(userFilter.trim());
  for (const d of drill) parts.push(drillFilter(d));
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0]!;
  return parts.map((p) => `(${p})`).join(' and ');
}

/** The drill-down steps only (no view filter): used for dig/echo of a selection. */
export function selectionFilter(userFilter: string, drill: readonly DrillStep[]): string {
  return completeFilter(null, userFilter, drill);
}
