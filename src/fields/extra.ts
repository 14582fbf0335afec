// The remaining field classes sysdig has outside Kubernetes/Mesos: container mounts and probes,
// thread CPU and memory, poll fd lists (fdlist.*), syslog decoding (syslog.*) and plugin names.
import { FieldSpec } from './registry';
import { EventCtx } from './context';
import { ContainerInfo } from '../state/containers';
import { PT } from '../events/table';
import { FdInfo } from '../state/fdinfo';
import { FdType } from '../scap/types';
import { globToRegExp } from '../filter/ops';

const container = (c: EventCtx): ContainerInfo | undefined => {
  const t = c.s.thread;
  return t && t.containerId ? c.s.containers.get(t.containerId) : undefined;
};

interface Mount { source: string; dest: string; mode: string; rdwr: string; propagation: string }
function mounts(k: ContainerInfo): Mount[] {
  return k.mounts.map((m) => {
    const [source = '', dest = '', mode = '', rdwr = '', propagation = ''] = m.split(':');
    return { source, dest, mode, rdwr, propagation };
  });
}

/** container.mount.X[arg]: arg is an index, or a glob on the source (dest for .source) */
function mountField(name: string, pick: (m: Mount) => string, byDest: boolean): FieldSpec {
  return {
    name, type: 'string', desc: `mount ${name.split('.').pop()} by number or path`, arg: 'required',
    withArg: (a) => {
      const idx = /^\d+$/.test(a!) ? Number(a) : -1;
      const re = idx < 0 ? globToRegExp(a!, false) : null;
      return {
        value: (c) => {
          const k = container(c);
          if (!k) return undefined;
          const list = mounts(k);
          const m = idx >= 0 ? list[idx] : list.find((x) => re!.test(byDest ? x.dest : x.source));
          return m ? pick(m) : undefined;
        },
      };
    },
  };
}

/** the fds of a poll-style event's FDLIST param, resolved through the thread's table */
function fdlist(c: EventCtx): Array<[number, FdInfo | undefined]> | undefined {
  const e = c.e;
  const params = e.info.params;
  for (let i = 0; i < e.paramCount; i++) {
    if (params[i]!.type !== PT.FDLIST) continue;
    const b = e.bytes(i);
    if (!b || b.length < 2) return [];
    const n = b.readUInt16LE(0);
    const out: Array<[number, FdInfo | undefined]> = [];
    for (let k = 0, off = 2; k < n && off + 10 <= b.length; k++, off += 10) {
      const fd = b.readInt32LE(off + 4) * 4294967296 + b.readUInt32LE(off);
      out.push([fd, c.s.thread?.fds.get(fd)]);
    }
    return out;
  }
  return undefined;
}

const isIp = (f: FdInfo | undefined) => !!f && (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK);
const listField = (name: string, desc: string, pick: (fd: number, f: FdInfo | undefined) => string | undefined): FieldSpec => ({
  name, type: 'string', desc,
  value: (c) => {
    const l = fdlist(c);
    if (!l || l.length === 0) return undefined;
    const out = l.map(([fd, f]) => pick(fd, f)).filter((x) => x !== undefined);
    return out.length ? out.join(',') : undefined;
  },
});

const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'clock', 'authpriv', 'ftp', 'ntp', 'logaudit', 'logalert', 'cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

/** decodes a write to /dev/log: [priority, message] */
function syslog(c: EventCtx): [number, string] | undefined {
  const e = c.e;
  if (e.dir !== 1 || !(c.e.info.flags & 0x10 /* WRITES_TO_FD */)) return undefined;
  const f = c.s.fd;
  if (!f || !f.name.includes('/dev/log') || (e.int(0) ?? -1) < 0 || e.paramCount < 2) return undefined;
  const d = e.bytes(1);
  if (!d || d[0] !== 0x3c) return undefined;
  let i = 1;
  let pri = 0;
  while (i < d.length && i < 16 && d[i]! >= 0x30 && d[i]! <= 0x39) pri = pri * 10 + (d[i++]! - 0x30);
  if (i === 1 || d[i] !== 0x3e) return undefined;
  let end = i + 1;
  while (end < d.length && d[end] !== 0) end++;
  return [pri, d.toString('latin1', i + 1, end)];
}

