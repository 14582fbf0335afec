// Container metadata for replay (from container events in the capture) and, later, live capture
// (from Docker). A thread's container is derived from its cgroup paths, as sinsp's container
// engines do.

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

/** Returns the container id (12 chars) for a list of "subsys=path" cgroup entries, or '' for the host. */
export function containerIdFromCgroups(cgroups: readonly string[]): string {
  for (const cg of cgroups) {
    const eq = cg.indexOf('=');
    const path = eq >= 0 ? cg.slice(eq + 1) : cg;
    const id = containerIdFromPath(path);
    if (id) return id;
  }
  return '';
}

const HEX64 = /([0-9a-f]{64})/;

export function containerIdFromPath(path: string): string {
  // docker: /docker/<id>, /system.slice/docker-<id>.scope; cri-o: crio-<id>.scope; containerd: cri-containerd-<id>.scope;
  // kubepods: /kubepods/.../<id>; podman: libpod-<id>.scope
  if (path === '/' || path === '') return '';
  const m = HEX64.exec(path);
  if (m) {
    const before = path.slice(0, m.index);
    if (/(docker|crio|cri-containerd|libpod|kubepods|containerd)[-/]?[^/]*$/.test(before) || before.endsWith('/')) {
      return m[1]!.slice(0, 12);
    }
  }
  const lxc = /\/lxc\/([^/]+)/.exec(path);
  if (lxc) return lxc[1]!;
  return '';
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
  readonly byId = new Map<string, ContainerInfo>();

  clear(): void {
    this.byId.clear();
  }

  get(id: string): ContainerInfo | undefined {
    return this.byId.get(id);
  }

  set(c: ContainerInfo): void {
    this.byId.set(c.id, c);
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
    this.set(info);
    return info;
  }

  /** Old container event 228: id, type, name, image. */
  addV0(id: string, type: number, name: string, image: string): void {
    this.set({ id: id.slice(0, 12), fullId: id, name, image, imageId: '', imageRepo: '', imageTag: '', type: CT_TYPES[type] ?? String(type), privileged: undefined, labels: {}, mounts: [], ip: '' });
  }
}
