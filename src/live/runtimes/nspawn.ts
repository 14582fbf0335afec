// systemd-nspawn containers registered with systemd-machined: their processes run in
// machine.slice/machine-NAME.scope, so the cgroup path already gives the name; `machinectl show`
// adds the root directory (shown as the image) and the class where machined runs. Without
// machined (no systemd as PID 1, or machinectl not installed) the name from the path is all there
// is, silently. machined's MachineNew/MachineRemoved signals are D-Bus only: a new machine is
// described when its first thread is seen, and the entry goes when machinectl no longer knows it.
import { execFile } from 'node:child_process';
import { ContainerRef, ContainerTable, Runtime } from '../../state/containers';
import { Pruner, RuntimeResolver, placeholderFor } from './types';

/** `machinectl show` output (KEY=VALUE lines) → map */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export class NspawnResolver implements RuntimeResolver {
  readonly runtimes: readonly Runtime[] = ['nspawn', 'libvirt-lxc'];
  /** false once machinectl turned out to be missing or machined unreachable: names from paths only */
  machined = true;
  private readonly inflight = new Set<string>();
  private readonly pruner: Pruner;
  private readonly known = new Set<string>();
  private poll: NodeJS.Timeout | null = null;

  constructor(private readonly table: ContainerTable, private readonly opts: { machinectl?: string; pruneAfterMs?: number; pollMs?: number } = {}) {
    this.pruner = new Pruner((id) => { this.known.delete(id); return this.table.delete(id); }, opts.pruneAfterMs ?? 10_000);
  }

  async start(): Promise<void> {
    // machines that stopped: machinectl list no longer shows them
    this.poll = setInterval(() => void this.sweep(), this.opts.pollMs ?? 5000);
    this.poll.unref();
  }

  want(ref: ContainerRef): void {
    if (this.table.get(ref.id) || this.pruner.prunedIds.has(ref.id)) return;
    const info = placeholderFor(ref);
    info.name = ref.id; // the machine name, from the scope's name
    this.table.set(info);
    this.known.add(ref.id);
    if (this.machined) void this.describe(ref);
  }

  stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.pruner.stop();
  }

  sizes(): Record<string, number> {
    return { 'nspawn.known': this.known.size, 'nspawn.inflight': this.inflight.size, 'nspawn.pruned': this.pruner.pruned };
  }

  private machinectl(args: string[]): Promise<string | null> {
    return new Promise((resolve) => {
      execFile(this.opts.machinectl ?? 'machinectl', args, { timeout: 5000, encoding: 'utf8' }, (err, stdout) => {
        if (err) {
          // ENOENT: not installed; exit 1 with "not been booted with systemd"/"Failed to connect to bus": no machined
          const e = err as NodeJS.ErrnoException & { stderr?: string };
          if (e.code === 'ENOENT' || /systemd as init|connect to bus|Host is down/i.test(String(e.message))) this.machined = false;
          resolve(null);
        } else resolve(stdout);
      });
    });
  }

  private async describe(ref: ContainerRef): Promise<void> {
    if (this.inflight.has(ref.id)) return;
    this.inflight.add(ref.id);
    try {
      const out = await this.machinectl(['show', ref.fullId, '--no-pager']);
      if (out === null) return;
      const p = parseShow(out);
      const c = this.table.get(ref.id);
      if (!c) return;
      this.table.set({ ...c, image: p.RootDirectory ?? '', imageRepo: p.RootDirectory ?? '', labels: { ...c.labels, ...(p.Class ? { 'machined.class': p.Class } : {}), ...(p.Service ? { 'machined.service': p.Service } : {}) } });
    } finally {
      this.inflight.delete(ref.id);
    }
  }

  private async sweep(): Promise<void> {
    if (!this.machined || this.known.size === 0) return;
    const out = await this.machinectl(['list', '--no-legend', '--no-pager']);
    if (out === null) return;
    const running = new Set(out.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean));
    for (const id of this.known) if (!running.has(id)) this.pruner.schedule(id);
  }
}
