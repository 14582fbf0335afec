// The three Docker Engine API calls the live watcher needs (list, inspect, events), as plain HTTP
// over the daemon's unix socket with node:http. dockerode did the same, but loading it (with
// docker-modem and ssh2) took 100-250 ms of every live start-up, on the thread that must also scan
// /proc before the first event. Paths are unversioned: the daemon serves its own API version.
import * as http from 'node:http';
import type Dockerode from 'dockerode';

/** A failed call: `statusCode` is the daemon's HTTP status (404: no such container). */
export class DockerApiError extends Error {
  constructor(message: string, readonly statusCode?: number) {
    super(message);
  }
}

export class DockerApi {
  constructor(readonly socketPath: string, private readonly timeoutMs = 5000) {}

  listContainers(): Promise<Dockerode.ContainerInfo[]> {
    return this.json('/containers/json') as Promise<Dockerode.ContainerInfo[]>;
  }

  inspect(id: string): Promise<Dockerode.ContainerInspectInfo> {
    return this.json(`/containers/${encodeURIComponent(id)}/json`) as Promise<Dockerode.ContainerInspectInfo>;
  }

  /** The event stream (one JSON object per line), open until the daemon or the caller ends it. */
  events(filters: Record<string, string[]>): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.get({ socketPath: this.socketPath, agent: false, path: `/events?filters=${encodeURIComponent(JSON.stringify(filters))}` }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new DockerApiError(`GET /events: HTTP ${res.statusCode}`, res.statusCode));
          return;
        }
        resolve(res);
      });
      req.on('error', reject);
    });
  }

  private json(path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = http.get({ socketPath: this.socketPath, agent: false, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let j: unknown;
          try {
            j = JSON.parse(body);
          } catch {
            j = undefined;
          }
          if (status < 200 || status >= 300) {
            const msg = (j as { message?: string } | undefined)?.message ?? body.trim().slice(0, 200);
            reject(new DockerApiError(`GET ${path}: HTTP ${status}${msg ? `: ${msg}` : ''}`, status));
          } else if (j === undefined) {
            reject(new DockerApiError(`GET ${path}: the daemon's answer is not JSON`));
          } else resolve(j);
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new DockerApiError(`GET ${path}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
    });
  }
}
