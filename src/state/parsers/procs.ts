// Process parsers: clone/fork/vfork/clone3, execve, procexit, set*id, container events.
import { ScapEvent } from '../../events/event';
import { CL, FdTable, ThreadInfo } from '../thread';
import type { StateEngine } from '../engine';
import { bytesParam, intParam, param, splitNul, strParam } from './util';
import { sinspConcat } from '../../util/paths';

/** pending fd tables of forks in pid namespaces (see StateEngine.forkFds); the oldest go first */
const FORK_FDS_MAX = 256;

function copyFds(fds: FdTable): FdTable {
  const table: FdTable = new Map();
  for (const [k, v] of fds) table.set(k, v.clone());
  return table;
}

const isFake = (t: ThreadInfo) => t.comm === '<NA>' && t.uid === 0xffffffff;

export function onCloneExit(s: StateEngine, e: ScapEvent): void {
  let childTid = e.int(0);
  if (childTid === undefined || childTid < 0) return;
  const flags = intParam(e, 'flags') ?? 0;
  const evTid = intParam(e, 'tid') ?? e.tid;
  const hasV = param(e, 'vtid') >= 0;
  const vtid = hasV ? intParam(e, 'vtid')! : evTid;
  const vpid = hasV ? intParam(e, 'vpid') ?? -1 : intParam(e, 'pid') ?? -1;
  const inContainer = (flags & CL.CHILD_IN_PIDNS) !== 0 || evTid !== vtid;
  let callerTid = e.tid;
  let inverted = false;
  if (childTid === 0) {
    const me = s.threads.get(e.tid);
    if (me) {
      if (inContainer) {
        me.vtid = vtid;
        me.vpid = vpid;
      }
      return; // the parent's event created it already
    }
    // the child's event came first: it describes the child, the parent is pid/ptid
    inverted = true;
    childTid = e.tid;
    callerTid = flags & CL.CLONE_THREAD ? intParam(e, 'pid') ?? -1 : intParam(e, 'ptid') ?? -1;
  } else if (inContainer) {
    // the tid the parent sees is virtual: wait for the child's own event, keeping the fds it got
    if (s.keepForkFds && !(flags & CL.CLONE_THREAD)) {
      const key = `${e.tid}:${childTid}`;
      const p = s.threads.get(e.tid);
      // the child's event came first (it has its table already) or we keep a copy for it
      if (!s.forkFds.delete(key) && p) {
        if (s.forkFds.size >= FORK_FDS_MAX) s.forkFds.delete(s.forkFds.keys().next().value!);
        s.forkFds.set(key, copyFds(p.fds));
      }
    }
    return;
  }
  let parent = s.getThread(callerTid)!;
  const exe = strParam(e, 'exe') ?? '';
  const args = splitNul(bytesParam(e, 'args'));
  const comm = strParam(e, 'comm') ?? exe;
  const existing = s.threads.get(childTid);
  if (existing) {
    if (existing.flags & CL.CLONE_INVERTED) return;
    s.removeThread(existing);
  }
  const c = new ThreadInfo(childTid);
  c.ptid = callerTid;
  const valid = !isFake(parent);
  if (valid) {
    c.exepath = parent.exepath;
    c.root = parent.root;
    c.sid = parent.sid;
    c.vpgid = parent.vpgid;
    c.tty = parent.tty;
    c.loginuid = parent.loginuid;
    if (!(flags & CL.CLONE_THREAD)) c.env = parent.env;
  } else {
    // a fake parent learns its identity from its child's clone event
    parent.comm = comm;
    parent.exe = exe;
    parent.args = args;
  }
  c.pid = intParam(e, 'pid') ?? childTid;
  c.flags = flags;
  if (!(flags & CL.CLONE_THREAD)) {
    c.pid = childTid;
    const key = `${callerTid}:${vtid}`;
    const kept = inverted && hasV && s.keepForkFds ? s.forkFds.get(key) : undefined;
    if (kept) s.forkFds.delete(key);
    else if (inverted && hasV && s.keepForkFds && vtid !== childTid) {
      // first: tell the parent's event not to keep a copy (null marks it)
      if (s.forkFds.size >= FORK_FDS_MAX) s.forkFds.delete(s.forkFds.keys().next().value!);
      s.forkFds.set(key, null);
    }
    c.ownFds = kept ?? copyFds(parent.fds);
    c.setOwnCwd(parent.cwd);
  }
  if (inverted) c.flags |= CL.CLONE_INVERTED;
  c.exe = exe;
  c.comm = comm;
  c.args = args;
  c.fdlimit = intParam(e, 'fdlimit') ?? 0;
  c.pfmajor = intParam(e, 'pgft_maj') ?? 0;
  c.pfminor = intParam(e, 'pgft_min') ?? 0;
  c.vmsize = intParam(e, 'vm_size') ?? 0;
  c.vmrss = intParam(e, 'vm_rss') ?? 0;
  c.vmswap = intParam(e, 'vm_swap') ?? 0;
  c.uid = (intParam(e, 'uid') ?? 0) >>> 0;
  c.gid = (intParam(e, 'gid') ?? 0) >>> 0;
  c.vtid = inContainer ? vtid : childTid;
  c.vpid = inContainer ? vpid : c.pid;
  const cg = bytesParam(e, 'cgroups');
  if (cg) {
    c.cgroups = splitNul(cg);
    c.deriveContainerIdLater(); // from these cgroups, when first read
  }
  c.cloneTs = e.tsNum;
  s.add(c);
  void parent;
  parent = c;
}

