// evt.* fields: the event itself (number, time, type, direction, arguments, result, buffers).
import { FieldSpec } from './registry';
import { EventCtx } from './context';
import { EVENTS, EVENTS_BY_NAME, EF, PT, SYSCALL_NAMES } from '../events/table';
import { renderArgs, renderParam, errnoStr, humanTime, sanitize } from '../output/render';
import { FdType } from '../scap/types';
import { dateTime, iso8601, secNs, splitTs, timeOfDay, ns9 } from './timefmt';
import { ERRNO_NAMES } from '../events/errno';
import { escapeBuffer } from '../output/buffers';

export function evtTypeName(c: EventCtx): string {
  const e = c.e;
  if (e.type <= 1) {
    const id = e.uint(0);
    return id !== undefined ? SYSCALL_NAMES[id] ?? '<unknown>' : 'syscall';
  }
  return e.info.name;
}

/**
 * `evt.type = X` / `evt.type in (...)` as a table by event type: the filter runs on every event,
 * so no name lookup or string compare. Generic syscall events (type 0/1) take their name from a
 * parameter and still compare names.
 */
function typeOneOf(texts: string[]): (c: EventCtx) => boolean {
  const set = new Set(texts);
  const byType = Uint8Array.from(EVENTS, (info, t) => (t <= 1 ? 2 : set.has(info.name) ? 1 : 0));
  return (c) => {
    const k = byType[c.e.type];
    return k === 2 ? set.has(evtTypeName(c)) : k === 1;
  };
}

/** ns between the paired enter and this exit, or undefined */
export function latency(c: EventCtx): number | undefined {
  // sinsp: this exit's time minus the thread's last enter of any type (a switch: the thread's last latency)
  if (c.s.latency < 0) return undefined;
  return c.s.latency;
}

function resParam(c: EventCtx): number | undefined {
  const e = c.e;
  if (e.dir !== 1 || e.paramCount === 0) return undefined;
  const p = e.info.params[0]!;
  if (p.name !== 'res' && p.type !== PT.ERRNO && p.type !== PT.FD && p.type !== PT.PID) return undefined;
  return e.int(0);
}

function outputTime(c: EventCtx): string {
  const e = c.e;
  switch (c.timeMode) {
    case 'a': {
      const [s, ns] = splitTs(e.tsHi, e.tsLo);
      return `${s}.${ns9(ns)}`;
    }
    case 'r':
      return secNs(e.nsSince(c.s.firstTsHi, c.s.firstTsLo));
    case 'd': {
      const l = latency(c);
      return secNs(l ?? 0);
    }
    case 'D': {
      if (c.lastPrintedHi < 0) return secNs(0);
      return secNs(e.nsSince(c.lastPrintedHi, c.lastPrintedLo));
    }
    default:
      return timeOfDay(e.tsHi, e.tsLo);
  }
}

function argIndex(c: EventCtx, arg: string): number {
  if (/^\d+$/.test(arg)) return Number(arg);
  return c.e.info.paramIndex.get(arg) ?? -1;
}

function buffer(c: EventCtx): Buffer | undefined {
  const e = c.e;
  const params = e.info.params;
  const n = e.paramCount;
  for (let i = 0; i < n; i++) if (params[i]!.type === PT.BYTEBUF && params[i]!.name === 'data') return e.bytes(i);
  return undefined;
}

const isIo = (c: EventCtx, flag: number) => (c.e.info.flags & flag) !== 0;

