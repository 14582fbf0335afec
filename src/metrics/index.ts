// Metrics of a live run (--metrics, --otlp): one collector fed by the run's events, served to
// Prometheus and/or pushed over OTLP/HTTP. The live jobs (print, UI, -w) start it before the
// capture, so a port in use fails before anything else, and feed it from their event consumer.
import type { CliOptions } from '../cli/options';
import type { EventCtx } from '../fields/context';
import type { MetricsCollector } from './collector';

export interface MetricsRun {
  readonly collector: MetricsCollector;
  consume(c: EventCtx): void;
  setDrops(total: number): void;
  stop(): Promise<void>;
}

let current: MetricsRun | null = null;

/** The metrics of this run (null without --metrics/--otlp): live consumers feed it. */
export function activeMetrics(): MetricsRun | null {
  return current;
}

export function wantsMetrics(o: CliOptions): boolean {
  return o.metrics !== undefined || o.otlp !== undefined;
}

export async function startMetrics(o: CliOptions): Promise<MetricsRun | null> {
  if (!wantsMetrics(o)) return null;
  // prom-client loads only when metrics are asked for: every live job calls this at start-up
  const { MetricsCollector } = await import('./collector');
  const collector = new MetricsCollector({ top: o.metricsTop, idleMs: 5 * 60_000, intervalMs: 1000 });
  const stops: (() => Promise<void>)[] = [];
  if (o.metrics !== undefined) {
    const srv = await (await import('./prometheus')).serveMetrics(o.metrics, collector.registry);
    process.stderr.write(`tsdig: Prometheus metrics at ${srv.url}\n`);
    stops.push(() => srv.close());
  }
  if (o.otlp !== undefined) {
    const exp = (await import('./otlp')).startOtlp(o.otlp, collector.registry, o.otlpIntervalMs);
    stops.push(() => exp.stop());
  }
  const run: MetricsRun = {
    collector,
    consume: (c) => collector.consume(c),
    setDrops: (n) => collector.setDrops(n),
    stop: async () => {
      if (current === run) current = null;
      collector.flush();
      for (const s of stops.reverse()) await s();
    },
  };
  current = run;
  return run;
}
