// Live state bootstrap: reads the running system from /proc (threads, fds, sockets), /etc/passwd
// and /etc/group, the machine and its interfaces, and hands it to a CaptureSink exactly as a
// capture file's metadata blocks would be. Also reads single threads on demand (a tid first seen
// in an event that started between the scan and the attach).
//
// Strings are latin1 byte strings, like everything the decoder produces. All reads are synchronous
// and bounded: a scan of a few hundred processes takes tens of milliseconds.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { CaptureSink, FdRecord, FdType, GroupRecord, InterfaceRecord, MachineInfo, ThreadRecord, UserRecord } from '../scap/types';
import { ipv6Str } from '../util/net';

/** sysdig's bounds on the process-list strings */
const MAX_ARGS = 4096;
const MAX_ENV = 4096;
/** PPM_CL_* flags given to non-main threads: they share files, fs and vm with the main thread */
const THREAD_FLAGS = 1 /* FILES */ | 2 /* FS */ | (1 << 13) /* THREAD */ | (1 << 15) /* VM */;

/** /proc files read whole (status, stat, cgroup, limits…) fit in this; larger ones are cut */
const SCRATCH_SIZE = 64 * 1024;
const scratch = Buffer.allocUnsafe(Math.max(MAX_ARGS, MAX_ENV, SCRATCH_SIZE) + 1);

/**
 * Reads at most `max` bytes of a (proc) file as latin1, or null when it cannot be read. One
 * shared buffer and no stat: the scan reads about ten small files per process, and at start-up
 * (code not yet optimised) each readFileSync's extra fstat and allocation showed.
 */
function readBounded(p: string, max: number): string | null {
  let fd = -1;
  try {
    fd = fs.openSync(p, 'r');
    let n = 0;
    while (n < max) {
      const r = fs.readSync(fd, scratch, n, max - n, null);
      if (r <= 0) break;
      n += r;
    }
    return scratch.toString('latin1', 0, n);
  } catch {
    return null;
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** A small /proc file whole (status, stat, cgroup, limits, loginuid) */
function readSmall(p: string): string | null {
  return readBounded(p, SCRATCH_SIZE);
}

/** A file of any size (the socket tables of a busy host run to megabytes) */
function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'latin1');
  } catch {
    return null;
  }
}

function readLink(p: string): string | null {
  try {
    return fs.readlinkSync(p, 'latin1');
  } catch {
    return null;
  }
}

/** v2 cgroup controllers reported per path (the BPF side reports cpu, memory and pids) */
const V2_CONTROLLERS = ['cpu', 'memory', 'pids'];

/** /proc/PID/cgroup → NUL-separated "subsys=path" entries (raw form accepted by ThreadRecord) */
export function parseCgroups(text: string): string {
  let out = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const subsys = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (subsys === '') {
      for (const c of V2_CONTROLLERS) out += `${c}=${path}\0`;
    } else {
      for (const s of subsys.split(',')) out += `${s.startsWith('name=') ? s.slice(5) : s}=${path}\0`;
    }
  }
  return out;
}

interface Status {
  name: string;
  tgid: number;
  ppid: number;
  uid: number;
  gid: number;
  nspid: number;
  vmsize: number;
  vmrss: number;
  vmswap: number;
}

function parseStatus(text: string): Status {
  const s: Status = { name: '', tgid: 0, ppid: 0, uid: 0, gid: 0, nspid: -1, vmsize: 0, vmrss: 0, vmswap: 0 };
  let i = 0;
  while (i < text.length) {
    let e = text.indexOf('\n', i);
    if (e < 0) e = text.length;
    const c = text.indexOf(':', i);
    if (c > i && c < e) {
      const k = text.slice(i, c);
      const v = text.slice(c + 1, e).trim();
      switch (k) {
        case 'Name': s.name = v; break;
        case 'Tgid': s.tgid = Number(v); break;
        case 'PPid': s.ppid = Number(v); break;
        case 'Uid': s.uid = Number(v.split(/\s+/)[1] ?? v); break; // effective
        case 'Gid': s.gid = Number(v.split(/\s+/)[1] ?? v); break;
        case 'NSpid': { const p = v.split(/\s+/); s.nspid = Number(p[p.length - 1]); break; }
        case 'VmSize': s.vmsize = parseInt(v, 10); break;
        case 'VmRSS': s.vmrss = parseInt(v, 10); break;
        case 'VmSwap': s.vmswap = parseInt(v, 10); break;
      }
    }
    i = e + 1;
  }
  return s;
}

