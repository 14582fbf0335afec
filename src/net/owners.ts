// Socket owners for `--pcap`: which process (and container) holds each end of a connection seen on
// the wire. The eBPF syscall capture runs in the same process as the packet capture (no printing):
// a StateEngine bootstrapped from /proc and kept current by the events keeps every process's fd
// table, and an index keyed by socket tuple (protocol, local address:port, remote address:port) is
// updated from it: once from the /proc scan, then on every socket event (connect, accept, bind,
// sendto/recvfrom…) whose socket tuple is new. Entries outlive their sockets (bounded, oldest
// dropped first), so a connection that closed before the end of the run still names its process.
//
// Addresses are matched as the endpoints themselves see them: a container's traffic on its veth
// carries the container's own address (NAT happens further out, on the host's uplink), as does the
// container process's socket; loopback traffic carries 127.0.0.1 on both. Packets seen after NAT
// (the uplink side of a masqueraded connection) match no socket and stay unattributed.
import { EVENTS, EVENT_MAX } from '../events/table';
import { ScapEvent } from '../events/event';
import { EventProcessor } from '../pipeline/processor';
import { StateEngine } from '../state/engine';
import { FdInfo, L4 } from '../state/fdinfo';
import { ThreadInfo } from '../state/thread';
import { FdType } from '../scap/types';
import { NativeCapture, NativeStats, NativeUnavailableError, forEachRecord } from '../live/native';
import { bootstrap, readThreadInto } from '../live/proc';
import { DockerWatcher, DEFAULT_DOCKER_SOCKET } from '../live/docker';

/** The process holding one end of a connection. */
export interface SockOwner {
  pid: number;
  /** parent process id */
  ppid: number;
  tid: number;
  proc: string;
  exe: string;
  /** short (12-character) container id; '' for the host */
  containerId: string;
}

/** What NetStats asks to attribute a connection's ends. */
export interface ConnResolver {
  /** changes whenever an entry is added or replaced: a failed lookup is worth repeating only then */
  readonly gen: number;
  /** the socket whose local end is lip:lport and remote end rip:rport (ipProto 6 or 17) */
  lookup(ipProto: number, lip: string, lport: number, rip: string, rport: number, ifaceContainerId: string): SockOwner | undefined;
  /** container name for a short id ('' when unknown) */
  containerName(shortId: string): string;
}

const MAX_ENTRIES = 1 << 18;

const ipProtoOf = (l4: L4): number => (l4 === L4.TCP ? 6 : l4 === L4.UDP ? 17 : 0);

/** The tuple index. Pure (no capture): fed FdInfos with their threads. */
export class SocketIndex implements ConnResolver {
  gen = 0;
  /** tuples indexed (including replaced ones) */
  added = 0;
  private readonly byTuple = new Map<string, SockOwner>();
  /** bound/listening sockets: "proto|ip|port" (specific address) and "proto|*|port|container" (wildcard) */
  private readonly listeners = new Map<string, { o: SockOwner; f: FdInfo }>();
  private readonly seen = new WeakMap<FdInfo, string>();

  constructor(private readonly names: (id: string) => string = () => '') {}

  get size(): number {
    return this.byTuple.size;
  }

  /** Indexes one socket of thread t (no-op for anything but a TCP/UDP socket with a known tuple). */
  note(t: ThreadInfo, f: FdInfo): void {
    const type = f.type;
    if (type === FdType.IPV4_SOCK || type === FdType.IPV6_SOCK) {
      const proto = ipProtoOf(f.l4proto);
      if (proto === 0 || f.sport === 0 || f.dport === 0 || f.sip === '' || f.dip === '') return;
      // the tuple reads client → server; role says which end is this process's (unknown: as /proc lists it, local first)
      const server = f.role === 1;
      const key = server ? tupleKey(proto, f.dip, f.dport, f.sip, f.sport) : tupleKey(proto, f.sip, f.sport, f.dip, f.dport);
      if (this.seen.get(f) === key) return;
      this.seen.set(f, key);
      this.byTuple.delete(key); // re-inserted last: the oldest entries go first when the index is full
      this.byTuple.set(key, ownerOf(t));
      if (this.byTuple.size > MAX_ENTRIES) this.byTuple.delete(this.byTuple.keys().next().value!);
      this.added++;
      this.gen++;
    } else if ((type === FdType.IPV4_SERVSOCK || type === FdType.IPV6_SERVSOCK) && f.sport !== 0) {
      const proto = ipProtoOf(f.l4proto) || 6;
      const wild = f.sip === '' || f.sip === '0.0.0.0' || f.sip === '::';
      const t0 = t.mainThread();
      const key = wild ? `${proto}|*|${f.sport}|${t0.containerId}` : `${proto}|${f.sip}|${f.sport}`;
      if (this.seen.get(f) === key) return;
      this.seen.set(f, key);
      const o = ownerOf(t);
      this.listeners.set(key, { o, f });
      if (proto === 6 && f.l4proto === L4.UNKNOWN) this.listeners.set(key.replace(/^6/, '17'), { o, f });
      this.gen++;
    }
  }

