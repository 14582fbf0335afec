// CPU time of a container from its cgroup (the kernel's own accounting): the probe traces no
// scheduler events, so no event stream could give CPU time live. cgroup v2: <root>/<path>/cpu.stat
// usage_usec; v1: cpuacct/<path>/cpuacct.usage (ns). The path comes from a thread of the
// container (its cgroups as /proc or the capture gave them).
import * as fs from 'node:fs';
import type { StateEngine } from '../state/engine';

const ROOT = process.env.TSDIG_CGROUP_ROOT || '/sys/fs/cgroup';

export class CgroupCpu {
  private paths = new Map<string, string | null>();

  /** Seconds of CPU used by each container id of `ids` whose cgroup is readable. */
  read(engine: StateEngine, ids: Iterable<string>): Map<string, number> {
    const want = new Set<string>();
    for (const id of ids) if (id && id !== 'host' && !this.paths.has(id)) want.add(id);
    if (want.size) this.learn(engine, want);
    const out = new Map<string, number>();
    for (const id of ids) {
      const p = this.paths.get(id);
      if (!p) continue;
      const v = readUsage(p);
      if (v === undefined) this.paths.delete(id); // gone (or moved): look again next time
      else out.set(id, v);
    }
    return out;
  }

  forget(id: string): void {
    this.paths.delete(id);
  }

  private learn(engine: StateEngine, want: Set<string>): void {
    for (const t of engine.threads.values()) {
      if (!t.containerId || !want.has(t.containerId)) continue;
      want.delete(t.containerId);
      this.paths.set(t.containerId, cgroupFile(t.cgroups));
      if (!want.size) return;
    }
    for (const id of want) this.paths.set(id, null);
  }
}

/** The usage file for a thread's cgroups ("subsys=path" entries; v2 ones name each controller), or null. */
function cgroupFile(cgroups: readonly string[]): string | null {
  for (const cg of cgroups) {
    const eq = cg.indexOf('=');
    const sub = cg.slice(0, eq);
    if (sub !== 'cpu' && sub !== 'cpuacct') continue;
    const path = cg.slice(eq + 1);
    for (const f of [`${ROOT}/cpuacct${path}/cpuacct.usage`, `${ROOT}/cpu,cpuacct${path}/cpuacct.usage`, `${ROOT}${path}/cpu.stat`, `${ROOT}/unified${path}/cpu.stat`]) {
      if (fs.existsSync(f)) return f;
    }
  }
  return null;
}

function readUsage(file: string): number | undefined {
  let txt: string;
  try {
    txt = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (file.endsWith('cpuacct.usage')) {
    const n = Number(txt.trim());
    return Number.isFinite(n) ? n / 1e9 : undefined;
  }
  const m = /^usage_usec (\d+)/m.exec(txt);
  return m ? Number(m[1]) / 1e6 : undefined;
}