export const EVT_FIELDS: FieldSpec[] = [
  { name: 'evt.num', type: 'int', desc: 'event number', value: (c) => c.e.num },
  { name: 'evt.time', type: 'string', desc: 'event timestamp as a time string with nanoseconds', value: (c) => timeOfDay(c.e.tsHi, c.e.tsLo) },
  { name: 'evt.time.s', type: 'string', desc: 'event timestamp without nanoseconds', value: (c) => timeOfDay(c.e.tsHi, c.e.tsLo, false) },
  { name: 'evt.time.iso8601', type: 'string', desc: 'event timestamp in ISO 8601 (UTC)', value: (c) => iso8601(c.e.tsHi, c.e.tsLo) },
  { name: 'evt.datetime', type: 'string', desc: 'event timestamp with the date', value: (c) => dateTime(c.e.tsHi, c.e.tsLo) },
  { name: 'evt.datetime.s', type: 'string', desc: 'date and time without nanoseconds', value: (c) => dateTime(c.e.tsHi, c.e.tsLo, false) },
  { name: 'evt.rawtime', type: 'abstime', desc: 'absolute timestamp in ns', value: (c) => c.e.tsBig() },
  { name: 'evt.rawtime.s', type: 'abstime', desc: 'seconds part of the timestamp', value: (c) => BigInt(splitTs(c.e.tsHi, c.e.tsLo)[0]) },
  { name: 'evt.rawtime.ns', type: 'abstime', desc: 'ns part of the timestamp', value: (c) => BigInt(splitTs(c.e.tsHi, c.e.tsLo)[1]), display: (c) => ns9(splitTs(c.e.tsHi, c.e.tsLo)[1]) },
  // sinsp prints these with %09lu
  { name: 'evt.reltime', type: 'reltime', desc: 'ns since the capture start', value: (c) => c.e.nsSince(c.s.firstTsHi, c.s.firstTsLo), display: (c) => pad9(c.e.nsSince(c.s.firstTsHi, c.s.firstTsLo)) },
  { name: 'evt.reltime.s', type: 'reltime', desc: 'seconds since the capture start', value: (c) => Math.floor(c.e.nsSince(c.s.firstTsHi, c.s.firstTsLo) / 1e9) },
  { name: 'evt.reltime.ns', type: 'reltime', desc: 'ns part of the time since the capture start', value: (c) => c.e.nsSince(c.s.firstTsHi, c.s.firstTsLo) % 1e9, display: (c) => ns9(c.e.nsSince(c.s.firstTsHi, c.s.firstTsLo) % 1e9) },
  { name: 'evt.outputtime', type: 'string', desc: 'event time as selected by -t', value: outputTime },
  { name: 'evt.latency', type: 'reltime', desc: 'exit minus enter time, ns', value: (c) => latency(c) ?? 0 },
  { name: 'evt.latency.s', type: 'reltime', desc: 'integer part of the latency', value: (c) => Math.floor((latency(c) ?? 0) / 1e9) },
  { name: 'evt.latency.ns', type: 'reltime', desc: 'fractional part of the latency, ns', value: (c) => (latency(c) ?? 0) % 1e9 },
  { name: 'evt.latency.human', type: 'string', desc: 'latency as a human readable string', value: (c) => humanTime(latency(c) ?? 0) },
  { name: 'evt.deltatime', type: 'reltime', desc: 'ns since the previous event this field saw', make: () => deltaField((d) => d) },
  { name: 'evt.deltatime.s', type: 'reltime', desc: 'integer part of the delta', make: () => deltaField((d) => Math.floor(d / 1e9)) },
  { name: 'evt.deltatime.ns', type: 'reltime', desc: 'fractional part of the delta', make: () => deltaField((d) => d % 1e9) },
  { name: 'evt.dir', type: 'string', desc: "'>' enter, '<' exit", value: (c) => (c.e.dir === 0 ? '>' : '<') },
  { name: 'evt.type', type: 'string', desc: 'event name', value: evtTypeName, oneOf: typeOneOf },
  {
    name: 'evt.type.is', type: 'int', desc: '1 if the event is of the given type', arg: 'required', dottedArg: true,
    withArg: (a) => {
      const ids = EVENTS_BY_NAME.get(a ?? '');
      if (!ids) return `unknown event type '${a}'`;
      const set = new Set(ids);
      return { value: (c) => (set.has(c.e.type) ? 1 : 0) };
    },
  },
  { name: 'syscall.type', type: 'string', desc: 'syscall name, unset for non-syscall events', value: (c) => (isSyscall(c) ? evtTypeName(c) : undefined) },
  { name: 'evt.category', type: 'string', desc: 'event category', value: category },
  { name: 'evt.cpu', type: 'int', desc: 'CPU number', value: (c) => c.e.cpu },
  // tsdig's own (sysdig has none): which machine an event comes from when several captures are merged
  { name: 'evt.host', type: 'string', desc: "hostname of the machine that captured the event (the capture's machine info; live: this host). tsdig only", value: (c) => c.s.machine?.hostname || undefined },
  { name: 'evt.args', type: 'string', desc: 'all the event arguments', value: (c) => renderArgs(c.s, c.e, c.render) },
  { name: 'evt.info', type: 'string', desc: 'event arguments, or a higher level summary', value: (c) => syslogInfo(c) ?? renderArgs(c.s, c.e, c.render) },
  {
    name: 'evt.arg', type: 'string', desc: 'one argument by name or number', arg: 'required', dottedArg: true,
    withArg: (a) => ({
      value: (c) => {
        const i = argIndex(c, a!);
        if (i < 0 || i >= c.e.paramCount) return undefined;
        return resolvedOnly(c, i);
      },
    }),
  },
  {
    name: 'evt.rawarg', type: 'string', desc: 'one argument by name, as a raw value', arg: 'required', dottedArg: true,
    withArg: (a) => ({
      value: (c) => {
        const i = argIndex(c, a!);
        if (i < 0 || i >= c.e.paramCount) return undefined;
        const p = c.e.info.params[i]!;
        switch (p.type) {
          case PT.INT8: case PT.INT16: case PT.INT32: case PT.INT64: case PT.ERRNO: case PT.FD: case PT.PID:
            return c.e.int(i);
          case PT.UINT8: case PT.UINT16: case PT.UINT32: case PT.FLAGS8: case PT.FLAGS16: case PT.FLAGS32: case PT.ENUMFLAGS32:
          case PT.UID: case PT.GID: case PT.MODE: case PT.SIGTYPE: case PT.SYSCALLID: case PT.PORT:
            return c.e.uint(i);
          case PT.UINT64: case PT.RELTIME: case PT.ABSTIME:
            return c.e.uint(i);
          case PT.CHARBUF: case PT.FSPATH: case PT.FSRELPATH:
            return c.e.str(i);
          default:
            return renderParam(c.s, c.e, i, p, c.render);
        }
      },
    }),
  },
  { name: 'evt.buffer', type: 'bytes', desc: 'the I/O data buffer', value: buffer, display: (c) => { const b = buffer(c); return b ? escapeBuffer(b, c.render.bufFormat, 0) : undefined; } },
  { name: 'evt.buflen', type: 'int', desc: 'length of the I/O buffer', value: (c) => { const r = resParam(c); return isIo(c, EF.READS_FROM_FD | EF.WRITES_TO_FD) && c.e.dir === 1 && r !== undefined && r >= 0 ? r : undefined; } },
  { name: 'evt.res', type: 'string', desc: "'SUCCESS' or the error code", value: (c) => { const r = resParam(c); if (r === undefined) return undefined; return r >= 0 ? 'SUCCESS' : ERRNO_NAMES[-r] ?? String(r); } },
  { name: 'evt.rawres', type: 'int', desc: 'return value as a number', value: resParam },
  { name: 'evt.failed', type: 'bool', desc: 'true if the event returned an error', value: (c) => { const r = resParam(c); return r === undefined ? false : r < 0; } },
  { name: 'evt.is_io', type: 'bool', desc: 'reads or writes an fd', value: (c) => isIo(c, EF.READS_FROM_FD | EF.WRITES_TO_FD) },
  { name: 'evt.is_io_read', type: 'bool', desc: 'reads from an fd', value: (c) => isIo(c, EF.READS_FROM_FD) },
  { name: 'evt.is_io_write', type: 'bool', desc: 'writes to an fd', value: (c) => isIo(c, EF.WRITES_TO_FD) },
  { name: 'evt.io_dir', type: 'string', desc: "'r' or 'w'", value: (c) => (isIo(c, EF.READS_FROM_FD) ? 'read' : isIo(c, EF.WRITES_TO_FD) ? 'write' : undefined) },
  { name: 'evt.is_wait', type: 'bool', desc: 'the event makes the thread wait', value: (c) => isIo(c, EF.WAITS) },
  { name: 'evt.wait_latency', type: 'reltime', desc: 'time spent waiting, ns', value: (c) => (isIo(c, EF.WAITS) ? latency(c) ?? 0 : undefined) },
  { name: 'evt.is_syslog', type: 'bool', desc: 'a write to /dev/log', value: (c) => c.s.fd?.name === '/dev/log' && isIo(c, EF.WRITES_TO_FD) },
  { name: 'evt.count', type: 'int', desc: 'always 1', value: () => 1 },
  { name: 'evt.count.error', type: 'int', desc: '1 for failed events', value: (c) => { const r = resParam(c); return r !== undefined && r < 0 ? 1 : 0; } },
  { name: 'evt.count.error.file', type: 'int', desc: '1 for failed file events', value: (c) => { const r = resParam(c); return r !== undefined && r < 0 && c.e.info.category === 'file' ? 1 : 0; } },
  { name: 'evt.count.error.net', type: 'int', desc: '1 for failed network events', value: (c) => { const r = resParam(c); return r !== undefined && r < 0 && c.e.info.category === 'net' ? 1 : 0; } },
  { name: 'evt.count.error.memory', type: 'int', desc: '1 for failed memory events', value: (c) => { const r = resParam(c); return r !== undefined && r < 0 && c.e.info.category === 'memory' ? 1 : 0; } },
  { name: 'evt.count.error.other', type: 'int', desc: '1 for other failed events', value: (c) => { const r = resParam(c); const k = c.e.info.category; return r !== undefined && r < 0 && k !== 'file' && k !== 'net' && k !== 'memory' ? 1 : 0; } },
  { name: 'evt.count.exit', type: 'int', desc: '1 for exit events', value: (c) => (c.e.dir === 1 ? 1 : 0) },
  { name: 'evt.around', type: 'int', desc: 'not supported in this version (needs two passes)', arg: 'required', withArg: () => 'evt.around is not supported' },
  { name: 'evt.abspath', type: 'string', desc: 'absolute path of the event path argument', value: (c) => absPath(c, 'path') },
  { name: 'evt.abspath.src', type: 'string', desc: 'source path (rename/link)', value: (c) => absPath(c, 'oldpath') },
  { name: 'evt.abspath.dst', type: 'string', desc: 'destination path (rename/link)', value: (c) => absPath(c, 'newpath') },
  { name: 'evt.is_open_read', type: 'bool', desc: 'open for reading', value: (c) => openMode(c, 1) },
  { name: 'evt.is_open_write', type: 'bool', desc: 'open for writing', value: (c) => openMode(c, 2) },
  { name: 'evt.is_open_exec', type: 'bool', desc: 'open/creat creating a file with execute permission', value: (c) => openExec(c) },
  { name: 'evt.errorcode', type: 'int', desc: 'error code, or 0', value: (c) => { const r = resParam(c); return r !== undefined && r < 0 ? -r : 0; } },
  { name: 'evt.res.str', type: 'string', desc: 'result rendered', value: (c) => { const r = resParam(c); return r === undefined ? undefined : errnoStr(r); } },
];