/** procinfo events carry the thread's user/system CPU ticks */
function procinfo(c: EventCtx, which: 0 | 1 | 2): number | undefined {
  if (c.e.type !== 234) return undefined;
  const u = c.e.uint(0) ?? 0;
  const s = c.e.uint(1) ?? 0;
  return which === 0 ? u + s : which === 1 ? u : s;
}

export const EXTRA_FIELDS: FieldSpec[] = [
  { name: 'container.image.digest', type: 'string', desc: 'image digest', value: (c) => container(c)?.imageDigest || undefined },
  { name: 'container.healthcheck', type: 'string', desc: "the container's health check command", value: (c) => container(c)?.healthcheck },
  { name: 'container.liveness_probe', type: 'string', desc: "the container's liveness probe command", value: (c) => container(c)?.livenessProbe },
  { name: 'container.readiness_probe', type: 'string', desc: "the container's readiness probe command", value: (c) => container(c)?.readinessProbe },
  mountField('container.mount', (m) => `${m.source}:${m.dest}:${m.mode}:${m.rdwr}:${m.propagation}`, false),
  mountField('container.mount.source', (m) => m.source, true),
  mountField('container.mount.dest', (m) => m.dest, false),
  mountField('container.mount.mode', (m) => m.mode, false),
  mountField('container.mount.rdwr', (m) => m.rdwr, false),
  mountField('container.mount.propagation', (m) => m.propagation, false),
  { name: 'thread.cpu', type: 'double', desc: 'CPU ticks of the thread reported by a procinfo event', value: (c) => procinfo(c, 0) },
  { name: 'thread.cpu.user', type: 'double', desc: 'user CPU ticks (procinfo events)', value: (c) => procinfo(c, 1) },
  { name: 'thread.cpu.system', type: 'double', desc: 'system CPU ticks (procinfo events)', value: (c) => procinfo(c, 2) },
  { name: 'thread.vmsize', type: 'int', desc: 'virtual memory of the process (KB) for its main thread, else 0', value: (c) => { const t = c.s.thread; return t ? (t.tid === t.pid ? t.vmsize : 0) : undefined; } },
  { name: 'thread.vmrss', type: 'int', desc: 'resident memory of the process (KB) for its main thread, else 0', value: (c) => { const t = c.s.thread; return t ? (t.tid === t.pid ? t.vmrss : 0) : undefined; } },
  { name: 'evt.pluginname', type: 'string', desc: 'plugin name (no plugins are loaded: always unset)', value: () => undefined },
  { name: 'evt.plugininfo', type: 'string', desc: 'plugin event summary (no plugins are loaded: always unset)', value: () => undefined },
  listField('fdlist.nums', 'poll fd numbers', (fd) => String(fd)),
  listField('fdlist.names', 'poll fd names', (_fd, f) => (f && f.name ? f.name : '<NA>')),
  listField('fdlist.cips', 'poll fds: client IPs', (_fd, f) => (isIp(f) ? f!.sip : undefined)),
  listField('fdlist.sips', 'poll fds: server IPs', (_fd, f) => (isIp(f) ? f!.dip : undefined)),
  listField('fdlist.cports', 'poll fds: client ports', (_fd, f) => (isIp(f) ? String(f!.sport) : undefined)),
  listField('fdlist.sports', 'poll fds: server ports', (_fd, f) => (isIp(f) ? String(f!.dport) : undefined)),
  { name: 'syslog.facility.str', type: 'string', desc: 'syslog facility name', value: (c) => { const s = syslog(c); return s ? FACILITIES[s[0] >> 3] : undefined; } },
  { name: 'syslog.facility', type: 'int', desc: 'syslog facility (0-23)', value: (c) => { const s = syslog(c); return s ? s[0] >> 3 : undefined; } },
  { name: 'syslog.severity.str', type: 'string', desc: 'syslog severity name', value: (c) => { const s = syslog(c); return s ? SEVERITIES[s[0] & 7] : undefined; } },
  { name: 'syslog.severity', type: 'int', desc: 'syslog severity (0-7)', value: (c) => { const s = syslog(c); return s ? s[0] & 7 : undefined; } },
  { name: 'syslog.message', type: 'string', desc: 'message sent to syslog', value: (c) => syslog(c)?.[1] },
];