export function onExecveExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0);
  if (res === undefined || res < 0) return;
  const exe = strParam(e, 'exe');
  if (exe !== undefined) t.exe = exe;
  const ai = param(e, 'args');
  if (ai >= 0) t.args = splitNul(e.bytes(ai));
  t.comm = strParam(e, 'comm') ?? t.exe;
  const pid = intParam(e, 'pid');
  if (pid !== undefined) t.pid = pid;
  if (t.ptid === -1) t.ptid = intParam(e, 'ptid') ?? -1;
  t.fdlimit = intParam(e, 'fdlimit') ?? t.fdlimit;
  t.pfmajor = intParam(e, 'pgft_maj') ?? t.pfmajor;
  t.pfminor = intParam(e, 'pgft_min') ?? t.pfminor;
  t.vmsize = intParam(e, 'vm_size') ?? t.vmsize;
  t.vmrss = intParam(e, 'vm_rss') ?? t.vmrss;
  t.vmswap = intParam(e, 'vm_swap') ?? t.vmswap;
  const env = bytesParam(e, 'env');
  if (env) t.env = splitNul(env);
  const cg = bytesParam(e, 'cgroups');
  if (cg) {
    t.cgroups = splitNul(cg);
    t.deriveContainerIdLater();
  }
  t.tty = intParam(e, 'tty') ?? t.tty;
  t.vpgid = intParam(e, 'pgid') ?? t.vpgid;
  t.loginuid = intParam(e, 'loginuid') ?? t.loginuid;
  if (s.enterAvailable) {
    const fn = strParam(s.enter, 'filename') ?? strParam(s.enter, 'pathname');
    if (fn !== undefined) t.exepath = fn.startsWith('<NA>') ? '<NA>' : sinspConcat(t.ownCwd, fn)[0];
  }
  // execve drops CLONE_FILES/CLONE_THREAD: from now on the thread uses its own fd table
  t.flags &= CL.CLONE_INVERTED;
  t.execTs = e.tsNum;
}

export function onProcexit(s: StateEngine, _e: ScapEvent, t: ThreadInfo): void {
  s.scheduleRemove(t);
}

export function setIdExit(which: 'uid' | 'gid', name: string) {
  return (s: StateEngine, e: ScapEvent, t: ThreadInfo): void => {
    if ((e.int(0) ?? -1) < 0 || !s.enterAvailable) return;
    const v = intParam(s.enter, name);
    if (v === undefined) return;
    const u = v >>> 0;
    if (name !== 'uid' && name !== 'gid' && u === 0xffffffff) return;
    t[which] = u;
  };
}

export function onContainer(s: StateEngine, e: ScapEvent): void {
  if (e.type === 228) {
    s.containers.addV0(e.str(0) ?? '', e.uint(1) ?? 0, e.str(2) ?? '', e.str(3) ?? '');
  } else {
    const j = e.str(0);
    if (j) s.containers.addJson(j);
  }
}

/** setsid makes the thread a session leader: its sid is the result */
export function onSetsidExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0);
  if (res !== undefined && res >= 0) t.sid = res;
  void s;
}

/** chroot: the new root, resolved against the cwd when relative (as sysdig resolves paths) */
export function onChrootExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if (e.int(0) !== 0) return;
  const p = strParam(e, 'path');
  if (p === undefined) return;
  const [full, resolved] = sinspConcat(t.cwd, p);
  t.root = resolved ? full : p;
  void s;
}

const PR_SET_NAME = 15;
const TASK_COMM_MAX = 15; // TASK_COMM_LEN - 1: the kernel keeps at most 15 bytes of the name

/**
 * prctl(PR_SET_NAME) renames the calling thread, as the kernel does. sinsp (today's libs too)
 * ignores it, so busybox applets re-executed through /proc/self/exe stay `exe`; tsdig follows the
 * rename so proc.name is the name ps and htop show.
 */
export function onPrctlExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if ((e.int(0) ?? -1) < 0 || e.uint(1) !== PR_SET_NAME) return;
  const name = e.paramCount > 2 ? e.bytes(2) : undefined;
  if (!name || name.length === 0) return;
  let n = name.indexOf(0);
  if (n < 0) n = name.length;
  t.comm = name.toString('latin1', 0, Math.min(n, TASK_COMM_MAX));
  void s;
}
