// Live capture with real runtimes besides Docker: containerd (ctr, in a namespace of our own, with
// the io.kubernetes.* labels kubelet would set) and podman (its Docker-compatible API service).
// Each checks name, image, type and k8s.* through `tsdig -p`, and the resolvers' live start/stop
// following in-process. systemd-nspawn: only the resolver without machined (there is no systemd
// as PID 1 here); its cgroup layout is covered in k8s.test.ts. Needs root and the live probe; under CI it
// FAILS instead of skipping when a runtime is missing.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { needs } from './helpers';
import { Live, startTsdig } from './live';
import { checkPrerequisites } from '../src/live/native';
import { ContainerTable } from '../src/state/containers';
import { ContainerdResolver, namespacesWithTasks } from '../src/live/runtimes/containerd';
import { PodmanResolver } from '../src/live/runtimes/podman';
import { NspawnResolver } from '../src/live/runtimes/nspawn';
import { CTR_IMAGE, CONTAINERD_SOCK, PODMAN_IMAGE, PODMAN_LIMITS, PODMAN_SOCK, ctr, ctrRemove, ensureContainerd, ensureCtrImage, ensurePodman, ensurePodmanImage, sh } from './runtimes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOOP = 'i=0; while [ $i -lt 300 ]; do cat /etc/os-release >/dev/null; sleep 0.2; i=$((i+1)); done';
const FMT = '%container.id|%container.name|%container.type|%container.image|%k8s.pod.name|%k8s.ns.name|%k8s.pod.id|%k8s.container.name';
const k8sLabels = (pod: string) => ({ 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': 'tsdig-rt-ns', 'io.kubernetes.pod.uid': `uid-${pod}`, 'io.kubernetes.container.name': 'app' });

function liveSkip(): string | undefined {
  const pre = checkPrerequisites();
  return needs('root', process.getuid?.() === 0) ?? needs(`live capture (${pre?.message})`, !pre);
}

async function until(what: string, ok: () => boolean, ms = 15_000, live?: Live): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    if (ok()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}` + (live ? `; stdout:\n${live.stdout().slice(-2000)}\nstderr:\n${live.stderr()}` : ''));
}

/** rows of `FMT` output by container id */
function rowsById(out: string): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const l of out.split('\n').filter(Boolean)) {
    const id = l.split('|')[0]!;
    if (!m.has(id)) m.set(id, new Set());
    m.get(id)!.add(l);
  }
  return m;
}

const ctrIds: string[] = [];
const podmanNames: string[] = [];
after(() => {
  ctrRemove(ctrIds);
  if (podmanNames.length) sh('podman', ['rm', '-f', '-t', '0', ...podmanNames]);
});

async function containerdSkip(): Promise<string | undefined> {
  const e = await ensureContainerd();
  if (e) return needs(`containerd (${e})`, false);
  const i = ensureCtrImage();
  return i ? needs(`the ctr busybox image (${i})`, false) : undefined;
}

function ctrRun(id: string, labels: Record<string, string>, cmd: string): void {
  const l = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  ctrIds.push(id);
  const r = ctr(['run', '-d', ...l, CTR_IMAGE, id, 'sh', '-c', cmd]);
  if (r.status !== 0) throw new Error(`ctr run ${id}: ${r.stderr}`);
}

test('live: containerd containers (running before and started during the capture) with k8s labels', { timeout: 120_000 }, async (t) => {
  const skip = liveSkip() ?? (await containerdSkip());
  if (skip) return t.skip(skip);
  ctrRemove(['tsdig-rt-pre', 'tsdig-rt-new']);
  ctrRun('tsdig-rt-pre', k8sLabels('tsdig-rt-pod-a'), LOOP);
  const live = startTsdig(['-p', FMT, 'container.type=containerd and fd.name=/etc/os-release']);
  try {
    await live.ready;
    ctrRun('tsdig-rt-new', { ...k8sLabels('tsdig-rt-pod-b'), 'io.kubernetes.container.name': 'web' }, LOOP);
    await until('events of both containers', () => live.stdout().includes('tsdig-rt-pre|') && live.stdout().includes('tsdig-rt-new|'), 30_000, live);
    await sleep(500);
  } finally {
    await live.stop();
  }
  const rows = rowsById(live.stdout());
  assert.deepEqual([...rows.get('tsdig-rt-pre') ?? []], [`tsdig-rt-pre|app|containerd|${CTR_IMAGE}|tsdig-rt-pod-a|tsdig-rt-ns|uid-tsdig-rt-pod-a|app`]);
  // started after tsdig: the first events may come before its metadata (then the name is the id)
  const news = [...rows.get('tsdig-rt-new') ?? []];
  assert.ok(news.includes(`tsdig-rt-new|web|containerd|${CTR_IMAGE}|tsdig-rt-pod-b|tsdig-rt-ns|uid-tsdig-rt-pod-b|web`), news.join('\n'));
  assert.doesNotMatch(live.stderr(), /containerd: cannot reach/);
});

test('live: containerd running no task at start is reached once the capture runs, and names a container started then', { timeout: 120_000 }, async (t) => {
  const skip = liveSkip() ?? (await containerdSkip());
  if (skip) return t.skip(skip);
  ctrRemove(['tsdig-rt-pre', 'tsdig-rt-new', 'tsdig-rt-late']);
  // the case tsdig puts the gRPC connection off for (start-up without the gRPC stack)
  assert.deepEqual(namespacesWithTasks(CONTAINERD_SOCK), [], 'containerd still runs tasks outside moby: the put-off start is not what this test sees');
  const live = startTsdig(['-p', FMT, 'container.type=containerd and fd.name=/etc/os-release']);
  try {
    await live.ready;
    ctrRun('tsdig-rt-late', k8sLabels('tsdig-rt-pod-c'), LOOP);
    await until('named events of the container started after tsdig', () => live.stdout().includes(`tsdig-rt-late|app|containerd|${CTR_IMAGE}|tsdig-rt-pod-c|`), 30_000, live);
  } finally {
    await live.stop();
    ctrRemove(['tsdig-rt-late']);
  }
  assert.doesNotMatch(live.stderr(), /containerd: cannot reach/);
});

test('live: the containerd resolver follows task start and exit (entry added, then pruned)', { timeout: 60_000 }, async (t) => {
  const skip = await containerdSkip();
  if (skip) return t.skip(skip);
  ctrRemove(['tsdig-rt-ev']);
  const table = new ContainerTable();
  const warns: string[] = [];
  const r = new ContainerdResolver(table, { socketPath: CONTAINERD_SOCK, pruneAfterMs: 300, warn: (m) => warns.push(m) });
  try {
    await r.start();
    assert.ok(r.up, warns.join('\n'));
    ctrRun('tsdig-rt-ev', k8sLabels('tsdig-rt-pod-ev'), 'sleep 2');
    await until('the started container in the table', () => table.get('tsdig-rt-ev')?.image === CTR_IMAGE);
    assert.equal(table.get('tsdig-rt-ev')?.k8s?.podName, 'tsdig-rt-pod-ev');
    await until('the exited container pruned', () => !table.get('tsdig-rt-ev'), 20_000);
    assert.ok(r.sizes()['containerd.pruned']! >= 1);
    assert.deepEqual(warns, []);
  } finally {
    r.stop();
  }
});

async function podmanSkip(): Promise<string | undefined> {
  const e = await ensurePodman();
  if (e) return needs(`podman (${e})`, false);
  const i = ensurePodmanImage();
  return i ? needs(`the podman busybox image (${i})`, false) : undefined;
}

function podmanRun(name: string, labels: Record<string, string>, cmd: string): string {
  podmanNames.push(name);
  const l = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const r = sh('podman', ['run', '-d', '--name', name, ...PODMAN_LIMITS, ...l, PODMAN_IMAGE, 'sh', '-c', cmd], 120_000);
  if (r.status !== 0) throw new Error(`podman run ${name}: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!.slice(0, 12);
}

test('live: podman containers through its Docker-compatible API, with k8s labels', { timeout: 180_000 }, async (t) => {
  const skip = liveSkip() ?? (await podmanSkip());
  if (skip) return t.skip(skip);
  sh('podman', ['rm', '-f', '-t', '0', 'tsdig-rt-p1']);
  const live = startTsdig(['-p', FMT, 'container.type=podman and fd.name=/etc/os-release']);
  let id = '';
  try {
    await live.ready;
    id = podmanRun('tsdig-rt-p1', k8sLabels('tsdig-rt-pod-p'), LOOP);
    await until('events of the podman container', () => live.stdout().includes(`${id}|tsdig-rt-p1|`), 40_000, live);
  } finally {
    await live.stop();
  }
  const rows = [...rowsById(live.stdout()).get(id) ?? []];
  assert.ok(rows.includes(`${id}|tsdig-rt-p1|podman|${PODMAN_IMAGE}|tsdig-rt-pod-p|tsdig-rt-ns|uid-tsdig-rt-pod-p|app`), rows.join('\n'));
  assert.doesNotMatch(live.stderr(), /podman: cannot reach/);
});

test('live: the podman resolver follows start and die', { timeout: 120_000 }, async (t) => {
  const skip = await podmanSkip();
  if (skip) return t.skip(skip);
  sh('podman', ['rm', '-f', '-t', '0', 'tsdig-rt-p2']);
  const table = new ContainerTable();
  const warns: string[] = [];
  const r = new PodmanResolver(table, { socketPath: PODMAN_SOCK, pruneAfterMs: 300, warn: (m) => warns.push(m) });
  try {
    await r.start();
    const id = podmanRun('tsdig-rt-p2', {}, 'sleep 2');
    await until('the started container in the table', () => table.get(id)?.name === 'tsdig-rt-p2', 30_000);
    assert.equal(table.get(id)?.type, 'podman');
    await until('the dead container pruned', () => !table.get(id), 30_000);
    assert.ok(r.sizes()['podman.pruned']! >= 1);
    assert.deepEqual(warns, []);
  } finally {
    r.stop();
  }
});

test('nspawn resolver without machinectl: names from the path, silently', async () => {
  const table = new ContainerTable();
  const r = new NspawnResolver(table, { machinectl: '/nonexistent/machinectl' });
  await r.start();
  r.want({ id: 'web-1', fullId: 'web-1', runtime: 'nspawn' });
  await until('machinectl found missing', () => !r.machined, 5000);
  assert.equal(table.get('web-1')?.name, 'web-1');
  assert.equal(table.get('web-1')?.type, 'nspawn');
  r.stop();
});

test('live: a missing runtime is silent, an unreachable one warns once', { timeout: 60_000 }, async (t) => {
  const skip = liveSkip();
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-rt-sock-'));
  const stale = path.join(dir, 'containerd.sock');
  // a socket file nobody listens on (the daemon died)
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(stale, r));
  await new Promise<void>((r) => srv.close(() => r()));
  if (!fs.existsSync(stale)) fs.writeFileSync(stale, '');
  try {
    const missing = startTsdig(['-M', '3', '-q'], { TSDIG_CONTAINERD_SOCKET: path.join(dir, 'none.sock'), TSDIG_PODMAN_SOCKET: path.join(dir, 'none2.sock') });
    await missing.exited;
    assert.doesNotMatch(missing.stderr(), /containerd|podman/, missing.stderr());
    const dead = startTsdig(['-M', '5', '-q'], { TSDIG_CONTAINERD_SOCKET: stale });
    await dead.exited;
    const w = dead.stderr().split('\n').filter((l) => l.includes('containerd'));
    assert.equal(w.length, 1, dead.stderr());
    assert.match(w[0]!, /containerd: cannot reach .*containerd\.sock .*container names fall back to ids; retrying in the background/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
