// `tsdig --pcap FILE [-f FILTER] [-M secs] [-n packets]`: capture on the host's interfaces and on
// every container's veth (found again whenever Docker reports a container start/stop, and every
// second), decode each packet, count it per interface, container and connection, and write pcapng
// with one interface block per captured interface naming its container. The eBPF syscall capture
// runs alongside (src/net/owners.ts) so each connection end names its process and container; without
// it (no BPF rights, no addon) packets are still captured, with a one-line note. Ends with the
// counters as one line of JSON on stdout and a summary line on stderr.
import * as fs from 'node:fs';
import type { CliOptions } from '../cli/options';
import { CaptureManager } from './capture';
import { decodePacket, PacketInfo } from './decode';
import { PcapngWriter } from './pcapng';
import { NetStats, NetIface, NetSnapshot } from './stats';
import { hostIfaces, listContainers, dockerEvents, HostIface } from './ifaces';
import { startOwnerTracker, OwnerTracker } from './owners';

export class PcapPrereqError extends Error {}

/** Throws a PcapPrereqError with a clear message when packet capture cannot work here. */
export function checkPcapPrerequisites(): void {
  try {
    require('cap');
  } catch (e) {
    throw new PcapPrereqError(
      `packet capture needs libpcap and the 'cap' module (apt-get install libpcap-dev; npm install cap): ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const caps = readCapEff();
  if (caps !== undefined && !(caps & (1n << 13n))) {
    throw new PcapPrereqError('packet capture needs CAP_NET_RAW: run tsdig as root (sudo tsdig --pcap …) or grant cap_net_raw');
  }
}

function readCapEff(): bigint | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt('0x' + m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Wanted {
  dev: string;
  ifindex: number;
  containerId: string;
  containerName: string;
  containerIface: string;
  mtu: number;
  localMac?: Uint8Array;
}

interface Opened {
  want: Wanted;
  ifId: number; // pcapng interface id
  linktype: number;
  info: NetIface;
}

export interface PcapRunResult {
  file: string;
  packets: number;
  bytes: number;
  stats: NetSnapshot;
  /** process attribution from the syscall capture */
  attribution: {
    enabled: boolean;
    /** why it is off */
    note?: string;
    /** syscall events read, of which given to the state engine (process and socket events), lost in the ring buffer, socket tuples indexed */
    events?: number;
    used?: number;
    drops?: number;
    tuples?: number;
    /** connections with at least one end attributed, of all TCP/UDP connections */
    attributed: number;
    connections: number;
  };
}

export async function runPcap(o: CliOptions): Promise<number> {
  const file = o.pcap!;
  checkPcapPrerequisites();
  const onlyIfaces = process.env.TSDIG_PCAP_IFACES?.split(',').map((s) => s.trim()).filter(Boolean);
  const nanos = process.env.TSDIG_PCAP_TSRESOL !== 'us';
  const writer = new PcapngWriter(file, nanos);
  const stats = new NetStats();
  const pkt = new PacketInfo();
  const limit = o.numEvents > 0 ? o.numEvents : Infinity;

  const opened = new Map<string, Opened>(); // by dev
  const idbs = new Map<string, number>(); // "dev|ifindex|container|linktype" → pcapng id, reused when a child restarts
  const pendingOpen = new Map<string, Wanted>();
  const failures = new Map<string, string>();
  const unmappedSeen = new Map<string, number>();
  let nPackets = 0;
  let stopping = false;
  let stopResolve!: () => void;
  const stopped = new Promise<void>((r) => (stopResolve = r));
  let initialOpen: (() => void) | undefined;

  const mgr = new CaptureManager(
    {
      onOpen(dev, linktype, error) {
        const want = pendingOpen.get(dev);
        pendingOpen.delete(dev);
        if (!want) return;
        if (linktype < 0) {
          failures.set(dev, error ?? 'open failed');
          if (process.env.TSDIG_DEBUG) process.stderr.write(`tsdig: ${dev}: ${error}\n`);
        } else {
          const key = `${dev}|${want.ifindex}|${want.containerId}|${linktype}`;
          let ifId = idbs.get(key);
          if (ifId === undefined) {
            const description = want.containerId
              ? `container ${want.containerName} (${want.containerId.slice(0, 12)}) ${want.containerIface} via ${dev}`
              : `host ${dev}`;
            ifId = writer.addInterface({
              linktype,
              snaplen: 65535,
              name: dev,
              description,
              comment: want.containerId ? `container.id=${want.containerId} container.name=${want.containerName}` : undefined,
            });
            idbs.set(key, ifId);
          }
          const info: NetIface = {
            id: ifId,
            name: dev,
            ifindex: want.ifindex,
            containerId: want.containerId,
            containerName: want.containerName,
            localMac: want.localMac,
          };
          stats.addInterface(info);
          opened.set(dev, { want, ifId, linktype, info });
        }
        if (pendingOpen.size === 0 && initialOpen) initialOpen();
      },
      onPacket(dev, buf, off, caplen, truncated, sec, nsec) {
        if (nPackets >= limit) return;
        const op = opened.get(dev);
        if (!op) return;
        nPackets++;
        decodePacket(buf, off, caplen, op.linktype, pkt);
        // cap does not report the original length; with snaplen 65535 only TSO super-frames can be longer
        stats.account(op.ifId, buf, pkt, caplen, sec * 1000 + nsec / 1e6);
        writer.writePacket(op.ifId, sec, nsec, buf, off, caplen, truncated ? Math.max(caplen, 65535) : caplen);
        if (nPackets >= limit) stop();
      },
      onExit(dev, expected, detail) {
        const op = opened.get(dev);
        opened.delete(dev);
        if (pendingOpen.delete(dev) && pendingOpen.size === 0 && initialOpen) initialOpen();
        if (!expected && op && process.env.TSDIG_DEBUG) process.stderr.write(`tsdig: capture on ${dev} ended (${detail})\n`);
      },
    },
    o.pcapFilter ?? '',
  );

  const containerCache = new Map<string, { name: string; pid: number }>();
  // which process holds each connection end: the eBPF syscall capture in this process, when possible
  let owners: OwnerTracker | undefined;
  let ownersNote: string | undefined;
  const started = await startOwnerTracker((id) => {
    for (const [full, c] of containerCache) if (full.startsWith(id)) return c.name;
    return '';
  });
  if (typeof started === 'string') {
    ownersNote = started;
    process.stderr.write(`tsdig: packets are not attributed to processes (syscall capture unavailable: ${started})\n`);
  } else {
    owners = started;
    stats.resolver = owners.index;
  }
  let scanning = false;
  let rescanAgain = false;

  async function scan(): Promise<void> {
    if (scanning) {
      rescanAgain = true;
      return;
    }
    scanning = true;
    try {
      do {
        rescanAgain = false;
        await reconcile();
      } while (rescanAgain && !stopping);
    } finally {
      scanning = false;
    }
  }

  async function reconcile(): Promise<void> {
    const host = hostIfaces();
    const byIndex = new Map<number, HostIface>(host.map((h) => [h.ifindex, h]));
    const { containers } = await listContainers(containerCache);
    if (stopping) return;
    const wanted = new Map<string, Wanted>();
    const owned = new Map<number, Wanted>();
    for (const c of containers) {
      for (const l of c.links) {
        const h = byIndex.get(l.iflink);
        if (!h) continue;
        owned.set(h.ifindex, {
          dev: h.name,
          ifindex: h.ifindex,
          containerId: c.id,
          containerName: c.name,
          containerIface: l.name,
          mtu: h.mtu,
          localMac: l.mac,
        });
      }
    }
    for (const h of host) {
      if (!h.up || h.name === 'any') continue;
      if (onlyIfaces ? !onlyIfaces.includes(h.name) : h.bridge) continue; // bridge traffic is seen on its veths
      const own = owned.get(h.ifindex);
      if (own) {
        wanted.set(h.name, own);
        unmappedSeen.delete(h.name);
        continue;
      }
      // a new veth is not attributed yet: give discovery one more round before calling it a host interface
      if (h.name.startsWith('veth') && !onlyIfaces) {
        const n = (unmappedSeen.get(h.name) ?? 0) + 1;
        unmappedSeen.set(h.name, n);
        if (n < 3) continue;
      }
      wanted.set(h.name, { dev: h.name, ifindex: h.ifindex, containerId: '', containerName: 'host', containerIface: h.name, mtu: h.mtu, localMac: h.mac });
    }
    // close what went away or changed owner, open what is new
    const closing: Promise<void>[] = [];
    for (const [dev, op] of opened) {
      const w = wanted.get(dev);
      if (!w || w.ifindex !== op.want.ifindex || w.containerId !== op.want.containerId) {
        opened.delete(dev);
        closing.push(mgr.close(dev));
      }
    }
    await Promise.all(closing);
    for (const [dev, w] of wanted) {
      if (stopping) break;
      if (mgr.has(dev) || failures.has(dev)) continue;
      pendingOpen.set(dev, w);
      mgr.open(dev, ringBytes(w.mtu));
    }
  }

  function stop(): void {
    if (stopping) return;
    stopping = true;
    stopResolve();
  }

  const onSignal = (): void => stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let debounce: NodeJS.Timeout | undefined;
  const stopEvents = dockerEvents(() => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => void scan(), 50);
  });
  const flushTimer = setInterval(() => {
    writer.flush();
    stats.sample();
  }, 1000);

  try {
    // wait for the first set of interfaces to open before the -M clock starts
    const ready = new Promise<void>((r) => (initialOpen = r));
    await scan();
    if (pendingOpen.size > 0) await Promise.race([ready, stopped, sleep(10_000)]);
    initialOpen = undefined;
    if (opened.size === 0 && !stopping) {
      const why = [...failures].map(([d, e]) => `${d}: ${e}`).join('; ');
      throw new PcapPrereqError(`could not open any interface for capture${why ? ` (${why})` : ''}`);
    }
    if (!stopping) {
      process.stderr.write(`tsdig: capturing on ${[...opened.keys()].join(', ')}${o.pcapFilter ? ` (filter: ${o.pcapFilter})` : ''}\n`);
    }
    const rescan = setInterval(() => void scan(), 1000);
    const timer = o.seconds > 0 ? setTimeout(stop, o.seconds * 1000) : undefined;
    await stopped;
    clearInterval(rescan);
    if (timer) clearTimeout(timer);
  } finally {
    stopping = true;
    stopEvents();
    if (debounce) clearTimeout(debounce);
    clearInterval(flushTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await mgr.closeAll();
    writer.close();
    owners?.stop();
  }
  stats.sample();
  const snap = stats.snapshot();
  const ipConns = snap.connections.filter((c) => c.proto === 'tcp' || c.proto === 'udp');
  const attributed = ipConns.filter((c) => c.srcOwner || c.dstOwner).length;
  const ost = owners?.stats();
  const result: PcapRunResult = {
    file,
    packets: writer.packets,
    bytes: stats.bytes,
    stats: snap,
    attribution: owners
      ? { enabled: true, events: ost!.events, used: ost!.kept, drops: ost!.drops, tuples: ost!.tuples, attributed, connections: ipConns.length }
      : { enabled: false, note: ownersNote, attributed: 0, connections: ipConns.length },
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  process.stderr.write(
    `tsdig: ${writer.packets} packets (${stats.bytes} bytes) on ${snap.interfaces.length} interfaces, ${snap.connections.length} connections${owners ? ` (${attributed} of ${ipConns.length} TCP/UDP attributed to processes)` : ''}, written to ${file}\n`,
  );
  return 0;
}

/**
 * Kernel ring per interface. libpcap sizes each ring slot from the MTU (cap fixes snaplen at 65535), so
 * lo's 64 KiB MTU leaves a 16 MiB ring only 256 slots: big-MTU interfaces get a larger ring.
 * TSDIG_PCAP_BUFMB overrides it for every interface.
 */
function ringBytes(mtu: number): number {
  const env = Number(process.env.TSDIG_PCAP_BUFMB);
  if (env > 0) return env << 20;
  return mtu > 9216 ? 64 << 20 : 16 << 20;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
