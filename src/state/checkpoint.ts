// Copies of the state engine's tables, for replay checkpoints (src/snapshot/replay-index.ts): the
// UI resumes a replay in the middle of a capture from such a copy instead of re-reading the file
// from its start. A copy is taken between two events and restored into a fresh engine before the
// next one, so it must hold everything process() reads: threads (with their fd tables, cwd, saved
// enter event), users, groups, containers, interfaces, machine info, the first timestamp and the
// removals the previous event scheduled.
//
// Objects are copied generically (own fields, Buffers duplicated) so fields added to ThreadInfo or
// FdInfo later are carried over without touching this file; only the links between objects (a
// thread's table, fd tables shared by threads, the same FdInfo under two fd numbers after dup) are
// rebuilt by hand. Strings and the arrays of args/env/cgroups are shared: state code replaces
// them, it never mutates them in place.
import { StateEngine } from './engine';
import { ThreadInfo, FdTable } from './thread';
import { FdInfo } from './fdinfo';

export interface EngineCopy {
  readonly engine: StateEngine;
  /** rough heap size of the copy in bytes (for the checkpoints' memory budget) */
  readonly bytes: number;
}

// private fields of the engine and threads read here (TypeScript allows element access to them)
type EnginePrivate = { pendingRemove: ThreadInfo | null; pendingFdTable: FdTable | null };
type ThreadPrivate = { fdsOwn: FdTable | null };

/** own fields copied, Buffers duplicated; the prototype kept (getters, methods) */
function copyObject<T extends object>(o: T): T {
  const c = Object.create(Object.getPrototypeOf(o)) as T;
  for (const k of Object.keys(o) as (keyof T)[]) {
    const v = o[k];
    c[k] = (Buffer.isBuffer(v) ? Buffer.from(v as unknown as Buffer) : v) as T[keyof T];
  }
  return c;
}

/** Copies `src`'s tables into `dst` (emptied first). Returns a rough size of what was copied. */
function copyInto(src: StateEngine, dst: StateEngine): number {
  let bytes = 256;
  const fdMemo = new Map<FdInfo, FdInfo>();
  const tableMemo = new Map<FdTable, FdTable>();
  const threadMemo = new Map<ThreadInfo, ThreadInfo>();
  const copyTable = (t: FdTable): FdTable => {
    let n = tableMemo.get(t);
    if (n) return n;
    n = new Map();
    tableMemo.set(t, n);
    for (const [fd, f] of t) {
      let nf = fdMemo.get(f);
      if (!nf) {
        nf = copyObject(f);
        fdMemo.set(f, nf);
        const sock = (f as { sock?: Buffer | null }).sock;
        bytes += 160 + f.name.length + (sock ? sock.length : 0);
      }
      n.set(fd, nf);
    }
    return n;
  };
  dst.reset();
  // primitive fields (first timestamp, counters…): copied whatever they are named
  const s = src as unknown as Record<string, unknown>;
  const d = dst as unknown as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    const v = s[k];
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') d[k] = v;
  }
  for (const t of src.threads.values()) {
    const n = copyObject(t);
    const own = (t as unknown as ThreadPrivate).fdsOwn;
    (n as unknown as ThreadPrivate).fdsOwn = own ? copyTable(own) : null;
    threadMemo.set(t, n);
    dst.add(n);
    bytes += 480 + (t.lastEnterBuf ? t.lastEnterBuf.length : 0);
  }
  for (const [k, v] of src.users) dst.users.set(k, v);
  for (const [k, v] of src.groups) dst.groups.set(k, v);
  for (const c of src.containers.byId.values()) {
    dst.containers.set({ ...c });
    bytes += 400;
  }
  dst.k8s.copyFrom(src.k8s);
  bytes += (src.users.size + src.groups.size) * 120;
  dst.interfaces = src.interfaces;
  dst.machine = src.machine;
  // removals scheduled by the event before the copy happen when the next event is processed
  const sp = src as unknown as EnginePrivate;
  const dp = dst as unknown as EnginePrivate;
  dp.pendingRemove = sp.pendingRemove ? threadMemo.get(sp.pendingRemove) ?? null : null;
  dp.pendingFdTable = sp.pendingFdTable ? tableMemo.get(sp.pendingFdTable) ?? null : null;
  // per-event results: recomputed by the next process()
  dst.thread = null;
  dst.fd = null;
  dst.failedFd = null;
  dst.threadsGen++; // the counters came from src: dst's one-entry thread cache must not match
  return bytes;
}

/** A copy of the engine's state between two events. */
export function saveEngine(src: StateEngine): EngineCopy {
  const engine = new StateEngine();
  const bytes = copyInto(src, engine);
  return { engine, bytes };
}

/** Puts a saved state into `dst` (the engine a new processor reads from); the copy stays reusable. */
export function restoreEngine(dst: StateEngine, copy: EngineCopy): void {
  copyInto(copy.engine, dst);
}
