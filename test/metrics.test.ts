// --metrics end to end: a live capture with a busybox container running, scraped by a real
// Prometheus server (Debian's prometheus, started here on a loopback port, 1 s scrape interval),
// whose HTTP API must return the container's series with its labels. Also the exposition itself
// (format, bounded cardinality) on a replayed capture fed to the same collector. Needs root, live
// capture, docker and prometheus; under CI it FAILS instead of skipping.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TSDIG, FIXTURES, freePort, haveCmd, needs } from './helpers';
import { checkPrerequisites } from '../src/live/native';
import { dockerSkip, runContainer, removeContainers, TEST_IMAGE } from './docker';
import { MetricsCollector } from '../src/metrics/collector';
import { EventProcessor } from '../src/pipeline/processor';
import { readCapture } from '../src/scap/reader';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tag = `tsdig-metrics-${process.pid}`;
const cleanup: (() => void)[] = [];
after(() => {
  for (const f of cleanup.reverse()) {
    try {
      f();
    } catch {
      /* best effort */
    }
  }
});

/** exposition lines: comments, or `name{labels} value` */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/;

async function feedFixture(col: MetricsCollector, file: string): Promise<void> {
  const proc = new EventProcessor({ filter: null }, (c) => col.consume(c));
  proc.ctx.render = { bufFormat: 'normal', bufLimit: 80 };
  await readCapture(file, proc.engine.metadataSink((e) => proc.handle(e), () => proc.newSection()));
  col.flush();
}

