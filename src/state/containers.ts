// Container metadata for replay (from container events in the capture) and live capture (from the
// runtimes' APIs, src/live/runtimes). A thread's container and its runtime are derived from its
// cgroup paths, as sinsp's container engines do.
import { RawText } from '../scap/types';
import { latin1, nulList } from '../util/sanitize';

export interface ContainerInfo {
  id: string; // 12-char short id
  fullId: string;
  name: string;
  image: string;
  imageId: string;
  imageRepo: string;
  imageTag: string;
  type: string; // docker, cri-o, containerd, podman, lxc…
  privileged: boolean | undefined;
  labels: Record<string, string>;
  mounts: string[];
  ip: string;
  imageDigest?: string;
  /** health probes: undefined = none configured */
  healthcheck?: string;
  livenessProbe?: string;
  readinessProbe?: string;
  /** Kubernetes pod this container belongs to (from the CRI labels kubelet sets:
   * io.kubernetes.pod.name/namespace/uid, io.kubernetes.container.name); absent outside k8s. */
  k8s?: K8sPodInfo;
}

export interface K8sPodInfo {
  podName: string;
  podUid: string;
  namespace: string;
  containerName: string;
  /** pod labels where the runtime exposes them */
  podLabels: Record<string, string>;
}

const CT_TYPES = ['docker', 'lxc', 'libvirt-lxc', 'mesos', 'rkt', 'custom', 'cri', 'containerd', 'cri-o', 'bpm', 'static', 'podman'];

/** The runtimes a cgroup path can name (ContainerInfo.type); 'cri' is kubelet's containerd or CRI-O. */
export type Runtime = 'docker' | 'podman' | 'cri' | 'containerd' | 'nspawn' | 'libvirt-lxc' | 'lxc';

/** A container as its cgroup path names it: the runtime decides which resolver describes it. */
export interface ContainerRef {
  /** table key: 12 chars of a 64-hex id, else the whole id (ctr and nspawn ids are names) */
  id: string;
  fullId: string;
  runtime: Runtime;
  /** containerd namespace (plain containerd only) */
  ns?: string;
}

/** Returns the container id for a list of "subsys=path" cgroup entries, or '' for the host. */
export function containerIdFromCgroups(cgroups: readonly string[]): string {
  return containerRefFromCgroups(cgroups)?.id ?? '';
}

export function containerRefFromCgroups(cgroups: readonly string[]): ContainerRef | undefined {
  for (const cg of cgroups) {
    const eq = cg.indexOf('=');
    const ref = containerRefFromPath(eq >= 0 ? cg.slice(eq + 1) : cg);
    if (ref) return ref;
  }
  return undefined;
}

export function containerIdFromPath(path: string): string {
  return containerRefFromPath(path)?.id ?? '';
}

// Plain containerd (ctr, nerdctl with cgroupfs) puts a task at /<namespace>/<id>: a two-level path
// that could be anything, so it counts only for namespaces the containerd resolver has listed.
const ctrdNamespaces = new Set<string>();
let ctrdNeedles: string[] = [];

/** The containerd namespaces that exist (from the containerd API); returns whether the set changed. */
export function setContainerdNamespaces(names: Iterable<string>): boolean {
  const next = new Set(names);
  if (next.size === ctrdNamespaces.size && [...next].every((n) => ctrdNamespaces.has(n))) return false;
  ctrdNamespaces.clear();
  for (const n of next) ctrdNamespaces.add(n);
  ctrdNeedles = [...next].map((n) => `=/${n}/`);
  return true;
}

/** Cheap pre-check on a raw "subsys=path\0…" cgroup string: may any path name a container? */
export function mayBeContainerRaw(raw: string): boolean {
  if (raw.includes('docker') || raw.includes('crio') || raw.includes('containerd') || raw.includes('libpod')
    || raw.includes('kubepods') || raw.includes('lxc') || raw.includes('.scope/') || raw.includes('machine-')) return true;
  for (const n of ctrdNeedles) if (raw.includes(n)) return true;
  return false;
}

// Layouts sysdig 0.29 does not know (podman's cgroupfs /libpod_parent/libpod-ID, machined's
// machine-NAME.scope) count only in live capture, so a replay prints what `sysdig -r` prints.
let liveRules = false;

/** Live capture: also the cgroup layouts sysdig 0.29 does not know. */
export function enableLiveCgroupRules(on = true): void {
  liveRules = on;
}

