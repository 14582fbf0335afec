// Live container metadata from the Docker daemon (HTTP over its unix socket, ./docker-api): the running
// containers at start, then `docker events` (start/rename/die/destroy) keep the ContainerTable
// current. The daemon may be absent or restart: every failure is one warning line, the watcher
// retries with backoff in the background, and container ids seen meanwhile get a placeholder whose
// name is the id, so capture never waits on (or dies with) the daemon.
//
// Containers that die or are destroyed leave the table after a grace period (pruneAfterMs): events
// of their last processes may still be in the ring buffer or in a batch, and must resolve the name.
// A restart ('start' after 'die') cancels the pruning. Pruned ids are remembered (boundedly) so a
// straggler event does not bring back a nameless placeholder that nothing would ever remove.
//
// Podman's Docker-compatible API speaks the same protocol: src/live/runtimes/podman.ts runs this
// watcher on podman's socket with type 'podman', silent while that socket does not exist.
import * as fs from 'node:fs';
import type Dockerode from 'dockerode';
import { DockerApi } from './docker-api';
import { ContainerInfo, ContainerTable, k8sFromLabels } from '../state/containers';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface DockerWatcherOpts {
  socketPath?: string;
  /** one-line warnings (stderr) */
  warn?: (msg: string) => void;
  /** request timeout, ms */
  timeoutMs?: number;
  /** how long a dead container stays in the table, ms (default 10 s) */
  pruneAfterMs?: number;
  /** container.type of what it describes, and the name its warnings use (default docker) */
  runtime?: 'docker' | 'podman';
  /** no warning while the socket file does not exist (the runtime is not installed or not running) */
  silentWhenMissing?: boolean;
}

/** pruned ids remembered so late events do not re-create them (oldest forgotten first) */
const MAX_PRUNED = 1024;

/** Placeholder for a container the daemon has not described (yet): name = id */
export function placeholder(id: string, type = 'docker'): ContainerInfo {
  return { id, fullId: id, name: id, image: '', imageId: '', imageRepo: '', imageTag: '', type, privileged: undefined, labels: {}, mounts: [], ip: '' };
}

/** Splits "repo[:tag][@digest]" as sinsp does (a ':' after the last '/' starts the tag). */
export function splitImage(image: string): { repo: string; tag: string } {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon > slash) return { repo: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { repo: noDigest, tag: at >= 0 ? '' : 'latest' };
}

