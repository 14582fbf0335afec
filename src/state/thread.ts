// Threads and processes. Threads of one process share the main thread's fd table and cwd, as in
// sinsp; each thread keeps the last enter event it made, so its exit can be paired with it.
import { FdInfo } from './fdinfo';
import { FdRecord, RawFdList, RawText, ThreadRecord } from '../scap/types';
import { latin1, nulList } from '../util/sanitize';
import { containerIdFromCgroups, mayBeContainerRaw } from './containers';

/** PPM_CL_* clone flags that matter to state */
export const CL = {
  CLONE_FILES: 1, CLONE_FS: 2, CLONE_THREAD: 1 << 13, CLONE_VM: 1 << 15, CLONE_INVERTED: 1 << 16, CLONE_VFORK: 1 << 27,
  /** set by the driver when the child lives in another pid namespace than the parent */
  CHILD_IN_PIDNS: 1 << 29,
} as const;

export type FdTable = Map<number, FdInfo>;

/** what one section's process-list fd tables share: its listening ports, and whether all lists are in */
export interface SectionFds {
  ports: Set<number>;
  ready: boolean;
}

/** fd lists of the capture's process table not turned into FdInfos yet */
export interface PendingFds {
  lists: Array<FdRecord[] | RawFdList>;
  section: SectionFds;
}

/** fills a table from pending lists (set by the process-list loader, which depends on this module) */
let pendingLoader: (fds: FdTable, p: PendingFds) => void = () => undefined;
export function setPendingFdLoader(f: (fds: FdTable, p: PendingFds) => void): void {
  pendingLoader = f;
}


export class ThreadInfo {
  tid: number;
  pid = 0;
  ptid = -1;
  sid = -1;
  vpgid = -1;
  comm = '';
  exe = '';
  exepath = '';
  private argsV: string[] | string | RawText = [];
  private envV: string[] | string | RawText = [];
  private cgroupsV: string[] | string | RawText = [];
  root = '/';
  fdlimit = 0;
  flags = 0;
  uid = 0;
  gid = 0;
  /** sinsp's default for threads it creates itself is 0 (fake threads get 0xffffffff) */
  loginuid = 0;
  vtid = -1;
  vpid = -1;
  vmsize = 0;
  vmrss = 0;
  vmswap = 0;
  pfmajor = 0;
  pfminor = 0;
  tty = 0;
  /** container id ('' = host), derived from cgroups */
  /** container id, '' on the host; null: not derived from the process list's cgroups yet */
  private containerIdV: string | null = '';
  /** ns timestamps (approximate doubles) */
  cloneTs = -0; // ns timestamps: double fields from the start (as ScapEvent.tsLo)
  execTs = -0;
  /** own cwd; sinsp always reads the cwd of the main thread */
  private cwdOwn = '';
  /** own fd table; threads created with CLONE_FILES use the main thread's */
  private fdsOwn: FdTable | null = null;
  /**
   * The process list's fd lists for this table, loaded when the table is first used: most threads
   * of a capture's process table never see an event, and a file with many sections would
   * otherwise build every table of every section.
   */
  pendingFds: PendingFds | null = null;
  /** the thread table this thread lives in, to find its main thread */
  table: Map<number, ThreadInfo> | null = null;
  /** ns of the last enter event (for evt.latency), -1 when none */
  latEnterHi = -1;
  latEnterLo = -0; // a double field from the start, as ScapEvent.tsLo
  /** sinsp's m_latency: 0 after an enter, the exit's latency after an exit (a switch shows it) */
  latency = 0;

  /** last enter event of this thread, for exit pairing */
  lastEnterType = -1;
  lastEnterTsHi = 0;
  lastEnterTsLo = -0;
  /** copy of the last enter event's bytes (reused buffer) */
  lastEnterBuf: Buffer | null = null;
  lastEnterLen = 0;
  lastEnterHdr = 26;
  /** type of the enter whose bytes lastEnterBuf holds */
  storedEnterType = -1;
  lastEnterNparams = 0;
  /** fd the last enter event named (for fd-using exits that carry only res) */
  /** sinsp starts it at 0: a thread's first exit (its enter came before the capture) uses fd 0 */
  lastEventFd = 0;
  /** true when the thread was created by us from an event, not from a process list or clone */
  synthetic = false;
  /** cpu time accounting for chisels/TUI (ns) */
  lastEventTsNum = -0;

  constructor(tid: number) {
    this.tid = tid;
  }

  static fromRecord(r: ThreadRecord): ThreadInfo {
    const t = new ThreadInfo(r.tid);
    t.pid = r.pid; t.ptid = r.ptid; t.sid = r.sid; t.vpgid = r.vpgid;
    t.comm = r.comm; t.exe = r.exe; t.exepath = r.exepath; t.args = r.args; t.env = r.env;
    t.cgroups = r.cgroups; t.root = r.root; t.fdlimit = r.fdlimit; t.flags = r.flags;
    t.uid = r.uid; t.gid = r.gid; t.loginuid = r.loginuid; t.vtid = r.vtid; t.vpid = r.vpid;
    t.vmsize = r.vmsize; t.vmrss = r.vmrss; t.vmswap = r.vmswap; t.pfmajor = r.pfmajor; t.pfminor = r.pfminor;
    t.cwdOwn = r.cwd === '' ? '' : r.cwd.endsWith('/') ? r.cwd : r.cwd + '/';
    return t;
  }

