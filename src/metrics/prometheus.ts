// The Prometheus endpoint: GET /metrics serves the registry in the text exposition format
// (prom-client renders it). Listens on ADDR:PORT; a bare PORT listens on 127.0.0.1 only (the
// series name processes and containers: exposing them is a choice, e.g. 0.0.0.0:9464 in the
// DaemonSet).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { UsageError } from '../cli/options';

export function parseListen(spec: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(spec) ?? /^()()(\d+)$/.exec(spec);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--metrics needs [ADDR:]PORT, got '${spec}'`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveMetrics(spec: string, registry: Registry): Promise<MetricsServer> {
  const { host, port } = parseListen(spec);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body),
        (e) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`tsdig: ${(e as Error).message}\n`),
      );
      return;
    }
    res.writeHead(path === '/' ? 200 : 404, { 'Content-Type': 'text/plain' }).end(path === '/' ? 'tsdig: metrics at /metrics\n' : 'not found\n');
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`--metrics: cannot listen on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'address in use' : e.code === 'EACCES' ? 'permission denied' : e.message}`)));
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const a = server.address() as AddressInfo;
  const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${h}:${a.port}/metrics`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections?.();
      server.close(() => r());
    }),
  };
}
