// `tsdig --pcap FILE [-f FILTER] [-M secs] [-n packets] [-w FILE.scap]`: packets of the host's
// interfaces and of every container's veth to pcapng (src/net/monitor.ts), each connection end named
// by its process and container through a socket index kept from syscall events (src/net/owners.ts).
//
// Alone, --pcap runs its own eBPF syscall capture for that index (without BPF rights: packets are
// still captured, with a one-line note). With -w, the live -w session (src/live/write.ts) is that
// capture: syscalls go to the .scap file, packets to the pcapng, and the index is kept from the very
// events written, so the pcapng's attribution and the scap agree. Both files carry wall-clock
// timestamps (ns since the epoch: the probe's boot clock + the realtime offset, the packets' time of
// arrival; pcapng if_tsresol 9), so their events can be lined up; the pcapng keeps the packets
// from the syscall capture's start to its end. With -w, -n and -M are the -w session's (events,
// seconds) and packet capture ends with it.
//
// Ends with the counters as one line of JSON on stdout and a summary line on stderr.
import type { CliOptions } from '../cli/options';
import { UsageError } from '../cli/options';
import { PcapngWriter } from './pcapng';
import { NetSnapshot } from './stats';
import { PacketMonitor } from './monitor';
import { startOwnerTracker, OwnerTracker, SocketFeed, SocketIndex } from './owners';
import { checkPcapPrerequisites, PcapPrereqError } from './prereq';
import { setActivePackets } from './active';

export { checkPcapPrerequisites, PcapPrereqError };

export interface PcapRunResult {
  file: string;
  packets: number;
  bytes: number;
  stats: NetSnapshot;
  /** the .scap file written alongside (-w), if any */
  scap?: string;
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
  if (o.read.length > 0) throw new UsageError('--pcap captures live packets: it cannot be combined with -r');
  checkPcapPrerequisites();
  const file = o.pcap!;
  const onlyIfaces = process.env.TSDIG_PCAP_IFACES?.split(',').map((s) => s.trim()).filter(Boolean);
  const writer = new PcapngWriter(file, process.env.TSDIG_PCAP_TSRESOL !== 'us');
  return o.write !== undefined ? runWithScap(o, writer, onlyIfaces) : runAlone(o, writer, onlyIfaces);
}

async function runAlone(o: CliOptions, writer: PcapngWriter, onlyIfaces: string[] | undefined): Promise<number> {
  let stopping = false;
  let stopResolve!: () => void;
  const stopped = new Promise<void>((r) => (stopResolve = r));
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    stopResolve();
  };
  const mon = new PacketMonitor({ filter: o.pcapFilter ?? '', writer, limit: o.numEvents, onLimit: stop, onlyIfaces });
  // which process holds each connection end: the eBPF syscall capture in this process, when possible
  let owners: OwnerTracker | undefined;
  let ownersNote: string | undefined;
  const started = await startOwnerTracker((id) => mon.containerName(id));
  if (typeof started === 'string') {
    ownersNote = started;
    process.stderr.write(`tsdig: packets are not attributed to processes (syscall capture unavailable: ${started})\n`);
  } else {
    owners = started;
    mon.stats.resolver = owners.index;
  }
  const onSignal = (): void => stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // the first set of interfaces opens before the -M clock starts
    await Promise.race([mon.start(), stopped]);
    if (!stopping) {
      process.stderr.write(`tsdig: capturing on ${mon.devices.join(', ')}${o.pcapFilter ? ` (filter: ${o.pcapFilter})` : ''}\n`);
      setActivePackets(mon.stats);
      const timer = o.seconds > 0 ? setTimeout(stop, o.seconds * 1000) : undefined;
      await stopped;
      if (timer) clearTimeout(timer);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await mon.stop();
    writer.close();
    owners?.stop();
    setActivePackets(null);
  }
  const ost = owners?.stats();
  report(o.pcap!, writer, mon, owners ? { enabled: true, events: ost!.events, used: ost!.kept, drops: ost!.drops, tuples: ost!.tuples } : { enabled: false, note: ownersNote });
  return 0;
}

/** --pcap FILE -w FILE.scap: one live syscall capture written by the -w session, packets beside it. */
async function runWithScap(o: CliOptions, writer: PcapngWriter, onlyIfaces: string[] | undefined): Promise<number> {
  const { runLiveWrite } = await import('../live/write');
  const mon = new PacketMonitor({ filter: o.pcapFilter ?? '', writer, onlyIfaces });
  // the pcapng covers the time the .scap does: packets from the syscall capture's start to its end
  mon.acceptToMs = -1;
  let index: SocketIndex | undefined;
  let feed: SocketFeed | undefined;
  let primed = false;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  // a signal while the interfaces open: nothing is started after it
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code = 1;
  try {
    try {
      await mon.start();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (interrupted) {
      code = 0;
    } else {
      setActivePackets(mon.stats);
      code = await runLiveWrite(o, {
        started(engine) {
          index = new SocketIndex((id) => engine.containers.get(id)?.name || mon.containerName(id));
          feed = new SocketFeed(engine, index);
          mon.stats.resolver = index;
          mon.acceptFromMs = Date.now();
          mon.acceptToMs = Infinity;
          process.stderr.write(`tsdig: capturing on ${mon.devices.join(', ')}${o.pcapFilter ? ` (filter: ${o.pcapFilter})` : ''}; syscalls to ${o.write}\n`);
        },
        before(ev) {
          const type = ev.type;
          if (feed && feed.wanted(type)) feed.before(type, ev.tid);
        },
        after(ev) {
          if (!feed) return;
          // the first event is handled after the engine fixed the /proc sockets' roles
          if (!primed) {
            primed = true;
            feed.noteAll();
          }
          const type = ev.type;
          if (feed.wanted(type)) feed.after(type, ev);
        },
      });
    }
  } finally {
    if (mon.acceptToMs === Infinity) mon.acceptToMs = Date.now();
    await mon.stop();
    writer.close();
    setActivePackets(null);
  }
  report(o.pcap!, writer, mon, index ? { enabled: true, tuples: index.size } : { enabled: false, note: 'the syscall capture did not start' }, o.write);
  return code;
}

function report(file: string, writer: PcapngWriter, mon: PacketMonitor, attr: Omit<PcapRunResult['attribution'], 'attributed' | 'connections'>, scap?: string): void {
  const stats = mon.stats;
  const snap = stats.snapshot();
  const ipConns = snap.connections.filter((c) => c.proto === 'tcp' || c.proto === 'udp');
  const attributed = attr.enabled ? ipConns.filter((c) => c.srcOwner || c.dstOwner).length : 0;
  const result: PcapRunResult = {
    file,
    packets: writer.packets,
    bytes: stats.bytes,
    stats: snap,
    ...(scap !== undefined ? { scap } : {}),
    attribution: { ...attr, attributed, connections: ipConns.length },
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  process.stderr.write(
    `tsdig: ${writer.packets} packets (${stats.bytes} bytes) on ${snap.interfaces.length} interfaces, ${snap.connections.length} connections${attr.enabled ? ` (${attributed} of ${ipConns.length} TCP/UDP attributed to processes)` : ''}, written to ${file}\n`,
  );
}
