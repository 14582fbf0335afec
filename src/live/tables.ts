// Sizes of everything a long live capture keeps per process, fd or container, for leak checks:
// `-v` prints them when the capture ends and SIGUSR2 prints them (with the event rate) at any
// moment (src/live/source.ts). Only sizes are read; nothing is changed.
import { StateEngine } from '../state/engine';

export type Sizes = Record<string, number>;

/** threads, processes, fd tables and fds (shared tables counted once), containers, users, groups */
export function stateSizes(engine: StateEngine): Sizes {
  let processes = 0;
  let fds = 0;
  const tables = new Set<Map<number, unknown>>();
  for (const t of engine.threads.values()) {
    if (t.isMain) processes++;
    const f = t.fds;
    if (tables.has(f)) continue;
    tables.add(f);
    fds += f.size;
  }
  return {
    threads: engine.threads.size,
    processes,
    fdTables: tables.size,
    fds,
    containers: engine.containers.byId.size,
    users: engine.users.size,
    groups: engine.groups.size,
  };
}

/** "k=v k=v …" (stable order: as given) */
export function formatSizes(s: Sizes): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Parses a formatSizes() string back (tests and benches read tsdig's stderr with it). */
export function parseSizes(text: string): Sizes {
  const out: Sizes = {};
  for (const m of text.matchAll(/([\w.]+)=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}
