// Can packets be captured here? libpcap (through the `cap` module) and CAP_NET_RAW. Kept apart from
// the capture code so the live UI can ask cheaply before deciding to start packet capture.
import * as fs from 'node:fs';

export class PcapPrereqError extends Error {}

/** The reason packet capture cannot work here (one line), or null when it can. */
export function pcapUnavailable(): string | null {
  try {
    require('cap');
  } catch (e) {
    return `packet capture needs libpcap and the 'cap' module (apt-get install libpcap-dev; npm install cap): ${(e as Error).message.split('\n')[0]}`;
  }
  const caps = readCapEff();
  if (caps !== undefined && !(caps & (1n << 13n))) {
    return 'packet capture needs CAP_NET_RAW: run tsdig as root (sudo tsdig --pcap ...) or grant cap_net_raw';
  }
  return null;
}

/** Throws a PcapPrereqError with a clear message when packet capture cannot work here. */
export function checkPcapPrerequisites(): void {
  const why = pcapUnavailable();
  if (why) throw new PcapPrereqError(why);
}

function readCapEff(): bigint | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt('0x' + m[1]) : undefined;
  } catch {
    return undefined;
  }
}
