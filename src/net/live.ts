// Packet counters in the background of a live job (the UI, live `--snapshot`): when tsdig may
// capture packets (libpcap loads, CAP_NET_RAW), every interface is captured without writing
// anything, and the counters are registered for the snapshot aggregator (src/snapshot/wire.ts) and
// chisels (api.packets()). When it may not, or with --no-pcap-stats, the job goes on with syscalls
// only and one line says why. The live job's own state engine names each connection's processes:
// its events keep a socket index (src/net/owners.ts) through before()/after().
import type { CliOptions } from '../cli/options';
import type { ScapEvent } from '../events/event';
import type { StateEngine } from '../state/engine';
import type { LiveConsumer, LiveSourceOpts } from '../live/source';
import { setActivePackets } from './active';
import { pcapUnavailable } from './prereq';

export interface BackgroundPackets {
  /** the one-line status: what runs, or why packets are not counted */
  readonly status: string;
  /** interfaces open (resolves at once when off) */
  readonly ready: Promise<void>;
  /** around the live engine's handling of each event (keeps process attribution current) */
  before(ev: ScapEvent): void;
  after(ev: ScapEvent): void;
  stop(): Promise<void>;
}

const OFF = { before: () => undefined, after: () => undefined, stop: async () => undefined, ready: Promise.resolve() };

/** Idle connections are forgotten after this long (the table must not grow for ever in a long run). */
const IDLE_MS = 60_000;

/**
 * Starts background packet counting for a live job whose events go through `engine`. `say` gets the
 * status line when packets cannot be counted (the UI shows stderr lines in its footer).
 */
export function startBackgroundPackets(o: Pick<CliOptions, 'pcapStats' | 'pcapFilter'>, engine: StateEngine, say: (line: string) => void): BackgroundPackets {
  if (o.pcapStats === false) {
    setActivePackets(null, 'off (--no-pcap-stats)');
    return { ...OFF, status: 'wire counters off (--no-pcap-stats)' };
  }
  const why = pcapUnavailable();
  if (why) {
    const status = `wire counters off: ${why}; syscall capture goes on`;
    setActivePackets(null, why);
    say(`tsdig: ${status}`);
    return { ...OFF, status };
  }
  // loaded only when packets are really captured
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { PacketMonitor } = require('./monitor') as typeof import('./monitor');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { SocketFeed, SocketIndex } = require('./owners') as typeof import('./owners');
  const mon = new PacketMonitor({ filter: o.pcapFilter ?? '' });
  const index = new SocketIndex((id) => engine.containers.get(id)?.name || mon.containerName(id));
  const feed = new SocketFeed(engine, index);
  mon.stats.resolver = index;
  setActivePackets(mon.stats);
  let primed = false;
  let stopped = false;
  const expire = setInterval(() => mon.stats.expire(IDLE_MS), 10_000);
  expire.unref();
  const handle: BackgroundPackets = {
    status: 'wire counters on',
    ready: mon.start().catch((e: Error) => {
      if (stopped) return;
      setActivePackets(null, e.message);
      (handle as { status: string }).status = `wire counters off: ${e.message}; syscall capture goes on`;
      say(`tsdig: ${handle.status}`);
    }),
    before(ev) {
      const type = ev.type;
      if (feed.wanted(type)) feed.before(type, ev.tid);
    },
    after(ev) {
      // the first event comes after the engine fixed the /proc sockets' roles
      if (!primed) {
        primed = true;
        feed.noteAll();
      }
      const type = ev.type;
      if (feed.wanted(type)) feed.after(type, ev);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(expire);
      setActivePackets(null);
      await mon.stop();
    },
  };
  return handle;
}

/**
 * A live consumer with background packet counting around it: its events keep the socket index, the
 * status line (when packets are not counted) is printed right after the capture's own "capturing"
 * line (the UI shows the last stderr line in its footer), and stop() ends the packet capture.
 */
export function withBackgroundPackets(o: CliOptions, c: LiveConsumer, so: LiveSourceOpts): { consumer: LiveConsumer; opts: LiveSourceOpts; packets: BackgroundPackets } {
  let started = false;
  let pending = '';
  const say = (line: string): void => {
    if (started) process.stderr.write(line + '\n');
    else pending = line;
  };
  const packets = startBackgroundPackets(o, c.engine, say);
  const consumer: LiveConsumer = {
    ...c,
    handle(ev: ScapEvent): boolean {
      packets.before(ev);
      const go = c.handle(ev);
      packets.after(ev);
      return go;
    },
  };
  const opts: LiveSourceOpts = {
    ...so,
    started() {
      so.started?.();
      started = true;
      if (pending) process.stderr.write(pending + '\n');
    },
  };
  return { consumer, opts, packets };
}
