// The state engine: threads, fd tables, users and containers, kept up to date by metadata blocks
// and by the events themselves (clone/execve/procexit, open/socket/connect/close…), so that fields
// and printed arguments resolve as sysdig resolves them. One method per event family; dispatch is
// a table indexed by event type, built once.
import type { FdTable } from './thread';
import { ScapEvent } from '../events/event';
import { EF, EVENTS } from '../events/table';
import { CaptureSink, FdRecord, FdType, GroupRecord, InterfaceRecord, MachineInfo, ThreadRecord, UserRecord } from '../scap/types';
import { FdInfo, L4 } from './fdinfo';
import { CL, SectionFds, ThreadInfo } from './thread';
import { ContainerTable, containerIdFromCgroups, mayBeContainerRaw } from './containers';
import { K8sState } from './k8s';
import { concatPaths } from '../util/paths';
import { sanitize } from '../util/sanitize';
import { fixSocketsFromProc, serverPortsOf } from './parsers/proclist';
import { FD_ONLY, HANDLERS, LOOKUP_ONLY, STORE_ENTER } from './parsers';
import { isV4MappedText } from '../util/net';

const enum VM { NONE, PF_MAJ, PF_MIN, SIZE, RSS, SWAP }
/** which memory counter each param of each event type is (by name, looked up once, not per event) */
const VM_PARAMS: Uint8Array[] = EVENTS.map((info) => Uint8Array.from(info.params, (p) => {
  switch (p.name) {
    case 'pgft_maj': return VM.PF_MAJ;
    case 'pgft_min': return VM.PF_MIN;
    case 'vm_size': return VM.SIZE;
    case 'vm_rss': return VM.RSS;
    case 'vm_swap': return VM.SWAP;
    default: return VM.NONE;
  }
}));

/** switch and memory exits carry the process's page faults and memory sizes: keep them current */
function updateVm(t: ThreadInfo, e: ScapEvent, first: number): void {
  const kinds = VM_PARAMS[e.type]!;
  const n = e.paramCount;
  for (let i = first; i < n; i++) {
    const k = kinds[i]!;
    if (k === VM.NONE) continue;
    const v = e.uint(i);
    if (v === undefined) continue;
    switch (k) {
      case VM.PF_MAJ: t.pfmajor = v; break;
      case VM.PF_MIN: t.pfminor = v; break;
      case VM.SIZE: t.vmsize = v; break;
      case VM.RSS: t.vmrss = v; break;
      case VM.SWAP: t.vmswap = v; break;
    }
  }
}
export { updateVm };

/** scheduler events sinsp gives a thread (switch): evt.latency reads the thread's m_latency */
const SHOWS_LATENCY: boolean[] = EVENTS.map((i) => (i.flags & EF.SKIPPARSERESET) === 0 && i.categoryId === 'SCHEDULER');
/** scheduler and internal events: looked up only, and they leave enter/exit pairing alone */
const K8S_EVT = EVENTS.findIndex((i) => i.name === 'k8s');
const SKIP_RESET: boolean[] = EVENTS.map((i) => (i.flags & EF.SKIPPARSERESET) !== 0 || i.categoryId === 'SCHEDULER' || i.categoryId === 'INTERNAL');


export class StateEngine {
  readonly threads = new Map<number, ThreadInfo>();
  readonly users = new Map<number, UserRecord>();
  readonly groups = new Map<number, GroupRecord>();
  readonly containers = new ContainerTable();
  /**
   * Fd tables of processes forked inside a pid namespace, taken at the parent's clone exit (whose
   * res is the child's virtual tid) and keyed `parentTid:vtid`, for the child's own clone exit.
   * That event often comes after the parent has already closed what it handed over (a forking
   * server's accepted socket), which would leave the child without it (sinsp loses it so). Live
   * capture only (`keepForkFds`): a replay keeps sinsp's view and prints what sysdig prints.
   * null: the child's event came first and has its table.
   */
  readonly forkFds = new Map<string, FdTable | null>();
  keepForkFds = false;
  /** Kubernetes objects from the capture's k8s events (replay) */
  readonly k8s = new K8sState();
  interfaces: InterfaceRecord[] = [];
  machine: MachineInfo | null = null;
  /** ports of the process lists' server sockets (sinsp's m_server_ports), per section */
  private section: SectionFds = { ports: new Set(), ready: false };
  /** thread to drop before the next event (procexit is applied after the event is shown) */
  private pendingRemove: ThreadInfo | null = null;
  private pendingFdTable: Map<number, FdInfo> | null = null;
  private pendingFd = -1;
  /** ns between this exit and the thread's last enter (any type), -1 when unknown */
  latency = -1;
  /** the thread of the current event (set by process()) */
  thread: ThreadInfo | null = null;
  /** fd of the current event, when the event uses one */
  fd: FdInfo | null = null;
  /** what a failed open/connect/accept names (sinsp's extract_from_null_fd: fd.name only) */
  failedFd: FdInfo | null = null;
  fdNum = -1;
  /** enter event paired with the current exit (same thread, previous event), or null */
  enterAvailable = false;
  readonly enter = new ScapEvent();
  /** first event timestamp (for relative times) */
  firstTsHi = -1;
  firstTsLo = -0; // a double field from the start, as ScapEvent.tsLo

