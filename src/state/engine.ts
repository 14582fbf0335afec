// The state engine: threads, fd tables, users and containers, kept up to date by metadata blocks
// and by the events themselves (clone/execve/procexit, open/socket/connect/close…), so that fields
// and printed arguments resolve as sysdig resolves them. One method per event family; dispatch is
// a table indexed by event type, built once.
import { ScapEvent } from '../events/event';
import { EF, EVENTS, EVENT_MAX, PT } from '../events/table';
import { CaptureSink, FdRecord, FdType, GroupRecord, InterfaceRecord, MachineInfo, ThreadRecord, UserRecord } from '../scap/types';
import { FdInfo, L4 } from './fdinfo';
import { CL, ThreadInfo } from './thread';
import { ContainerTable, containerIdFromCgroups } from './containers';
import { asDir, concatPaths } from '../util/paths';
import { sanitize } from '../util/sanitize';
import { decodeTuple, decodeSockaddr, tupleName } from './sockets';

type Handler = (s: StateEngine, e: ScapEvent, t: ThreadInfo) => void;

const PPM_O_DIRECTORY = 1 << 10;
const PPM_O_CLOEXEC = 1 << 12;
const F_DUPFD = 0; // PPM_FCNTL_F_DUPFD
const F_DUPFD_CLOEXEC = 14; // PPM_FCNTL_F_DUPFD_CLOEXEC

export class StateEngine {
  readonly threads = new Map<number, ThreadInfo>();
  readonly users = new Map<number, UserRecord>();
  readonly groups = new Map<number, GroupRecord>();
  readonly containers = new ContainerTable();
  interfaces: InterfaceRecord[] = [];
  machine: MachineInfo | null = null;
  /** thread to drop before the next event (procexit is applied after the event is shown) */
  private pendingRemove: ThreadInfo | null = null;
  /** the thread of the current event (set by process()) */
  thread: ThreadInfo | null = null;
  /** fd of the current event, when the event uses one */
  fd: FdInfo | null = null;
  fdNum = -1;
  /** enter event paired with the current exit (same thread, previous event), or null */
  enterAvailable = false;
  readonly enter = new ScapEvent();
  /** first event timestamp (for relative times) */
  firstTsHi = -1;
  firstTsLo = 0;
  prevTsHi = -1;
  prevTsLo = 0;
  prevTsHiSaved = 0;
  prevTsLoSaved = 0;

  reset(): void {
    this.threads.clear();
    this.users.clear();
    this.groups.clear();
    this.containers.clear();
    this.interfaces = [];
    this.machine = null;
    this.pendingRemove = null;
  }

  /** A sink that fills this engine from metadata blocks and forwards events. */
  metadataSink(onEvent: (e: ScapEvent) => boolean | void, onSection?: () => void): CaptureSink {
    let metaDone = false;
    return {
      onSection: () => {
        this.reset();
        metaDone = false;
        onSection?.();
      },
      onMachineInfo: (mi) => { this.machine = mi; },
      onThread: (r) => this.addThreadRecord(r),
      onFds: (tid, fds) => this.addFds(tid, fds),
      onInterfaces: (l) => { this.interfaces = l; },
      onUsers: (u, g) => {
        this.users.clear();
        this.groups.clear();
        for (const x of u) this.users.set(x.uid, x);
        for (const x of g) this.groups.set(x.gid, x);
      },
      onEvent: (e) => {
        if (!metaDone) {
          metaDone = true;
          this.fixupSocketRoles();
        }
        return onEvent(e);
      },
    };
  }

  addThreadRecord(r: ThreadRecord): void {
    const t = ThreadInfo.fromRecord(r);
    t.containerId = containerIdFromCgroups(t.cgroups);
    this.threads.set(t.tid, t);
    this.link(t);
  }

