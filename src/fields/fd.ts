// fd.* fields: the file descriptor the event uses.
import { FieldSpec } from './registry';
import { EventCtx } from './context';
import { fdTypeChar, fdTypeName, FdInfo, l4Name, L4 } from '../state/fdinfo';
import { EF, EVENTS } from '../events/table';
import { parseIp } from '../util/net';

const ip = (f: FdInfo | null) => !!f && f.isIp;
import { FdType } from '../scap/types';

/**
 * The event's fd. When the parser did not find one (an exit whose enter was not seen), sinsp's fd
 * fields still look up the thread's last fd (m_lastevent_fd) for fd-related events.
 */
const fd = (c: EventCtx): FdInfo | null => {
  const f = c.s.fd;
  if (f !== null) return f;
  const t = c.s.thread;
  if (t === null || t.lastEventFd < 0 || !(c.e.info.flags & (EF.CREATES_FD | EF.USES_FD | EF.DESTROYS_FD))) return null;
  return t.fds.get(t.lastEventFd) ?? null;
};
const isServ = (f: FdInfo) => f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK;
const isConn = (f: FdInfo) => f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK;
/** a connection's ends are known once sinsp has given the socket a role (client or server) */
const tupleKnown = (f: FdInfo | null): f is FdInfo => !!f && isConn(f) && f.role !== 0;

// the tuple is stored client→server (sinsp's orientation) for connected sockets
const cip = (f: FdInfo) => f.sip;
const sip = (f: FdInfo) => f.dip;
const cport = (f: FdInfo) => f.sport;
const sport = (f: FdInfo) => f.dport;
/**
 * Local vs remote, as sinsp decides it: the server side is local when its address belongs to
 * one of the host's interfaces (from the capture's interface list), else the client side is.
 */
function serverLocal(c: EventCtx, f: FdInfo): boolean {
  const a = sip(f);
  if (a.startsWith('127.')) return true;
  for (const i of c.s.interfaces) if (i.addr === a) return true;
  return false;
}
/**
 * sinsp's is_ipv4addr_in_local_machine: a container's own IP (when unknown, 0, any container's IP
 * — so 0.0.0.0 matches a container whose IP is unknown), else a host interface address.
 */
function v4Local(c: EventCtx, a: string): boolean {
  const id = c.s.thread?.containerId;
  if (id) {
    const k = c.s.containers.get(id);
    if (k) {
      const ip = k.ip === '' ? '0.0.0.0' : k.ip;
      if (ip !== '0.0.0.0') { if (ip === a) return true; }
      else for (const o of c.s.containers.byId.values()) if ((o.ip === '' ? '0.0.0.0' : o.ip) === a) return true;
    }
  }
  for (const i of c.s.interfaces) if (i.family === 4 && i.addr === a) return true;
  return false;
}

/** sinsp's is_ipv6addr_in_local_machine: never in a container; else an interface in the same /64 */
function v6Local(c: EventCtx, f: FdInfo): boolean {
  if (c.s.thread?.containerId) return false;
  const a = parseIp(f.dip);
  if (!a) return false;
  for (const i of c.s.interfaces) {
    if (i.family !== 6) continue;
    const b = parseIp(i.addr);
    if (b && a.compare(b, 0, 8, 0, 8) === 0) return true;
  }
  return false;
}
const lip = (c: EventCtx, f: FdInfo) => (serverLocal(c, f) ? sip(f) : cip(f));
const rip = (c: EventCtx, f: FdInfo) => (serverLocal(c, f) ? cip(f) : sip(f));
const lport = (c: EventCtx, f: FdInfo) => (serverLocal(c, f) ? sport(f) : cport(f));
const rport = (c: EventCtx, f: FdInfo) => (serverLocal(c, f) ? cport(f) : sport(f));

/** protocol as sinsp's get_l4proto reports it: none until the socket has a role (raw aside) */
function l4(f: FdInfo): string | undefined {
  if (isServ(f)) return l4Name(f.l4proto);
  if (!isConn(f)) return undefined;
  if (f.role === 0 && f.l4proto !== L4.RAW) return undefined;
  const n = l4Name(f.l4proto);
  return n === '<NA>' ? undefined : n;
}

const FD_FLAGS = EF.CREATES_FD | EF.USES_FD | EF.DESTROYS_FD;
/**
 * sinsp names an fd-related exit whose fd it does not know "" (enter events: no name), except an
 * old openat exit, whose name it would read from the enter event (released by then).
 */
const nullFdName = (c: EventCtx): string | undefined =>
  (c.e.dir === 1 && c.s.thread && c.e.info.flags & FD_FLAGS && !(c.e.info.params.length === 1 && c.e.info.name === 'openat') ? '' : undefined);

