// Which interfaces to capture and whose they are. Host interfaces come from /sys/class/net; a
// container's veth is found from the container side: /proc/<pid>/root/sys/class/net/<if>/iflink is
// the ifindex of the host-side peer (ifindexes are per network namespace, so the mapping is only
// ever made container → host). Container names come from the Docker API over its unix socket; without
// Docker, containers are found from /proc (cgroup path → id) and named by their short id.
import * as fs from 'node:fs';
import * as http from 'node:http';
import { containerIdFromPath } from '../state/containers';

export interface HostIface {
  name: string;
  ifindex: number;
  up: boolean;
  bridge: boolean;
  mtu: number;
  mac?: Uint8Array;
}

export interface ContainerNet {
  id: string; // full id
  name: string;
  pid: number;
  /** container-side interfaces: name, iflink (= host ifindex of the peer), MAC */
  links: Array<{ name: string; iflink: number; mac?: Uint8Array }>;
}

const readTrim = (p: string): string | undefined => {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
};

export function parseMac(s: string | undefined): Uint8Array | undefined {
  if (!s || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(s)) return undefined;
  return Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));
}

export function hostIfaces(): HostIface[] {
  const out: HostIface[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync('/sys/class/net');
  } catch {
    return out;
  }
  for (const name of names) {
    const dir = `/sys/class/net/${name}`;
    const ifindex = Number(readTrim(`${dir}/ifindex`));
    if (!Number.isFinite(ifindex)) continue;
    const flags = parseInt(readTrim(`${dir}/flags`) ?? '0', 16);
    out.push({
      name,
      ifindex,
      up: (flags & 1) !== 0,
      bridge: fs.existsSync(`${dir}/bridge`),
      mtu: Number(readTrim(`${dir}/mtu`)) || 1500,
      mac: parseMac(readTrim(`${dir}/address`)),
    });
  }
  return out;
}

/** Network interfaces of the namespace process pid lives in, seen through its root's /sys. */
export function containerLinks(pid: number): ContainerNet['links'] {
  const base = `/proc/${pid}/root/sys/class/net`;
  const links: ContainerNet['links'] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(base);
  } catch {
    return links;
  }
  for (const name of names) {
    if (name === 'lo') continue;
    const iflink = Number(readTrim(`${base}/${name}/iflink`));
    const ifindex = Number(readTrim(`${base}/${name}/ifindex`));
    if (!Number.isFinite(iflink) || iflink === ifindex) continue; // not a veth-like pair
    links.push({ name, iflink, mac: parseMac(readTrim(`${base}/${name}/address`)) });
  }
  return links;
}

// ---- Docker API (Engine API over /var/run/docker.sock; unversioned paths) ----

export const DOCKER_SOCK = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';

export function dockerGet<T>(path: string, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: DOCKER_SOCK, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) return reject(new Error(`docker ${path}: ${res.statusCode} ${body.trim()}`));
        try {
          resolve(JSON.parse(body) as T);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`docker ${path}: timeout`)));
    req.on('error', reject);
  });
}

/** Follows container start/die events; calls onEvent for each. Returns a stop function. */
export function dockerEvents(onEvent: (action: string, id: string) => void): () => void {
  const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['start', 'die', 'destroy'] }));
  let req: http.ClientRequest | undefined;
  let stopped = false;
  try {
    req = http.get({ socketPath: DOCKER_SOCK, path: `/events?filters=${filters}` }, (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => {
        pending += s;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          try {
            const ev = JSON.parse(line) as { Action?: string; status?: string; id?: string; Actor?: { ID?: string } };
            onEvent(ev.Action ?? ev.status ?? '', ev.Actor?.ID ?? ev.id ?? '');
          } catch {
            /* partial or foreign line */
          }
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
  } catch {
    /* no docker */
  }
  return () => {
    if (!stopped) req?.destroy();
    stopped = true;
  };
}

interface DockerListItem {
  Id: string;
  Names?: string[];
}
interface DockerInspect {
  Id: string;
  Name?: string;
  State?: { Pid?: number; Running?: boolean };
}

/** Running containers with their network links: from Docker when reachable, else from /proc. */
export async function listContainers(cache: Map<string, { name: string; pid: number }>): Promise<{ containers: ContainerNet[]; source: 'docker' | 'proc' }> {
  let list: DockerListItem[] | undefined;
  if (fs.existsSync(DOCKER_SOCK)) {
    try {
      list = await dockerGet<DockerListItem[]>('/containers/json');
    } catch {
      list = undefined;
    }
  }
  if (!list) return { containers: procContainers(), source: 'proc' };
  const out: ContainerNet[] = [];
  const alive = new Set<string>();
  for (const c of list) {
    alive.add(c.Id);
    let meta = cache.get(c.Id);
    if (!meta || !fs.existsSync(`/proc/${meta.pid}`)) {
      try {
        const ins = await dockerGet<DockerInspect>(`/containers/${c.Id}/json`);
        const pid = ins.State?.Pid ?? 0;
        if (!pid) continue;
        meta = { name: (ins.Name ?? c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''), pid };
        cache.set(c.Id, meta);
      } catch {
        continue;
      }
    }
    out.push({ id: c.Id, name: meta.name, pid: meta.pid, links: containerLinks(meta.pid) });
  }
  for (const id of cache.keys()) if (!alive.has(id)) cache.delete(id);
  return { containers: out, source: 'docker' };
}

/** Without Docker: one process per container id whose network namespace differs from ours. */
export function procContainers(): ContainerNet[] {
  let selfNet = '';
  try {
    selfNet = fs.readlinkSync('/proc/self/ns/net');
  } catch {
    return [];
  }
  const seen = new Map<string, ContainerNet>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    let ns: string;
    try {
      ns = fs.readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      continue;
    }
    if (ns === selfNet) continue;
    const cg = readTrim(`/proc/${pid}/cgroup`) ?? '';
    let id = '';
    for (const line of cg.split('\n')) {
      const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
      const m = /([0-9a-f]{64})/.exec(path);
      if (m && containerIdFromPath(path)) {
        id = m[1]!;
        break;
      }
    }
    if (!id || seen.has(id)) continue;
    seen.set(id, { id, name: id.slice(0, 12), pid, links: containerLinks(pid) });
  }
  return [...seen.values()];
}