const HEX64 = /([0-9a-f]{64})/;
const NSPAWN = /(?:^|\/)machine-([^/]+)\.scope(?:\/|$)/;

/** systemd unit-name unescaping (\x2d → '-') */
function unescapeUnit(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * The container a cgroup path belongs to. docker: /docker/<id>, docker-<id>.scope; podman:
 * libpod-<id>.scope, /libpod_parent/libpod-<id> (not libpod-conmon-: that is podman's monitor);
 * kubelet's CRI runtimes: cri-containerd-<id>.scope, crio-<id>.scope, /kubepods/…/<id>; plain
 * containerd: /<namespace>/<id>; systemd-nspawn / machined: machine.slice/machine-<name>.scope.
 */
export function containerRefFromPath(path: string): ContainerRef | undefined {
  if (path === '/' || path === '') return undefined;
  if (ctrdNamespaces.size > 0) {
    const seg = path.split('/');
    // "/ns/id" (seg = ['', ns, id])
    if (seg.length === 3 && seg[0] === '' && ctrdNamespaces.has(seg[1]!) && seg[2]) {
      const id = seg[2];
      return { id: /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id, fullId: id, runtime: 'containerd', ns: seg[1] };
    }
  }
  const m = HEX64.exec(path);
  if (m) {
    const before = path.slice(0, m.index);
    const full = m[1]!;
    const ref = (runtime: Runtime): ContainerRef => ({ id: full.slice(0, 12), fullId: full, runtime });
    const last = before.slice(before.lastIndexOf('/') + 1);
    if (last.startsWith('libpod-conmon-')) return undefined;
    if (last.startsWith('libpod-') && (liveRules || !before.includes('/libpod_parent/'))) return ref('podman');
    if (last.startsWith('docker-') || before.endsWith('/docker/')) return ref('docker');
    if (last.startsWith('cri-containerd-') || last.startsWith('crio-') || before.includes('kubepods')) return ref('cri');
    if (before.includes('/libpod_parent/')) return undefined;
    if (/(docker|containerd)[-/]?[^/]*$/.test(before)) return ref(before.includes('docker') ? 'docker' : 'cri');
    if (last === '') return ref('docker'); // a bare /…/<id> (older docker layouts)
  }
  const ns = liveRules ? NSPAWN.exec(path) : null;
  if (ns) {
    const name = unescapeUnit(ns[1]!);
    // libvirt names its scopes machine-lxc-<n>-<name> / machine-qemu-<n>-<name>: VMs are no containers
    if (name.startsWith('qemu-')) return undefined;
    if (name.startsWith('lxc-')) return { id: name, fullId: name, runtime: 'libvirt-lxc' };
    return { id: name, fullId: name, runtime: 'nspawn' };
  }
  const lxc = /\/lxc\/([^/]+)/.exec(path);
  if (lxc) return { id: lxc[1]!, fullId: lxc[1]!, runtime: 'lxc' };
  return undefined;
}

/** The pod of a container from the CRI labels kubelet sets on every container it creates. */
export function k8sFromLabels(labels: Record<string, string> | undefined): K8sPodInfo | undefined {
  const podName = labels?.['io.kubernetes.pod.name'];
  if (!labels || !podName) return undefined;
  return {
    podName,
    podUid: labels['io.kubernetes.pod.uid'] ?? '',
    namespace: labels['io.kubernetes.pod.namespace'] ?? '',
    containerName: labels['io.kubernetes.container.name'] ?? '',
    podLabels: {},
  };
}

/** health probes from the container JSON ("health_probes" array of {type, exe, args}) */
function probes(c: Record<string, unknown>): { healthcheck?: string; livenessProbe?: string; readinessProbe?: string } {
  const out: { healthcheck?: string; livenessProbe?: string; readinessProbe?: string } = {};
  const list = c.health_probes;
  if (!Array.isArray(list)) return out;
  for (const p of list as Array<Record<string, unknown>>) {
    const cmd = [String(p.exe ?? ''), ...((p.args as unknown[]) ?? []).map(String)].join(' ').trim();
    const t = String(p.type ?? '');
    if (t.includes('liveness')) out.livenessProbe = cmd;
    else if (t.includes('readiness')) out.readinessProbe = cmd;
    else out.healthcheck = cmd;
  }
  return out;
}

export class ContainerTable {
  private readonly map = new Map<string, ContainerInfo>();
  /**
   * cgroups of the process list's threads, from addUndescribed: turned into entries when the
   * table is first read or changed, so a replay that never looks at containers (most filters, the
   * default line) does not split and match every thread's cgroups in every section.
   */
  private undescribed: Array<string | readonly string[] | RawText> | null = null;
  /** entries set while undescribed ones are pending, applied after them (the order an eager pass gives) */
  private later: ContainerInfo[] = [];

  /** the entries by short id (reading it settles what addUndescribed left pending) */
  get byId(): Map<string, ContainerInfo> {
    if (this.undescribed !== null) this.settle();
    return this.map;
  }

  clear(): void {
    this.undescribed = null;
    this.later = [];
    this.map.clear();
  }

  get(id: string): ContainerInfo | undefined {
    return this.byId.get(id);
  }

  set(c: ContainerInfo): void {
    // a section's container events come after its first event: they need not settle the table
    if (this.undescribed !== null) this.later.push(c);
    else this.map.set(c.id, c);
  }

  /** Forgets a container (live: it died a while ago). Returns whether it was known. */
  delete(id: string): boolean {
    return this.byId.delete(id);
  }

  /** Parses the JSON of container events 272/324. */
  addJson(json: string): ContainerInfo | undefined {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(json) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const c = (o.container ?? o) as Record<string, unknown>;
    const fullId = String(c.id ?? '');
    if (!fullId) return undefined;
    const image = String(c.image ?? '');
    const info: ContainerInfo = {
      id: fullId.slice(0, 12),
      fullId,
      name: String(c.name ?? ''),
      image,
      imageId: String(c.imageid ?? ''),
      imageRepo: String(c.imagerepo ?? ''),
      imageTag: String(c.imagetag ?? ''),
      type: typeof c.type === 'number' ? CT_TYPES[c.type] ?? String(c.type) : String(c.type ?? 'docker'),
      privileged: typeof c.privileged === 'boolean' ? c.privileged : undefined,
      labels: (c.labels as Record<string, string>) ?? {},
      mounts: Array.isArray(c.Mounts) ? (c.Mounts as Array<Record<string, unknown>>).map((m) => `${m.Source}:${m.Destination}:${m.Mode ?? ''}:${m.RW ?? ''}:${m.Propagation ?? ''}`) : [],
      ip: c.ip !== undefined ? String(c.ip) : '',
      imageDigest: c.imagedigest !== undefined ? String(c.imagedigest) : undefined,
      ...probes(c),
    };
    const k8s = k8sFromLabels(info.labels);
    if (k8s) info.k8s = k8s;
    this.set(info);
    return info;
  }

  /**
   * Replay, once a section's process list is in: a Docker or podman container that a listed
   * thread's cgroup names but the capture does not describe gets an entry with its id and runtime
   * only — what sysdig 0.29.3's container engines leave for it when they cannot look it up (a file
   * read on another machine), so its container listing (lscontainers) has the same rows.
   */
  addUndescribed(threads: Iterable<{ cgroupsKept: readonly string[] | string | RawText }>): void {
    if (this.undescribed !== null) this.settle();
    // the cgroups as they are now (a later execve may change a thread's), matched when read
    const list: Array<string | readonly string[] | RawText> = [];
    for (const t of threads) list.push(t.cgroupsKept);
    this.undescribed = list;
  }

  private settle(): void {
    const list = this.undescribed!;
    this.undescribed = null;
    for (const kept of list) {
      const cg = kept instanceof RawText ? latin1(kept.buf, kept.start, kept.end) : kept;
      if (typeof cg === 'string' && !mayBeContainerRaw(cg)) continue;
      const ref = containerRefFromCgroups(typeof cg === 'string' ? nulList(cg) : cg);
      if (!ref || (ref.runtime !== 'docker' && ref.runtime !== 'podman') || this.map.has(ref.id)) continue;
      this.map.set(ref.id, { id: ref.id, fullId: ref.fullId, name: '', image: '', imageId: '', imageRepo: '', imageTag: '', type: ref.runtime, privileged: undefined, labels: {}, mounts: [], ip: '' });
    }
    for (const c of this.later) this.map.set(c.id, c);
    this.later = [];
  }

  /** Old container event 228: id, type, name, image. */
  addV0(id: string, type: number, name: string, image: string): void {
    this.set({ id: id.slice(0, 12), fullId: id, name, image, imageId: '', imageRepo: '', imageTag: '', type: CT_TYPES[type] ?? String(type), privileged: undefined, labels: {}, mounts: [], ip: '' });
  }
}
