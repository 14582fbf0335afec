// The event table as typed, index-addressed data. The JSON beside it is generated from sysdig
// 0.29.3's event_table.c by scripts/gen-event-table.js; everything here is derived once at load.
import rawEvents from './data/event-table.json';
import rawFlags from './data/flag-tables.json';
import rawSyscalls from './data/syscall-names.json';

/** enum ppm_param_type */
export const enum PT {
  NONE = 0, INT8 = 1, INT16 = 2, INT32 = 3, INT64 = 4, UINT8 = 5, UINT16 = 6, UINT32 = 7, UINT64 = 8,
  CHARBUF = 9, BYTEBUF = 10, ERRNO = 11, SOCKADDR = 12, SOCKTUPLE = 13, FD = 14, PID = 15, FDLIST = 16,
  FSPATH = 17, SYSCALLID = 18, SIGTYPE = 19, RELTIME = 20, ABSTIME = 21, PORT = 22, L4PROTO = 23,
  SOCKFAMILY = 24, BOOL = 25, IPV4ADDR = 26, DYN = 27, FLAGS8 = 28, FLAGS16 = 29, FLAGS32 = 30, UID = 31,
  GID = 32, DOUBLE = 33, SIGSET = 34, CHARBUFARRAY = 35, CHARBUF_PAIR_ARRAY = 36, IPV4NET = 37,
  IPV6ADDR = 38, IPV6NET = 39, IPADDR = 40, IPNET = 41, MODE = 42, FSRELPATH = 43,
  /** newer libs: a u32 whose value is one of the table's names (not bits) */
  ENUMFLAGS32 = 46,
}

export const PT_NAMES = [
  'NONE', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'CHARBUF', 'BYTEBUF',
  'ERRNO', 'SOCKADDR', 'SOCKTUPLE', 'FD', 'PID', 'FDLIST', 'FSPATH', 'SYSCALLID', 'SIGTYPE', 'RELTIME',
  'ABSTIME', 'PORT', 'L4PROTO', 'SOCKFAMILY', 'BOOL', 'IPV4ADDR', 'DYN', 'FLAGS8', 'FLAGS16', 'FLAGS32',
  'UID', 'GID', 'DOUBLE', 'SIGSET', 'CHARBUFARRAY', 'CHARBUF_PAIR_ARRAY', 'IPV4NET', 'IPV6ADDR', 'IPV6NET',
  'IPADDR', 'IPNET', 'MODE', 'FSRELPATH', 'ENUMFLAGS8', 'ENUMFLAGS16', 'ENUMFLAGS32',
];

/** print formats (PF_*) */
export const enum PF { NA = 0, DEC = 1, HEX = 2, OCT = 3, PADDED_DEC = 4, ID = 5, DIR = 6 }

/** event flags (EF_*) as bits */
export const EF = {
  CREATES_FD: 1 << 0, DESTROYS_FD: 1 << 1, USES_FD: 1 << 2, READS_FROM_FD: 1 << 3, WRITES_TO_FD: 1 << 4,
  MODIFIES_STATE: 1 << 5, UNUSED: 1 << 6, WAITS: 1 << 7, SKIPPARSERESET: 1 << 8, OLD_VERSION: 1 << 9,
  DROP_SIMPLE_CONS: 1 << 10, LARGE_PAYLOAD: 1 << 11,
  /** tsdig's own: a placeholder id between 0.29.3's table and the newer events tsdig knows */
  SKIP: 1 << 12,
} as const;
type EFName = keyof typeof EF;

export interface ParamInfo {
  readonly name: string;
  readonly type: PT;
  readonly fmt: PF;
  /** flag table for FLAGS*, dynamic table name for DYN, dirfd param index for FSRELPATH */
  readonly flags: ReadonlyArray<readonly [string, number]> | null;
  readonly dyn: string | null;
  readonly dirfd: number;
}

