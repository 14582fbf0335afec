// containerd (plain: ctr, nerdctl; and kubelet's CRI containers in its k8s.io namespace) through
// its gRPC API socket: the namespaces (their names are what a plain containerd cgroup path starts
// with), the containers' labels and image, and the task/container events that say when one starts
// or dies. Docker's own namespace (moby) is left to the Docker resolver. Every call is
// asynchronous: events keep flowing while metadata is fetched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerInfo, ContainerRef, ContainerTable, Runtime, k8sFromLabels, setContainerdNamespaces } from '../../state/containers';
import { splitImage } from '../docker';
import type { ContainerdClient, CtrdContainer, CtrdEnvelope } from './containerd-api';
import { Pruner, RuntimeResolver, Warn, placeholderFor } from './types';

export const DEFAULT_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
const TOPICS = ['/tasks/start', '/tasks/exit', '/tasks/delete', '/containers/create', '/containers/update', '/containers/delete', '/namespaces/create', '/namespaces/delete'];
/** docker's containers: described by the Docker resolver (their cgroups are /docker/<id>) */
const SKIP_NS = new Set(['moby']);
/** where containerd's v2 shims keep one directory per running task, `<namespace>/<id>`, beside the socket */
const TASK_DIR = 'io.containerd.runtime.v2.task';

/**
 * The namespaces (moby aside) that have running tasks, read from containerd's state directory; null
 * when that directory cannot be read (a socket outside the state directory, no permission).
 */
