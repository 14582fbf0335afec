// One open file descriptor as sysdig's state engine knows it.
import { FdType } from '../scap/types';

/** scap_l4_proto */
export const enum L4 { UNKNOWN = 0, NA = 1, TCP = 2, UDP = 3, ICMP = 4, RAW = 5 }

export class FdInfo {
  type: FdType = FdType.UNKNOWN;
  name = '';
  openFlags = 0;
  ino = 0;
  dev = 0;
  /** sockets: local/peer as seen in the tuple (source → destination), host-order ports */
  sip = '';
  dip = '';
  sport = 0;
  dport = 0;
  l4proto: L4 = L4.UNKNOWN;
  /** true for a socket on which the process called listen/accept (server side of the tuple) */
  role: 0 | 1 | 2 = 0; // 0 unknown, 1 server, 2 client
  usrc = '';
  udst = '';
  /** came from a capture's fd list (role not yet known) */
  fromProcList = false;
  /**
   * Sockets: sinsp's m_sockinfo union byte for byte (see sockets.ts). The socket parsers work on
   * these bytes, as sinsp does, and then refresh the fields above (the readable view).
   */
  sock: Buffer | null = null;
  /** `sock` is a process-list snapshot shared with other fds: copy it before writing */
  sockShared = false;

  constructor(type: FdType = FdType.UNKNOWN, name = '') {
    this.type = type;
    this.name = name;
  }

  clone(): FdInfo {
    const f = new FdInfo(this.type, this.name);
    f.openFlags = this.openFlags; f.ino = this.ino; f.dev = this.dev;
    f.sip = this.sip; f.dip = this.dip; f.sport = this.sport; f.dport = this.dport; f.l4proto = this.l4proto;
    f.role = this.role; f.usrc = this.usrc; f.udst = this.udst;
    if (this.sock) {
      // shared until either side writes it (sockBytes() unshares): a fork copies every fd of its parent
      f.sock = this.sock;
      f.sockShared = true;
      this.sockShared = true;
    }
    return f;
  }

  get isSocket(): boolean {
    return this.type === FdType.IPV4_SOCK || this.type === FdType.IPV6_SOCK || this.type === FdType.IPV4_SERVSOCK
      || this.type === FdType.IPV6_SERVSOCK || this.type === FdType.UNIX_SOCK;
  }

  get isIp(): boolean {
    return this.type === FdType.IPV4_SOCK || this.type === FdType.IPV6_SOCK || this.type === FdType.IPV4_SERVSOCK || this.type === FdType.IPV6_SERVSOCK;
  }

  get isFile(): boolean {
    return this.type === FdType.FILE || this.type === FdType.FILE_V2;
  }
}

/** sysdig's fd type letter (fd.typechar) */
export function fdTypeChar(t: FdType): string {
  switch (t) {
    case FdType.FILE: case FdType.FILE_V2: return 'f';
    case FdType.DIRECTORY: return 'd';
    case FdType.IPV4_SOCK: case FdType.IPV4_SERVSOCK: return '4';
    case FdType.IPV6_SOCK: case FdType.IPV6_SERVSOCK: return '6';
    case FdType.UNIX_SOCK: return 'u';
    case FdType.FIFO: return 'p';
    case FdType.EVENT: return 'e';
    case FdType.SIGNALFD: return 's';
    case FdType.EVENTPOLL: return 'l';
    case FdType.INOTIFY: return 'i';
    case FdType.TIMERFD: return 't';
    case FdType.NETLINK: return 'n';
    case FdType.BPF: return 'b';
    case FdType.USERFAULTFD: return 'u';
    case FdType.IOURING: return 'r';
    case FdType.UNSUPPORTED: return 'X';
    default: return 'o';
  }
}

/** fd.type as sysdig names it */
export function fdTypeName(t: FdType): string {
  switch (t) {
    case FdType.FILE: case FdType.FILE_V2: return 'file';
    case FdType.DIRECTORY: return 'directory';
    case FdType.IPV4_SOCK: case FdType.IPV4_SERVSOCK: return 'ipv4';
    case FdType.IPV6_SOCK: case FdType.IPV6_SERVSOCK: return 'ipv6';
    case FdType.UNIX_SOCK: return 'unix';
    case FdType.FIFO: return 'pipe';
    case FdType.EVENT: return 'event';
    case FdType.SIGNALFD: return 'signalfd';
    case FdType.EVENTPOLL: return 'eventpoll';
    case FdType.INOTIFY: return 'inotify';
    case FdType.TIMERFD: return 'timerfd';
    case FdType.NETLINK: return 'netlink';
    // sinsp 0.29.3's get_typestring() knows no other type (bpf, userfaultfd, io_uring, unsupported…)
    default: return '<NA>';
  }
}

export function l4Char(p: L4): string {
  switch (p) {
    case L4.TCP: return 't';
    case L4.UDP: return 'u';
    case L4.ICMP: return 'i';
    case L4.RAW: return 'r';
    default: return '';
  }
}

export function l4Name(p: L4): string {
  switch (p) {
    case L4.TCP: return 'tcp';
    case L4.UDP: return 'udp';
    case L4.ICMP: return 'icmp';
    case L4.RAW: return 'raw';
    default: return '<NA>';
  }
}
