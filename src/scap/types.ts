// Records decoded from .scap metadata blocks. Strings are latin1 byte strings (see ScapEvent.str).
import { ipv4Str, ipv6Str } from '../util/net';
import { u64hex } from '../util/bytes';

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
  cgroups: string[] | string | RawText;
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

/**
 * An fd-list entry read from a capture. The socket part stays the entry's bytes (in a private copy
 * of its block) — which is the layout of sinsp's socket union, so state can copy it as is — and
 * becomes text only when someone reads sip/dip/usrc/udst (a rewrite with -w; most replays never do).
 */
export class ScapFdRecord implements FdRecord {
  name = '';
  openFlags = 0;
  dev = 0;
  /** the socket bytes of this entry (IPv4/IPv6 tuple or server address, unix endpoints), or null */
  sock: Buffer | null = null;
  sockAt = 0;

  constructor(public fd: number, public ino: number, public type: FdType) {}

  private get v6(): boolean {
    return this.type === FdType.IPV6_SOCK || this.type === FdType.IPV6_SERVSOCK;
  }
  private get tuple(): boolean {
    return this.type === FdType.IPV4_SOCK || this.type === FdType.IPV6_SOCK;
  }
  private get ip(): boolean {
    return this.sock !== null && this.type >= FdType.IPV4_SOCK && this.type <= FdType.IPV6_SERVSOCK;
  }
  get sip(): string | undefined {
    if (!this.ip) return undefined;
    return this.v6 ? ipv6Str(this.sock!, this.sockAt) : ipv4Str(this.sock!, this.sockAt);
  }
  get dip(): string | undefined {
    if (!this.ip || !this.tuple) return undefined;
    return this.v6 ? ipv6Str(this.sock!, this.sockAt + 16) : ipv4Str(this.sock!, this.sockAt + 4);
  }
  /** byte offset of the source port in the entry: after the address(es) */
  private get portAt(): number {
    return this.sockAt + (this.v6 ? 16 : 4) * (this.tuple ? 2 : 1);
  }
  get sport(): number | undefined {
    return this.ip ? this.sock!.readUInt16LE(this.portAt) : undefined;
  }
  get dport(): number | undefined {
    return this.ip && this.tuple ? this.sock!.readUInt16LE(this.portAt + 2) : undefined;
  }
  get l4proto(): number | undefined {
    return this.ip ? this.sock![this.portAt + (this.tuple ? 4 : 2)] : undefined;
  }
  get usrc(): string | undefined {
    return this.sock !== null && this.type === FdType.UNIX_SOCK ? u64hex(this.sock, this.sockAt) : undefined;
  }
  get udst(): string | undefined {
    return this.sock !== null && this.type === FdType.UNIX_SOCK ? u64hex(this.sock, this.sockAt + 8) : undefined;
  }
}

/**
 * Copies an fd record's socket bytes into `dst` (sinsp's socket union layout, which is the capture's
 * own) when the record still has them; false for records that only have text (live, rewrites).
 */
export function copySockBytes(r: FdRecord, dst: Buffer, n: number): boolean {
  if (!(r instanceof ScapFdRecord) || r.sock === null) return false;
  const src = r.sock;
  const at = r.sockAt;
  for (let i = 0; i < n; i++) dst[i] = src[at + i]!; // a few bytes: cheaper than Buffer#copy's checks
  return true;
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

/** An fd-list block body kept undecoded (a private copy), with the listening ports it holds. */
export interface RawFdList {
  body: Buffer;
  v2: boolean;
  serverPorts: number[];
}

/** What a capture source tells the layers above it. The file reader and live capture both drive it. */
export interface CaptureSink {
  /** A section header: a new capture starts (concatenated files reset state). */
  onSection(major: number, minor: number): void;
  onMachineInfo(mi: MachineInfo): void;
  onThread(t: ThreadRecord): void;
  onFds(tid: number, fds: FdRecord[]): void;
  /**
   * Optional: the fd list checked (as onFds's would be) but not decoded, for a sink that keeps it
   * for later (decodeFdList gives the records). When present, the reader calls it instead of onFds.
   */
  onFdsRaw?(tid: number, list: RawFdList): void;
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
