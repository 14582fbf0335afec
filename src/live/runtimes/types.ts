// What every live container runtime resolver offers (src/live/runtimes/*, one file per runtime):
// it describes the containers of its runtime in the shared ContainerTable, follows their start and
// stop where the runtime has events, and never blocks or fails the capture. A runtime that is not
// installed (no socket, no tool) stays silent; one that is there but does not answer warns once per
// outage and retries in the background.
import { ContainerInfo, ContainerRef, Runtime } from '../../state/containers';

export interface RuntimeResolver {
  /** the runtimes (ContainerRef.runtime) whose containers this resolver describes */
  readonly runtimes: readonly Runtime[];
  /** first connection attempt; never rejects */
  start(): Promise<void>;
  /**
   * The capture has started: a resolver that put its connection off (nothing of its runtime was
   * running, see ContainerdResolver) makes it now, in the background.
   */
  background?(): void;
  /** a thread of this container was seen and the table has no entry for it */
  want(ref: ContainerRef): void;
  stop(): void;
  /** sizes of its own maps (leak checks: `-v` prints them at exit) */
  sizes(): Record<string, number>;
}

export type Warn = (msg: string) => void;

/** A container the runtime has not described (yet): its name is its id. */
export function placeholderFor(ref: Pick<ContainerRef, 'id' | 'fullId' | 'runtime'>): ContainerInfo {
  return { id: ref.id, fullId: ref.fullId, name: ref.id, image: '', imageId: '', imageRepo: '', imageTag: '', type: ref.runtime, privileged: undefined, labels: {}, mounts: [], ip: '' };
}

/**
 * Dead containers leave the table after a grace period (events of their last processes may still
 * be queued and must resolve the name); a restart cancels it. Pruned ids are remembered, boundedly,
 * so a straggler does not bring back a nameless placeholder.
 */
export class Pruner {
  private readonly dying = new Map<string, NodeJS.Timeout>();
  readonly prunedIds = new Set<string>();
  pruned = 0;

  constructor(private readonly drop: (id: string) => boolean, private readonly afterMs: number) {}

  schedule(id: string): void {
    if (this.dying.has(id)) return;
    const t = setTimeout(() => {
      this.dying.delete(id);
      if (this.drop(id)) this.pruned++;
      this.prunedIds.add(id);
      if (this.prunedIds.size > 1024) this.prunedIds.delete(this.prunedIds.values().next().value as string);
    }, this.afterMs);
    t.unref();
    this.dying.set(id, t);
  }

  revive(id: string): void {
    const t = this.dying.get(id);
    if (t) clearTimeout(t);
    this.dying.delete(id);
    this.prunedIds.delete(id);
  }

  get dyingCount(): number {
    return this.dying.size;
  }

  stop(): void {
    for (const t of this.dying.values()) clearTimeout(t);
    this.dying.clear();
  }
}
