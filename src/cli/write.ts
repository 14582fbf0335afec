// `tsdig -w FILE [filter]`: write events to a .scap file that sysdig 0.29.3 reads.
//
// WriteSession is the source-independent part: give it metadata (raw records from a capture's
// header blocks, or the state engine's tables) and events, and it filters them like sysdig's
// dumper, keeps the state engine up to date, rotates files and counts. runWrite drives it from
// `-r FILE…` (re-writing captures); live capture can drive the same session with its own events.
//
// Which events are written (sysdig 0.29.3 rules, fatfile on by default as the issue asks):
//  * leading container events of a section (228/272/324 before the first other event): always;
//  * events that pass the filter (or all, without a filter);
//  * EC_INTERNAL events that fail the filter: kept as they are (sysdig's dumper keeps them);
//  * fatfile (-F, default on): events that fail the filter but modify state (EF_MODIFIES_STATE)
//    are kept as state-only events (EVF_V2, dump flag 1), so the reader's thread and fd tables
//    come out as in the original; state-only events of the input stay state-only.
// -n counts events that pass the filter (internal ones included), -M seconds of event time.
//
// Live sources (src/live/write.ts, `sudo tsdig -w FILE`): the /proc scan goes through fileSink()
// like a capture's metadata blocks, threads first seen later through lateSink(); with `live` set,
// every file starts with one container event (324) per known container, and containers that become
// known later (Docker answers asynchronously) get a 324 event in the stream (syncContainers()).
//
// Signals: SIGINT, SIGTERM and SIGHUP stop reading at the next event; the file is flushed and
// closed, the summary printed, and the exit code is 0 (as sysdig, for a capture stopped on
// purpose). A second signal closes the file at once and exits with 128+signal.
import { CliOptions, UsageError } from './options';
import { StateEngine } from '../state/engine';
import { EventCtx } from '../fields/context';
import { ScapEvent } from '../events/event';
import { EF } from '../events/table';
import { CaptureSink, FdRecord, FdType } from '../scap/types';
import { ScapWriter, SectionMeta, WriteError } from '../scap/writer';
import { RotatingOutput, RotateOpts } from '../scap/rotate';
import { readCapture } from '../scap/reader';
import { fieldRegistry } from '../fields';
import { compileFilter } from '../filter';
import { CL, ThreadInfo } from '../state/thread';
import { ContainerInfo } from '../state/containers';
import type { ProgressStats } from './progress';
import { claimSignals, holdSignals } from './signals';

export interface WriteSessionOpts {
  path: string;
  gzip: boolean;
  rotate: RotateOpts;
  filter?: { test(c: EventCtx): boolean } | null;
  fatfile: boolean;
  /** -n: stop after this many events pass the filter (0: no limit) */
  maxEvents: number;
  /** -M: stop after this many seconds of event time (0: no limit) */
  maxSeconds: number;
  /** live source: write container events for the engine's containers (header and later ones) */
  live?: boolean;
  /** live: which containers are worth a 324 event (e.g. not placeholders without metadata) */
  keepContainer?: (c: ContainerInfo) => boolean;
}

export interface WriteStats {
  /** events read from the source */
  eventsIn: number;
  /** event blocks written (state-only and container events included) */
  written: number;
  /** of those, written as state-only */
  stateOnly: number;
  /** events that failed the filter and were not kept */
  filteredOut: number;
  /** events the source lost (live capture); 0 when re-writing */
  drops: number;
  startMs: number;
}

const TUPLE_RE = /^(.+):(\d+)->(.+):(\d+)$/;
const CT_TYPES = ['docker', 'lxc', 'libvirt-lxc', 'mesos', 'rkt', 'custom', 'cri', 'containerd', 'cri-o', 'bpm', 'static', 'podman'];

