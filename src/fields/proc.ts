// proc.*, thread.*, user.*, group.* and container.* fields: who made the event.
import { FieldSpec } from './registry';
import { EventCtx } from './context';
import { ThreadInfo } from '../state/thread';

/** container events (228, 272, 324): sinsp gives them a thread named after the container */
export const isContainerEvt = (c: EventCtx): boolean => c.e.type === 272 || c.e.type === 324 || c.e.type === 228;
/** sinsp names the pseudo-thread of a container event after the container */
function containerEvtName(c: EventCtx): string | undefined {
  const e = c.e;
  if (e.type === 228) return 'container:' + (e.str(0) ?? '').slice(0, 12);
  const j = e.str(0) ?? '';
  const m = /"id":"([^"]*)"/.exec(j);
  return m ? 'container:' + m[1]!.slice(0, 12) : undefined;
}

const th = (c: EventCtx): ThreadInfo | null => (isContainerEvt(c) ? containerThread(c) : c.s.thread);

/** sinsp gives container events a fake thread named after the container */
let ctThread: ThreadInfo | null = null;
function containerThread(c: EventCtx): ThreadInfo {
  if (!ctThread) {
    ctThread = new ThreadInfo(-1);
    ctThread.pid = -1; ctThread.ptid = 0; ctThread.vtid = -2; ctThread.vpid = -2;
  }
  const name = containerEvtName(c) ?? '';
  ctThread.comm = name;
  ctThread.containerId = name.slice('container:'.length);
  return ctThread;
}
const main = (c: EventCtx): ThreadInfo | null => {
  const t = th(c);
  if (!t) return null;
  return t.mainThread();
};
/** sinsp's get_parent_thread: the thread's own ptid (proc.ppid instead reads the main thread's) */
const parent = (c: EventCtx, t: ThreadInfo | null): ThreadInfo | null => {
  if (!t) return null;
  return c.s.threads.get(t.ptid) ?? null;
};

function ancestor(c: EventCtx, n: number): ThreadInfo | null {
  let t: ThreadInfo | null = main(c);
  for (let i = 0; i < n && t; i++) t = parent(c, t);
  return t;
}

const cmdline = (t: ThreadInfo) => (t.args.length ? `${t.comm} ${t.args.join(' ')}` : t.comm);
const exeline = (t: ThreadInfo) => (t.args.length ? `${t.exe} ${t.args.join(' ')}` : t.exe);

const container = (c: EventCtx) => {
  const t = th(c);
  if (!t) return undefined;
  return t.containerId === '' ? null : c.s.containers.get(t.containerId) ?? null;
};