const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
/** per event type: an exit whose data could go to /dev/log (decided once, not per event) */
const SYSLOG_WRITE_EXIT: boolean[] = EVENTS.map((i) => i.dir === 1 && ['write', 'writev', 'send', 'sendto', 'sendmsg', 'pwrite', 'pwritev'].includes(i.name));

/** sinsp's syslog decoder: a successful write to /dev/log prints as "syslog sev=… msg=…" */
export function syslogInfo(c: EventCtx): string | undefined {
  const e = c.e;
  if (!SYSLOG_WRITE_EXIT[e.type]) return undefined;
  const f = c.s.fd;
  if (!f || !f.name.includes('/dev/log')) return undefined;
  const res = e.int(0);
  if (res === undefined || res < 0 || e.paramCount < 2) return undefined;
  const d = e.bytes(1);
  if (!d) return undefined;
  let plen = 0;
  while (plen < 15 && 1 + plen < d.length && d[1 + plen] !== 0x3e && d[1 + plen] !== 0) plen++;
  if (plen === 0 || d.length < plen + 2) return undefined;
  let pri = 0;
  for (let i = 1; i <= plen; i++) {
    const ch = d[i]!;
    if (ch < 0x30 || ch > 0x39) return undefined;
    pri = pri * 10 + (ch - 0x30);
  }
  let end = plen + 2;
  while (end < d.length && d[end] !== 0) end++;
  return `syslog sev=${SEVERITIES[pri & 7]} msg=${d.toString('latin1', plen + 2, end)}`;
}