/** /proc/PID/stat fields after the comm: [state, ppid, pgrp, session, …] (index 0 = field 3) */
function statFields(text: string | null): string[] {
  if (!text) return [];
  const r = text.lastIndexOf(')');
  return text.slice(r + 2).split(' ');
}

function fdLimit(pid: number): number {
  const t = readSmall(`/proc/${pid}/limits`);
  const m = t && /Max open files\s+(\d+|unlimited)/.exec(t);
  return m ? (m[1] === 'unlimited' ? 0 : Number(m[1])) : 0;
}

/** Builds the record of a process's main thread from /proc/PID. null if it is gone. */
export function readProcess(pid: number): ThreadRecord | null {
  const base = `/proc/${pid}`;
  const statusText = readSmall(`${base}/status`);
  if (statusText === null) return null;
  const st = parseStatus(statusText);
  const sf = statFields(readSmall(`${base}/stat`));
  const cmdline = readBounded(`${base}/cmdline`, MAX_ARGS) ?? '';
  const nul = cmdline.indexOf('\0');
  const comm = st.name;
  let exe: string;
  let args: string;
  if (cmdline === '') {
    exe = comm; // kernel threads, zombies
    args = '';
  } else {
    exe = nul < 0 ? cmdline : cmdline.slice(0, nul);
    args = nul < 0 ? '' : cmdline.slice(nul + 1);
  }
  let exepath = readLink(`${base}/exe`) ?? '';
  if (exepath.endsWith(' (deleted)')) exepath = exepath.slice(0, -10);
  const cwd = readLink(`${base}/cwd`) ?? '';
  const loginuid = Number(readSmall(`${base}/loginuid`) ?? '4294967295');
  return {
    tid: pid,
    pid: st.tgid || pid,
    ptid: st.ppid,
    sid: Number(sf[3] ?? -1),
    vpgid: Number(sf[2] ?? -1),
    comm,
    exe,
    exepath,
    args,
    cwd,
    fdlimit: fdLimit(pid),
    flags: 0,
    uid: st.uid,
    gid: st.gid,
    vmsize: st.vmsize || 0,
    vmrss: st.vmrss || 0,
    vmswap: st.vmswap || 0,
    pfmajor: Number(sf[9] ?? 0),
    pfminor: Number(sf[7] ?? 0),
    env: readBounded(`${base}/environ`, MAX_ENV) ?? '',
    vtid: st.nspid,
    vpid: st.nspid,
    cgroups: parseCgroups(readSmall(`${base}/cgroup`) ?? ''),
    root: readLink(`${base}/root`) ?? '/',
    loginuid: Number.isFinite(loginuid) ? loginuid : 0xffffffff,
    exeWritable: false,
  };
}

/** A non-main thread: its own name and ids, the rest shared with the main thread's record. */
function readTask(main: ThreadRecord, tid: number): ThreadRecord | null {
  const dir = `/proc/${main.pid}/task/${tid}`;
  if (main.vpid === main.pid) {
    // not in a child pid namespace: its tid is its vtid, and comm is all that status would add
    // (the kernel writes comm far faster than status, read once per thread of the host)
    const comm = readSmall(`${dir}/comm`);
    if (comm === null) return null;
    return { ...main, tid, comm: comm.endsWith('\n') ? comm.slice(0, -1) : comm, vtid: tid, flags: THREAD_FLAGS };
  }
  const text = readSmall(`${dir}/status`);
  if (text === null) return null;
  const st = parseStatus(text);
  return { ...main, tid, comm: st.name, vtid: st.nspid, ptid: main.ptid, flags: THREAD_FLAGS };
}

// ---- sockets ----

interface SockInfo {
  type: FdType;
  l4proto: number;
  sip?: string;
  dip?: string;
  sport?: number;
  dport?: number;
  usrc?: string;
  udst?: string;
  name?: string;
}

function hexIp4(h: string): string {
  const v = parseInt(h, 16);
  return `${v & 255}.${(v >>> 8) & 255}.${(v >>> 16) & 255}.${v >>> 24}`;
}

const ip6buf = Buffer.alloc(16);
function hexIp6(h: string): string {
  // four 32-bit words, each in host (little-endian) order
  for (let w = 0; w < 4; w++) ip6buf.writeUInt32LE(parseInt(h.slice(w * 8, w * 8 + 8), 16) >>> 0, w * 4);
  return ipv6Str(ip6buf, 0);
}

