// Fields the views need that the filter language does not define (csysdig's derived counters):
// file/net byte counts split by direction, memory in bytes, open counts. They are offered through a
// registry that falls back to the main one, so views and UI filters can use both.
import { fieldRegistry } from '../fields';
import { EventCtx } from '../fields/context';
import { FieldAccessor, FieldError, FieldInfo, FieldRegistry } from '../fields/types';
import { EF, EVENTS } from '../events/table';
import { FdType } from '../scap/types';

type V = (c: EventCtx) => number | undefined;

// As sinsp's evt.buflen.*: by the event's category, not its READS/WRITES flags, so sendfile
// (IO_WRITE, no flag) counts as output and splice (IO_OTHER) in the totals; the bytes are the
// exit's res when it is >= 0, the fd the event's (sendfile's out_fd).
const CAT_NONE = 0, CAT_READ = 1, CAT_WRITE = 2, CAT_OTHER = 3;
const IO_CAT = new Uint8Array(EVENTS.length).map((_, i) => {
  const k = EVENTS[i]!.categoryId;
  return k === 'IO_READ' ? CAT_READ : k === 'IO_WRITE' ? CAT_WRITE : k === 'IO_OTHER' ? CAT_OTHER : CAT_NONE;
});
const ANY = -1;

function ioLen(c: EventCtx, cat: number): number | undefined {
  const e = c.e;
  if (e.dir !== 1 || e.paramCount === 0 || c.s.fd === null) return undefined;
  const k = e.type < IO_CAT.length ? IO_CAT[e.type]! : CAT_NONE;
  if (cat === ANY ? k === CAT_NONE : k !== cat) return undefined;
  const r = e.int(0);
  return r !== undefined && r >= 0 ? r : undefined;
}
const R = CAT_READ;
const W = CAT_WRITE;
const isFile = (c: EventCtx) => { const f = c.s.fd; return !!f && (f.isFile || f.type === FdType.DIRECTORY); };
const isNet = (c: EventCtx) => { const f = c.s.fd; return !!f && f.isIp; };
const both = (c: EventCtx) => ioLen(c, ANY);
const OPEN_NAMES = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
const CONN_NAMES = new Set(['connect', 'accept', 'accept4']);
/** the syscall categories of the metrics' syscall counters (sysdig's, io_* merged into io) */
export const SYSCALL_CATEGORIES = ['file', 'io', 'net', 'ipc', 'memory', 'process', 'wait', 'signal', 'sleep', 'time', 'user', 'system', 'scheduler', 'other'] as const;
/** per event type: its index in SYSCALL_CATEGORIES (255: internal events, never counted) */
const CAT_OF = Uint8Array.from(EVENTS, (e) => {
  if (e.categoryId === 'INTERNAL') return 255;
  const k = e.category.startsWith('io_') ? 'io' : e.category.toLowerCase();
  const i = (SYSCALL_CATEGORIES as readonly string[]).indexOf(k);
  return i >= 0 ? i : SYSCALL_CATEGORIES.length - 1;
});

const DERIVED: Record<string, { desc: string; value: V }> = {
  'evt.buflen.in': { desc: 'bytes read by the event', value: (c) => ioLen(c, R) },
  'evt.buflen.out': { desc: 'bytes written by the event', value: (c) => ioLen(c, W) },
  'evt.buflen.file': { desc: 'bytes read or written to a file', value: (c) => (isFile(c) ? both(c) : undefined) },
  'evt.buflen.file.in': { desc: 'bytes read from a file', value: (c) => (isFile(c) ? ioLen(c, R) : undefined) },
  'evt.buflen.file.out': { desc: 'bytes written to a file', value: (c) => (isFile(c) ? ioLen(c, W) : undefined) },
  'evt.buflen.net': { desc: 'bytes read or written to a network socket', value: (c) => (isNet(c) ? both(c) : undefined) },
  'evt.buflen.net.in': { desc: 'bytes read from a network socket', value: (c) => (isNet(c) ? ioLen(c, R) : undefined) },
  'evt.buflen.net.out': { desc: 'bytes written to a network socket', value: (c) => (isNet(c) ? ioLen(c, W) : undefined) },
  'evt.count.open': { desc: '1 for the exit of an open call', value: (c) => (c.e.dir === 1 && OPEN_NAMES.has(c.e.info.name) ? 1 : 0) },
  'evt.count.conn.new': { desc: '1 for a successful connect or accept', value: (c) => { const e = c.e; if (e.dir !== 1 || !CONN_NAMES.has(e.info.name)) return 0; const r = e.int(0); return r !== undefined && r >= 0 ? 1 : 0; } },
  ...Object.fromEntries(SYSCALL_CATEGORIES.map((k, i) => [`evt.count.exit.${k}`, {
    desc: `1 for the exit of a ${k} event`,
    value: (c: EventCtx) => (c.e.dir === 1 && CAT_OF[c.e.type] === i ? 1 : 0),
  }])),
  'thread.vmsize.b': { desc: 'virtual memory of the process, bytes', value: (c) => { const t = c.s.thread; if (!t) return undefined; const m = t.mainThread(); return m.vmsize * 1024; } },
  'thread.vmrss.b': { desc: 'resident memory of the process, bytes', value: (c) => { const t = c.s.thread; if (!t) return undefined; const m = t.mainThread(); return m.vmrss * 1024; } },
};

type S = (c: EventCtx) => string | undefined;
/** text-valued derived fields: row keys and distinct counts the metrics views need */
const DERIVED_TEXT: Record<string, { desc: string; value: S }> = {
  'fd.name.net': { desc: 'the fd name of a network socket event', value: (c) => (isNet(c) ? c.s.fd!.name : undefined) },
  'proc.group': {
    desc: "container id and process name: a process group's key",
    value: (c) => { const t = c.s.thread; if (!t) return undefined; return (t.containerId || 'host') + '/' + t.mainThread().comm; },
  },
};

class ViewRegistry implements FieldRegistry<EventCtx> {
  resolve(name: string, arg?: string): FieldAccessor<EventCtx> {
    const d = arg === undefined ? DERIVED[name] : undefined;
    if (d) {
      const value = d.value;
      return { name, type: 'int', value, display: (c) => { const v = value(c); return v === undefined ? undefined : String(v); } };
    }
    const dt = arg === undefined ? DERIVED_TEXT[name] : undefined;
    if (dt) return { name, type: 'string', value: dt.value, display: dt.value };
    return fieldRegistry().resolve(name, arg);
  }

  list(): FieldInfo[] {
    return [...fieldRegistry().list(), ...Object.entries(DERIVED).map(([name, d]) => ({ name, type: 'int' as const, arg: 'none' as const, desc: d.desc })),
      ...Object.entries(DERIVED_TEXT).map(([name, d]) => ({ name, type: 'string' as const, arg: 'none' as const, desc: d.desc }))];
  }
}

let reg: ViewRegistry | null = null;
/** The main field registry plus the view-only derived fields. */
export function viewRegistry(): FieldRegistry<EventCtx> {
  if (!reg) reg = new ViewRegistry();
  return reg;
}

export { FieldError };
