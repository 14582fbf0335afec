// The packet counters of this process, when packet capture runs alongside a live job (the UI,
// `--snapshot` live, `--pcap`): what the snapshot aggregator joins with the syscall rows and what
// chisels read through api.packets(). A plain module without capture code, so importing it never
// loads libpcap.
import type { NetStats } from './stats';

let current: NetStats | null = null;
let note = '';

/** Registers the running packet counters (null: none), with why there are none when it is so. */
export function setActivePackets(stats: NetStats | null, why = ''): void {
  current = stats;
  note = stats ? '' : why;
}

/** The running packet counters, or null when no packet capture runs in this process. */
export function activePackets(): NetStats | null {
  return current;
}

/** Why packet counters are off ('' when they run or were never asked for). */
export function packetsNote(): string {
  return note;
}