function parseInetTable(text: string | null, v6: boolean, l4: number, out: Map<number, SockInfo>): void {
  if (!text) return;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    const ino = Number(f[9]);
    if (!ino) continue;
    const [lip, lport] = f[1]!.split(':');
    const [rip, rport] = f[2]!.split(':');
    const ip = v6 ? hexIp6 : hexIp4;
    const listen = l4 === 2 && f[3] === '0A';
    const s: SockInfo = {
      type: listen ? (v6 ? FdType.IPV6_SERVSOCK : FdType.IPV4_SERVSOCK) : v6 ? FdType.IPV6_SOCK : FdType.IPV4_SOCK,
      l4proto: l4,
      sip: ip(lip!),
      sport: parseInt(lport!, 16),
      dip: ip(rip!),
      dport: parseInt(rport!, 16),
    };
    out.set(ino, s);
  }
}

function parseUnixTable(text: string | null, out: Map<number, SockInfo>): void {
  if (!text) return;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 7) continue;
    const ino = Number(f[6]);
    if (!ino) continue;
    const addr = f[0]!.replace(/:$/, '');
    out.set(ino, { type: FdType.UNIX_SOCK, l4proto: 0, usrc: BigInt('0x' + addr).toString(16), udst: '0', name: f[7] ?? '' });
  }
}

function parseNetlinkTable(text: string | null, out: Map<number, SockInfo>): void {
  if (!text) return;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    const ino = Number(f[f.length - 1]);
    if (f.length >= 10 && ino) out.set(ino, { type: FdType.NETLINK, l4proto: 0, name: '' });
  }
}

/** Socket tables per network namespace, read through a process of that namespace. */
class SocketTables {
  private readonly byNs = new Map<string, Map<number, SockInfo>>();

  private lastPid = -1;
  private lastNs = '';

  lookup(pid: number, ino: number): SockInfo | undefined {
    if (pid !== this.lastPid) {
      this.lastPid = pid;
      this.lastNs = readLink(`/proc/${pid}/ns/net`) ?? 'self';
    }
    const ns = this.lastNs;
    let t = this.byNs.get(ns);
    if (!t) {
      t = new Map();
      const b = `/proc/${pid}/net`;
      parseInetTable(readText(`${b}/tcp`), false, 2, t);
      parseInetTable(readText(`${b}/tcp6`), true, 2, t);
      parseInetTable(readText(`${b}/udp`), false, 3, t);
      parseInetTable(readText(`${b}/udp6`), true, 3, t);
      parseInetTable(readText(`${b}/raw`), false, 5, t);
      parseInetTable(readText(`${b}/raw6`), true, 5, t);
      parseUnixTable(readText(`${b}/unix`), t);
      parseNetlinkTable(readText(`${b}/netlink`), t);
      this.byNs.set(ns, t);
    }
    return t.get(ino);
  }
}

const ANON: Record<string, FdType> = {
  '[eventfd]': FdType.EVENT,
  '[eventpoll]': FdType.EVENTPOLL,
  inotify: FdType.INOTIFY,
  '[signalfd]': FdType.SIGNALFD,
  '[timerfd]': FdType.TIMERFD,
  '[userfaultfd]': FdType.USERFAULTFD,
  '[io_uring]': FdType.IOURING,
};

/** The fd table of a process, names resolved (files, pipes, sockets by inode). */
export function readFds(pid: number, socks: SocketTables = new SocketTables()): FdRecord[] {
  const dir = `/proc/${pid}/fd`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: FdRecord[] = [];
  for (const n of names) {
    const fd = Number(n);
    const link = readLink(`${dir}/${n}`);
    if (link === null) continue;
    const r: FdRecord = { fd, ino: 0, type: FdType.FILE, name: link, openFlags: 0, dev: 0 };
    if (link.startsWith('/')) {
      if (link.endsWith(' (deleted)')) r.name = link.slice(0, -10);
    } else if (link.startsWith('pipe:[')) {
      r.type = FdType.FIFO;
      r.ino = Number(link.slice(6, -1));
    } else if (link.startsWith('socket:[')) {
      const ino = Number(link.slice(8, -1));
      const s = socks.lookup(pid, ino);
      if (!s) continue; // a family we do not track (packet, vsock…)
      r.ino = ino;
      r.type = s.type;
      r.name = s.name ?? '';
      if (s.sip !== undefined) {
        r.sip = s.sip; r.dip = s.dip; r.sport = s.sport; r.dport = s.dport; r.l4proto = s.l4proto;
      }
      if (s.usrc !== undefined) { r.usrc = s.usrc; r.udst = s.udst; }
    } else if (link.startsWith('anon_inode:')) {
      const k = link.slice(11);
      r.type = ANON[k] ?? (k.startsWith('bpf') ? FdType.BPF : FdType.UNSUPPORTED);
      r.name = link;
    } else {
      r.type = FdType.UNSUPPORTED;
    }
    out.push(r);
  }
  return out;
}