export class WriteSession {
  readonly engine = new StateEngine();
  readonly ctx = new EventCtx(this.engine);
  readonly out: RotatingOutput;
  readonly stats: WriteStats = { eventsIn: 0, written: 0, stateOnly: 0, filteredOut: 0, drops: 0, startMs: Date.now() };
  /** sees each event that passes the filter (live metrics beside -w) */
  onAccepted: ((c: EventCtx) => void) | null = null;
  /** set when a limit was reached or stop() was called */
  stopped = false;
  /** a write error met while handling an event (the source is then stopped) */
  error: WriteError | null = null;
  /** raw metadata of the current input section, until its header is written */
  private pendingMeta: SectionMeta | null = null;
  private sectionWritten = false;
  private leading = true;
  private accepted = 0;
  private stopAt = -1;
  /** live: the container infos written to the current file, by id */
  private ctWritten = new Map<string, ContainerInfo>();
  /** timestamp of the last event handled (container events written between batches get it) */
  private lastHi = 0;
  private lastLo = 0;

  constructor(readonly o: WriteSessionOpts) {
    this.out = new RotatingOutput(o.path, o.rotate, { gzip: o.gzip }, (w) => this.onNewFile(w));
  }

  /** Asks the session to stop at the next event (signal handlers). */
  stop(): void {
    this.stopped = true;
  }

  /** Files written so far. */
  get files(): string[] {
    return this.out.created;
  }

  /**
   * A capture sink for file sources: fills the state engine from the metadata blocks and keeps
   * the raw records, so the first output file gets exactly the input's thread/fd/user tables.
   */
  fileSink(): CaptureSink {
    const es = this.engine.metadataSink((e) => this.handle(e), () => this.newSection());
    const meta = (): SectionMeta => (this.pendingMeta ??= { machine: null, interfaces: null, users: null, groups: null, threads: [], fds: [] });
    return {
      onSection: (maj, min) => {
        es.onSection(maj, min);
        this.pendingMeta = { machine: null, interfaces: null, users: null, groups: null, threads: [], fds: [] };
      },
      onMachineInfo: (mi) => { meta().machine = mi; es.onMachineInfo(mi); },
      onThread: (t) => { meta().threads!.push(t); es.onThread(t); },
      onFds: (tid, fds) => { meta().fds!.push({ tid, fds }); es.onFds(tid, fds); },
      onInterfaces: (l) => { meta().interfaces = l; es.onInterfaces(l); },
      onUsers: (u, g) => { const m = meta(); m.users = u; m.groups = g; es.onUsers(u, g); },
      onEvent: (e) => es.onEvent(e),
    };
  }

  /** A new section of input starts (file sources; state is reset by the engine's sink). */
  newSection(): void {
    this.leading = true;
    this.sectionWritten = false;
  }

  /**
   * Starts a section from the engine's current tables (live sources: call after filling the
   * engine from /proc, before the first event).
   */
  beginSectionFromState(): void {
    this.pendingMeta = null;
    this.sectionWritten = false;
    this.leading = false;
  }

  /**
   * Live sources: where threads first seen in an event go. Until the first file's header is
   * written they join the raw metadata too, so the header lists them.
   */
  lateSink(): Pick<CaptureSink, 'onThread' | 'onFds'> {
    return {
      onThread: (t) => {
        if (this.pendingMeta && !this.sectionWritten) this.pendingMeta.threads!.push(t);
        this.engine.addThreadRecord(t);
      },
      onFds: (tid, fds) => {
        if (this.pendingMeta && !this.sectionWritten) this.pendingMeta.fds!.push({ tid, fds });
        this.engine.addFds(tid, fds);
      },
    };
  }

  /** Writes the header of a new output file: raw input metadata when it has not been written, else the state. */
  private onNewFile(w: ScapWriter): void {
    this.ctWritten.clear();
    if (this.pendingMeta && !this.sectionWritten) {
      w.writeSection(this.pendingMeta);
      if (this.o.live) this.writeContainers(w, this.lastTs);
    } else {
      w.writeSection(metaFromEngine(this.engine));
      this.writeContainers(w, this.lastTs);
    }
    this.sectionWritten = true;
    this.pendingMeta = null;
  }