export interface EventInfo {
  readonly id: number;
  readonly name: string;
  /** 0 enter, 1 exit */
  readonly dir: 0 | 1;
  /** lower-case category as sysdig prints it (file, net, process, …) */
  readonly category: string;
  readonly categoryId: string;
  readonly flags: number;
  readonly params: readonly ParamInfo[];
  /** param name → index, for evt.arg.NAME */
  readonly paramIndex: ReadonlyMap<string, number>;
}

const flagTables = rawFlags as unknown as Record<string, Array<[string, number]>>;

interface RawEvent { name: string; dir: number; category: string; flags: string[]; nparams: number; params: Array<[string, number, number, string | number | null]> }

export const EVENTS: readonly EventInfo[] = (rawEvents as unknown as RawEvent[]).map((e, id) => {
  let flags = 0;
  for (const f of e.flags) flags |= EF[f as EFName] ?? 0;
  const params = e.params.map(([name, type, fmt, info]): ParamInfo => ({
    name,
    type: type as PT,
    fmt: fmt as PF,
    flags: typeof info === 'string' && flagTables[info] ? flagTables[info] : null,
    dyn: type === PT.DYN && typeof info === 'string' ? info : null,
    dirfd: typeof info === 'number' ? info : -1,
  }));
  return {
    id,
    name: e.name,
    dir: e.dir as 0 | 1,
    category: e.category === 'IPC' ? 'IPC' : e.category.toLowerCase(),
    categoryId: e.category,
    flags,
    params,
    paramIndex: new Map(params.map((p, i) => [p.name, i])),
  };
});

/** Table size: 0.29.3's 336 types, then newer libs' types tsdig's probe emits (prctl 400/401). */
export const EVENT_MAX = EVENTS.length;
/** 0.29.3's PPM_EVENT_MAX: it skips types at or above when reading a file */
export const SYSDIG_EVENT_MAX = 336;
/** 0.29.3's PPM_SC_MAX: generic events with a larger ID would index past its syscall table */
export const SYSDIG_SC_MAX = 329;
/**
 * TSDIG_READ_AS_SYSDIG=1: read files as sysdig 0.29.3 does, skipping every type it does not know
 * (prctl from tsdig's probe: names stay as the kernel set them at exec, evt.num counts the same).
 */
const AS_SYSDIG = process.env.TSDIG_READ_AS_SYSDIG === '1';
/** 1 for types a reader skips (unknown to 0.29.3 and to tsdig), as libscap skips types >= its max */
export const SKIP_TYPE = new Uint8Array(EVENT_MAX).map((_, i) => (EVENTS[i]!.flags & EF.SKIP || (AS_SYSDIG && i >= SYSDIG_EVENT_MAX) ? 1 : 0));

/** Length-array width per event type: 4 for EF_LARGE_PAYLOAD types, else 2. */
export const LEN_WIDTH = new Uint8Array(EVENT_MAX).map((_, i) => (EVENTS[i]!.flags & EF.LARGE_PAYLOAD ? 4 : 2));

export const SYSCALL_NAMES: readonly string[] = (() => {
  const m = rawSyscalls as unknown as Record<string, string>;
  const out: string[] = [];
  for (const [k, v] of Object.entries(m)) out[Number(k)] = v;
  return out;
})();

export const FLAG_TABLES = flagTables;

/** Event ids grouped by name (e.g. "execve" → all execve variants, enter and exit). */
export const EVENTS_BY_NAME: ReadonlyMap<string, number[]> = (() => {
  const m = new Map<string, number[]>();
  EVENTS.forEach((e) => {
    if (e.flags & EF.UNUSED) return;
    const l = m.get(e.name) ?? [];
    l.push(e.id);
    m.set(e.name, l);
  });
  return m;
})();

export const enum EventType {
  GENERIC_E = 0, GENERIC_X = 1,
  CLONE_20_X = 223, FORK_20_X = 225, VFORK_20_X = 227,
  CONTAINER_E = 228, CONTAINER_JSON_E = 272, CONTAINER_JSON_2_E = 324,
  PROCINFO_E = 234, PLUGINEVENT_E = 322,
}