// ---- users, machine, interfaces ----

export function readUsers(): { users: UserRecord[]; groups: GroupRecord[] } {
  const users: UserRecord[] = [];
  const groups: GroupRecord[] = [];
  for (const line of (readText('/etc/passwd') ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#')) continue;
    users.push({ uid: Number(f[2]), gid: Number(f[3]), name: f[0]!, home: f[5]!, shell: f[6]! });
  }
  for (const line of (readText('/etc/group') ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    groups.push({ gid: Number(f[2]), name: f[0]! });
  }
  return { users, groups };
}

export function readMachine(): MachineInfo {
  return {
    numCpus: os.cpus().length,
    memorySize: os.totalmem(),
    maxPid: Number(readSmall('/proc/sys/kernel/pid_max') ?? 32768) || 32768,
    hostname: os.hostname(),
  };
}

export function readInterfaces(): InterfaceRecord[] {
  const out: InterfaceRecord[] = [];
  for (const [name, list] of Object.entries(os.networkInterfaces())) {
    for (const a of list ?? []) {
      const v4 = a.family === 'IPv4';
      let bcast = '';
      if (v4) {
        const ip = a.address.split('.').map(Number);
        const nm = a.netmask.split('.').map(Number);
        bcast = ip.map((x, i) => (x | (~nm[i]! & 255)) & 255).join('.');
      }
      out.push({ family: v4 ? 4 : 6, name, addr: a.address, netmask: a.netmask, bcast, linkspeed: 0 });
    }
  }
  return out;
}

// ---- the scan ----

export interface BootstrapStats {
  processes: number;
  threads: number;
  fds: number;
  ms: number;
}

/** Feeds the whole system state into the sink (users, machine, interfaces, threads, fds). */
export function bootstrap(sink: CaptureSink): BootstrapStats {
  const t0 = performance.now();
  const { users, groups } = readUsers();
  sink.onMachineInfo(readMachine());
  sink.onInterfaces(readInterfaces());
  sink.onUsers(users, groups);
  const socks = new SocketTables();
  let processes = 0;
  let threads = 0;
  let fds = 0;
  for (const ent of fs.readdirSync('/proc')) {
    const c = ent.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(ent);
    const main = readProcess(pid);
    if (!main) continue;
    processes++;
    threads++;
    sink.onThread(main);
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch { /* gone */ }
    for (const tt of tasks) {
      const tid = Number(tt);
      if (tid === pid) continue;
      const r = readTask(main, tid);
      if (r) {
        sink.onThread(r);
        threads++;
      }
    }
    const list = readFds(pid, socks);
    fds += list.length;
    sink.onFds(pid, list);
  }
  return { processes, threads, fds, ms: performance.now() - t0 };
}

/**
 * Reads one thread that appeared after the scan (tid may be any thread of a process). Feeds the
 * main thread (with its fds) when `haveMain` says it is unknown, then the thread itself.
 * Returns false if the thread no longer exists.
 */
export function readThreadInto(tid: number, haveMain: (pid: number) => boolean, sink: Pick<CaptureSink, 'onThread' | 'onFds'>): boolean {
  const rec = readProcess(tid); // /proc/TID works for any thread; Tgid tells its process
  if (!rec) return false;
  const pid = rec.pid;
  if (pid === tid) {
    sink.onThread(rec);
    sink.onFds(pid, readFds(pid));
    return true;
  }
  let main: ThreadRecord | null = null;
  if (!haveMain(pid)) {
    main = readProcess(pid);
    if (main) {
      sink.onThread(main);
      sink.onFds(pid, readFds(pid));
    }
  }
  sink.onThread({ ...(main ?? rec), tid, comm: rec.comm, vtid: rec.vtid, flags: THREAD_FLAGS });
  return true;
}