test('metrics: exposition format and bounded cardinality on a replayed capture', async (t) => {
  const file = path.join(FIXTURES, 'sf-collector__mpm-preforked_full.scap');
  if (!fs.existsSync(file)) return t.skip(`skipped: ${file} is not available (../shared)`);
  const wide = new MetricsCollector({ top: 1000, idleMs: 3_600_000_000, intervalMs: 1000 });
  await feedFixture(wide, file);
  const narrow = new MetricsCollector({ top: 2, idleMs: 3_600_000_000, intervalMs: 1000 });
  await feedFixture(narrow, file);
  const text = await narrow.registry.metrics();
  for (const l of text.split('\n')) if (l && !l.startsWith('#')) assert.match(l, SAMPLE, l);
  const procs = (s: string) => new Set([...s.matchAll(/^tsdig_process_events_total\{[^}]*proc="([^"]*)"/gm)].map((m) => m[1]));
  const all = procs(await wide.registry.metrics());
  const few = procs(text);
  t.diagnostic(`process groups: ${all.size} with --metrics-top 1000, ${few.size} with --metrics-top 2 (${[...few].join(', ')})`);
  assert.ok(all.size > 3, 'the fixture has several process groups');
  assert.ok(few.size <= 3 && few.has('other'), 'top 2 + other');
  // folding loses nothing: the events add up to the same total
  const sum = (s: string, m: string) => [...s.matchAll(new RegExp(`^${m}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((a, x) => a + Number(x[1]), 0);
  const wideText = await wide.registry.metrics();
  assert.equal(sum(text, 'tsdig_process_events_total'), sum(wideText, 'tsdig_process_events_total'));
  assert.equal(sum(text, 'tsdig_container_events_total'), sum(wideText, 'tsdig_events_total'));
  assert.ok(sum(wideText, 'tsdig_container_file_bytes_total') > 0 && sum(wideText, 'tsdig_container_net_bytes_total') > 0);
});

function prereqSkip(): string | undefined {
  const pre = checkPrerequisites();
  return needs('root', process.getuid?.() === 0) ?? needs(`live capture (${pre?.message})`, !pre)
    ?? needs('prometheus (Debian package prometheus)', haveCmd('prometheus'));
}

async function promQuery(base: string, q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = (await r.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  assert.equal(j.status, 'success', JSON.stringify(j));
  return j.data.result;
}

test('--metrics: a real Prometheus scrapes a busybox container\'s series', { timeout: 180_000 }, async (t) => {
  const skip = prereqSkip() ?? (await dockerSkip());
  if (skip) return t.skip(skip);
  const name = `${tag}-bb`;
  removeContainers([name]);
  const id = runContainer(name, 'mkdir -p /tmp; i=0; while true; do echo line$i > /tmp/f; cat /tmp/f > /dev/null; i=$((i+1)); sleep 0.05; done');
  cleanup.push(() => removeContainers([name]));

  const mport = await freePort();
  const ts = cp.spawn(process.execPath, [TSDIG, '--metrics', `127.0.0.1:${mport}`, '-q', '--metrics-top', '20'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  ts.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  cleanup.push(() => ts.kill('SIGKILL'));
  for (let i = 0; i < 300 && !err.includes('capturing'); i++) {
    if (ts.exitCode !== null) assert.fail(`tsdig exited: ${err}`);
    await sleep(100);
  }
  assert.match(err, /Prometheus metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-prom-`));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pport = await freePort();
  fs.writeFileSync(path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: tsdig\n    static_configs:\n      - targets: ['127.0.0.1:${mport}']\n`);
  const prom = cp.spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${pport}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let perr = '';
  prom.stderr!.on('data', (d: Buffer) => (perr += d.toString()));
  cleanup.push(() => prom.kill('SIGKILL'));
  const base = `http://127.0.0.1:${pport}`;

  const q = `tsdig_container_syscalls_total{container="${name}"}`;
  let res: Awaited<ReturnType<typeof promQuery>> = [];
  const t0 = Date.now();
  while (Date.now() - t0 < 90_000) {
    await sleep(1000);
    if (prom.exitCode !== null) assert.fail(`prometheus exited: ${perr.slice(-2000)}`);
    try {
      res = await promQuery(base, q);
    } catch (e) {
      if ((e as Error).name === 'AssertionError') throw e;
      continue; // not up yet
    }
    if (res.some((r) => Number(r.value[1]) > 0)) break;
  }
  assert.ok(res.length > 0, `Prometheus has no series for ${q}; tsdig stderr: ${err}`);
  const m = res[0]!.metric;
  assert.equal(m.container_id, id.slice(0, 12));
  assert.equal(m.image, TEST_IMAGE);
  assert.equal(m.host, os.hostname());
  assert.equal(m.job, 'tsdig');
  assert.ok('k8s_pod' in m || m.k8s_pod === undefined, 'empty k8s labels are dropped by Prometheus');
  const byCat = Object.fromEntries(res.map((r) => [r.metric.category, Number(r.value[1])]));
  t.diagnostic(`${q} → ${JSON.stringify(byCat)}`);
  assert.ok(byCat.file! > 0, 'the loop opens files');
  assert.ok(byCat.process! > 0, 'the loop forks cat and sleep');

  await sleep(2500);
  const more = [
    `sum(tsdig_container_file_bytes_total{container="${name}"}) by (direction)`,
    `rate(tsdig_container_events_total{container="${name}"}[5s])`,
    `tsdig_container_processes{container="${name}"}`,
    `tsdig_container_cpu_seconds_total{container="${name}"}`,
    `topk(3, tsdig_process_events_total{container="${name}"})`,
    `count by (__name__) ({__name__=~"tsdig_.+"})`,
  ];
  for (const mq of more) {
    const r = await promQuery(base, mq);
    t.diagnostic(`${mq} → ${JSON.stringify(r.map((x) => [Object.fromEntries(Object.entries(x.metric).filter(([k]) => !['host', 'instance', 'job', 'image', 'container_id', 'k8s_pod', 'k8s_ns'].includes(k))), x.value[1]]))}`);
    if (!mq.startsWith('count')) assert.ok(r.length > 0, `no result for ${mq}`);
  }
  const wr = await promQuery(base, `tsdig_container_file_bytes_total{container="${name}",direction="out"}`);
  assert.ok(Number(wr[0]!.value[1]) > 0, 'the loop writes /tmp/f');
  const procs = await promQuery(base, `tsdig_process_events_total{container="${name}"}`);
  // busybox sh runs its applets through /proc/self/exe: the kernel names them "exe"
  assert.ok(procs.some((r) => r.metric.proc === 'sh') && procs.some((r) => r.metric.proc === 'exe' || r.metric.proc === 'cat'), 'a process group per command');
  ts.kill('SIGINT');
  prom.kill('SIGTERM');
});