  reset(): void {
    this.threads.clear();
    this.threadsGen++;
    this.users.clear();
    this.groups.clear();
    this.containers.clear();
    this.k8s.clear();
    this.interfaces = [];
    this.machine = null;
    this.pendingRemove = null;
    this.section = { ports: new Set(), ready: false };
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
      onFdsRaw: (tid, list) => {
        const t = this.threads.get(tid);
        if (!t) return;
        for (const port of list.serverPorts) this.section.ports.add(port);
        t.addProcListFds(list, this.section);
      },
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
          this.containers.addUndescribed(this.threads.values());
        }
        return onEvent(e);
      },
    };
  }

  addThreadRecord(r: ThreadRecord): void {
    const t = ThreadInfo.fromRecord(r);
    t.deriveContainerIdLater();
    this.add(t);
  }

  /** Re-derives every thread's container (the cgroup rules changed: a containerd namespace appeared); returns the threads whose container changed. */
  recomputeContainerIds(): ThreadInfo[] {
    const changed: ThreadInfo[] = [];
    for (const t of this.threads.values()) {
      const raw = t.cgroupsRaw;
      const id = raw !== null && !mayBeContainerRaw(raw) ? '' : containerIdFromCgroups(t.cgroups);
      if (id !== t.containerId) {
        t.containerId = id;
        changed.push(t);
      }
    }
    return changed;
  }

  /**
   * Bumped whenever a thread enters or leaves the table: after a parser, process() looks the
   * event's thread up again only if it did (one Map lookup less for nearly every event).
   */
  threadsGen = 0;

  add(t: ThreadInfo): void {
    t.table = this.threads;
    this.threads.set(t.tid, t);
    this.threadsGen++;
  }

  addFds(tid: number, list: FdRecord[]): void {
    const t = this.threads.get(tid);
    if (!t) return;
    serverPortsOf(list, this.section.ports);
    t.addProcListFds(list, this.section);
  }

  /** once all fd lists are in: sinsp's direction fix for process-list sockets */
  fixupSocketRoles(): void {
    this.section.ready = true;
    if (this.fdState) fixSocketsFromProc(this.threads.values(), this.section.ports);
  }

  /** process()'s last lookup: consecutive events are mostly one thread's enter and exit */
  private lastTid = -1;
  private lastThread: ThreadInfo | undefined = undefined;
  private lastGen = -1;

  /** threads.get(tid) through a one-entry cache that threadsGen invalidates */
  private lookup(tid: number): ThreadInfo | undefined {
    if (tid === this.lastTid && this.lastGen === this.threadsGen) return this.lastThread;
    const t = this.threads.get(tid);
    this.lastTid = tid;
    this.lastThread = t;
    this.lastGen = this.threadsGen;
    return t;
  }

  /** Thread of tid, created as an unknown placeholder if absent (sinsp does the same in replay). */
  getThread(tid: number, create = true): ThreadInfo | null {
    let t = this.lookup(tid);
    if (!t && create) {
      // what sinsp makes of an unknown tid in a capture: a fake entry it cannot query the OS for
      t = new ThreadInfo(tid);
      t.pid = tid;
      t.comm = '<NA>';
      t.exe = '<NA>';
      t.uid = 0xffffffff;
      t.gid = 0xffffffff;
      t.loginuid = 0xffffffff;
      t.synthetic = true;
      this.add(t);
    }
    return t ?? null;
  }

  /**
   * Applies one event to the state. After it returns, `thread`, `fd`, `fdNum` and the paired
   * `enter` describe the event for field extraction and printing.
   */
  process(e: ScapEvent): void {
    // removals asked for by the previous event (close exit, procexit) happen now, as in sinsp
    if (this.pendingRemove) {
      this.removeThread(this.pendingRemove);
      this.pendingRemove = null;
    }
    if (this.pendingFdTable) {
      this.pendingFdTable.delete(this.pendingFd);
      this.pendingFdTable = null;
    }
    const type = e.type;
    if (this.firstTsHi < 0 && type !== 272 && type !== 324) {
      this.firstTsHi = e.tsHi;
      this.firstTsLo = e.tsLo;
    }
    this.fd = null;
    this.failedFd = null;
    this.fdNum = -1;
    this.enterAvailable = false;
    this.latency = -1;
    this.preFiltered = false;
    this.filteredOut = false;
    if (type === 228 || type === 272 || type === 324) {
      this.thread = null;
      const h = HANDLERS[type];
      if (h) h(this, e, null as unknown as ThreadInfo);
      return;
    }
    const info = EVENTS[type]!;
    if (SKIP_RESET[type]) {
      if (type === K8S_EVT) this.k8s.apply(e.str(0) ?? '');
      // scheduler/internal events: lookup only, and the thread's enter/exit pairing is left alone
      this.thread = this.lookup(e.tid) ?? null;
      // sinsp's reset() keeps the thread of a switch (not of events flagged SKIPPARSERESET):
      // its evt.latency is the thread's last one
      if (this.thread && SHOWS_LATENCY[type]) this.latency = this.thread.latency;
      if (this.preFilter !== null && this.skipByFilter(e, info.flags)) return;
      if (this.thread && (type === 152 || type === 146)) updateVm(this.thread, e, 1);
      return;
    }
    if (LOOKUP_ONLY[type]) {
      // clone exits: the parser decides which thread to create
      this.thread = this.threads.get(e.tid) ?? null;
      // sinsp's reset() times the exit against the caller's last enter when it knows the thread
      // (the parent's exit); a child it has not seen yet, or just created, reads 0
      const caller = this.thread;
      if (caller && caller.latEnterHi >= 0) this.latency = caller.latency = e.nsSince(caller.latEnterHi, caller.latEnterLo);
      HANDLERS[type]!(this, e, this.thread as ThreadInfo);
      this.thread = this.threads.get(e.tid) ?? null;
      return;
    }
    const t = this.getThread(e.tid)!;
    this.thread = t;
    if (info.dir === 0) {
      // a skipped fd parser never reads its enter back
      if (STORE_ENTER[type] && (this.fdState || !FD_ONLY[type + 1])) {
        t.saveEnter(e.buf, e.off, e.len, type, e.tsHi, e.tsLo);
        t.lastEnterHdr = e.hdr;
        t.lastEnterNparams = e.nparams;
        t.storedEnterType = type;
      }
      t.lastEnterType = type;
      t.latEnterHi = e.tsHi;
      t.latEnterLo = e.tsLo;
      t.latency = 0;
      t.lastEventFd = -1;
      if (info.flags & EF.USES_FD && e.paramCount > 0) {
        const fd = e.int(0);
        if (fd !== undefined) {
          t.lastEventFd = fd;
          this.fdNum = fd;
          if (this.fdState) this.fd = t.fds.get(fd) ?? null;
        }
      }
    } else {
      if (t.latEnterHi >= 0) this.latency = t.latency = e.nsSince(t.latEnterHi, t.latEnterLo);
      if (t.lastEnterType === type - 1) {
        if (t.storedEnterType === type - 1 && t.lastEnterBuf) {
          this.enter.set(t.lastEnterBuf, 0, t.lastEnterHdr, e.cpu, 0, t.lastEnterNparams);
          this.enterAvailable = true;
        }
        if (info.flags & EF.USES_FD && t.lastEventFd !== -1) {
          this.fdNum = t.lastEventFd;
          if (this.fdState) this.fd = t.fds.get(t.lastEventFd) ?? null;
        }
      }
    }
    if (this.preFilter !== null && this.skipByFilter(e, info.flags)) {
      t.lastEnterType = -2; // sinsp's PPM_EVENT_MAX: the next exit finds no enter
      return;
    }
    if (!this.fdState && FD_ONLY[type]) return;
    const h = HANDLERS[type];
    if (h) {
      const gen = this.threadsGen;
      h(this, e, t);
      // the event shows the thread as the parser left it
      if (this.threadsGen !== gen && this.threads.get(e.tid) !== t) this.thread = this.threads.get(e.tid) ?? t;
    }
  }

  /**
   * false: nothing downstream reads fds or the cwd (a `-q` count whose filter reads only event and
   * process fields), so fd tables are neither looked up nor kept; threads are built as always.
   */
  fdState = true;

  /**
   * With a filter, sinsp tests events that do not modify state before parsing them, and does not
   * parse those that fail (HAS_CAPTURE_FILTERING): what such an event would have told the state
   * engine is lost. Replay sets preFilter to get the same state; `preFiltered`/`filteredOut` say
   * what it decided for the current event.
   */
  preFilter: ((e: ScapEvent) => boolean) | null = null;
  preFiltered = false;
  filteredOut = false;

  private skipByFilter(e: ScapEvent, flags: number): boolean {
    if (flags & EF.MODIFIES_STATE) return false;
    this.preFiltered = true;
    this.filteredOut = !this.preFilter!(e);
    return this.filteredOut;
  }

  /** close exit: the fd goes away when the next event starts */
  scheduleFdRemove(t: ThreadInfo, fd: number): void {
    this.pendingFdTable = t.fds;
    this.pendingFd = fd;
  }

  removeThread(t: ThreadInfo): void {
    if (this.threads.get(t.tid) === t) {
      this.threads.delete(t.tid);
      this.threadsGen++;
    }
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
    if (dirfd === undefined || dirfd === -100) return t.cwd;
    const f = t.fds.get(dirfd);
    if (!f || f.name === '') return '';
    return sanitize(f.name) + '/';
  }
}

