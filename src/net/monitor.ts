// The packet side of every job that captures packets (`--pcap`, `--pcap` with `-w`, the live UI's
// wire counters): one capture child per interface (the host's interfaces and every container's
// veth, found again whenever Docker reports a container start/stop and every second), each packet
// decoded, counted in NetStats and, when a writer is given, written to pcapng with one interface
// block per captured interface naming its container.
import { CaptureManager } from './capture';
import { decodePacket, PacketInfo } from './decode';
import { PcapngWriter } from './pcapng';
import { NetStats, NetIface } from './stats';
import { hostIfaces, listContainers, dockerEvents, HostIface } from './ifaces';
import { PcapPrereqError } from './prereq';

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
  ifId: number; // pcapng interface id (also the NetStats interface id)
  linktype: number;
  info: NetIface;
}

export interface MonitorOpts {
  /** libpcap filter ('' for none) */
  filter: string;
  /** pcapng output; none: count only */
  writer?: PcapngWriter;
  /** stop counting after this many packets (then onLimit is called once) */
  limit?: number;
  onLimit?(): void;
  /** only these interfaces (TSDIG_PCAP_IFACES) */
  onlyIfaces?: string[];
}

export class PacketMonitor {
  readonly stats = new NetStats();
  /** packets counted (and written) */
  packets = 0;
  /** packets are kept only when their timestamp (wall-clock ms) lies in [acceptFromMs, acceptToMs] */
  acceptFromMs = 0;
  acceptToMs = Infinity;
  private readonly pkt = new PacketInfo();
  private readonly opened = new Map<string, Opened>(); // by dev
  private readonly idbs = new Map<string, number>(); // "dev|ifindex|container|linktype" → interface id, reused when a child restarts
  private readonly pendingOpen = new Map<string, Wanted>();
  private readonly failures = new Map<string, string>();
  private readonly unmappedSeen = new Map<string, number>();
  /** full container id → name and pid, from Docker (or /proc) */
  readonly containerCache = new Map<string, { name: string; pid: number }>();
  private readonly mgr: CaptureManager;
  private nextIfId = 0;
  private stopping = false;
  private scanning = false;
  private rescanAgain = false;
  private initialOpen: (() => void) | undefined;
  private stopEvents: (() => void) | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private sampler: NodeJS.Timeout | undefined;

  constructor(private readonly o: MonitorOpts) {
    const limit = o.limit && o.limit > 0 ? o.limit : Infinity;
    this.mgr = new CaptureManager(
      {
        onOpen: (dev, linktype, error) => this.onOpen(dev, linktype, error),
        onPacket: (dev, buf, off, caplen, truncated, sec, nsec) => {
          if (this.packets >= limit) return;
          const op = this.opened.get(dev);
          if (!op) return;
          const ms = sec * 1000 + nsec / 1e6;
          if (ms < this.acceptFromMs || ms > this.acceptToMs) return;
          this.packets++;
          decodePacket(buf, off, caplen, op.linktype, this.pkt);
          // cap does not report the original length; with snaplen 65535 only TSO super-frames can be longer
          this.stats.account(op.ifId, buf, this.pkt, caplen, ms);
          this.o.writer?.writePacket(op.ifId, sec, nsec, buf, off, caplen, truncated ? Math.max(caplen, 65535) : caplen);
          if (this.packets >= limit) this.o.onLimit?.();
        },
        onExit: (dev, expected, detail) => {
          const op = this.opened.get(dev);
          this.opened.delete(dev);
          if (this.pendingOpen.delete(dev) && this.pendingOpen.size === 0) this.initialOpen?.();
          if (!expected && op && process.env.TSDIG_DEBUG) process.stderr.write(`tsdig: capture on ${dev} ended (${detail})\n`);
        },
      },
      o.filter,
    );
  }

  /** container name for a short or full id, from the veth discovery ('' when unknown) */
  containerName(id: string): string {
    for (const [full, c] of this.containerCache) if (full.startsWith(id)) return c.name;
    return '';
  }

  /** interfaces being captured */
  get devices(): string[] {
    return [...this.opened.keys()];
  }

