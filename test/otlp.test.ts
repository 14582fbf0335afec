// --otlp: the metrics pushed as OTLP/HTTP JSON (ExportMetricsServiceRequest) to a receiver started
// here on a loopback port, which checks every payload's structure: resourceMetrics → scopeMetrics
// → metrics with monotonic cumulative sums or gauges, data points with attributes and times.
// The live part needs root, live capture and docker; under CI it FAILS instead of skipping.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { TSDIG, FIXTURES, needs } from './helpers';
import { checkPrerequisites } from '../src/live/native';
import { dockerSkip, runContainer, removeContainers } from './docker';
import { MetricsCollector } from '../src/metrics/collector';
import { otlpPayload, otlpUrl } from '../src/metrics/otlp';
import { EventProcessor } from '../src/pipeline/processor';
import { readCapture } from '../src/scap/reader';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const cleanup: (() => void)[] = [];
after(() => {
  for (const f of cleanup.reverse()) try { f(); } catch { /* best effort */ }
});

/** Checks one ExportMetricsServiceRequest (JSON encoding); returns its metrics by name. */
function checkOtlp(body: Obj): Map<string, Obj> {
  assert.ok(Array.isArray(body.resourceMetrics) && body.resourceMetrics.length === 1);
  const rm = body.resourceMetrics[0];
  const res = new Map((rm.resource.attributes as Obj[]).map((a) => [a.key, a.value.stringValue]));
  assert.equal(res.get('service.name'), 'tsdig');
  assert.ok(res.get('host.name'));
  assert.equal(rm.scopeMetrics.length, 1);
  assert.equal(rm.scopeMetrics[0].scope.name, 'tsdig');
  const out = new Map<string, Obj>();
  for (const m of rm.scopeMetrics[0].metrics as Obj[]) {
    assert.match(m.name, /^tsdig_[a-z_]+$/);
    const data = m.sum ?? m.gauge;
    assert.ok(data && !(m.sum && m.gauge), `${m.name}: one of sum or gauge`);
    if (m.sum) {
      assert.equal(m.sum.isMonotonic, true);
      assert.equal(m.sum.aggregationTemporality, 2, 'cumulative');
    }
    for (const p of data.dataPoints as Obj[]) {
      assert.match(p.timeUnixNano, /^\d{19}$/);
      if (m.sum) assert.match(p.startTimeUnixNano, /^\d{19}$/);
      assert.equal(typeof p.asDouble, 'number');
      for (const a of p.attributes as Obj[]) assert.equal(typeof a.value.stringValue, 'string');
    }
    out.set(m.name, m);
  }
  return out;
}

const attrs = (p: Obj) => Object.fromEntries((p.attributes as Obj[]).map((a) => [a.key, a.value.stringValue]));

test('OTLP payload of a replayed capture: sums and gauges with the Prometheus labels', async (t) => {
  const file = path.join(FIXTURES, 'sf-collector__nginx.scap');
  if (!fs.existsSync(file)) return t.skip(`skipped: ${file} is not available (../shared)`);
  const col = new MetricsCollector({ top: 10, idleMs: 3_600_000_000, intervalMs: 1000 });
  const proc = new EventProcessor({ filter: null }, (c) => col.consume(c));
  await readCapture(file, proc.engine.metadataSink((e) => proc.handle(e), () => proc.newSection()));
  col.flush();
  const ms = checkOtlp(JSON.parse(JSON.stringify(await otlpPayload(col.registry, BigInt(Date.now()) * 1_000_000n))) as Obj);
  const sys = ms.get('tsdig_container_syscalls_total')!;
  assert.ok(sys.sum.dataPoints.length > 0);
  const a = attrs(sys.sum.dataPoints[0]);
  for (const k of ['host', 'container', 'container_id', 'image', 'k8s_pod', 'k8s_ns', 'category']) assert.ok(k in a, k);
  assert.ok(ms.get('tsdig_container_processes')!.gauge);
  assert.equal(otlpUrl('http://collector:4318'), 'http://collector:4318/v1/metrics');
  assert.equal(otlpUrl('http://collector:4318/v1/metrics'), 'http://collector:4318/v1/metrics');
});

test('--otlp: a live capture pushes a busybox container\'s metrics to an OTLP/HTTP receiver', { timeout: 120_000 }, async (t) => {
  const pre = checkPrerequisites();
  const skip = needs('root', process.getuid?.() === 0) ?? needs(`live capture (${pre?.message})`, !pre) ?? (await dockerSkip());
  if (skip) return t.skip(skip);
  const name = `tsdig-otlp-${process.pid}`;
  removeContainers([name]);
  runContainer(name, 'mkdir -p /tmp; while true; do echo x > /tmp/f; cat /tmp/f >/dev/null; sleep 0.05; done');
  cleanup.push(() => removeContainers([name]));
  const bodies: Obj[] = [];
  const paths: string[] = [];
  const srv = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d: Buffer) => (b += d.toString()));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      try {
        bodies.push(JSON.parse(b) as Obj);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = cp.spawn(process.execPath, [TSDIG, '--otlp', `http://127.0.0.1:${port}`, '--otlp-interval', '1000', '-q', '-M', '6'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => resolve({ code, err }));
    cleanup.push(() => p.kill('SIGKILL'));
  });
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /OTLP export .* failed/);
  assert.ok(bodies.length >= 3, `${bodies.length} pushes in 6 s at 1 s`);
  assert.ok(paths.every((p) => p === 'POST /v1/metrics application/json'), paths.join('\n'));
  const last = checkOtlp(bodies[bodies.length - 1]!);
  for (const b of bodies) checkOtlp(b);
  const pts = (last.get('tsdig_container_syscalls_total')!.sum.dataPoints as Obj[]).filter((p) => attrs(p).container === name);
  assert.ok(pts.length > 0, `${name}'s series were pushed`);
  const file = pts.find((p) => attrs(p).category === 'file');
  assert.ok(file && file.asDouble > 0, 'file syscalls counted');
  t.diagnostic(`${bodies.length} pushes; last: ${last.size} metrics, ${[...last.values()].reduce((a, m) => a + (m.sum ?? m.gauge).dataPoints.length, 0)} data points; ${name} file syscalls ${file.asDouble}`);
});