  // NUL-separated lists from a capture's process list are split only when someone reads them
  get args(): string[] {
    if (!Array.isArray(this.argsV)) this.argsV = nulList(this.argsV);
    return this.argsV;
  }
  set args(v: string[] | string | RawText) {
    this.argsV = v;
  }
  get env(): string[] {
    if (!Array.isArray(this.envV)) this.envV = nulList(this.envV);
    return this.envV;
  }
  set env(v: string[] | string | RawText) {
    this.envV = v;
  }
  get cgroups(): string[] {
    if (!Array.isArray(this.cgroupsV)) this.cgroupsV = nulList(this.cgroupsV);
    return this.cgroupsV;
  }
  set cgroups(v: string[] | string | RawText) {
    this.cgroupsV = v;
  }
  /** raw cgroups text when not split yet (for a cheap host check) */
  get cgroupsRaw(): string | null {
    const v = this.cgroupsV;
    if (v instanceof RawText) return (this.cgroupsV = latin1(v.buf, v.start, v.end));
    return typeof v === 'string' ? v : null;
  }
  /** the cgroups as kept: split, raw text, or the process list's bytes (decoded by nobody yet) */
  get cgroupsKept(): readonly string[] | string | RawText {
    return this.cgroupsV;
  }

  get containerId(): string {
    if (this.containerIdV === null) {
      const raw = this.cgroupsRaw;
      // most threads run on the host: skip splitting their cgroups unless a container path may be there
      this.containerIdV = raw !== null && !mayBeContainerRaw(raw) ? '' : containerIdFromCgroups(this.cgroups);
    }
    return this.containerIdV;
  }
  set containerId(v: string) {
    this.containerIdV = v;
  }

  /** The container id is derived from the cgroups when first read (process-list threads). */
  deriveContainerIdLater(): void {
    this.containerIdV = null;
  }

  get isMain(): boolean {
    return this.tid === this.pid;
  }

  /** The main thread of this thread's process (itself when it is the main thread or unknown). */
  mainThread(): ThreadInfo {
    if (this.tid === this.pid || !this.table) return this;
    return this.table.get(this.pid) ?? this;
  }

  /** The fd table this thread uses: the main thread's when it shares files (CLONE_FILES). */
  get fds(): FdTable {
    if (this.flags & CL.CLONE_FILES && this.tid !== this.pid) {
      const m = this.mainThread();
      if (m !== this) return m.fds;
    }
    if (!this.fdsOwn) this.fdsOwn = new Map();
    if (this.pendingFds !== null) {
      const p = this.pendingFds;
      this.pendingFds = null;
      pendingLoader(this.fdsOwn, p);
    }
    return this.fdsOwn;
  }

  /** Queues a process-list fd list for the table this thread uses (loaded at once if already in use). */
  addProcListFds(list: FdRecord[] | RawFdList, section: SectionFds): void {
    const owner = this.flags & CL.CLONE_FILES && this.tid !== this.pid ? this.mainThread() : this;
    if (owner.pendingFds) owner.pendingFds.lists.push(list);
    else if (owner.fdsOwn && owner.fdsOwn.size > 0) pendingLoader(owner.fdsOwn, { lists: [list], section });
    else owner.pendingFds = { lists: [list], section };
  }

  set ownFds(t: FdTable) {
    this.fdsOwn = t;
  }

  get cwd(): string {
    const m = this.mainThread();
    return m === this ? this.cwdOwn : m.cwdOwn;
  }

  set cwd(v: string) {
    const m = this.mainThread();
    if (m === this) this.cwdOwn = v;
    else m.cwd = v;
  }

  /** sets this thread's own cwd, whatever its main thread */
  setOwnCwd(v: string): void {
    this.cwdOwn = v;
  }

  get ownCwd(): string {
    return this.cwdOwn;
  }

  /** Remembers the enter event bytes so the exit can read them (no allocation once warmed up). */
  saveEnter(buf: Buffer, off: number, len: number, type: number, tsHi: number, tsLo: number): void {
    this.lastEnterType = type;
    this.lastEnterTsHi = tsHi;
    this.lastEnterTsLo = tsLo;
    if (!this.lastEnterBuf || this.lastEnterBuf.length < len) this.lastEnterBuf = Buffer.allocUnsafe(Math.max(256, len * 2));
    const dst = this.lastEnterBuf;
    // most enters are a few dozen bytes: a loop beats the native copy's call
    if (len <= 64) for (let i = 0; i < len; i++) dst[i] = buf[off + i]!;
    else buf.copy(dst, 0, off, off + len);
    this.lastEnterLen = len;
  }
}
