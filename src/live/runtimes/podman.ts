// Podman through its Docker-compatible REST API (`podman system service`, the socket systemd's
// podman.socket or a user starts): the same protocol as Docker's, so the Docker watcher runs on it
// with type 'podman'. Rootful podman's socket is /run/podman/podman.sock; no socket = no podman
// service running = silent.
import { ContainerRef, ContainerTable, Runtime } from '../../state/containers';
import { DockerWatcher } from '../docker';
import { RuntimeResolver, Warn } from './types';

export const DEFAULT_PODMAN_SOCKET = '/run/podman/podman.sock';

export class PodmanResolver implements RuntimeResolver {
  readonly runtimes: readonly Runtime[] = ['podman'];
  private readonly w: DockerWatcher;

  constructor(table: ContainerTable, opts: { socketPath?: string; warn?: Warn; pruneAfterMs?: number } = {}) {
    this.w = new DockerWatcher(table, { socketPath: opts.socketPath ?? DEFAULT_PODMAN_SOCKET, warn: opts.warn, pruneAfterMs: opts.pruneAfterMs, runtime: 'podman', silentWhenMissing: true });
  }

  start(): Promise<void> {
    return this.w.start();
  }

  want(ref: ContainerRef): void {
    this.w.want(ref.id);
  }

  stop(): void {
    this.w.stop();
  }

  sizes(): Record<string, number> {
    return this.w.sizes();
  }
}
