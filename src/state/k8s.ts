// Kubernetes state carried in a capture: sysdig (≤ 0.29) wrote the API server's objects into its
// captures as `k8s` events (JSON: {kind, type: ADDED|MODIFIED|DELETED, items: […]}), and in replay
// its k8s.* fields come from them: a container belongs to the pod whose containerStatuses name its
// id; the pod's replica set, replication controller, service(s) and deployment are the objects of
// its namespace whose selector its labels match. Live, the pod comes from the CRI labels on the
// container instead (ContainerInfo.k8s).

export interface K8sObject {
  kind: string;
  name: string;
  uid: string;
  namespace: string;
  labels: Record<string, string>;
  /** label selector (controllers, services); undefined = matches nothing */
  selector?: Record<string, string>;
  /** pods: short (12-char) ids of their containers */
  containers?: string[];
}

const KINDS = ['Namespace', 'Pod', 'ReplicationController', 'ReplicaSet', 'Service', 'Deployment', 'DaemonSet', 'Node'];

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

function parseItem(kind: string, it: Record<string, unknown>): K8sObject {
  const o: K8sObject = { kind, name: String(it.name ?? ''), uid: String(it.uid ?? ''), namespace: String(it.namespace ?? ''), labels: strMap(it.labels) };
  if (it.selector && typeof it.selector === 'object') {
    const sel = strMap(it.selector);
    if (Object.keys(sel).length) o.selector = sel;
  }
  if (kind === 'Pod') {
    o.containers = [];
    for (const cs of Array.isArray(it.containerStatuses) ? (it.containerStatuses as Array<Record<string, unknown>>) : []) {
      const id = String(cs.containerID ?? '');
      const sep = id.indexOf('://');
      const raw = sep >= 0 ? id.slice(sep + 3) : id;
      if (raw) o.containers.push(raw.slice(0, 12));
    }
  }
  return o;
}

export class K8sState {
  /** objects by kind, then uid (insertion order kept: the first matching controller wins) */
  private byKind = new Map<string, Map<string, K8sObject>>();
  private podByContainer = new Map<string, K8sObject>();
  private nsByName = new Map<string, K8sObject>();
  /** bumped on every change, so derived lookups can be cached per pod */
  version = 0;
  private derived = new Map<string, K8sObject[] | undefined>();

  clear(): void {
    this.byKind = new Map();
    this.podByContainer = new Map();
    this.nsByName = new Map();
    this.derived = new Map();
    this.version++;
  }

  /** Shares the other state's objects (checkpoints: k8s state changes rarely, so maps are replaced, never mutated in place). */
  copyFrom(o: K8sState): void {
    this.byKind = new Map([...o.byKind].map(([k, m]) => [k, new Map(m)]));
    this.podByContainer = new Map(o.podByContainer);
    this.nsByName = new Map(o.nsByName);
    this.derived = new Map();
    this.version++;
  }

  get empty(): boolean {
    return this.byKind.size === 0;
  }

  /** Applies the JSON of one k8s event; returns false when it is not understood. */
  apply(json: string): boolean {
    let d: Record<string, unknown>;
    try {
      d = JSON.parse(json) as Record<string, unknown>;
    } catch {
      return false;
    }
    const kind = String(d.kind ?? '');
    if (!KINDS.includes(kind) || !Array.isArray(d.items)) return false;
    const del = d.type === 'DELETED';
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    for (const raw of d.items as Array<Record<string, unknown>>) {
      if (!raw || typeof raw !== 'object') continue;
      const o = parseItem(kind, raw);
      const old = m.get(o.uid);
      if (old?.containers) for (const c of old.containers) if (this.podByContainer.get(c) === old) this.podByContainer.delete(c);
      if (old && kind === 'Namespace' && this.nsByName.get(old.name) === old) this.nsByName.delete(old.name);
      if (del) {
        m.delete(o.uid);
        continue;
      }
      m.set(o.uid, o);
      if (o.containers) for (const c of o.containers) this.podByContainer.set(c, o);
      if (kind === 'Namespace') this.nsByName.set(o.name, o);
    }
    this.derived.clear();
    this.version++;
    return true;
  }

  podOfContainer(id: string): K8sObject | undefined {
    return this.podByContainer.get(id);
  }

  namespace(name: string): K8sObject | undefined {
    return this.nsByName.get(name);
  }

  podByUid(uid: string): K8sObject | undefined {
    return this.byKind.get('Pod')?.get(uid);
  }

  /** The objects of `kind` in the pod's namespace whose selector the pod's labels satisfy. */
  selecting(kind: string, pod: K8sObject): K8sObject[] {
    const key = `${kind}\0${pod.uid}`;
    let r = this.derived.get(key);
    if (r === undefined) {
      r = [];
      for (const o of this.byKind.get(kind)?.values() ?? []) {
        if (o.namespace !== pod.namespace || !o.selector) continue;
        if (Object.entries(o.selector).every(([k, v]) => pod.labels[k] === v)) r.push(o);
      }
      this.derived.set(key, r);
    }
    return r;
  }
}

/** sysdig's k8s.*.labels text: "k1:v1, k2:v2" */
export function labelsText(l: Record<string, string>): string {
  return Object.entries(l).map(([k, v]) => `${k}:${v}`).join(', ');
}
