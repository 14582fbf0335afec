// Snapshots: what the aggregator publishes once per interval and what views render. Immutable
// (frozen) once published, so the UI can keep a history and step through it.
import { ColumnDef } from '../views/types';

export type Cell = number | string | undefined;

export interface SnapRow {
  /** value of the view's drill field, as text (what Enter filters on) */
  readonly key: string;
  readonly cells: readonly Cell[];
}

export interface Totals {
  /** every event seen in the interval (before the view's filter) */
  readonly events: number;
  /** events that passed the view's and the user's filters */
  readonly matched: number;
  readonly procs: number;
  readonly threads: number;
  readonly containers: number;
  readonly fileIn: number;
  readonly fileOut: number;
  readonly netIn: number;
  readonly netOut: number;
}

export interface Snapshot {
  /** 0-based interval number */
  readonly index: number;
  /** event time span covered, ns since the epoch (doubles: ~µs exact, enough for display) */
  readonly startNs: number;
  readonly endNs: number;
  readonly viewId: string;
  readonly columns: readonly ColumnDef[];
  readonly rows: readonly SnapRow[];
  readonly totals: Totals;
  /** per-row values of the default sort column, for charts: key → number */
  readonly hasContainers: boolean;
  /** the state knows Kubernetes pods (CRI labels or captured k8s objects): the K8s views apply */
  readonly hasPods?: boolean;
}

/** One drill-down step: the filter `field = value` pushed by Enter on a row of `viewId`. */
export interface DrillStep {
  readonly viewId: string;
  readonly field: string;
  readonly value: string;
  /** whether the value is compared as a number (printed unquoted) */
  readonly numeric: boolean;
}

/** What to collect: a view, the user's filter and the drill-down stack. */
export interface Query {
  readonly viewId: string;
  readonly userFilter: string;
  readonly drill: readonly DrillStep[];
}