  private writeContainers(w: ScapWriter, ts: bigint): void {
    const keep = this.o.live ? this.o.keepContainer : undefined;
    for (const c of this.engine.containers.byId.values()) {
      if (keep && !keep(c)) continue;
      w.writeContainerJson(containerJson(c), ts);
      this.stats.written++;
      this.ctWritten.set(c.id, c);
    }
  }

  /**
   * Live sources, between batches: a container event (324) for every container that became known
   * (or changed) since the current file's header, so readers name it as the live view did.
   */
  syncContainers(): void {
    const w = this.out.current;
    if (!this.o.live || !w || !this.sectionWritten || this.error) return;
    let ts = -1n;
    try {
      for (const c of this.engine.containers.byId.values()) {
        if (this.ctWritten.get(c.id) === c) continue;
        if (this.o.keepContainer && !this.o.keepContainer(c)) continue;
        if (ts < 0n) ts = (BigInt(this.lastHi) << 32n) | BigInt(this.lastLo);
        w.writeContainerJson(containerJson(c), ts);
        this.out.counted();
        this.stats.written++;
        this.ctWritten.set(c.id, c);
      }
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      this.error = err;
      this.stopped = true;
    }
  }

  private lastTs = 0n;

  /** One event from the source. Returns false when the source should stop. */
  handle(e: ScapEvent): boolean {
    if (this.stopped) return false;
    try {
      return this.handleInner(e);
    } catch (err) {
      if (err instanceof WriteError) {
        this.error = err;
        this.stopped = true;
        return false;
      }
      throw err;
    }
  }

  private ensureOutput(e: ScapEvent): ScapWriter {
    const out = this.out;
    const tsSec = e.tsNum / 1e9;
    if (out.current === null || out.due(tsSec)) {
      this.lastTs = e.tsBig();
      out.next(tsSec, Math.floor(e.tsNum / 1e6));
    } else if (!this.sectionWritten) {
      // a new input section (concatenated capture or the next -r file) in the same output file
      out.current.writeSection(this.pendingMeta ?? metaFromEngine(this.engine));
      this.sectionWritten = true;
      this.pendingMeta = null;
    }
    return out.current!;
  }

  private write(w: ScapWriter, e: ScapEvent, flags: number): void {
    w.writeEvent(e, flags);
    this.out.counted();
    this.stats.written++;
    if (flags & 1) this.stats.stateOnly++;
  }

  private handleInner(e: ScapEvent): boolean {
    this.stats.eventsIn++;
    const type = e.type;
    // -M before the output file is chosen: the first event past the limit must not start a new
    // (rotated) file that would then hold no event
    if (this.o.maxSeconds > 0 && !(e.dumpFlags & 1) && !(this.leading && (type === 228 || type === 272 || type === 324))) {
      if (this.stopAt < 0) this.stopAt = e.tsNum + this.o.maxSeconds * 1e9;
      else if (e.tsNum > this.stopAt) {
        this.stopped = true;
        return false;
      }
    }
    this.lastHi = e.tsHi;
    this.lastLo = e.tsLo;
    // the output file (and a rotation) is decided before the event changes the state, so a new
    // file's tables describe the state just before its first event
    const w = this.ensureOutput(e);
    const s = this.engine;
    if (this.leading) {
      if (type === 228 || type === 272 || type === 324) {
        s.process(e);
        this.write(w, e, e.dumpFlags);
        return true;
      }
      this.leading = false;
    }
    s.process(e);
    const f = this.o.filter;
    if (e.dumpFlags & 1) {
      // state-only in the input: keep it so the reader's state stays right
      if (this.o.fatfile || !f) this.write(w, e, e.dumpFlags);
      else this.stats.filteredOut++;
      return true;
    }
    let pass = true;
    if (f) {
      this.ctx.e = e;
      pass = f.test(this.ctx);
    }
    if (pass) {
      this.accepted++;
      if (this.onAccepted) {
        this.ctx.e = e;
        this.onAccepted(this.ctx);
      }
      this.write(w, e, e.dumpFlags);
      if (this.o.maxEvents > 0 && this.accepted >= this.o.maxEvents) {
        this.stopped = true;
        return false;
      }
    } else if (e.info.categoryId === 'INTERNAL') {
      this.write(w, e, e.dumpFlags);
    } else if (this.o.fatfile && e.info.flags & EF.MODIFIES_STATE) {
      this.write(w, e, e.dumpFlags | 1);
    } else {
      this.stats.filteredOut++;
    }
    return true;
  }