  /**
   * Opens the first set of interfaces (waits up to 10 s for them) and keeps following containers.
   * Throws a PcapPrereqError when no interface could be opened.
   */
  async start(): Promise<void> {
    this.stopEvents = dockerEvents(() => {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.scan(), 50);
    });
    this.sampler = setInterval(() => {
      this.o.writer?.flush();
      this.stats.sample();
    }, 1000);
    const ready = new Promise<void>((r) => (this.initialOpen = r));
    await this.scan();
    if (this.pendingOpen.size > 0) await Promise.race([ready, sleep(10_000)]);
    this.initialOpen = undefined;
    if (this.opened.size === 0 && !this.stopping) {
      const why = [...this.failures].map(([d, e]) => `${d}: ${e}`).join('; ');
      throw new PcapPrereqError(`could not open any interface for capture${why ? ` (${why})` : ''}`);
    }
    this.rescan = setInterval(() => void this.scan(), 1000);
  }

  /** Closes every capture child (their last packets are counted) and flushes the writer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.initialOpen?.();
    this.stopEvents?.();
    if (this.debounce) clearTimeout(this.debounce);
    if (this.rescan) clearInterval(this.rescan);
    if (this.sampler) clearInterval(this.sampler);
    await this.mgr.closeAll();
    this.o.writer?.flush();
    this.stats.sample();
  }

  private onOpen(dev: string, linktype: number, error?: string): void {
    const want = this.pendingOpen.get(dev);
    this.pendingOpen.delete(dev);
    if (!want) return;
    if (linktype < 0) {
      this.failures.set(dev, error ?? 'open failed');
      if (process.env.TSDIG_DEBUG) process.stderr.write(`tsdig: ${dev}: ${error}\n`);
    } else {
      const key = `${dev}|${want.ifindex}|${want.containerId}|${linktype}`;
      let ifId = this.idbs.get(key);
      if (ifId === undefined) {
        const description = want.containerId
          ? `container ${want.containerName} (${want.containerId.slice(0, 12)}) ${want.containerIface} via ${dev}`
          : `host ${dev}`;
        const w = this.o.writer;
        ifId = w
          ? w.addInterface({
              linktype,
              snaplen: 65535,
              name: dev,
              description,
              comment: want.containerId ? `container.id=${want.containerId} container.name=${want.containerName}` : undefined,
            })
          : this.nextIfId++;
        this.idbs.set(key, ifId);
      }
      const info: NetIface = {
        id: ifId,
        name: dev,
        ifindex: want.ifindex,
        containerId: want.containerId,
        containerName: want.containerName,
        localMac: want.localMac,
      };
      this.stats.addInterface(info);
      this.opened.set(dev, { want, ifId, linktype, info });
    }
    if (this.pendingOpen.size === 0) this.initialOpen?.();
  }

  private async scan(): Promise<void> {
    if (this.scanning) {
      this.rescanAgain = true;
      return;
    }
    this.scanning = true;
    try {
      do {
        this.rescanAgain = false;
        await this.reconcile();
      } while (this.rescanAgain && !this.stopping);
    } catch (e) {
      if (process.env.TSDIG_DEBUG) process.stderr.write(`tsdig: interface scan: ${(e as Error).message}\n`);
    } finally {
      this.scanning = false;
    }
  }

  private async reconcile(): Promise<void> {
    const host = hostIfaces();
    const byIndex = new Map<number, HostIface>(host.map((h) => [h.ifindex, h]));
    const { containers } = await listContainers(this.containerCache);
    if (this.stopping) return;
    const only = this.o.onlyIfaces;
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
      if (only ? !only.includes(h.name) : h.bridge) continue; // bridge traffic is seen on its veths
      const own = owned.get(h.ifindex);
      if (own) {
        wanted.set(h.name, own);
        this.unmappedSeen.delete(h.name);
        continue;
      }
      // a new veth is not attributed yet: give discovery one more round before calling it a host interface
      if (h.name.startsWith('veth') && !only) {
        const n = (this.unmappedSeen.get(h.name) ?? 0) + 1;
        this.unmappedSeen.set(h.name, n);
        if (n < 3) continue;
      }
      wanted.set(h.name, { dev: h.name, ifindex: h.ifindex, containerId: '', containerName: 'host', containerIface: h.name, mtu: h.mtu, localMac: h.mac });
    }
    // close what went away or changed owner, open what is new
    const closing: Promise<void>[] = [];
    for (const [dev, op] of this.opened) {
      const w = wanted.get(dev);
      if (!w || w.ifindex !== op.want.ifindex || w.containerId !== op.want.containerId) {
        this.opened.delete(dev);
        closing.push(this.mgr.close(dev));
      }
    }
    await Promise.all(closing);
    for (const [dev, w] of wanted) {
      if (this.stopping) break;
      if (this.mgr.has(dev) || this.failures.has(dev)) continue;
      this.pendingOpen.set(dev, w);
      this.mgr.open(dev, ringBytes(w.mtu));
    }
  }
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