  /** Links a thread to its main thread so they share fds and cwd. */
  private link(t: ThreadInfo): void {
    if (t.tid === t.pid) {
      t.main = null;
      // threads that arrived before their main thread
      for (const o of this.threads.values()) if (o.pid === t.pid && o !== t && o.main === null) o.main = t;
      return;
    }
    const m = this.threads.get(t.pid);
    t.main = m && m !== t ? m : null;
  }

  addFds(tid: number, list: FdRecord[]): void {
    const t = this.threads.get(tid);
    if (!t) return;
    const fds = t.fds;
    for (const r of list) {
      const f = new FdInfo(r.type === FdType.FILE_V2 ? FdType.FILE : r.type, r.name);
      f.openFlags = r.openFlags;
      f.ino = r.ino;
      f.dev = r.dev;
      if (r.sip !== undefined) {
        f.sip = r.sip; f.dip = r.dip ?? ''; f.sport = r.sport ?? 0; f.dport = r.dport ?? 0; f.l4proto = (r.l4proto ?? 0) as L4;
        if (r.type === FdType.IPV4_SERVSOCK || r.type === FdType.IPV6_SERVSOCK) {
          f.role = 1;
          f.name = '';
        } else {
          f.name = tupleName(f);
          f.fromProcList = true;
        }
      }
      if (r.usrc !== undefined) { f.usrc = r.usrc; f.udst = r.udst ?? ''; }
      fds.set(r.fd, f);
    }
  }

  /**
   * Process-list sockets come as local→remote. sinsp shows connections client→server, so once all
   * fd lists are in, a socket whose local port is a listening port is turned around (server role).
   */
  fixupSocketRoles(): void {
    const listening = new Set<number>();
    for (const t of this.threads.values()) {
      if (t.main) continue;
      for (const f of t.fds.values()) if ((f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) && f.sport) listening.add(f.sport);
    }
    for (const t of this.threads.values()) {
      if (t.main) continue;
      for (const f of t.fds.values()) {
        if ((f.type !== FdType.IPV4_SOCK && f.type !== FdType.IPV6_SOCK) || f.role !== 0 || f.fromProcList !== true) continue;
        if (listening.has(f.sport)) {
          const [ip, port] = [f.sip, f.sport];
          f.sip = f.dip; f.sport = f.dport; f.dip = ip; f.dport = port;
          f.role = 1;
        } else {
          f.role = 2;
        }
        f.name = tupleName(f);
      }
    }
  }

  /** Thread of tid, created as an unknown placeholder if absent (sinsp does the same in replay). */
  getThread(tid: number, create = true): ThreadInfo | null {
    let t = this.threads.get(tid);
    if (!t && create) {
      t = new ThreadInfo(tid);
      t.pid = tid;
      // sinsp creates an empty entry: no name, so it prints <NA> and resolves to nothing
      t.comm = '';
      t.exe = '';
      t.synthetic = true;
      t.cwd = '';
      this.threads.set(tid, t);
    }
    return t ?? null;
  }

