// OpenTelemetry export of the same registry: every interval (and once at the end) the series are
// POSTed as OTLP/HTTP JSON (ExportMetricsServiceRequest) to URL/v1/metrics. Counters become
// cumulative monotonic sums, gauges gauges; labels become attributes; host.name and service.name
// describe the resource. A failed push is reported once per failure streak and retried next time.
import * as os from 'node:os';
import type { Registry } from 'prom-client';

export interface OtlpExporter {
  readonly url: string;
  stop(): Promise<void>;
}

type Attr = { key: string; value: { stringValue: string } };
const attrs = (l: Record<string, string | number>): Attr[] => Object.entries(l).map(([key, v]) => ({ key, value: { stringValue: String(v) } }));

/** The OTLP endpoint for a base URL (OTEL_EXPORTER_OTLP_ENDPOINT's rule: add /v1/metrics). */
export function otlpUrl(base: string): string {
  const u = new URL(base);
  if (!u.pathname.endsWith('/v1/metrics')) u.pathname = u.pathname.replace(/\/$/, '') + '/v1/metrics';
  return u.toString();
}

export async function otlpPayload(registry: Registry, startNs: bigint): Promise<object> {
  const now = String(BigInt(Date.now()) * 1_000_000n);
  const start = String(startNs);
  const metrics = [];
  for (const m of await registry.getMetricsAsJSON()) {
    const points = m.values.map((v) => ({ attributes: attrs(v.labels as Record<string, string>), startTimeUnixNano: start, timeUnixNano: now, asDouble: v.value }));
    if (!points.length) continue;
    const type = String(m.type);
    if (type === 'counter') metrics.push({ name: m.name, description: m.help, sum: { dataPoints: points, aggregationTemporality: 2, isMonotonic: true } });
    else metrics.push({ name: m.name, description: m.help, gauge: { dataPoints: points.map(({ startTimeUnixNano: _s, ...p }) => p) } });
  }
  return {
    resourceMetrics: [{
      resource: { attributes: attrs({ 'service.name': 'tsdig', 'host.name': os.hostname() }) },
      scopeMetrics: [{ scope: { name: 'tsdig' }, metrics }],
    }],
  };
}

export function startOtlp(base: string, registry: Registry, intervalMs: number): OtlpExporter {
  const url = otlpUrl(base || process.env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://127.0.0.1:4318');
  const startNs = BigInt(Date.now()) * 1_000_000n;
  let failing = false;
  let inflight: Promise<void> = Promise.resolve();
  const push = () => {
    inflight = inflight.then(async () => {
      try {
        const body = JSON.stringify(await otlpPayload(registry, startNs));
        const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        await r.arrayBuffer();
        failing = false;
      } catch (e) {
        if (!failing) process.stderr.write(`tsdig: OTLP export to ${url} failed: ${(e as Error).message} (retrying every ${intervalMs / 1000} s)\n`);
        failing = true;
      }
    });
  };
  const t = setInterval(push, Math.max(100, intervalMs));
  t.unref();
  return {
    url,
    stop: async () => {
      clearInterval(t);
      push();
      await inflight;
    },
  };
}
