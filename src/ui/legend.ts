// F7 / l: what the columns of the current view mean (field, aggregation, unit).
import { ViewDef } from '../views/types';
import { completeFilter } from '../snapshot/filter';

const AGG: Record<string, string> = {
  sum: 'sum over the interval',
  avg: 'average over the interval',
  max: 'maximum in the interval',
  min: 'minimum in the interval',
  count: 'number of events with a value',
  rate: 'per second of the interval',
  distinct: 'number of distinct values',
  last: 'last value seen',
};
const UNIT: Record<string, string> = {
  bytes: 'bytes (K/M/G = 1024)',
  rate: 'bytes per second (K/M/G = 1024)',
  ns: 'duration',
  pct: 'percent',
  num: 'number',
  text: 'text',
};

export function legendLines(v: ViewDef): string[] {
  const out = [`${v.name}: ${v.description}`, ''];
  const f = completeFilter(v, '', []);
  out.push(`Rows: one per ${v.type === 'list' ? 'event' : v.groupBy ?? v.key}${v.filter ? `, events matching ${f}` : ''}`);
  out.push(v.drilldown ? `Enter: drill down on ${v.drillField ?? v.groupBy ?? v.key}` : 'Enter: no drill-down from this view');
  out.push('');
  for (const c of v.columns) {
    const agg = AGG[c.agg ?? 'last'] ?? c.agg;
    out.push(`${c.name.padEnd(10)} ${c.description ?? c.field}`);
    out.push(`${''.padEnd(10)} field ${c.field}, ${agg}, ${UNIT[c.format ?? 'num'] ?? c.format}`);
  }
  return out;
}
