// Every container runtime behind one entry point: a thread's cgroup path says which runtime runs its
// container (src/state/containers.ts), and that runtime's resolver describes it — Docker, podman,
// containerd (plain and kubelet's CRI) and systemd-nspawn/machined. A runtime without a resolver
// here (lxc) keeps a placeholder named after its id. Called per new thread, not per event.
import { ContainerRef, ContainerTable, Runtime, containerRefFromCgroups } from '../../state/containers';
import { DockerWatcher, DEFAULT_DOCKER_SOCKET } from '../docker';
import { ContainerdResolver, DEFAULT_CONTAINERD_SOCKET } from './containerd';
import { NspawnResolver } from './nspawn';
import { PodmanResolver, DEFAULT_PODMAN_SOCKET } from './podman';
import { RuntimeResolver, Warn, placeholderFor } from './types';

export interface RuntimesOpts {
  warn: Warn;
  /** sockets; default: the TSDIG_*_SOCKET variables, then each runtime's usual path */
  dockerSocket?: string;
  podmanSocket?: string;
  containerdSocket?: string;
  pruneAfterMs?: number;
  /** the cgroup rules changed (a containerd namespace appeared): derive the threads' containers again */
  onRulesChanged?: () => void;
}

class DockerResolver implements RuntimeResolver {
  readonly runtimes: readonly Runtime[] = ['docker'];
  constructor(readonly w: DockerWatcher) {}
  start(): Promise<void> { return this.w.start(); }
  want(ref: ContainerRef): void { this.w.want(ref.id); }
  stop(): void { this.w.stop(); }
  sizes(): Record<string, number> { return this.w.sizes(); }
}

/** at most this many ids' refs are cached (stragglers of pruned containers ask again and again) */
const MAX_REFS = 4096;

export class ContainerRuntimes {
  readonly resolvers: RuntimeResolver[];
  private readonly byRuntime = new Map<Runtime, RuntimeResolver>();
  private readonly refs = new Map<string, ContainerRef | null>();

  constructor(private readonly table: ContainerTable, opts: RuntimesOpts) {
    const env = process.env;
    const { warn, pruneAfterMs } = opts;
    this.resolvers = [
      new DockerResolver(new DockerWatcher(table, { socketPath: opts.dockerSocket ?? (env.TSDIG_DOCKER_SOCKET || DEFAULT_DOCKER_SOCKET), warn, pruneAfterMs })),
      new PodmanResolver(table, { socketPath: opts.podmanSocket ?? (env.TSDIG_PODMAN_SOCKET || DEFAULT_PODMAN_SOCKET), warn, pruneAfterMs }),
      new ContainerdResolver(table, { socketPath: opts.containerdSocket ?? (env.TSDIG_CONTAINERD_SOCKET || DEFAULT_CONTAINERD_SOCKET), warn, pruneAfterMs, deferIdle: true, onNamespaces: () => { this.refs.clear(); opts.onRulesChanged?.(); } }),
      new NspawnResolver(table, { pruneAfterMs }),
    ];
    for (const r of this.resolvers) for (const rt of r.runtimes) this.byRuntime.set(rt, r);
  }

  /** First connection attempt of every runtime (in parallel); never rejects. */
  async start(): Promise<void> {
    await Promise.all(this.resolvers.map((r) => r.start().catch(() => {})));
  }

  /** A thread of a container the table does not have was seen. */
  want(t: { containerId: string; cgroups: readonly string[] }): void {
    const id = t.containerId;
    if (id === '' || this.table.get(id)) return;
    let ref = this.refs.get(id);
    if (ref === undefined) {
      const r = containerRefFromCgroups(t.cgroups);
      ref = r && r.id === id ? r : null;
      if (this.refs.size >= MAX_REFS) this.refs.clear();
      this.refs.set(id, ref);
    }
    const rr = ref ?? { id, fullId: id, runtime: 'docker' as Runtime };
    const res = this.byRuntime.get(rr.runtime);
    if (res) res.want(rr);
    else this.table.set(placeholderFor(rr));
  }

  /** The capture started: connections put off until then are made now. */
  background(): void {
    for (const r of this.resolvers) r.background?.();
  }

  stop(): void {
    for (const r of this.resolvers) r.stop();
  }

  sizes(): Record<string, number> {
    return Object.assign({}, ...this.resolvers.map((r) => r.sizes())) as Record<string, number>;
  }
}