  /**
   * A socket was closed. Bound/listening sockets leave the index (their port is often bound again
   * by the next process); connected tuples stay as history for connections that already ended.
   */
  closed(f: FdInfo): void {
    if (f.type !== FdType.IPV4_SERVSOCK && f.type !== FdType.IPV6_SERVSOCK) return;
    for (const [k, v] of this.listeners) if (v.f === f) this.listeners.delete(k);
  }

  /** A process exited (its sockets closed without close events). */
  exited(pid: number): void {
    for (const [k, v] of this.listeners) if (v.o.pid === pid) this.listeners.delete(k);
  }

  /** Indexes every socket of every process in the engine (after the /proc scan). */
  noteAll(engine: StateEngine): void {
    for (const t of engine.threads.values()) {
      const m = t.mainThread();
      if (m !== t && m.fds === t.fds) continue; // shares the main thread's table: indexed under it
      for (const f of t.fds.values()) if (f.isIp) this.note(t, f);
    }
  }

  lookup(ipProto: number, lip: string, lport: number, rip: string, rport: number, ifaceContainerId: string): SockOwner | undefined {
    const o = this.byTuple.get(tupleKey(ipProto, lip, lport, rip, rport));
    if (o) return o;
    // a server socket that has not (yet) shown this peer: bound address, then any address in the
    // interface's own container (wildcard binds exist in every network namespace)
    return (
      this.listeners.get(`${ipProto}|${lip}|${lport}`) ??
      (lip === rip ? undefined : this.listeners.get(`${ipProto}|*|${lport}|${ifaceContainerId.slice(0, 12)}`))
    )?.o;
  }

  containerName(shortId: string): string {
    return this.names(shortId);
  }
}

const tupleKey = (proto: number, lip: string, lport: number, rip: string, rport: number): string => `${proto}|${lip}|${lport}|${rip}|${rport}`;

function ownerOf(t: ThreadInfo): SockOwner {
  const m = t.mainThread();
  return { pid: t.pid, ppid: m.ptid, tid: t.tid, proc: m.comm || t.comm, exe: m.exe || t.exe, containerId: m.containerId || t.containerId };
}

/** Exit events that may give a socket its tuple; accept-family exits also return the new fd. */
const SOCK_EXIT = new Uint8Array(EVENT_MAX);
const ACCEPT_EXIT = new Uint8Array(EVENT_MAX);
/** clone-family exits (the child's first event creates it) and procexit: never looked up in /proc */
const NO_LOOKUP = new Uint8Array(EVENT_MAX);
/**
 * The events the state engine is given: the process tree (names, containers) and socket fds. The
 * rest (reads, writes, files, scheduling…) is most of the volume and tells nothing about sockets,
 * so it is skipped to keep the packet path responsive under syscall-heavy load.
 */
const KEEP = new Uint8Array(EVENT_MAX);
const KEEP_RE = /^(clone|clone3|fork|vfork|execve|execveat|procexit|container|socket|socketpair|bind|connect|listen|accept|sendto|recvfrom|sendmsg|recvmsg|sendmmsg|recvmmsg|close|dup|fcntl)$/;
const PROCEXIT = new Uint8Array(EVENT_MAX);
let CLOSE_EXIT = -1;
for (const e of EVENTS) {
  if (KEEP_RE.test(e.name)) KEEP[e.id] = 1;
  if (e.name === 'procexit') PROCEXIT[e.id] = 1;
  if (e.name === 'close' && e.dir === 1) CLOSE_EXIT = e.id;
  if (e.dir === 1 && /^(connect|accept|accept4|bind|listen|sendto|recvfrom|sendmsg|recvmsg|sendmmsg|recvmmsg)$/.test(e.name)) SOCK_EXIT[e.id] = 1;
  if (e.dir === 1 && /^accept4?$/.test(e.name)) ACCEPT_EXIT[e.id] = 1;
  if ((e.dir === 1 && /^(clone|fork|vfork|clone3)$/.test(e.name)) || e.name === 'procexit') NO_LOOKUP[e.id] = 1;
}

/**
 * Keeps a SocketIndex current from the events a StateEngine handles, whoever drives the engine
 * (the tracker below, the `-w` session of `--pcap -w`, the live UI): call before() and after()
 * around the engine's handling of each event. Only process and socket events matter (wanted()).
 */
export class SocketFeed {
  private readonly indexed = new WeakSet<ThreadInfo>();
  constructor(
    readonly engine: StateEngine,
    readonly index: SocketIndex,
    /** a container id a socket event named that the engine has no metadata for yet */
    private readonly unknownContainer?: (id: string) => void,
  ) {}

  /** true for the event types that change the index (the rest can skip before/after) */
  wanted(type: number): boolean {
    return type < EVENT_MAX && KEEP[type] === 1;
  }

