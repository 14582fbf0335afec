// A view is data: which events it looks at (filter), how it groups them (key / group-by), which
// columns it shows and how each column aggregates, how it sorts and where Enter drills to. The
// aggregator (src/snapshot) turns events into snapshots of a view; the UI and --snapshot render them.

/**
 * Per-row aggregation of a column's field over the events of one interval:
 * sum, avg, max, min; count = number of events with a value; rate = sum per second of the interval
 * (csysdig's TIME_AVG); distinct = number of distinct values; last = the last value seen (text columns).
 */
export type Agg = 'sum' | 'avg' | 'max' | 'min' | 'count' | 'rate' | 'distinct' | 'last';

/** How a cell prints: bytes (1.40K), byte rate (1.40K), ns durations, plain numbers, percentages, text. */
export type CellFormat = 'bytes' | 'num' | 'ns' | 'pct' | 'text' | 'rate';

export interface ColumnDef {
  /** header text */
  name: string;
  /** field whose value is aggregated (any filter field, plus the derived ones of src/snapshot/fields) */
  field: string;
  /** aggregation per row key (default: 'last') */
  agg?: Agg;
  /** aggregation across the rows merged by the view's groupBy (default: same as agg, sum for rate) */
  groupAgg?: Agg;
  /** column width in characters; the last text column takes the remaining width */
  width: number;
  /** narrowest a text column may shrink to on a small screen (default 8): names users must read */
  minWidth?: number;
  format?: CellFormat;
  description?: string;
  /**
   * Packet counters instead of the field (src/snapshot/wire.ts): 'conn.*' sums the wire traffic of
   * the socket ends the row's events used, each from its own side; 'container.*' is the traffic of
   * the container the row's key names. Bytes and packets are per second of the interval, retrans a
   * count; empty when no packet capture runs.
   */
  wire?: WireMetric;
  /** shown only when the events come from more than one host (several -r captures) */
  multiHost?: boolean;
}

export type WireMetric = `${'conn' | 'container'}.${'bytesIn' | 'bytesOut' | 'pktsIn' | 'pktsOut' | 'retrans'}`;

export interface ViewDef {
  id: string;
  name: string;
  description: string;
  /** table: rows aggregated by key; list: one row per event */
  type: 'table' | 'list';
  /** the view's own filter, ANDed with the user's and the drill-down filters */
  filter?: string;
  /** field that identifies a row (before grouping) */
  key: string;
  /** optional second level: rows with the same value of this field are merged (thread → process) */
  groupBy?: string;
  /** field used for the drill-down filter (default: groupBy ?? key) */
  drillField?: string;
  columns: ColumnDef[];
  /** index of the default sort column */
  sortCol: number;
  /** sort ascending by default (lists sorted by time) */
  sortAsc?: boolean;
  /** view id Enter drills to; none = no drill-down */
  drilldown?: string;
  /** drill-down fields under which this view applies ('' = top level) */
  appliesTo: string[];
  /** may be the starting view */
  isRoot?: boolean;
  /** view is about containers (start view when containers exist) */
  containers?: boolean;
  /** view is about Kubernetes: the picker offers it once the session has seen pods */
  k8s?: boolean;
}