/** I/O events take their category from the fd they use, as sinsp does. */
function category(c: EventCtx): string {
  const k = c.e.info.category;
  if (k !== 'io_read' && k !== 'io_write' && k !== 'io_other') return k;
  const f = c.s.fd;
  if (!f) return k;
  switch (f.type) {
    case FdType.FILE: case FdType.FILE_V2: case FdType.DIRECTORY: return 'file';
    case FdType.IPV4_SOCK: case FdType.IPV6_SOCK: case FdType.IPV4_SERVSOCK: case FdType.IPV6_SERVSOCK: return 'net';
    case FdType.UNIX_SOCK: case FdType.FIFO: return 'IPC';
    default: return k;
  }
}

const NUM_RESOLVED = /^-?\d+\((.*)\)$/s;

/** evt.arg.X: the resolved part when there is one, else the raw value (sinsp). */
function resolvedOnly(c: EventCtx, i: number): string {
  const p = c.e.info.params[i]!;
  const full = renderParam(c.s, c.e, i, p, c.render);
  switch (p.type) {
    case PT.FD: case PT.PID: case PT.ERRNO: case PT.FLAGS8: case PT.FLAGS16: case PT.FLAGS32: case PT.ENUMFLAGS32: case PT.UID: case PT.GID:
    case PT.SYSCALLID: case PT.SIGTYPE: case PT.RELTIME: case PT.MODE: {
      const m = NUM_RESOLVED.exec(full);
      return m ? m[1]! : full;
    }
    case PT.FSPATH: case PT.FSRELPATH: {
      const raw = sanitize(c.e.str(i) ?? '');
      return full.length > raw.length && full.startsWith(raw + '(') ? full.slice(raw.length + 1, -1) : full;
    }
    default:
      return full;
  }
}