  /** Indexes every socket of every process in the engine (after its /proc scan). */
  noteAll(): void {
    this.index.noteAll(this.engine);
  }

  /** A thread first read from /proc while running: its sockets join the index. */
  noteThread(t: ThreadInfo): void {
    this.indexed.add(t);
    for (const f of t.fds.values()) if (f.isIp) this.index.note(t, f);
  }

  before(type: number, tid: number): void {
    if (!PROCEXIT[type]) return;
    const t = this.engine.threads.get(tid);
    if (t && t.tid === t.pid) this.index.exited(t.pid);
  }

  /** After the engine handled an event of this type (engine.thread / engine.fd are its). */
  after(type: number, ev: ScapEvent): void {
    const engine = this.engine;
    if (type === CLOSE_EXIT) {
      const f = engine.fd;
      if (f && f.isIp) this.index.closed(f);
      return;
    }
    if (!SOCK_EXIT[type]) return;
    const th = engine.thread;
    if (!th) return;
    if (!this.indexed.has(th.mainThread())) this.noteThread(th.mainThread());
    const f = engine.fd;
    if (f) this.index.note(th, f);
    if (ACCEPT_EXIT[type]) {
      const fd = ev.int(0);
      const nf = fd !== undefined && fd >= 0 ? th.fds.get(fd) : undefined;
      if (nf) this.index.note(th, nf);
    }
    const cid = th.mainThread().containerId;
    if (cid && this.unknownContainer && !engine.containers.byId.has(cid)) this.unknownContainer(cid);
  }
}

export interface OwnerTracker {
  readonly index: SocketIndex;
  stats(): NativeStats & { lookups: number; tuples: number; kept: number };
  stop(): void;
}

/**
 * Starts the syscall capture feeding a SocketIndex. Returns the reason as a string when it cannot
 * run here (no addon, no BPF rights, old kernel…); packet capture goes on without attribution then.
 * `knownNames` gives container names the caller already knows (from its veth discovery).
 */
export async function startOwnerTracker(knownNames: (shortId: string) => string = () => ''): Promise<OwnerTracker | string> {
  if (process.env.TSDIG_PCAP_ATTRIB === '0') return 'disabled by TSDIG_PCAP_ATTRIB=0';
  let cap: NativeCapture;
  try {
    // no I/O data is needed: only the tuples and the process tree
    cap = new NativeCapture({ snaplen: 0, bufferSize: 16 << 20 });
  } catch (e) {
    if (e instanceof NativeUnavailableError) return e.message.split('\n')[0]!;
    throw e;
  }
  const proc = new EventProcessor({}, () => {});
  const engine = proc.engine;
  const index = new SocketIndex((id) => engine.containers.get(id)?.name || knownNames(id));
  const docker = new DockerWatcher(engine.containers, {
    socketPath: process.env.TSDIG_DOCKER_SOCKET || DEFAULT_DOCKER_SOCKET,
    warn: (m) => {
      if (process.env.TSDIG_DEBUG) process.stderr.write(`tsdig: ${m}\n`);
    },
  });
  const dockerReady = docker.start();
  const feed = new SocketFeed(engine, index, (cid) => docker.want(cid));
  const sink = engine.metadataSink(() => {});
  bootstrap(sink);
  engine.fixupSocketRoles();
  feed.noteAll();
  const threads = engine.threads;
  for (const t of threads.values()) if (t.containerId) docker.want(t.containerId);
  await Promise.race([dockerReady, new Promise((r) => setTimeout(r, 1000).unref())]);

  const addSink = { onThread: sink.onThread, onFds: sink.onFds };
  const haveMain = (pid: number): boolean => threads.has(pid);
  const gone = new Set<number>();
  const ev = new ScapEvent();
  let lookups = 0;
  let kept = 0;
  let stopped = false;
  const onBatch = (ab: ArrayBuffer, nbytes: number): void => {
    if (stopped) return;
    const buf = Buffer.from(ab, 0, nbytes);
    forEachRecord(ab, nbytes, (off, cpu) => {
      ev.set(buf, off, 26, cpu, 0);
      const type = ev.type;
      if (!feed.wanted(type) || !ev.wellFormed()) return;
      kept++;
      const tid = ev.tid;
      if (!threads.has(tid) && !NO_LOOKUP[type] && !gone.has(tid)) {
        lookups++;
        if (!readThreadInto(tid, haveMain, addSink)) gone.add(tid);
        const t = threads.get(tid);
        if (t) feed.noteThread(t);
      }
      feed.before(type, tid);
      proc.handle(ev);
      feed.after(type, ev);
    });
  };
  cap.start(onBatch);
  return {
    index,
    stats: () => ({ ...cap.stats(), lookups, tuples: index.size, kept }),
    stop() {
      if (stopped) return;
      stopped = true;
      cap.close();
      docker.stop();
    },
  };
}
