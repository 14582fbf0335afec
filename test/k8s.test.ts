// Container runtimes and Kubernetes without a daemon: which runtime each cgroup layout names, the
// pod a container's CRI labels give, and replay of a capture that carries the k8s API objects
// (bencer-troubleshooting) compared byte for byte with sysdig 0.29, plus the Pods and Namespaces
// views and their drill-down to containers and processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, ROOT, TSDIG, firstDiff, haveCmd, needs, sysdig, tsdig } from './helpers';
import { containerRefFromPath, containerRefFromCgroups, enableLiveCgroupRules, k8sFromLabels, mayBeContainerRaw, setContainerdNamespaces } from '../src/state/containers';
import { K8sState } from '../src/state/k8s';
import { Tmux } from './tmux';

const BENCER = path.join(FIXTURES, 'bencer-troubleshooting__capture.scap');
const H = 'e3c4d8a0b4f1b5c6d7e8f90123456789abcdef0123456789abcdef0123456789';

test('cgroup paths name the container and its runtime', () => {
  // replay knows what sysdig 0.29 knows: no podman cgroupfs layout, no machined scopes
  assert.equal(containerRefFromPath(`/libpod_parent/libpod-${H}`), undefined);
  assert.equal(containerRefFromPath('/machine.slice/machine-web\\x2d1.scope'), undefined);
  enableLiveCgroupRules();
  const cases: Array<[string, string | undefined, string | undefined]> = [
    [`/docker/${H}`, H.slice(0, 12), 'docker'],
    [`/system.slice/docker-${H}.scope`, H.slice(0, 12), 'docker'],
    [`/machine.slice/libpod-${H}.scope`, H.slice(0, 12), 'podman'],
    [`/libpod_parent/libpod-${H}`, H.slice(0, 12), 'podman'],
    [`/machine.slice/libpod-conmon-${H}.scope`, undefined, undefined], // podman's monitor, not the container
    [`/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:${H}`, H.slice(0, 12), 'cri'],
    [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/cri-containerd-${H}.scope`, H.slice(0, 12), 'cri'],
    [`/kubepods/besteffort/pod0b1d2c3e-aaaa-bbbb-cccc-000000000000/${H}`, H.slice(0, 12), 'cri'],
    [`/kubepods.slice/kubepods-pod1.slice/crio-${H}.scope`, H.slice(0, 12), 'cri'],
    ['/machine.slice/machine-web\\x2d1.scope', 'web-1', 'nspawn'],
    ['/machine.slice/machine-web\\x2d1.scope/payload', 'web-1', 'nspawn'],
    ['/machine.slice/machine-qemu\\x2d1\\x2dvm.scope', undefined, undefined], // a VM
    ['/machine.slice/machine-lxc\\x2d12\\x2dbox.scope', 'lxc-12-box', 'libvirt-lxc'],
    ['/lxc/box1', 'box1', 'lxc'],
    ['/user.slice/user-0.slice/session-1.scope', undefined, undefined],
    ['/process_api/032746bd6ef433720bcfde9fc22348bd', undefined, undefined],
    ['/', undefined, undefined],
  ];
  for (const [p, id, rt] of cases) {
    const r = containerRefFromPath(p);
    assert.equal(r?.id, id, p);
    assert.equal(r?.runtime, rt, p);
  }
  // plain containerd: /<namespace>/<id> counts only for namespaces containerd has
  assert.equal(containerRefFromPath('/h13-unit/web'), undefined);
  assert.equal(mayBeContainerRaw('cpu=/h13-unit/web\0'), false);
  assert.ok(setContainerdNamespaces(['h13-unit', 'moby']));
  assert.ok(!setContainerdNamespaces(['moby', 'h13-unit']), 'same set: no change');
  assert.deepEqual(containerRefFromPath('/h13-unit/web'), { id: 'web', fullId: 'web', runtime: 'containerd', ns: 'h13-unit' });
  assert.equal(containerRefFromPath(`/h13-unit/${H}`)?.id, H.slice(0, 12));
  assert.equal(containerRefFromPath('/h13-unit/web/sub'), undefined);
  assert.ok(mayBeContainerRaw('cpu=/h13-unit/web\0'));
  assert.equal(containerRefFromCgroups(['cpuset=/', 'memory=/h13-unit/web'])?.runtime, 'containerd');
  setContainerdNamespaces([]);
  assert.equal(containerRefFromPath('/h13-unit/web'), undefined);
  enableLiveCgroupRules(false);
});

test('the CRI labels give the pod', () => {
  assert.equal(k8sFromLabels({ a: 'b' }), undefined);
  assert.deepEqual(
    k8sFromLabels({ 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': 'u-1', 'io.kubernetes.container.name': 'nginx' }),
    { podName: 'web-0', podUid: 'u-1', namespace: 'shop', containerName: 'nginx', podLabels: {} },
  );
});

test('k8s state: pods by container, selectors, deletions, bad JSON', () => {
  const k = new K8sState();
  assert.equal(k.apply('{not json'), false);
  assert.equal(k.apply('{"kind":"Widget","items":[]}'), false);
  assert.ok(k.apply(JSON.stringify({ kind: 'Pod', type: 'ADDED', items: [{ name: 'p', uid: 'u', namespace: 'n', labels: { app: 'a' }, containerStatuses: [{ containerID: `containerd://${H}` }] }] })));
  assert.ok(k.apply(JSON.stringify({ kind: 'Service', type: 'ADDED', items: [{ name: 's', uid: 'su', namespace: 'n', selector: { app: 'a' } }, { name: 'all', uid: 'x', namespace: 'n', selector: null }] })));
  const p = k.podOfContainer(H.slice(0, 12));
  assert.equal(p?.name, 'p');
  assert.deepEqual(k.selecting('Service', p!).map((o) => o.name), ['s']);
  k.apply(JSON.stringify({ kind: 'Pod', type: 'DELETED', items: [{ name: 'p', uid: 'u', namespace: 'n' }] }));
  assert.equal(k.podOfContainer(H.slice(0, 12)), undefined);
});

const FMT = '*%evt.num %container.name %k8s.pod.name %k8s.pod.id %k8s.ns.name %k8s.ns.id %k8s.pod.labels %k8s.pod.label.app %k8s.rc.name %k8s.rs.name %k8s.rs.labels %k8s.svc.name %k8s.svc.id %k8s.deployment.name %k8s.ns.labels';

test('replay: k8s.* fields of the bencer capture match sysdig 0.29 byte for byte', (t) => {
  const skip = needs('fixture ' + BENCER, fs.existsSync(BENCER)) ?? needs('sysdig', haveCmd('sysdig'));
  if (skip) return t.skip(skip);
  for (const [fmt, filter] of [[FMT, ''], ['%evt.num %proc.name %k8s.pod.name', 'k8s.ns.name=kube-system and k8s.pod.label.app=kubernetes-dashboard'], ['%evt.num %k8s.svc.name', 'k8s.pod.name startswith backend']]) {
    const args = ['-r', BENCER, '-p', fmt!, ...(filter ? [filter] : [])];
    const s = sysdig(args);
    const o = tsdig(args);
    assert.equal(o.status, 0, o.stderr.toString());
    assert.ok(o.stdout.length > 0);
    assert.ok(s.stdout.equals(o.stdout), `${fmt} ${filter}: ${firstDiff(s.stdout, o.stdout)}`);
  }
  // what sysdig 0.29 prints for the k8s_-named docker containers (from the capture's k8s events)
  const pods = new Set(tsdig(['-r', BENCER, '-p', '%k8s.pod.name|%k8s.ns.name|%k8s.rs.name|%k8s.deployment.name|%k8s.svc.name']).stdout.toString().trim().split('\n'));
  assert.deepEqual([...pods].sort(), [
    'backend-1440326531-csj02|critical-app|backend-1440326531|backend|backend',
    'kubernetes-dashboard-1112383990-2j6t7|kube-system|kubernetes-dashboard-1112383990|kubernetes-dashboard|kubernetes-dashboard',
  ]);
});

test('Pods and Namespaces views of the bencer capture; pod → containers → processes', (t) => {
  const skip = needs('fixture ' + BENCER, fs.existsSync(BENCER));
  if (skip) return t.skip(skip);
  const snap = (view: string, filter?: string) => {
    const r = tsdig(['-r', BENCER, '--snapshot', view, ...(filter ? [filter] : [])]);
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout.toString();
  };
  const pods = snap('k8s_pods');
  assert.match(pods, /^Viewing: K8s Pods/m);
  assert.match(pods, /^\s*1481\s+1\s+2\s.*critical-app\s+client$/m);
  assert.match(pods, /kube-system\s+kubernetes-dashboard-1112383990-2j6t7$/m);
  assert.match(pods, /critical-app\s+backend-1440326531-csj02$/m);
  const ns = snap('k8s_namespaces');
  assert.match(ns, /^\s*1517\s+2\s+2\s+3\s.*critical-app$/m);
  assert.match(ns, /^\s*385\s+1\s+1\s+1\s.*kube-system$/m);
  // the drill-down filters the UI pushes
  const cont = snap('containers', 'k8s.pod.id="da587b4d-bd5a-11e6-8bdb-028ce2cfb533"');
  assert.match(cont, /k8s_client\.eee910bc/);
  assert.doesNotMatch(cont, /k8s-proxy|dashboard/);
  const procs = snap('procs', 'container.id="b3a718d8b339"');
  assert.match(procs, /curl/);
});

test('UI in tmux: K8s Pods → Enter → the pod\'s containers → Enter → its processes', async (t) => {
  const skip = needs('fixture ' + BENCER, fs.existsSync(BENCER)) ?? needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const tm = new Tmux();
  try {
    tm.start(`sh -c 'cd ${ROOT} && TERM=xterm node ${TSDIG} -r ${BENCER} --ui 2>/dev/null; sleep 60'`);
    await tm.waitFor(/^Viewing: Containers/m, 'the Containers start view');
    tm.keys('v');
    await tm.waitFor(/K8s Pods/, 'the view picker');
    tm.keys('K'); // type-ahead: K8s Namespaces, then K8s Pods
    tm.keys('K');
    tm.keys('Enter');
    let s = await tm.waitFor(/^Viewing: K8s Pods[^]*client/m, 'the K8s Pods view');
    assert.match(s, /NAMESPACE\s+POD/);
    tm.keys('Enter'); // the busiest pod: client
    s = await tm.waitFor(/^Viewing: Containers\s+For: K8s Pods: k8s\.pod\.id="da587b4d-bd5a-11e6-8bdb/m, 'the containers of the pod');
    s = await tm.waitFor(/k8s_client/, 'the client container');
    tm.keys('Enter');
    s = await tm.waitFor(/^Viewing: Processes\s+For: K8s Pods: k8s\.pod\.id=/m, 'the processes of the container');
    await tm.waitFor(/curl/, 'curl in the container');
  } finally {
    tm.kill();
  }
});
