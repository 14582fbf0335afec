// The chisel API: what a chisel file exports and what the host gives it. Import these types in
// your own chisel for editor completion:
//
//   import { defineChisel } from 'tsdig/chisel';            // a user chisel (resolved by the loader)
//   import { defineChisel } from '../src/chisel/api';        // a bundled chisel in this repo
//
// A chisel is a definition (name, description, category, typed args) plus an init(api, args)
// function that resolves the fields it needs ONCE and returns its hooks. Per-event hooks get the
// EventCtx and read fields with accessor.value(ctx): no lookups by name, no allocation.
import type { EventCtx } from '../fields/context';
import type { FieldAccessor, FieldType, FieldValue } from '../fields/types';
import type { StateEngine } from '../state/engine';
import type { ThreadInfo } from '../state/thread';
import type { FdInfo } from '../state/fdinfo';
import type { NetSnapshot } from '../net/stats';

export type { EventCtx, FieldAccessor, FieldType, FieldValue, StateEngine, ThreadInfo, FdInfo, NetSnapshot };

/** One thread of the state table with its OWN fds (threads sharing the main thread's table list none), as sysdig.get_thread_table gives it. */
export interface ThreadTableEntry {
  thread: ThreadInfo;
  /** user name ('<NA>' when unknown) */
  user: string;
  /** [fd number, fd] in ascending fd order; only the fds that match the filter when one was given */
  fds: Array<[number, FdInfo]>;
}

/** Argument types, as in sysdig's chisels. 'int' is checked and converted to a number. */
export type ChiselArgType = 'string' | 'int' | 'ipv4' | 'filter';

export interface ChiselArgSpec {
  name: string;
  description: string;
  type: ChiselArgType;
  optional?: boolean;
  /** used when an optional arg is not given */
  default?: string | number;
}

/** Parsed arguments: by name; ints are numbers. Missing optional args are undefined unless defaulted. */
export type ChiselArgs = Record<string, string | number | undefined>;

/** How a table value column renders (sysdig's table_generator value_units). */
export type ValueUnits = 'bytes' | 'time' | 'timepct' | 'none';

/** A table the host renders as text (CLI, sysdig's layout) or hands to the TUI. */
export interface ChiselTable {
  /** ns timestamp of the sample (interval end or last event) */
  ts: bigint;
  /** duration the table covers, ns (for timepct) */
  deltaNs: number;
  value: { name: string; units: ValueUnits };
  keys: string[];
  /** rows already sorted and cut: [value, key1, key2, …] */
  rows: Array<[number, ...string[]]>;
}

/** One time-series point (iobytes & co.): the host prints it as text or charts it in the TUI. */
export interface ChiselSample {
  ts: bigint;
  values: Record<string, number>;
  /** the text line printed in CLI mode */
  text: string;
}

/** Where a chisel's output goes. The CLI host writes text; a TUI host can collect tables/series. */
export interface ChiselOutput {
  text(line: string): void;
  table(t: ChiselTable): void;
  sample(s: ChiselSample): void;
}

export interface ChiselApi {
  /** Resolve a field once (throws a clear error when unknown). Use `.value(ctx)` / `.display(ctx)` per event. */
  field(name: string): FieldAccessor<EventCtx>;
  /** This chisel's own filter (applied after the global filter). */
  setFilter(expr: string): void;
  /** Call onInterval every `ms` of EVENT time (so replay behaves like live). */
  setIntervalMs(ms: number): void;
  setIntervalNs(ns: number): void;
  /** Print one line (newline added) to the output. */
  print(line: string): void;
  readonly out: ChiselOutput;
  /** Stop the capture after the current event. */
  endCapture(): void;
  isLive(): boolean;
  isTTY(): boolean;
  /** -pc / -pcontainer was given: show container columns */
  printContainerData(): boolean;
  /** 'json' with -j */
  outputFormat(): 'normal' | 'json';
  /** the capture file being read, '' when live */
  source(): string;
  /** the state engine: threads, fd tables, users, containers (already updated for the current event) */
  readonly state: StateEngine;
  /**
   * Snapshot of the thread table, by ascending tid (sysdig's get_thread_table). With a filter, each
   * fd is tested as if an event of that thread used it, and threads with no matching fd are left out.
   * Throws a usage error when the filter does not compile.
   */
  threadTable(filter?: string): ThreadTableEntry[];
  /** -A/-x/-X/-b choice ('normal' when none) */
  bufFormat(): string;
  /** -v given */
  verbose(): boolean;
  /**
   * Packet counters, when packets are captured in this process (live runs of a chisel whose
   * definition sets `packets: true`, `--pcap`, the live UI): per interface, per container (rx/tx
   * bytes and packets, TCP retransmissions, rates) and per connection (both directions, TCP flags,
   * retransmissions, and the processes at each end when known). null when packets are not captured
   * (replays, --no-pcap-stats, no CAP_NET_RAW or libpcap). Rates cover the time since the previous call.
   */
  packets(): NetSnapshot | null;
}

export interface ChiselHooks {
  captureStart?(): void | boolean;
  /** Called for each event that passes the global and the chisel's filter. Return false to end the capture. */
  onEvent?(ctx: EventCtx): void | boolean;
  /**
   * `tsNs` = time of the event that crossed into the new interval, `deltaNs` = time since the last
   * call, `ctx` = that event (fields can be read from it, e.g. its evt.time.s).
   */
  onInterval?(tsNs: bigint, deltaNs: number, ctx: EventCtx): void | boolean;
  /** `tsNs` = last event time, `durationNs` = last − first event time. */
  captureEnd?(tsNs: bigint, durationNs: number): void;
}

export interface ChiselDefinition {
  name: string;
  /** one line for -cl */
  shortDescription: string;
  /** long text for -i */
  description: string;
  category: string;
  hidden?: boolean;
  args: ChiselArgSpec[];
  /** documentation: fields the chisel reads (the pipeline resolves only those) */
  fields?: string[];
  /** static filter for this chisel (same as calling api.setFilter in init) */
  filter?: string;
  /** live runs: capture packets in the background so api.packets() has data (as root with libpcap) */
  packets?: boolean;
  /** Resolve fields, set filters and intervals; return the hooks (state lives in the closure). */
  init(api: ChiselApi, args: ChiselArgs): ChiselHooks;
}

/** Identity helper that gives type checking and completion for a chisel definition. */
export function defineChisel(def: ChiselDefinition): ChiselDefinition {
  return def;
}

export { formatBytes, formatTime, extendString } from './format';
export { tableChisel, type TableSpec } from './table';
