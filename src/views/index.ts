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

export type { ViewDef, ColumnDef, Agg, CellFormat } from './types';

export const VIEWS: readonly ViewDef[] = [
  procs, threads, containers, connections, sports, files, directories, ioByType, syscalls, syscallProcs,
  errors, procsErrors, containersErrors, containerNet, netProcs, pageFaults, spyUsers, slowIo,
].sort((a, b) => a.name.localeCompare(b.name));

/** Looks a view up by id or (case-insensitive) name. */
export function findView(idOrName: string): ViewDef | undefined {
  const s = idOrName.trim().toLowerCase();
  return VIEWS.find((v) => v.id === s) ?? VIEWS.find((v) => v.name.toLowerCase() === s);
}

export function viewIds(): string[] {
  return VIEWS.map((v) => v.id);
}
