// deploy/: the DaemonSet manifest and the image's Dockerfile, checked without a cluster or a
// registry: the YAML parses (the `yaml` package), the pod has what live capture needs (host PID,
// privileges, BTF, cgroups, runtime sockets read-only), a metrics port that the args really
// serve (parsed by tsdig's own flag parser), resource limits; the Dockerfile builds on Debian 12.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './helpers';
import { parseArgs } from '../src/cli/options';
import { parseListen } from '../src/metrics/prometheus';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('deploy/daemonset.yaml: a DaemonSet that can capture and serves /metrics', () => {
  const docs = parseAllDocuments(fs.readFileSync(path.join(ROOT, 'deploy', 'daemonset.yaml'), 'utf8'));
  for (const d of docs) assert.deepEqual(d.errors, [], 'YAML errors');
  const objs = docs.map((d) => d.toJS() as Obj);
  const ds = objs.find((o) => o.kind === 'DaemonSet');
  assert.ok(ds, 'a DaemonSet');
  assert.equal(ds.apiVersion, 'apps/v1');
  assert.deepEqual(ds.spec.selector.matchLabels, ds.spec.template.metadata.labels);
  const pod = ds.spec.template.spec as Obj;
  assert.equal(pod.hostPID, true);
  const c = (pod.containers as Obj[])[0]!;
  assert.ok(c.securityContext.privileged === true || ['BPF', 'PERFMON'].every((k) => c.securityContext.capabilities?.add?.includes(k)), 'privileged or CAP_BPF + CAP_PERFMON');
  const vols = new Map((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
  const mounts = c.volumeMounts as Obj[];
  const hostMount = (hostPath: string) => mounts.find((m) => vols.get(m.name)?.hostPath?.path === hostPath);
  for (const p of ['/sys/kernel/btf', '/sys/fs/cgroup', '/run/containerd/containerd.sock', '/var/run/docker.sock', '/run/crio/crio.sock']) {
    const m = hostMount(p);
    assert.ok(m, `${p} is mounted`);
    assert.equal(m.readOnly, true, `${p} is read-only`);
  }
  assert.equal(hostMount('/sys/kernel/btf')!.mountPath, '/sys/kernel/btf');
  // tsdig finds the cgroups where the env says
  const env = new Map((c.env as Obj[]).map((e) => [e.name as string, e.value as string | undefined]));
  assert.equal(env.get('TSDIG_CGROUP_ROOT'), hostMount('/sys/fs/cgroup')!.mountPath);
  assert.equal(env.get('TSDIG_DOCKER_SOCKET'), hostMount('/var/run/docker.sock')!.mountPath);
  // the args are real tsdig flags, serving metrics on the declared port, without printing events
  const o = parseArgs(c.args as string[]);
  assert.ok(o.metrics, 'args include --metrics');
  assert.equal(o.quiet, true);
  const listen = parseListen(o.metrics!);
  assert.equal(listen.host, '0.0.0.0');
  const port = (c.ports as Obj[]).find((p) => p.name === 'metrics');
  assert.equal(port?.containerPort, listen.port);
  assert.equal(ds.spec.template.metadata.annotations['prometheus.io/port'], String(listen.port));
  assert.equal(c.readinessProbe.httpGet.path, '/metrics');
  for (const k of ['cpu', 'memory']) {
    assert.ok(c.resources.limits[k], `limits.${k}`);
    assert.ok(c.resources.requests[k], `requests.${k}`);
  }
  const svc = objs.find((x) => x.kind === 'Service');
  assert.equal(svc?.spec.ports[0].port, listen.port);
});

test('deploy/Dockerfile: builds tsdig on Debian 12 with the native deps and runs it', () => {
  const df = fs.readFileSync(path.join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const from = [...df.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(from.length >= 1 && from.every((f) => /^debian:12/.test(f!)), `FROM debian:12: ${from}`);
  for (const pkg of ['clang', 'llvm', 'libbpf-dev', 'libelf-dev', 'zlib1g-dev', 'bpftool', 'libpcap-dev', 'nodejs', 'libbpf1', 'libpcap0.8']) {
    assert.match(df, new RegExp(`\\b${pkg.replace('.', '\\.')}\\b`), pkg);
  }
  assert.match(df, /npm ci\b/);
  assert.match(df, /ENTRYPOINT \["\/opt\/tsdig\/bin\/tsdig"\]/);
  const cmd = /^CMD (\[.*\])$/m.exec(df);
  assert.ok(cmd, 'a default CMD');
  assert.ok(parseArgs(JSON.parse(cmd[1]!) as string[]).metrics, 'the default CMD serves metrics');
});
