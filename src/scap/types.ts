// Records decoded from .scap metadata blocks. Strings are latin1 byte strings (see ScapEvent.str).

export interface MachineInfo {
  numCpus: number;
  memorySize: number;
  maxPid: number;
  hostname: string;
}

/**
 * Bytes of a NUL-separated list still in the capture (a private copy of its block): most
 * environments and argument lists are never read, and decoding them all into strings was a fifth
 * of replay time on large traces.
 */
export class RawText {
  constructor(readonly buf: Buffer, readonly start: number, readonly end: number) {}
}

export interface ThreadRecord {
  tid: number;
  pid: number;
  ptid: number;
  sid: number;
  vpgid: number;
  comm: string;
  exe: string;
  exepath: string;
  /** NUL-separated lists are kept raw (split on first use): most are never read */
  args: string[] | string | RawText;
  cwd: string;
  fdlimit: number;
  flags: number;
  uid: number;
  gid: number;
  vmsize: number;
  vmrss: number;
  vmswap: number;
  pfmajor: number;
  pfminor: number;
  env: string[] | string | RawText;
  vtid: number;
  vpid: number;
  cgroups: string[] | string;
  root: string;
  loginuid: number;
  exeWritable: boolean;
}

/** scap_fd_type */
export const enum FdType {
  UNKNOWN = 0, FILE = 1, DIRECTORY = 2, IPV4_SOCK = 3, IPV6_SOCK = 4, IPV4_SERVSOCK = 5, IPV6_SERVSOCK = 6,
  FIFO = 7, UNIX_SOCK = 8, EVENT = 9, UNSUPPORTED = 10, SIGNALFD = 11, EVENTPOLL = 12, INOTIFY = 13,
  TIMERFD = 14, NETLINK = 15, FILE_V2 = 16, BPF = 17, USERFAULTFD = 18, IOURING = 19,
}

export interface FdRecord {
  fd: number;
  ino: number;
  type: FdType;
  name: string;
  openFlags: number;
  dev: number;
  /** sockets: addresses as text, ports host order, l4 proto (scap_l4_proto) */
  sip?: string;
  dip?: string;
  sport?: number;
  dport?: number;
  l4proto?: number;
  /** unix sockets: endpoints as hex text */
  usrc?: string;
  udst?: string;
}

export interface InterfaceRecord {
  family: 4 | 6;
  name: string;
  addr: string;
  netmask: string;
  bcast: string;
  linkspeed: number;
}

export interface UserRecord { uid: number; gid: number; name: string; home: string; shell: string }
export interface GroupRecord { gid: number; name: string }

/** What a capture source tells the layers above it. The file reader and live capture both drive it. */
export interface CaptureSink {
  /** A section header: a new capture starts (concatenated files reset state). */
  onSection(major: number, minor: number): void;
  onMachineInfo(mi: MachineInfo): void;
  onThread(t: ThreadRecord): void;
  onFds(tid: number, fds: FdRecord[]): void;
  onInterfaces(list: InterfaceRecord[]): void;
  onUsers(users: UserRecord[], groups: GroupRecord[]): void;
  /** Called once per event; return false to stop reading. The event cursor is reused. */
  onEvent(e: import('../events/event').ScapEvent): boolean | void;
}

export class ScapError extends Error {
  constructor(message: string, readonly file: string, readonly offset: number) {
    super(message);
    this.name = 'ScapError';
  }
}