  /**
   * Applies one event to the state. After it returns, `thread`, `fd`, `fdNum` and the paired
   * `enter` describe the event for field extraction and printing.
   */
  process(e: ScapEvent): void {
    if (this.pendingRemove) {
      this.removeThread(this.pendingRemove);
      this.pendingRemove = null;
    }
    if (this.firstTsHi < 0) {
      this.firstTsHi = e.tsHi;
      this.firstTsLo = e.tsLo;
    }
    this.prevTsHiSaved = this.prevTsHi;
    this.prevTsLoSaved = this.prevTsLo;
    this.prevTsHi = e.tsHi;
    this.prevTsLo = e.tsLo;
    this.fd = null;
    this.fdNum = -1;
    this.enterAvailable = false;
    const type = e.type;
    if (e.tid === -1 || type === 228 || type === 272 || type === 324) {
      // container / plugin / internal events without a thread
      this.thread = null;
      const h = HANDLERS[type];
      if (h) h(this, e, null as unknown as ThreadInfo);
      return;
    }
    const t = this.getThread(e.tid)!;
    this.thread = t;
    const info = EVENTS[type]!;
    if (info.flags & EF.SKIPPARSERESET || info.categoryId === 'SCHEDULER' || info.categoryId === 'INTERNAL') {
      // scheduler/internal events do not disturb the thread's enter/exit pairing
      const h = HANDLERS[type];
      if (h) h(this, e, t);
      return;
    }
    if (info.dir === 0) {
      t.saveEnter(e.buf, e.off, e.len, type, e.tsHi, e.tsLo);
      t.lastEnterHdr = e.hdr;
      t.lastEnterNparams = e.nparams;
      // enter events that name an fd
      const p0 = info.params[0];
      if (p0 && p0.type === PT.FD && e.paramCount > 0) {
        const fd = e.int(0);
        if (fd !== undefined) {
          t.lastEventFd = fd;
          this.fdNum = fd;
          this.fd = t.fds.get(fd) ?? null;
        }
      } else {
        t.lastEventFd = -1;
      }
    } else {
      if (t.lastEnterType === type - 1 && t.lastEnterBuf) {
        this.enter.set(t.lastEnterBuf, 0, t.lastEnterHdr, e.cpu, 0, t.lastEnterNparams);
        this.enterAvailable = true;
      }
      if (info.flags & 0x4 /* USES_FD */ && this.enterAvailable && t.lastEventFd >= 0) {
        this.fdNum = t.lastEventFd;
        this.fd = t.fds.get(t.lastEventFd) ?? null;
      }
    }
    const h = HANDLERS[type];
    if (h) h(this, e, t);
    if (info.dir === 1) t.lastEnterType = -1;
  }

  removeThread(t: ThreadInfo): void {
    if (this.threads.get(t.tid) === t) this.threads.delete(t.tid);
    // secondary threads whose main thread left keep the shared table alive through their reference
  }

  scheduleRemove(t: ThreadInfo): void {
    this.pendingRemove = t;
  }

  userName(uid: number): string | undefined {
    return this.users.get(uid)?.name;
  }

  /** Resolves a path param against the thread's cwd (FSPATH) or a dirfd (FSRELPATH). */
  resolvePath(t: ThreadInfo, path: string, dirfd: number | undefined): string {
    return concatPaths(this.baseDir(t, dirfd), path);
  }

  /** The directory a relative path is resolved against: cwd, or the dirfd's name ('' if unknown). */
  baseDir(t: ThreadInfo, dirfd: number | undefined): string {
    if (dirfd === undefined || dirfd === -100) return asDir(t.cwd);
    const f = t.fds.get(dirfd);
    if (!f || f.name === '') return '';
    return sanitize(f.name) + '/';
  }
}

// ---------------------------------------------------------------------------------------------
// handlers

function param(e: ScapEvent, name: string): number {
  return e.info.paramIndex.get(name) ?? -1;
}

function intParam(e: ScapEvent, name: string): number | undefined {
  const i = param(e, name);
  return i >= 0 && i < e.paramCount ? e.int(i) : undefined;
}

function strParam(e: ScapEvent, name: string): string | undefined {
  const i = param(e, name);
  return i >= 0 && i < e.paramCount ? e.str(i) : undefined;
}

function addFd(s: StateEngine, t: ThreadInfo, fd: number, f: FdInfo): void {
  t.fds.set(fd, f);
  s.fd = f;
  s.fdNum = fd;
}

function onOpenExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fd = intParam(e, 'fd');
  if (fd === undefined) return;
  s.fdNum = fd;
  if (fd < 0) return;
  let name = strParam(e, 'name');
  let flags = intParam(e, 'flags');
  let dirfd = intParam(e, 'dirfd');
  const en = s.enterAvailable ? s.enter : null;
  if (name === undefined && en) {
    name = strParam(en, 'name');
    flags = intParam(en, 'flags');
    dirfd = intParam(en, 'dirfd');
  }
  if (name === undefined) return;
  const isAt = e.info.name !== 'open' && e.info.name !== 'creat';
  const path = s.resolvePath(t, name, isAt ? dirfd ?? -100 : undefined);
  const f = new FdInfo((flags ?? 0) & PPM_O_DIRECTORY ? FdType.DIRECTORY : FdType.FILE, path);
  f.openFlags = flags ?? 0;
  f.dev = intParam(e, 'dev') ?? 0;
  addFd(s, t, fd, f);
}

function onSocketExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fd = e.int(0);
  if (fd === undefined || fd < 0) return;
  const en = s.enterAvailable ? s.enter : null;
  const domain = en ? intParam(en, 'domain') ?? 0 : 0;
  const type = en ? intParam(en, 'type') ?? 0 : 0;
  const proto = en ? intParam(en, 'proto') ?? 0 : 0;
  let ft = FdType.UNKNOWN;
  if (domain === 2) ft = FdType.IPV4_SOCK;
  else if (domain === 10) ft = FdType.IPV6_SOCK;
  else if (domain === 1) ft = FdType.UNIX_SOCK;
  else if (domain === 16) ft = FdType.NETLINK;
  else ft = FdType.UNSUPPORTED;
  const f = new FdInfo(ft, '');
  if (ft === FdType.IPV4_SOCK || ft === FdType.IPV6_SOCK) {
    const st = type & 0xf;
    if (proto === 1 || proto === 58) f.l4proto = L4.ICMP;
    else if (st === 1) f.l4proto = L4.TCP;
    else if (st === 2) f.l4proto = L4.UDP;
    else if (st === 3) f.l4proto = L4.RAW;
  }
  addFd(s, t, fd, f);
}

function onConnectExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fdi = s.fd;
  if (!fdi) return;
  const ti = param(e, 'tuple');
  const res = e.int(0) ?? 0;
  if (ti < 0 || ti >= e.paramCount) return;
  const b = e.bytes(ti)!;
  if (b.length === 0) return;
  if (res < 0 && res !== -115 /* EINPROGRESS */) return;
  // a UDP socket keeps the peer it was first connected to
  if (fdi.l4proto === L4.UDP && fdi.role === 2) return;
  decodeTuple(b, fdi);
  fdi.role = 2;
  void t;
}

function onConnectEnter(s: StateEngine, e: ScapEvent): void {
  // the enter addr names the peer before the exit arrives (used for failed connects)
  void s; void e;
}

function onBindExit(s: StateEngine, e: ScapEvent): void {
  const fdi = s.fd;
  if (!fdi) return;
  const res = e.int(0) ?? -1;
  if (res < 0) return;
  const ai = param(e, 'addr');
  if (ai < 0 || ai >= e.paramCount) return;
  const b = e.bytes(ai)!;
  const sa = decodeSockaddr(b);
  if (!sa) return;
  if (sa.family === 'unix') {
    fdi.name = sa.path;
  } else if (sa.family !== 'other') {
    fdi.sip = sa.ip;
    fdi.sport = sa.port;
    fdi.name = `${sa.ip}:${sa.port}`;
    if (sa.port !== 0) fdi.role = 1;
  }
}

function onAcceptExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const fd = e.int(0);
  if (fd === undefined || fd < 0) return;
  const ti = param(e, 'tuple');
  const f = new FdInfo(FdType.UNKNOWN, '');
  if (ti >= 0 && ti < e.paramCount) {
    const b = e.bytes(ti)!;
    if (b.length > 0) decodeTuple(b, f);
  }
  if (f.type === FdType.UNKNOWN) f.type = FdType.IPV4_SOCK;
  if (f.type !== FdType.UNIX_SOCK) f.l4proto = L4.TCP;
  f.role = 1;
  addFd(s, t, fd, f);
}

function onCloseExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0);
  if (res === undefined || res < 0) return;
  if (s.fdNum >= 0) t.fds.delete(s.fdNum);
}

function onPipeExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0) ?? -1;
  if (res < 0) return;
  const ino = param(e, 'ino') >= 0 ? e.uint(param(e, 'ino')) ?? 0 : 0;
  for (const n of ['fd1', 'fd2']) {
    const fd = intParam(e, n);
    if (fd === undefined || fd < 0) continue;
    const f = new FdInfo(FdType.FIFO, '');
    f.ino = ino;
    t.fds.set(fd, f);
  }
}

function onSocketpairExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0) ?? -1;
  if (res < 0) return;
  const src = param(e, 'source') >= 0 ? e.u64(param(e, 'source')) : undefined;
  const peer = param(e, 'peer') >= 0 ? e.u64(param(e, 'peer')) : undefined;
  for (const n of ['fd1', 'fd2']) {
    const fd = intParam(e, n);
    if (fd === undefined || fd < 0) continue;
    const f = new FdInfo(FdType.UNIX_SOCK, '');
    f.usrc = src !== undefined ? src.toString(16) : '';
    f.udst = peer !== undefined ? peer.toString(16) : '';
    t.fds.set(fd, f);
  }
  void s;
}

function simpleFdExit(type: FdType, name = '') {
  return (s: StateEngine, e: ScapEvent, t: ThreadInfo): void => {
    const fd = e.int(0);
    if (fd === undefined || fd < 0) return;
    addFd(s, t, fd, new FdInfo(type, name));
  };
}

function onDupExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0);
  if (res === undefined || res < 0) return;
  const old = s.fd;
  if (!old) return;
  const f = old.clone();
  t.fds.set(res, f);
}

function onFcntlExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0);
  if (res === undefined || res < 0 || !s.enterAvailable) return;
  const cmd = intParam(s.enter, 'cmd');
  if (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC) return;
  const old = s.fd;
  if (old) t.fds.set(res, old.clone());
}

function onChdirExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0) ?? -1;
  if (res < 0) return;
  const p = strParam(e, 'path') ?? (s.enterAvailable ? strParam(s.enter, 'path') : undefined);
  if (p === undefined) return;
  t.cwd = asDir(concatPaths(asDir(t.cwd), p));
}

function onFchdirExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0) ?? -1;
  if (res < 0 || !s.fd) return;
  t.cwd = asDir(s.fd.name);
}

