// What the metrics export, as data: two views for the snapshot aggregator (src/snapshot) — the
// same machinery and fields the UI's views use — plus, per column, the metric it feeds. A
// container row is keyed by container.id ('host' for processes outside containers), a process
// group row by container and process name (proc.group). Counter columns are summed per interval
// and added to the series; gauge columns (distinct counts) are set to the interval's value.
import { ColumnDef, ViewDef } from '../views/types';
import { SYSCALL_CATEGORIES } from '../snapshot/fields';

export type MetricKind = 'counter' | 'gauge';

export interface MetricCol {
  field: string;
  agg: 'sum' | 'distinct' | 'last';
  /** metric name (without the tsdig_<group>_ prefix); absent: the column only supplies a label */
  metric?: string;
  kind?: MetricKind;
  help?: string;
  /** fixed labels of this column's series (category, direction) */
  fixed?: Record<string, string>;
  /** for label columns: which label */
  label?: 'container' | 'container_id' | 'image' | 'proc';
}

export interface MetricGroup {
  /** series prefix: tsdig_container_…, tsdig_process_… */
  id: 'container' | 'process';
  view: ViewDef;
  cols: readonly MetricCol[];
  /** label names of every series of the group, before a column's fixed ones */
  labels: readonly string[];
}

const BYTES: MetricCol[] = [
  { field: 'evt.buflen.file.in', agg: 'sum', metric: 'file_bytes_total', kind: 'counter', help: 'bytes read from (in) and written to (out) files', fixed: { direction: 'in' } },
  { field: 'evt.buflen.file.out', agg: 'sum', metric: 'file_bytes_total', kind: 'counter', fixed: { direction: 'out' } },
  { field: 'evt.buflen.net.in', agg: 'sum', metric: 'net_bytes_total', kind: 'counter', help: 'bytes read from (in) and written to (out) network sockets', fixed: { direction: 'in' } },
  { field: 'evt.buflen.net.out', agg: 'sum', metric: 'net_bytes_total', kind: 'counter', fixed: { direction: 'out' } },
];

const COMMON: MetricCol[] = [
  { field: 'evt.count', agg: 'sum', metric: 'events_total', kind: 'counter', help: 'events (enter and exit) seen' },
  ...BYTES,
  { field: 'fd.name.net', agg: 'distinct', metric: 'connections', kind: 'gauge', help: 'network connections used in the last interval' },
  { field: 'evt.count.conn.new', agg: 'sum', metric: 'connections_opened_total', kind: 'counter', help: 'successful connect and accept calls' },
  { field: 'proc.pid', agg: 'distinct', metric: 'processes', kind: 'gauge', help: 'processes active in the last interval' },
  { field: 'thread.tid', agg: 'distinct', metric: 'threads', kind: 'gauge', help: 'threads active in the last interval' },
  { field: 'container.name', agg: 'last', label: 'container' },
  { field: 'container.id', agg: 'last', label: 'container_id' },
  { field: 'container.image', agg: 'last', label: 'image' },
];

const CONTAINER_COLS: MetricCol[] = [
  ...COMMON,
  ...SYSCALL_CATEGORIES.map((k, i): MetricCol => ({
    field: `evt.count.exit.${k}`, agg: 'sum', metric: 'syscalls_total', kind: 'counter', fixed: { category: k },
    help: i === 0 ? 'system calls (exits) by sysdig category' : undefined,
  })),
  ...(['file', 'net', 'memory', 'other'] as const).map((k, i): MetricCol => ({
    field: `evt.count.error.${k}`, agg: 'sum', metric: 'errors_total', kind: 'counter', fixed: { category: k },
    help: i === 0 ? 'failed calls by category' : undefined,
  })),
];

const PROCESS_COLS: MetricCol[] = [
  ...COMMON,
  { field: 'evt.count.exit', agg: 'sum', metric: 'syscalls_total', kind: 'counter', help: 'system calls (exits)' },
  { field: 'evt.count.error', agg: 'sum', metric: 'errors_total', kind: 'counter', help: 'failed calls' },
  { field: 'proc.name', agg: 'last', label: 'proc' },
];

function viewOf(id: string, key: string, cols: readonly MetricCol[]): ViewDef {
  const columns: ColumnDef[] = cols.map((c) => ({ name: c.metric ?? c.label ?? c.field, field: c.field, agg: c.agg, width: 8, format: c.agg === 'last' ? 'text' : 'num' }));
  return { id, name: id, description: `metrics: ${id}`, type: 'table', key, columns, sortCol: 0, appliesTo: [] };
}

export const BASE_LABELS = ['host', 'container', 'container_id', 'image', 'k8s_pod', 'k8s_ns'] as const;

export const METRIC_GROUPS: readonly MetricGroup[] = [
  { id: 'container', view: viewOf('metrics_containers', 'container.id', CONTAINER_COLS), cols: CONTAINER_COLS, labels: BASE_LABELS },
  { id: 'process', view: viewOf('metrics_processes', 'proc.group', PROCESS_COLS), cols: PROCESS_COLS, labels: [...BASE_LABELS, 'proc'] },
];