  /**
   * Makes sure a file exists even if no event came (so -w always leaves a file behind), then
   * flushes and closes. Idempotent.
   */
  finish(ensureFile = true): void {
    if (ensureFile && !this.error && this.out.current === null && this.out.created.length === 0) this.out.next(0, Date.now());
    this.out.close();
  }

  progress(): ProgressStats {
    return {
      events: this.stats.written,
      bytes: this.out.bytes,
      drops: this.stats.drops,
      startMs: this.stats.startMs,
      file: this.out.currentName,
    };
  }
}

// ------------------------------------------------------------------ state → metadata records

/** The thread, fd, user, interface and machine tables of a state engine, as metadata records. */
export function metaFromEngine(s: StateEngine): SectionMeta {
  const threads: SectionMeta['threads'] = [];
  const fds: NonNullable<SectionMeta['fds']> = [];
  for (const t of s.threads.values()) {
    if (t.synthetic) continue;
    threads.push({
      tid: t.tid, pid: t.pid, ptid: t.ptid, sid: t.sid, vpgid: t.vpgid,
      comm: t.comm, exe: t.exe, exepath: t.exepath, args: t.args, cwd: t.ownCwd,
      fdlimit: t.fdlimit, flags: t.flags, uid: t.uid, gid: t.gid,
      vmsize: t.vmsize, vmrss: t.vmrss, vmswap: t.vmswap, pfmajor: t.pfmajor, pfminor: t.pfminor,
      env: t.env, vtid: t.vtid, vpid: t.vpid, cgroups: t.cgroups, root: t.root,
      loginuid: t.loginuid, exeWritable: false,
    });
    if (sharesFds(t)) continue;
    const list: FdRecord[] = [];
    for (const [fd, f] of t.fds) {
      const r: FdRecord = { fd, ino: f.ino, type: f.type, name: f.name, openFlags: f.openFlags, dev: f.dev };
      switch (f.type) {
        case FdType.FILE:
          r.type = FdType.FILE_V2;
          break;
        case FdType.IPV4_SOCK: case FdType.IPV6_SOCK: {
          Object.assign(r, { sip: f.sip, dip: f.dip, sport: f.sport, dport: f.dport, l4proto: f.l4proto });
          // the name is what readers show: when it is a tuple, it wins over the address fields
          const m = TUPLE_RE.exec(f.name);
          if (m) Object.assign(r, { sip: m[1], sport: Number(m[2]), dip: m[3], dport: Number(m[4]) });
          break;
        }
        case FdType.IPV4_SERVSOCK: case FdType.IPV6_SERVSOCK:
          Object.assign(r, { sip: f.sip, sport: f.sport, l4proto: f.l4proto });
          break;
        case FdType.UNIX_SOCK:
          Object.assign(r, { usrc: f.usrc, udst: f.udst });
          break;
      }
      list.push(r);
    }
    if (list.length) fds.push({ tid: t.tid, fds: list });
  }
  return {
    machine: s.machine,
    interfaces: s.interfaces,
    users: [...s.users.values()],
    groups: [...s.groups.values()],
    threads,
    fds,
  };
}

function sharesFds(t: ThreadInfo): boolean {
  return !!(t.flags & CL.CLONE_FILES) && t.tid !== t.pid && t.mainThread() !== t;
}

