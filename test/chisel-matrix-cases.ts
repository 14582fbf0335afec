// What the chisel tests compare and how: the arguments each chisel gets, how its output may
// legitimately differ in order from sysdig's, and the known differences (with their reason).

/** Representative arguments (one run per entry); chisels not listed run without arguments. */
export const CHISEL_ARGS: Record<string, string[][]> = {
  fdbytes_by: [['proc.name'], ['fd.name']],
  fdcount_by: [['proc.name'], ['fd.name']],
  fdtime_by: [['fd.name']],
  scallslower: [['1']],
  fileslower: [['1']],
  netlower: [['1']],
  spy_ip: [['127.0.0.1']],
  spy_port: [['80']],
  spy_file: [[], ['W']],
  spy_users: [[], ['1 disable_color']],
  lsof: [[], ['proc.name=sshd']],
  netstat: [[]],
  ps: [[]],
};

/** Rows in sysdig's top-N tables (table_generator's top_number; 0: no cut). */
const TOP: Record<string, number> = {
  topfiles_bytes: 10, topfiles_time: 10, topfiles_errors: 100, topprocs_file: 10, topprocs_net: 100,
  topprocs_errors: 100, topprocs_cpu: 10, topcontainers_cpu: 10, topconns: 30, topports_server: 100,
  topscalls: 30, topscalls_time: 30, topcontainers_file: 10, topcontainers_net: 100, topcontainers_error: 100,
  fdbytes_by: 30, fdtime_by: 10, fdcount_by: 0,
};

/**
 * - 'ties': sorted tables (table_generator, fd*_by, top*_cpu). sysdig collects rows in a Lua hash
 *   table and sorts them with table.sort, which is not stable: rows with equal values come in an
 *   arbitrary order, and a top-N cut inside a run of equal values keeps arbitrary ones of them.
 * - 'set': listings of the thread/fd tables (ps, lsof, netstat, lscontainers): sysdig walks hash
 *   tables (the thread table, Lua pairs()), so the line order is arbitrary.
 * - 'exact': everything printed in event order.
 */
export function compareKind(chisel: string): 'exact' | 'ties' | 'set' {
  if (chisel in TOP) return 'ties';
  if (['ps', 'lsof', 'netstat', 'lscontainers'].includes(chisel)) return 'set';
  return 'exact';
}

export const topOf = (chisel: string): number => TOP[chisel] ?? 0;

/**
 * Chisels that run in a process of their own: ps, lsof, netstat and lscontainers end the capture
 * at their first event (sysdig.end_capture(): they print the state tables as the file's start
 * left them), which would end it for every chisel of a combined run; spy_file switches the
 * buffer format of the whole process to ascii (sysdig.set_output_format), which every other
 * chisel's evt.arg.data would then follow.
 */
export const ALONE = new Set(['ps', 'lsof', 'netstat', 'lscontainers', 'spy_file']);

/** chisels that print while events go by (their lines interleave in a combined run) */
export function streams(chisel: string): boolean {
  return compareKind(chisel) === 'exact' && !chisel.startsWith('iobytes');
}

/**
 * Same output, where rows with equal values may come in any order (sysdig sorts ties arbitrarily)
 * and, when a top-N cut falls inside a run of ties (`top` rows printed), only the number of rows
 * with the last value counts.
 */
export function sameOutput(ours: string, theirs: string, top = 0): boolean {
  if (ours === theirs) return true;
  const a = ours.split('\n');
  const b = theirs.split('\n');
  if (a.length !== b.length) return false;
  const table = b[1]?.startsWith('-----');
  const val = table ? (l: string) => l.slice(0, 20) : (l: string) => l.slice(l.lastIndexOf('\t') + 1);
  const start = table ? 2 : 0;
  if (table && (a[0] !== b[0] || a[1] !== b[1])) return false;
  const ra = a.slice(start).filter((l) => l !== '');
  const rb = b.slice(start).filter((l) => l !== '');
  if (ra.length !== rb.length || ra.length === 0) return false;
  // values must come in the same order
  if (ra.map(val).join('\n') !== rb.map(val).join('\n')) return false;
  const cut = top === 0 || rb.length >= top;
  const last = cut ? val(rb[rb.length - 1]!) : undefined;
  const keep = (rows: string[]) => rows.filter((l) => val(l) !== last).sort().join('\n');
  return keep(ra) === keep(rb);
}

/**
 * "chisel args|fixture" pairs that still differ from sysdig, each with its reason. The matrix
 * test fails on any pair not listed here, and on a listed pair that matches again.
 */
export const KNOWN_DIFFS: Record<string, string> = {};