/** ContainerInfo from `docker inspect` output. */
export function fromInspect(j: Dockerode.ContainerInspectInfo, type = 'docker'): ContainerInfo {
  const image = j.Config?.Image ?? '';
  const { repo, tag } = splitImage(image);
  let ip = (j.NetworkSettings as { IPAddress?: string } | undefined)?.IPAddress ?? '';
  if (!ip) {
    for (const n of Object.values(j.NetworkSettings?.Networks ?? {})) {
      if (n?.IPAddress) {
        ip = n.IPAddress;
        break;
      }
    }
  }
  const labels = j.Config?.Labels ?? {};
  const k8s = k8sFromLabels(labels);
  return {
    ...(k8s ? { k8s } : {}),
    id: j.Id.slice(0, 12),
    fullId: j.Id,
    name: (j.Name ?? '').replace(/^\//, ''),
    image,
    imageId: (j.Image ?? '').replace(/^sha256:/, ''),
    imageRepo: repo,
    imageTag: tag,
    type,
    privileged: j.HostConfig?.Privileged ?? false,
    labels,
    mounts: (j.Mounts ?? []).map((m) => `${m.Source}:${m.Destination}:${m.Mode ?? ''}:${m.RW ?? ''}:${m.Propagation ?? ''}`),
    ip,
  };
}

export class DockerWatcher {
  readonly socketPath: string;
  private readonly warn: (msg: string) => void;
  private readonly timeoutMs: number;
  private api: DockerApi | null = null;
  private events: NodeJS.ReadableStream | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoffMs = 1000;
  private stopped = false;
  /** true while the daemon answers and the event stream is open */
  up = false;
  /** a warning was printed for the current outage */
  private warned = false;
  /** ids seen in threads but not (yet) described by the daemon */
  private readonly unresolved = new Set<string>();
  private readonly inflight = new Set<string>();
  /** containers described by the daemon (for stats) */
  resolved = 0;
  /** containers removed from the table after they died (for stats) */
  pruned = 0;
  private readonly pruneAfterMs: number;
  readonly runtime: 'docker' | 'podman';
  private readonly silentWhenMissing: boolean;
  /** dead containers waiting for their grace period to end, by short id */
  private readonly dying = new Map<string, NodeJS.Timeout>();
  /** short ids pruned lately (insertion order = age) */
  private readonly prunedIds = new Set<string>();

  constructor(private readonly table: ContainerTable, opts: DockerWatcherOpts = {}) {
    this.socketPath = opts.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.warn = opts.warn ?? ((m) => process.stderr.write(`tsdig: ${m}\n`));
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.pruneAfterMs = opts.pruneAfterMs ?? 10_000;
    this.runtime = opts.runtime ?? 'docker';
    this.silentWhenMissing = opts.silentWhenMissing ?? false;
  }

  /** Sizes of the watcher's own maps (leak checks: `-v` prints them at exit). */
  sizes(): Record<string, number> {
    const r = this.runtime;
    return { [`${r}.unresolved`]: this.unresolved.size, [`${r}.inflight`]: this.inflight.size, [`${r}.dying`]: this.dying.size, [`${r}.prunedIds`]: this.prunedIds.size, [`${r}.pruned`]: this.pruned };
  }

  /** Connects (lists running containers, follows events). Never rejects; resolves after the first attempt. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** A thread with this container id was seen: make sure the table has an entry for it. */
  want(id: string): void {
    if (id === '' || this.table.get(id) || this.prunedIds.has(id)) return;
    this.table.set(placeholder(id, this.runtime));
    this.unresolved.add(id);
    if (this.up) void this.inspect(id);
  }

  stop(): void {
    this.stopped = true;
    this.up = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const t of this.dying.values()) clearTimeout(t);
    this.dying.clear();
    const ev = this.events as (NodeJS.ReadableStream & { destroy?: () => void }) | null;
    this.events = null;
    try {
      ev?.destroy?.();
    } catch { /* closing anyway */ }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      this.api ??= new DockerApi(this.socketPath, this.timeoutMs);
      // subscribe first, so nothing that happens while we list is missed
      // podman matches an event filter against its own names (died, not die): it gets the type filter only
      const filters: Record<string, string[]> = this.runtime === 'podman' ? { type: ['container'] } : { type: ['container'], event: ['start', 'rename', 'die', 'destroy'] };
      const stream = await this.api.events(filters);
      if (this.stopped) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        return;
      }
      const old = this.events as (NodeJS.ReadableStream & { destroy?: () => void }) | null;
      this.follow(stream);
      old?.destroy?.();
      const list = await this.api.listContainers();
      // containers the daemon described before and that no longer run died while we were not
      // listening (daemon restart): they leave the table like any dead container
      const running = new Set(list.map((c) => c.Id.slice(0, 12)));
      for (const c of this.table.byId.values()) if (c.type === this.runtime && c.image !== '' && !running.has(c.id)) this.schedulePrune(c.id);
      for (const id of running) this.revive(id);
      await Promise.all(list.map((c) => this.inspect(c.Id)));
      for (const id of [...this.unresolved]) void this.inspect(id);
      if (this.warned) this.warn(`${this.runtime}: connected to ${this.socketPath} again (${list.length} running containers)`);
      this.up = true;
      this.warned = false;
      this.backoffMs = 1000;
    } catch (e) {
      this.lost(e);
    }
  }

  private follow(stream: NodeJS.ReadableStream): void {
    this.events = stream;
    let pending = '';
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) this.onEvent(line);
      }
    });
    const end = (e?: unknown) => {
      if (this.events !== stream) return;
      this.events = null;
      this.lost(e ?? new Error('event stream closed'));
    };
    stream.on('error', end);
    stream.on('end', () => end());
    stream.on('close', () => end());
  }

  private onEvent(line: string): void {
    let ev: { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
    try {
      ev = JSON.parse(line);
    } catch {
      return;
    }
    const action = ev.Action ?? ev.status ?? '';
    const id = ev.Actor?.ID ?? ev.id ?? '';
    if (!id) return;
    const short = id.slice(0, 12);
    if (action === 'start' || action === 'rename') {
      if (action === 'start') this.revive(short);
      void this.inspect(id);
    } else if (action === 'die' || action === 'destroy' || action === 'died' || action === 'remove') {
      // nothing more to learn; the entry stays for the grace period, then goes
      this.unresolved.delete(short);
      this.schedulePrune(short);
    }
  }

  /** A container (re)started: it is not dying any more. */
  private revive(short: string): void {
    const t = this.dying.get(short);
    if (t) clearTimeout(t);
    this.dying.delete(short);
    this.prunedIds.delete(short);
  }

  private schedulePrune(short: string): void {
    if (this.dying.has(short) || this.stopped) return;
    const t = setTimeout(() => {
      this.dying.delete(short);
      if (this.table.delete(short)) this.pruned++;
      this.unresolved.delete(short);
      this.prunedIds.add(short);
      if (this.prunedIds.size > MAX_PRUNED) this.prunedIds.delete(this.prunedIds.values().next().value as string);
    }, this.pruneAfterMs);
    t.unref();
    this.dying.set(short, t);
  }

  private async inspect(id: string): Promise<void> {
    const short = id.slice(0, 12);
    if (!this.api || this.inflight.has(short)) return;
    this.inflight.add(short);
    try {
      const j = await this.api.inspect(id);
      const info = fromInspect(j, this.runtime);
      // an inspect that raced with the container's end must not bring a pruned entry back
      if (this.prunedIds.has(info.id)) return;
      this.table.set(info);
      this.unresolved.delete(info.id);
      this.resolved++;
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      if (code === 404) this.unresolved.delete(short); // not a docker container (or already gone): keep the placeholder
    } finally {
      this.inflight.delete(short);
    }
  }

  private lost(e: unknown): void {
    this.up = false;
    if (this.stopped) return;
    if (!this.warned && !(this.silentWhenMissing && !fs.existsSync(this.socketPath))) {
      this.warned = true;
      const msg = (e as Error)?.message ?? String(e);
      this.warn(`${this.runtime}: cannot reach ${this.socketPath} (${msg.split('\n')[0]}): container names fall back to ids; retrying in the background`);
    }
    if (this.retryTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