/** the letter sinsp guesses from the syscall when the fd is unknown (PPME_MAKE_ENTER switch) */
const GUESS: Record<string, string> = { open: 'f', openat: 'f', openat2: 'f', creat: 'f', socket: '4', accept: '4', pipe: 'p', eventfd: 'e', signalfd: 's', timerfd_create: 't', inotify_init: 'i' };
const NULL_FD_CHAR: string[] = EVENTS.map((i) => GUESS[i.name] ?? 'o');

function dirOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i <= 0 ? '/' : name.slice(0, i);
}

export const FD_FIELDS: FieldSpec[] = [
  { name: 'fd.num', type: 'int', desc: 'fd number (-1 when the event has none)', value: (c) => (c.s.thread && c.e.info.flags & FD_FLAGS ? c.s.thread.lastEventFd : undefined) },
  { name: 'fd.type', type: 'string', desc: 'fd type', value: (c) => { const f = fd(c); return f ? fdTypeName(f.type) : undefined; } },
  { name: 'fd.typechar', type: 'string', desc: 'fd type letter', value: (c) => { const f = fd(c); return f ? fdTypeChar(f.type) : c.s.thread && c.e.info.flags & FD_FLAGS ? NULL_FD_CHAR[c.e.type] : undefined; } },
  { name: 'fd.name', type: 'string', desc: 'fd name (path, tuple…)', value: (c) => (c.s.failedFd ?? fd(c))?.name ?? nullFdName(c) },
  { name: 'fd.directory', type: 'string', desc: 'directory of a file fd', value: (c) => { const f = fd(c); if (!f) return c.e.dir === 1 && c.s.fdNum >= 0 && c.e.info.flags & EF.USES_FD ? '/' : undefined; return f.isFile || f.type === FdType.DIRECTORY ? dirOf(f.name) : undefined; } },
  { name: 'fd.filename', type: 'string', desc: 'file name without the directory', value: (c) => { const f = fd(c); return f && f.isFile ? f.name.slice(f.name.lastIndexOf('/') + 1) : undefined; } },
  { name: 'fd.ip', type: 'ipaddr', desc: 'ip matching either side (filters only)', value: (c) => { const f = fd(c); return ip(f) ? [cip(f!), sip(f!)] : undefined; } },
  { name: 'fd.cip', type: 'ipaddr', desc: 'client ip', value: (c) => { const f = fd(c); return tupleKnown(f) ? cip(f) : undefined; } },
  { name: 'fd.sip', type: 'ipaddr', desc: 'server ip', value: (c) => { const f = fd(c); return f && isServ(f) ? (f.role === 0 ? undefined : f.sip) : tupleKnown(f) ? sip(f) : undefined; } },
  { name: 'fd.lip', type: 'ipaddr', desc: 'local ip', value: (c) => { const f = fd(c); return tupleKnown(f) ? lip(c, f) : undefined; } },
  { name: 'fd.rip', type: 'ipaddr', desc: 'remote ip', value: (c) => { const f = fd(c); return tupleKnown(f) ? rip(c, f) : undefined; } },
  { name: 'fd.port', type: 'port', desc: 'port matching either side (filters only)', value: (c) => { const f = fd(c); return ip(f) ? [String(cport(f!)), String(sport(f!))] : undefined; } },
  // sinsp: a socket with a role that is not an IP connection reads as port 0
  { name: 'fd.cport', type: 'port', desc: 'client port', value: (c) => { const f = fd(c); return !f || f.role === 0 ? undefined : isConn(f) ? cport(f) : 0; } },
  { name: 'fd.sport', type: 'port', desc: 'server port', value: (c) => { const f = fd(c); return f && isServ(f) ? f.sport : tupleKnown(f) ? sport(f) : undefined; } },
  { name: 'fd.lport', type: 'port', desc: 'local port', value: (c) => { const f = fd(c); return tupleKnown(f) ? lport(c, f) : undefined; } },
  { name: 'fd.rport', type: 'port', desc: 'remote port', value: (c) => { const f = fd(c); return tupleKnown(f) ? rport(c, f) : undefined; } },
  { name: 'fd.l4proto', type: 'string', desc: 'l4 protocol', value: (c) => { const f = fd(c); return f ? l4(f) : undefined; } },
  { name: 'fd.sockfamily', type: 'string', desc: 'ip or unix', value: (c) => { const f = fd(c); return !f ? undefined : f.isIp ? 'ip' : f.type === FdType.UNIX_SOCK ? 'unix' : undefined; } },
  { name: 'fd.is_server', type: 'bool', desc: 'the process is the server side', value: (c) => { const f = fd(c); if (!f) return undefined; return isServ(f) ? true : f.type === FdType.IPV4_SOCK ? v4Local(c, f.dip) : f.type === FdType.IPV6_SOCK ? v6Local(c, f) : false; } },
  { name: 'fd.uid', type: 'string', desc: 'unique fd id (tid+fd)', value: (c) => (c.s.thread && c.s.fdNum >= 0 ? `${c.s.thread.pid}${c.s.fdNum}` : undefined) },
  { name: 'fd.containername', type: 'string', desc: 'container name + fd name', value: (c) => { const f = fd(c); const t = c.s.thread; if (!f || !t) return undefined; const k = t.containerId ? c.s.containers.get(t.containerId)?.name ?? t.containerId : 'host'; return k + ':' + f.name; } },
  { name: 'fd.containerdirectory', type: 'string', desc: 'container name + directory', value: (c) => { const f = fd(c); const t = c.s.thread; if (!f || !t || !f.isFile) return undefined; const k = t.containerId ? c.s.containers.get(t.containerId)?.name ?? t.containerId : 'host'; return k + ':' + dirOf(f.name); } },
  { name: 'fd.proto', type: 'string', desc: 'protocol (filters only)', value: (c) => { const f = fd(c); return ip(f) ? l4Name(f!.l4proto) : undefined; } },
  { name: 'fd.cproto', type: 'string', desc: 'client protocol', value: (c) => { const f = fd(c); return ip(f) ? l4Name(f!.l4proto) : undefined; } },
  { name: 'fd.sproto', type: 'string', desc: 'server protocol', value: (c) => { const f = fd(c); return ip(f) ? l4Name(f!.l4proto) : undefined; } },
  { name: 'fd.lproto', type: 'string', desc: 'local protocol', value: (c) => { const f = fd(c); return ip(f) ? l4Name(f!.l4proto) : undefined; } },
  { name: 'fd.rproto', type: 'string', desc: 'remote protocol', value: (c) => { const f = fd(c); return ip(f) ? l4Name(f!.l4proto) : undefined; } },
  { name: 'fd.net', type: 'ipnet', desc: 'ip of either side, for net matches', value: (c) => { const f = fd(c); return ip(f) ? [cip(f!), sip(f!)] : undefined; } },
  { name: 'fd.cnet', type: 'ipnet', desc: 'client net', value: (c) => { const f = fd(c); return ip(f) ? cip(f!) : undefined; } },
  { name: 'fd.snet', type: 'ipnet', desc: 'server net', value: (c) => { const f = fd(c); return ip(f) ? sip(f!) : undefined; } },
  { name: 'fd.lnet', type: 'ipnet', desc: 'local net', value: (c) => { const f = fd(c); return tupleKnown(f) ? lip(c, f) : undefined; } },
  { name: 'fd.rnet', type: 'ipnet', desc: 'remote net', value: (c) => { const f = fd(c); return tupleKnown(f) ? rip(c, f) : undefined; } },
  { name: 'fd.connected', type: 'bool', desc: 'socket connected', value: (c) => { const f = fd(c); return f ? f.isSocket && f.name !== '' : undefined; } },
  { name: 'fd.name_changed', type: 'bool', desc: 'name changed by this event', value: () => false },
  { name: 'fd.cip.name', type: 'string', desc: 'client domain name (not resolved)', value: () => undefined },
  { name: 'fd.sip.name', type: 'string', desc: 'server domain name (not resolved)', value: () => undefined },
  { name: 'fd.lip.name', type: 'string', desc: 'local domain name (not resolved)', value: () => undefined },
  { name: 'fd.rip.name', type: 'string', desc: 'remote domain name (not resolved)', value: () => undefined },
  { name: 'fd.dev', type: 'int', desc: 'device number', value: (c) => fd(c)?.dev },
  { name: 'fd.dev.major', type: 'int', desc: 'device major', value: (c) => { const f = fd(c); return f ? (f.dev >>> 20) : undefined; } },
  { name: 'fd.dev.minor', type: 'int', desc: 'device minor', value: (c) => { const f = fd(c); return f ? f.dev & 0xfffff : undefined; } },
  { name: 'fd.ino', type: 'int', desc: 'inode', value: (c) => fd(c)?.ino },
  { name: 'fd.nameraw', type: 'string', desc: 'name without resolution', value: (c) => fd(c)?.name },
  { name: 'fd.types', type: 'list', desc: 'types of all fds of the process', value: (c) => { const t = c.s.thread; if (!t) return undefined; const s = new Set<string>(); for (const f of t.fds.values()) s.add(fdTypeName(f.type)); return [...s]; } },
];