/** sinsp keeps the previous timestamp per field instance: the delta is from the last event it saw */
function deltaField(map: (ns: number) => number) {
  let hi = -1;
  let lo = 0;
  let lastNum = -1;
  let last = 0;
  return {
    // a clock going backwards prints as sinsp's unsigned wrap-around
    display: (c: EventCtx) => { const v = map(value(c)); return v < 0 ? (2n ** 64n + BigInt(v)).toString() : String(v); },
    value: (c: EventCtx) => map(value(c)),
  };
  function value(c: EventCtx): number {
      const e = c.e;
      if (e.num === lastNum) return last; // asked twice for one event (e.g. -j)
      last = hi < 0 ? 0 : e.nsSince(hi, lo);
      hi = e.tsHi;
      lo = e.tsLo;
      lastNum = e.num;
      return last;
  }
}

const pad9 = (n: number) => (n < 1e9 ? ns9(n) : String(n));

function isSyscall(c: EventCtx): boolean {
  const k = c.e.info.categoryId;
  return k !== 'INTERNAL' && k !== 'SCHEDULER' && c.e.info.name !== 'container' && c.e.info.name !== 'procexit' && c.e.info.name !== 'signaldeliver' && c.e.info.name !== 'page_fault' && c.e.info.name !== 'pluginevent';
}

function absPath(c: EventCtx, name: string): string | undefined {
  const e = c.e;
  let i = e.info.paramIndex.get(name) ?? -1;
  if (i < 0) i = e.info.paramIndex.get('name') ?? -1;
  if (i < 0 || i >= e.paramCount || !c.s.thread) return undefined;
  const p = e.info.params[i]!;
  const v = e.str(i);
  if (v === undefined) return undefined;
  const dirfd = p.type === PT.FSRELPATH && p.dirfd >= 0 ? e.int(p.dirfd) : undefined;
  return c.s.resolvePath(c.s.thread, v, dirfd);
}

function openMode(c: EventCtx, bit: number): boolean {
  const e = c.e;
  const name = e.info.name;
  if (!(name === 'open' || name === 'openat' || name === 'openat2' || name === 'creat') || e.dir !== 1) return false;
  const i = e.info.paramIndex.get('flags') ?? -1;
  const f = i >= 0 ? e.uint(i) ?? 0 : 0;
  return (f & bit) !== 0;
}

/**
 * sinsp's is_open_exec: open exit, old openat enter, new openat/openat2 exits with O_CREAT or
 * O_TMPFILE and an execute bit in the mode; creat exits by their mode alone.
 */
function openExec(c: EventCtx): boolean {
  const e = c.e;
  const info = e.info;
  const old = (info.flags & EF.OLD_VERSION) !== 0;
  const uses = (info.name === 'open' && e.dir === 1) || (info.name === 'openat' && (old ? e.dir === 0 : e.dir === 1))
    || (info.name === 'openat2' && e.dir === 1);
  const mode = () => { const i = info.paramIndex.get('mode') ?? -1; return i >= 0 && i < e.paramCount ? e.uint(i) ?? 0 : 0; };
  if (uses) {
    const i = info.paramIndex.get('flags') ?? -1;
    const flags = i >= 0 && i < e.paramCount ? e.uint(i) ?? 0 : 0;
    return (flags & ((1 << 13) | (1 << 2))) !== 0 && (mode() & 0o111) !== 0;
  }
  return info.name === 'creat' && e.dir === 1 && (mode() & 0o111) !== 0;
}

void EVENTS;