/** sysdig's container JSON (the fields sinsp reads back) for one known container. */
export function containerJson(c: ContainerInfo): string {
  const type = CT_TYPES.indexOf(c.type);
  const o: Record<string, unknown> = {
    // sinsp keys containers by the 12-character id (as cgroups give it): the full id would not match
    id: c.id, name: c.name, image: c.image, imageid: c.imageId, imagerepo: c.imageRepo, imagetag: c.imageTag,
    type: type >= 0 ? type : 0, labels: c.labels,
    Mounts: c.mounts.map((m) => {
      const [Source, Destination, Mode, RW, Propagation] = m.split(':');
      return { Source, Destination, Mode, RW: RW === 'true', Propagation };
    }),
  };
  if (c.privileged !== undefined) o.privileged = c.privileged;
  if (c.ip) o.ip = c.ip;
  return JSON.stringify({ container: o });
}

// ------------------------------------------------------------------ the CLI job

/** The session for `-w` with the command line's filter, limits and rotation. */
export function sessionFor(o: CliOptions, extra: Partial<WriteSessionOpts> = {}): WriteSession {
  const filter = o.filter.trim() ? compileFilter<EventCtx>(o.filter, fieldRegistry()) : null;
  return new WriteSession({
    path: o.write!,
    gzip: o.compress,
    rotate: { sizeMb: o.fileSizeMb, seconds: o.rotateSeconds, events: o.eventLimit, limit: o.fileLimit },
    filter,
    fatfile: o.fatfile,
    maxEvents: o.numEvents,
    maxSeconds: o.seconds,
    ...extra,
  });
}

export async function runWrite(o: CliOptions): Promise<number> {
  // no -r: a live capture (root, eBPF addon) drives the session
  if (o.read.length === 0) return (await import('../live/write')).runLiveWrite(o);
  const session = sessionFor(o);

  const progress = o.quiet ? null : (await import('./progress')).startProgress(() => session.progress(), { tty: !!process.stderr.isTTY });
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    session.stop();
    if (signals > 1) {
      // second signal: do not wait for the reader
      try {
        session.finish();
      } catch {
        /* reported below if we get there */
      }
      progress?.stop();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    }
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, onSignal);
  // a signal that arrived while tsdig was starting (src/cli/signals.ts) stops the re-write now
  const early = claimSignals();
  if (early) onSignal(early);

  let failure: unknown = null;
  try {
    for (const file of o.read) {
      if (session.stopped) break;
      const sink = session.fileSink();
      await readCapture(file, sink);
      if (session.error) break;
    }
  } catch (e) {
    failure = e;
  } finally {
    for (const s of sigs) process.off(s, onSignal);
    holdSignals(); // the file is closed below: a signal now must not kill us before that
  }
  // the last frame still names the file: stop the display before closing it
  progress?.stop();
  try {
    // stopped by a signal before the first event: no file — sysdig cannot read one without events
    session.finish(!failure && !(signals > 0 && session.stats.eventsIn === 0));
  } catch (e) {
    failure ??= e;
  }
  failure ??= session.error;
  if (!o.quiet) process.stderr.write(summary(session, signals > 0));
  if (failure instanceof WriteError) {
    process.stderr.write(`tsdig: ${failure.path}: ${failure.message}\n`);
    return 1;
  }
  if (failure) throw failure;
  return 0;
}

export function summary(s: WriteSession, interrupted: boolean): string {
  const st = s.stats;
  const sec = (Date.now() - st.startMs) / 1000;
  const files = s.files;
  const fileText = files.length === 1 ? files[0] : `${files.length} files (${files.join(', ')})`;
  const lost = s.out.lostEvents;
  return `${interrupted ? 'Capture stopped by signal. ' : ''}Wrote ${st.written - lost} events` +
    (lost > 0 ? ` (${lost} more were cut off by the failed write)` : '') +
    (st.stateOnly ? ` (${st.stateOnly} state-only)` : '') +
    `, ${s.out.bytes} bytes, to ${fileText || 'no file'} in ${sec.toFixed(2)} s; ` +
    `${st.filteredOut} filtered out, ${st.drops} dropped.\n`;
}
