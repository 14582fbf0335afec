// Every view, by id. The picker lists them alphabetically by name, as csysdig does.
import { ViewDef } from './types';
import procs from './procs';
import threads from './threads';
import containers from './containers';
import connections from './connections';
import sports from './sports';
import files from './files';
import directories from './directories';
import ioByType from './io_by_type';
import syscalls from './syscalls';
import syscallProcs from './syscall_procs';
import errors from './errors';
import procsErrors from './procs_errors';
import containersErrors from './containers_errors';
import containerNet from './container_net';
import netProcs from './net_procs';
import pageFaults from './page_faults';
import spyUsers from './spy_users';
import slowIo from './slow_io';
import k8sPods from './k8s_pods';
import k8sNamespaces from './k8s_namespaces';

export type { ViewDef, ColumnDef, Agg, CellFormat } from './types';

export const VIEWS: readonly ViewDef[] = [
  procs, threads, containers, connections, sports, files, directories, ioByType, syscalls, syscallProcs,
  errors, procsErrors, containersErrors, containerNet, netProcs, pageFaults, spyUsers, slowIo, k8sPods, k8sNamespaces,
].sort((a, b) => a.name.localeCompare(b.name));

let wireShown = false;
let hostsShown = false;
const presented = new Map<ViewDef, ViewDef>();

/**
 * Packet-counter columns (`wire`) show only while packets are counted (live, pcap stats on): a
 * replay or a syscall-only session would give them empty cells and push the names off an 80-column
 * screen. Decided once per session, before any view is looked up.
 */
export function showWireColumns(on: boolean): void {
  wireShown = on;
  presented.clear();
}

/**
 * Events from more than one host (several -r captures of different machines): rows are kept
 * apart per host (src/snapshot/aggregator.ts) and the HOST columns show. Decided once per session.
 */
export function showHostColumns(on: boolean): void {
  hostsShown = on;
  presented.clear();
}

export function multiHost(): boolean {
  return hostsShown;
}

/** The view as this session shows it: without its wire columns when packets are not counted, HOST only with several hosts. */
function present(v: ViewDef): ViewDef {
  const drop = (c: ViewDef['columns'][number]) => (!wireShown && !!c.wire) || (!hostsShown && !!c.multiHost);
  if (!v.columns.some(drop)) return v;
  let s = presented.get(v);
  if (!s) {
    const columns = v.columns.filter((c) => !drop(c));
    const sortCol = columns.indexOf(v.columns[v.sortCol]!);
    s = { ...v, columns, sortCol: sortCol >= 0 ? sortCol : 0 };
    presented.set(v, s);
  }
  return s;
}

/** Looks a view up by id or (case-insensitive) name. */
export function findView(idOrName: string): ViewDef | undefined {
  const s = idOrName.trim().toLowerCase();
  const v = VIEWS.find((x) => x.id === s) ?? VIEWS.find((x) => x.name.toLowerCase() === s);
  return v && present(v);
}

export function viewIds(): string[] {
  return VIEWS.map((v) => v.id);
}