function splitNul(b: Buffer | undefined): string[] {
  if (!b || b.length === 0) return [];
  const s = b.toString('latin1');
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function onCloneExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0);
  if (res === undefined || res < 0) return;
  const childTid = res === 0 ? e.tid : res;
  if (res === 0 && !t.synthetic) {
    // child side; the parent side normally created it already
    return;
  }
  // a parent inside a pid namespace sees the child's virtual tid: wait for the child's own event
  if (res !== 0 && t.vtid >= 0 && t.vtid !== t.tid) return;
  const existing = s.threads.get(childTid);
  if (existing && !existing.synthetic) return;
  const c = new ThreadInfo(childTid);
  const parent = res === 0 ? s.threads.get(intParam(e, 'ptid') ?? -1) ?? null : t;
  c.pid = intParam(e, 'pid') ?? childTid;
  c.ptid = intParam(e, 'ptid') ?? (parent ? parent.tid : -1);
  if (res === 0) c.tid = childTid;
  c.exe = strParam(e, 'exe') ?? parent?.exe ?? '';
  const ai = param(e, 'args');
  c.args = ai >= 0 && ai < e.paramCount ? splitNul(e.bytes(ai)) : parent?.args ?? [];
  c.comm = strParam(e, 'comm') ?? c.exe;
  const cwd = strParam(e, 'cwd');
  c.fdlimit = intParam(e, 'fdlimit') ?? 0;
  c.vmsize = intParam(e, 'vm_size') ?? 0;
  c.vmrss = intParam(e, 'vm_rss') ?? 0;
  c.vmswap = intParam(e, 'vm_swap') ?? 0;
  const ci = param(e, 'cgroups');
  c.cgroups = ci >= 0 && ci < e.paramCount ? splitNul(e.bytes(ci)) : parent?.cgroups ?? [];
  c.flags = intParam(e, 'flags') ?? 0;
  c.uid = intParam(e, 'uid') ?? parent?.uid ?? 0;
  c.gid = intParam(e, 'gid') ?? parent?.gid ?? 0;
  c.vtid = intParam(e, 'vtid') ?? -1;
  c.vpid = intParam(e, 'vpid') ?? -1;
  c.env = parent?.env ?? [];
  c.sid = parent?.sid ?? -1;
  c.vpgid = parent?.vpgid ?? -1;
  c.loginuid = parent?.loginuid ?? -1;
  c.exepath = parent?.exepath ?? '';
  c.root = parent?.root ?? '/';
  c.containerId = containerIdFromCgroups(c.cgroups);
  c.cloneTs = e.tsNum;
  if (c.flags & CL.CLONE_THREAD) {
    c.main = s.threads.get(c.pid) ?? null;
    if (c.main === c) c.main = null;
  } else {
    c.main = null;
    if (parent) {
      const table = new Map<number, FdInfo>();
      if (c.flags & CL.CLONE_FILES) {
        // share the parent's table object
        c.ownFds = parent.fds;
      } else {
        for (const [k, v] of parent.fds) table.set(k, v.clone());
        c.ownFds = table;
      }
    }
    c.cwd = cwd !== undefined && cwd !== '' ? cwd : parent?.cwd ?? '/';
  }
  if (c.flags & CL.CLONE_THREAD && cwd === undefined && parent) void 0;
  s.threads.set(childTid, c);
}

function onExecveExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  const res = e.int(0);
  if (res === undefined || res < 0) return;
  const exe = strParam(e, 'exe');
  if (exe !== undefined) t.exe = exe;
  const ai = param(e, 'args');
  if (ai >= 0 && ai < e.paramCount) t.args = splitNul(e.bytes(ai));
  const comm = strParam(e, 'comm');
  t.comm = comm ?? t.exe;
  const cwd = strParam(e, 'cwd');
  if (cwd !== undefined && cwd !== '') t.cwd = cwd;
  const pid = intParam(e, 'pid');
  if (pid !== undefined && pid !== t.pid) {
    t.pid = pid;
  }
  const ptid = intParam(e, 'ptid');
  if (ptid !== undefined) t.ptid = ptid;
  t.fdlimit = intParam(e, 'fdlimit') ?? t.fdlimit;
  t.vmsize = intParam(e, 'vm_size') ?? t.vmsize;
  t.vmrss = intParam(e, 'vm_rss') ?? t.vmrss;
  t.vmswap = intParam(e, 'vm_swap') ?? t.vmswap;
  const ci = param(e, 'cgroups');
  if (ci >= 0 && ci < e.paramCount) {
    t.cgroups = splitNul(e.bytes(ci));
    t.containerId = containerIdFromCgroups(t.cgroups);
  }
  const ei = param(e, 'env');
  if (ei >= 0 && ei < e.paramCount) t.env = splitNul(e.bytes(ei));
  t.tty = intParam(e, 'tty') ?? t.tty;
  t.loginuid = intParam(e, 'loginuid') ?? t.loginuid;
  if (s.enterAvailable) {
    const fn = strParam(s.enter, 'filename');
    if (fn !== undefined) t.exepath = s.resolvePath(t, fn, undefined);
  }
  t.execTs = e.tsNum;
  // close-on-exec descriptors go away
  for (const [k, v] of t.fds) if (v.openFlags & PPM_O_CLOEXEC) t.fds.delete(k);
}

function onProcexit(s: StateEngine, _e: ScapEvent, t: ThreadInfo): void {
  s.scheduleRemove(t);
}

function onSetuidExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if ((e.int(0) ?? -1) < 0 || !s.enterAvailable) return;
  const uid = intParam(s.enter, 'uid');
  if (uid !== undefined) t.uid = uid >>> 0;
}

function onSetresuidExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if ((e.int(0) ?? -1) < 0 || !s.enterAvailable) return;
  const euid = intParam(s.enter, 'euid');
  if (euid !== undefined && euid !== -1 && (euid >>> 0) !== 0xffffffff) t.uid = euid >>> 0;
}

function onSetgidExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if ((e.int(0) ?? -1) < 0 || !s.enterAvailable) return;
  const gid = intParam(s.enter, 'gid');
  if (gid !== undefined) t.gid = gid >>> 0;
}

function onSetresgidExit(s: StateEngine, e: ScapEvent, t: ThreadInfo): void {
  if ((e.int(0) ?? -1) < 0 || !s.enterAvailable) return;
  const egid = intParam(s.enter, 'egid');
  if (egid !== undefined && (egid >>> 0) !== 0xffffffff) t.gid = egid >>> 0;
}

function onContainer(s: StateEngine, e: ScapEvent): void {
  if (e.type === 228) {
    s.containers.addV0(e.str(0) ?? '', e.uint(1) ?? 0, e.str(2) ?? '', e.str(3) ?? '');
  } else {
    const j = e.str(0);
    if (j) s.containers.addJson(j);
  }
}

function onUdpIo(s: StateEngine, e: ScapEvent): void {
  // sendto/recvfrom/sendmsg/recvmsg carry a tuple: unconnected UDP sockets get it as their name
  const fdi = s.fd;
  if (!fdi || !(fdi.type === FdType.IPV4_SOCK || fdi.type === FdType.IPV6_SOCK) || fdi.l4proto === L4.TCP) return;
  if (fdi.name !== '') return;
  const ti = param(e, 'tuple');
  if (ti < 0 || ti >= e.paramCount) return;
  const b = e.bytes(ti)!;
  if (b.length === 0) return;
  decodeTuple(b, fdi);
}

const HANDLERS: Array<Handler | undefined> = new Array(EVENT_MAX);
function on(names: string[], dir: 0 | 1, h: Handler): void {
  for (const ev of EVENTS) if (ev.dir === dir && names.includes(ev.name)) HANDLERS[ev.id] = h;
}
on(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at'], 1, onOpenExit);
on(['socket'], 1, onSocketExit);
on(['connect'], 1, onConnectExit);
on(['connect'], 0, onConnectEnter);
on(['bind'], 1, onBindExit);
on(['accept'], 1, onAcceptExit);
on(['close'], 1, onCloseExit);
on(['pipe'], 1, onPipeExit);
on(['socketpair'], 1, onSocketpairExit);
on(['eventfd'], 1, simpleFdExit(FdType.EVENT));
on(['signalfd'], 1, simpleFdExit(FdType.SIGNALFD));
on(['timerfd_create'], 1, simpleFdExit(FdType.TIMERFD));
on(['inotify_init'], 1, simpleFdExit(FdType.INOTIFY));
on(['epoll_create'], 1, simpleFdExit(FdType.EVENTPOLL));
on(['dup'], 1, onDupExit);
on(['fcntl'], 1, onFcntlExit);
on(['chdir'], 1, onChdirExit);
on(['fchdir'], 1, onFchdirExit);
on(['clone', 'fork', 'vfork', 'clone3'], 1, onCloneExit);
on(['execve', 'execveat'], 1, onExecveExit);
on(['procexit'], 0, onProcexit);
on(['setuid'], 1, onSetuidExit);
on(['setresuid'], 1, onSetresuidExit);
on(['setgid'], 1, onSetgidExit);
on(['setresgid'], 1, onSetresgidExit);
on(['container'], 0, (s, e) => onContainer(s, e));
on(['sendto', 'recvfrom', 'sendmsg', 'recvmsg'], 1, (s, e) => onUdpIo(s, e));