export function namespacesWithTasks(socketPath: string): string[] | null {
  const dir = path.join(path.dirname(socketPath), TASK_DIR);
  try {
    return fs.readdirSync(dir).filter((ns) => !SKIP_NS.has(ns) && fs.readdirSync(path.join(dir, ns)).length > 0);
  } catch (e) {
    // never ran a task since it started: the directory is made at the first one
    return (e as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync(path.dirname(socketPath)) ? [] : null;
  }
}

export interface ContainerdOpts {
  socketPath?: string;
  warn?: Warn;
  timeoutMs?: number;
  pruneAfterMs?: number;
  /** the namespace list changed: threads' containers must be derived again */
  onNamespaces?: () => void;
  /** put the connection off until background() when containerd runs no task (see start()) */
  deferIdle?: boolean;
}

export function fromContainerd(c: CtrdContainer, ns: string, runtime: Runtime): ContainerInfo {
  const labels = c.labels ?? {};
  const { repo, tag } = splitImage(c.image ?? '');
  const hex = /^[0-9a-f]{64}$/.test(c.id);
  const info: ContainerInfo = {
    id: hex ? c.id.slice(0, 12) : c.id,
    fullId: c.id,
    // nerdctl keeps the user's name in a label; kubelet's is the pod spec's container name
    name: labels['nerdctl/name'] || labels['io.kubernetes.container.name'] || c.id,
    image: c.image ?? '',
    imageId: '',
    imageRepo: c.image ? repo : '',
    imageTag: c.image ? tag : '',
    type: runtime === 'cri' || ns === 'k8s.io' ? 'cri' : 'containerd',
    privileged: undefined,
    labels,
    mounts: [],
    ip: '',
  };
  const k8s = k8sFromLabels(labels);
  if (k8s) info.k8s = k8s;
  return info;
}

export class ContainerdResolver implements RuntimeResolver {
  readonly runtimes: readonly Runtime[] = ['containerd', 'cri'];
  readonly socketPath: string;
  private readonly warn: Warn;
  private readonly timeoutMs: number;
  private client: ContainerdClient | null = null;
  private stream: { cancel(): void } | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = 1000;
  private stopped = false;
  private deferred = false;
  private warned = false;
  up = false;
  private namespaces: string[] = [];
  private readonly inflight = new Set<string>();
  private readonly unresolved = new Map<string, ContainerRef>();
  private readonly pruner: Pruner;
  resolved = 0;

  constructor(private readonly table: ContainerTable, private readonly opts: ContainerdOpts = {}) {
    this.socketPath = opts.socketPath ?? DEFAULT_CONTAINERD_SOCKET;
    this.warn = opts.warn ?? ((m) => process.stderr.write(`tsdig: ${m}\n`));
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.pruner = new Pruner((id) => this.table.delete(id), opts.pruneAfterMs ?? 10_000);
  }

  sizes(): Record<string, number> {
    return { 'containerd.unresolved': this.unresolved.size, 'containerd.inflight': this.inflight.size, 'containerd.dying': this.pruner.dyingCount, 'containerd.prunedIds': this.pruner.prunedIds.size, 'containerd.pruned': this.pruner.pruned };
  }

  /**
   * Connects, lists and subscribes — unless containerd runs no task of its own (a Docker host, whose
   * containerd holds only moby's; an idle node). Then nothing of containerd's can appear in the
   * first events, and loading the gRPC stack (a tenth of a second of CPU) is put off until the
   * capture runs (background()), so it does not delay the first event.
   */
  async start(): Promise<void> {
    if (this.opts.deferIdle && fs.existsSync(this.socketPath) && namespacesWithTasks(this.socketPath)?.length === 0) {
      this.deferred = true;
      return;
    }
    await this.connect();
  }

  background(): void {
    if (!this.deferred) return;
    this.deferred = false;
    void this.connect();
  }

  want(ref: ContainerRef): void {
    if (this.table.get(ref.id) || this.pruner.prunedIds.has(ref.id)) return;
    this.table.set(placeholderFor(ref));
    this.unresolved.set(ref.id, ref);
    this.background(); // put off, but one of its containers is here: connect now
    if (this.up) void this.describe(ref.fullId, ref.ns ? [ref.ns] : this.searchOrder(ref.runtime), ref.runtime);
  }

  stop(): void {
    this.stopped = true;
    this.up = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.pruner.stop();
    this.stream?.cancel();
    this.stream = null;
    this.client?.close();
    this.client = null;
  }

  private searchOrder(runtime: Runtime): string[] {
    const ns = this.namespaces.filter((n) => !SKIP_NS.has(n));
    return runtime === 'cri' ? [...ns.filter((n) => n === 'k8s.io'), ...ns.filter((n) => n !== 'k8s.io')] : ns;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    if (!fs.existsSync(this.socketPath)) {
      // not installed or not running: silent, but look again later (it may be started after us)
      this.schedule(30_000);
      return;
    }
    try {
      if (!this.client) {
        const { ContainerdClient } = await import('./containerd-api');
        this.client = new ContainerdClient(this.socketPath, this.timeoutMs);
      }
      const client = this.client;
      // subscribe first, so nothing that happens while we list is missed
      this.stream?.cancel();
      this.stream = client.subscribe(TOPICS.map((t) => `topic=="${t}"`), (e) => this.onEvent(e), (err) => this.lost(err));
      await this.loadNamespaces();
      for (const ns of this.namespaces) {
        if (SKIP_NS.has(ns)) continue;
        for (const c of await client.containers(ns)) this.set(c, ns, ns === 'k8s.io' ? 'cri' : 'containerd');
      }
      for (const ref of [...this.unresolved.values()]) void this.describe(ref.fullId, ref.ns ? [ref.ns] : this.searchOrder(ref.runtime), ref.runtime);
      if (this.warned) this.warn(`containerd: connected to ${this.socketPath} again`);
      this.up = true;
      this.warned = false;
      this.backoffMs = 1000;
    } catch (e) {
      this.lost(e);
    }
  }

  private async loadNamespaces(): Promise<void> {
    this.namespaces = await this.client!.namespaces();
    if (setContainerdNamespaces(this.namespaces.filter((n) => !SKIP_NS.has(n)))) this.opts.onNamespaces?.();
  }

  private set(c: CtrdContainer, ns: string, runtime: Runtime): void {
    const info = fromContainerd(c, ns, runtime);
    if (this.pruner.prunedIds.has(info.id)) return;
    const old = this.table.get(info.id);
    // an id another runtime described (same 64-hex id) is not ours to overwrite
    if (old && old.image !== '' && old.type !== 'containerd' && old.type !== 'cri') return;
    if (old && (old.type === 'cri' || old.type === 'containerd')) info.type = old.type;
    this.table.set(info);
    this.unresolved.delete(info.id);
    this.resolved++;
  }

  private async describe(fullId: string, namespaces: string[], runtime: Runtime): Promise<void> {
    const client = this.client;
    if (!client || this.inflight.has(fullId)) return;
    this.inflight.add(fullId);
    try {
      for (const ns of namespaces) {
        try {
          const c = await client.container(ns, fullId);
          if (c?.id) {
            this.set(c, ns, runtime);
            return;
          }
        } catch (e) {
          if ((e as { code?: number }).code !== 5) throw e; // NOT_FOUND: try the next namespace
        }
      }
      // no namespace has it: keep the placeholder, stop asking
      this.unresolved.delete(fullId.length === 64 ? fullId.slice(0, 12) : fullId);
    } catch {
      /* the daemon went away: the stream's end reconnects and retries the unresolved ones */
    } finally {
      this.inflight.delete(fullId);
    }
  }

  private onEvent(e: CtrdEnvelope): void {
    if (!this.client || SKIP_NS.has(e.namespace)) return;
    const subject = this.client.eventSubject(e);
    if (e.topic.startsWith('/namespaces/')) {
      void this.loadNamespaces().catch(() => {});
      return;
    }
    if (!subject) return;
    const id = /^[0-9a-f]{64}$/.test(subject) ? subject.slice(0, 12) : subject;
    const runtime: Runtime = e.namespace === 'k8s.io' ? 'cri' : 'containerd';
    switch (e.topic) {
      case '/tasks/start':
      case '/containers/create':
      case '/containers/update':
        if (e.topic === '/tasks/start') this.pruner.revive(id);
        void this.describe(subject, [e.namespace], runtime);
        break;
      case '/tasks/exit':
        // an exec's exit is not the container's end
        if (this.client.exitExecId(e) !== '' && this.client.exitExecId(e) !== subject) break;
        this.unresolved.delete(id);
        this.pruner.schedule(id);
        break;
      case '/tasks/delete':
      case '/containers/delete':
        this.unresolved.delete(id);
        this.pruner.schedule(id);
        break;
    }
  }

  private lost(e: unknown): void {
    this.up = false;
    if (this.stopped) return;
    this.stream?.cancel();
    this.stream = null;
    if (!this.warned && fs.existsSync(this.socketPath)) {
      this.warned = true;
      const msg = ((e as Error)?.message ?? String(e)).split('\n')[0];
      this.warn(`containerd: cannot reach ${this.socketPath} (${msg}): its container names fall back to ids; retrying in the background`);
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    if (this.retry || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, ms);
    this.retry.unref();
  }
}