export const PROC_FIELDS: FieldSpec[] = [
  { name: 'proc.pid', type: 'int', desc: 'process id', value: (c) => th(c)?.pid },
  { name: 'proc.exe', type: 'string', desc: 'first command line argument (argv[0])', value: (c) => th(c)?.exe },
  { name: 'proc.name', type: 'string', desc: 'process name (comm)', value: (c) => th(c)?.comm || undefined },
  { name: 'proc.args', type: 'string', desc: 'command line arguments', value: (c) => th(c)?.args.join(' ') },
  { name: 'proc.env', type: 'string', desc: 'environment variables', value: (c) => th(c)?.env.join(' ') },
  { name: 'proc.cmdline', type: 'string', desc: 'name and arguments', value: (c) => { const t = th(c); return t ? cmdline(t) : undefined; } },
  { name: 'proc.exeline', type: 'string', desc: 'exe and arguments', value: (c) => { const t = th(c); return t ? exeline(t) : undefined; } },
  { name: 'proc.cwd', type: 'string', desc: 'current working directory', value: (c) => th(c)?.cwd },
  { name: 'proc.exepath', type: 'string', desc: 'full executable path', value: (c) => th(c)?.exepath },
  { name: 'proc.nthreads', type: 'int', desc: 'threads in the process', value: (c) => { const t = th(c); if (!t) return undefined; if (t === ctThread) return 1; let n = 0; for (const x of c.s.threads.values()) if (x.pid === t.pid) n++; return n; } },
  { name: 'proc.nchilds', type: 'int', desc: 'child threads of the process', value: (c) => { const t = th(c); if (!t) return undefined; let n = 0; for (const x of c.s.threads.values()) if (x.pid === t.pid && x.tid !== t.pid) n++; return n; } },
  { name: 'proc.ppid', type: 'int', desc: 'parent process id', value: (c) => main(c)?.ptid },
  { name: 'proc.pname', type: 'string', desc: 'parent process name', value: (c) => parent(c, th(c))?.comm },
  { name: 'proc.pcmdline', type: 'string', desc: 'parent command line', value: (c) => { const p = parent(c, th(c)); return p ? cmdline(p) : undefined; } },
  { name: 'proc.pexe', type: 'string', desc: 'parent exe', value: (c) => parent(c, th(c))?.exe },
  { name: 'proc.pexepath', type: 'string', desc: 'parent exe path', value: (c) => parent(c, th(c))?.exepath },
  {
    name: 'proc.apid', type: 'int', desc: 'pid of the n-th ancestor', arg: 'required',
    withArg: (a) => { const n = Number(a); if (!Number.isInteger(n) || n < 0) return 'proc.apid needs a number'; return { value: (c) => ancestor(c, n)?.pid }; },
  },
  {
    name: 'proc.aname', type: 'string', desc: 'name of the n-th ancestor (any ancestor without an index)', arg: 'optional',
    withArg: (a) => {
      if (a === undefined) {
        return {
          value: (c) => {
            const out: string[] = [];
            let t = parent(c, th(c));
            for (let i = 0; t && i < 64; i++) { out.push(t.comm); t = parent(c, t); }
            return out;
          },
        };
      }
      const n = Number(a);
      if (!Number.isInteger(n) || n < 0) return 'proc.aname needs a number';
      return { value: (c) => ancestor(c, n)?.comm };
    },
  },
  { name: 'proc.loginshellid', type: 'int', desc: 'pid of the oldest shell ancestor', value: (c) => { let t = main(c); let id: number | undefined; while (t) { if (/sh$/.test(t.comm)) id = t.pid; t = parent(c, t); } return id; } },
  { name: 'proc.duration', type: 'reltime', desc: 'ns since the process started', value: (c) => { const t = main(c); return t && t.cloneTs ? c.e.tsNum - t.cloneTs : undefined; } },
  { name: 'proc.fdopencount', type: 'int', desc: 'open fds', value: (c) => th(c)?.fds.size },
  { name: 'proc.fdlimit', type: 'int', desc: 'fd limit', value: (c) => main(c)?.fdlimit },
  { name: 'proc.fdusage', type: 'double', desc: 'open fds / limit, %', value: (c) => { const t = th(c); return t && t.fdlimit > 0 ? (t.fds.size * 100) / t.fdlimit : undefined; } },
  { name: 'proc.vmsize', type: 'int', desc: 'virtual memory, KB', value: (c) => main(c)?.vmsize },
  { name: 'proc.vmrss', type: 'int', desc: 'resident memory, KB', value: (c) => main(c)?.vmrss },
  { name: 'proc.vmswap', type: 'int', desc: 'swapped memory, KB', value: (c) => main(c)?.vmswap },
  { name: 'thread.pfmajor', type: 'int', desc: 'major page faults', value: (c) => th(c)?.pfmajor },
  { name: 'thread.pfminor', type: 'int', desc: 'minor page faults', value: (c) => th(c)?.pfminor },
  { name: 'proc.sid', type: 'int', desc: 'session id', value: (c) => th(c)?.sid },
  {
    name: 'proc.sname', type: 'string', desc: 'session leader name: the process with pid=sid, or the eldest ancestor in the same session',
    value: (c) => {
      const t = th(c);
      if (!t) return undefined;
      const lead = c.s.threads.get(t.sid);
      if (lead) return lead.comm;
      // the leader has exited: the eldest ancestor of the main thread still in its session
      let mt = t.mainThread();
      const sid = mt.sid;
      for (let p = parent(c, mt), i = 0; p && i < 1024; p = parent(c, p), i++) {
        if (p.sid !== sid) break;
        mt = p;
      }
      return mt.comm;
    },
  },
  { name: 'proc.tty', type: 'int', desc: 'controlling terminal', value: (c) => th(c)?.tty },
  { name: 'proc.vpgid', type: 'int', desc: 'process group id in its namespace', value: (c) => th(c)?.vpgid },
  { name: 'proc.vpid', type: 'int', desc: 'pid in its namespace', value: (c) => { const v = th(c)?.vpid; return v === undefined || v === -1 ? undefined : v; } },
  { name: 'proc.is_container_healthcheck', type: 'bool', desc: 'health check process', value: () => false },
  { name: 'proc.is_container_liveness_probe', type: 'bool', desc: 'liveness probe', value: () => false },
  { name: 'proc.is_container_readiness_probe', type: 'bool', desc: 'readiness probe', value: () => false },
  { name: 'proc.is_exe_writable', type: 'bool', desc: 'executable writable by the user', value: () => false },
  { name: 'thread.tid', type: 'int', desc: 'thread id', value: (c) => c.e.tid },
  { name: 'thread.ismain', type: 'bool', desc: 'main thread of its process', value: (c) => { const t = th(c); return t ? t.tid === t.pid : undefined; } },
  { name: 'thread.vtid', type: 'int', desc: 'tid in its namespace', value: (c) => { const v = th(c)?.vtid; return v === undefined || v === -1 ? undefined : v; } },
  { name: 'thread.exectime', type: 'reltime', desc: 'cpu time of the last scheduled run', value: () => 0 },
  { name: 'thread.totexectime', type: 'reltime', desc: 'total cpu time', value: () => 0 },
  { name: 'thread.nametid', type: 'string', desc: 'name and tid', value: (c) => { const t = th(c); return t ? `${t.comm}${t.tid}` : undefined; } },
  {
    name: 'thread.cgroup', type: 'string', desc: 'cgroup of a subsystem', arg: 'required', dottedArg: true,
    withArg: (a) => ({ value: (c) => { const t = th(c); if (!t) return undefined; for (const g of t.cgroups) { const i = g.indexOf('='); if (g.slice(0, i) === a) return g.slice(i + 1); } return undefined; } }),
  },
  { name: 'thread.cgroups', type: 'string', desc: 'all cgroups', value: (c) => th(c)?.cgroups.join(' ') },
  { name: 'user.uid', type: 'int', desc: 'user id', value: (c) => th(c)?.uid },
  { name: 'user.name', type: 'string', desc: 'user name', value: (c) => { const t = th(c); return t ? c.s.users.get(t.uid)?.name : undefined; } },
  { name: 'user.homedir', type: 'string', desc: 'home directory', value: (c) => { const t = th(c); return t ? c.s.users.get(t.uid)?.home : undefined; } },
  { name: 'user.shell', type: 'string', desc: 'shell', value: (c) => { const t = th(c); return t ? c.s.users.get(t.uid)?.shell : undefined; } },
  { name: 'user.loginuid', type: 'int', desc: 'audit login uid', value: (c) => { const t = th(c); return t ? t.loginuid | 0 : undefined; } },
  { name: 'user.loginname', type: 'string', desc: 'audit login name', value: (c) => { const t = th(c); return t ? c.s.users.get(t.loginuid >>> 0)?.name : undefined; } },
  { name: 'group.gid', type: 'int', desc: 'group id', value: (c) => th(c)?.gid },
  { name: 'group.name', type: 'string', desc: 'group name', value: (c) => { const t = th(c); return t ? c.s.groups.get(t.gid)?.name : undefined; } },
  { name: 'container.id', type: 'string', desc: 'container id (12 chars), or host', value: (c) => { const t = th(c); return t ? (t.containerId === '' ? 'host' : t.containerId) : undefined; } },
  // sinsp: 'host' only without a container id; an id the state has no (named) container for reads as unset
  { name: 'container.name', type: 'string', desc: 'container name, or host', value: (c) => { const t = th(c); return !t ? undefined : t.containerId === '' ? 'host' : c.s.containers.get(t.containerId)?.name || undefined; } },
  { name: 'container.image', type: 'string', desc: 'image name', value: (c) => { const k = container(c); return k === undefined ? undefined : k === null ? undefined : k.image; } },
  { name: 'container.image.id', type: 'string', desc: 'image id', value: (c) => container(c)?.imageId },
  { name: 'container.image.repository', type: 'string', desc: 'image repository', value: (c) => container(c)?.imageRepo },
  { name: 'container.image.tag', type: 'string', desc: 'image tag', value: (c) => container(c)?.imageTag },
  { name: 'container.type', type: 'string', desc: 'container type', value: (c) => { const t = th(c); return !t ? undefined : t.containerId === '' ? 'host' : c.s.containers.get(t.containerId)?.type; } },
  { name: 'container.privileged', type: 'bool', desc: 'privileged container', value: (c) => container(c)?.privileged },
  { name: 'container.mounts', type: 'list', desc: 'mounts', value: (c) => container(c)?.mounts },
  { name: 'container.ip', type: 'ipaddr', desc: 'container ip', value: (c) => container(c)?.ip || undefined },
  {
    name: 'container.label', type: 'string', desc: 'a container label', arg: 'required', dottedArg: true,
    withArg: (a) => ({ value: (c) => container(c)?.labels[a!] }),
  },
];
