// k8s.* fields: the Kubernetes pod (and, where the capture carries the API objects, its namespace,
// controllers and services) of the thread's container. Replay: from the capture's k8s events, as
// sysdig 0.29 does; live: from the CRI labels kubelet puts on every container (ContainerInfo.k8s).
import { FieldSpec } from './registry';
import { EventCtx } from './context';
import { K8sObject, labelsText } from '../state/k8s';
import { K8sPodInfo } from '../state/containers';

/** the pod as the capture's k8s state knows it, else as the container's labels say */
function pod(c: EventCtx): K8sObject | K8sPodInfo | undefined {
  const t = c.s.thread;
  if (!t || !t.containerId) return undefined;
  return c.s.k8s.podOfContainer(t.containerId) ?? c.s.containers.get(t.containerId)?.k8s;
}

const isObj = (p: K8sObject | K8sPodInfo): p is K8sObject => (p as K8sObject).kind !== undefined;
const podName = (p: K8sObject | K8sPodInfo) => (isObj(p) ? p.name : p.podName);
const podUid = (p: K8sObject | K8sPodInfo) => (isObj(p) ? p.uid : p.podUid);
const podLabels = (p: K8sObject | K8sPodInfo) => (isObj(p) ? p.labels : p.podLabels);

function nsObj(c: EventCtx): K8sObject | undefined {
  const p = pod(c);
  return p ? c.s.k8s.namespace(p.namespace) : undefined;
}

/** the objects of a kind selecting the pod (only with the capture's k8s state) */
function owners(c: EventCtx, kind: string): K8sObject[] | undefined {
  const p = pod(c);
  if (!p || !isObj(p)) return undefined;
  const r = c.s.k8s.selecting(kind, p);
  return r.length ? r : undefined;
}

function labelField(name: string, labels: (c: EventCtx) => Record<string, string> | undefined, what: string): FieldSpec {
  return {
    name, type: 'string', desc: `Kubernetes ${what} label, e.g. '${name}.foo'`, arg: 'required', dottedArg: true,
    withArg: (a) => ({ value: (c) => labels(c)?.[a!] }),
  };
}

/** name, id, label and labels fields of a controller/service kind */
function ownerFields(prefix: string, kind: string, what: string): FieldSpec[] {
  // services may be several: their values are joined, as sysdig concatenates them
  const join = (c: EventCtx, f: (o: K8sObject) => string) => owners(c, kind)?.map(f).join(', ');
  return [
    { name: `k8s.${prefix}.name`, type: 'string', desc: `Kubernetes ${what} name`, value: (c) => join(c, (o) => o.name) },
    { name: `k8s.${prefix}.id`, type: 'string', desc: `Kubernetes ${what} id`, value: (c) => join(c, (o) => o.uid) },
    labelField(`k8s.${prefix}.label`, (c) => owners(c, kind)?.[0]?.labels, what),
    { name: `k8s.${prefix}.labels`, type: 'string', desc: `Kubernetes ${what} labels, 'foo1:bar1, foo2:bar2'`, value: (c) => join(c, (o) => labelsText(o.labels)) },
  ];
}

export const K8S_FIELDS: FieldSpec[] = [
  { name: 'k8s.pod.name', type: 'string', desc: 'Kubernetes pod name', value: (c) => { const p = pod(c); return p ? podName(p) : undefined; } },
  { name: 'k8s.pod.id', type: 'string', desc: 'Kubernetes pod id (uid)', value: (c) => { const p = pod(c); return p ? podUid(p) || undefined : undefined; } },
  labelField('k8s.pod.label', (c) => { const p = pod(c); return p ? podLabels(p) : undefined; }, 'pod'),
  { name: 'k8s.pod.labels', type: 'string', desc: "Kubernetes pod labels, 'foo1:bar1, foo2:bar2'", value: (c) => { const p = pod(c); return p ? labelsText(podLabels(p)) : undefined; } },
  { name: 'k8s.container.name', type: 'string', desc: 'Kubernetes container name (the CRI label io.kubernetes.container.name)', value: (c) => { const t = c.s.thread; return t && t.containerId ? c.s.containers.get(t.containerId)?.k8s?.containerName || undefined : undefined; } },
  { name: 'k8s.ns.name', type: 'string', desc: 'Kubernetes namespace name', value: (c) => pod(c)?.namespace || undefined },
  { name: 'k8s.ns.id', type: 'string', desc: 'Kubernetes namespace id', value: (c) => nsObj(c)?.uid },
  labelField('k8s.ns.label', (c) => nsObj(c)?.labels, 'namespace'),
  { name: 'k8s.ns.labels', type: 'string', desc: "Kubernetes namespace labels, 'foo1:bar1, foo2:bar2'", value: (c) => { const n = nsObj(c); return n ? labelsText(n.labels) : undefined; } },
  ...ownerFields('rc', 'ReplicationController', 'replication controller'),
  ...ownerFields('rs', 'ReplicaSet', 'replica set'),
  ...ownerFields('svc', 'Service', 'service'),
  ...ownerFields('deployment', 'Deployment', 'deployment'),
];
