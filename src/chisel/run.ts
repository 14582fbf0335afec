// Running chisels: `tsdig -r FILE -c NAME [args] [-c NAME2 …] [filter]`, `-cl`, `-i NAME`.
//
// Argument rule (sysdig's): the token after `-c NAME` is the chisel's argument string when the
// chisel has at least one required argument; when it has only optional ones, the token is taken
// unless it starts with '-' or the positional tokens from there on form a valid filter. Several
// arguments go in one quoted string, split on spaces ('…' or `…` group). yargs put those tokens in
// the positionals, so they are taken back out of the filter here (from CliOptions.rawArgv).
//
// Isolation: a chisel that throws is reported on stderr with its stack (mapped to the chisel's
// source lines), disabled, and the capture and the other chisels go on.
import * as fs from 'node:fs';
import { CliOptions, UsageError } from '../cli/options';
import { EventProcessor } from '../pipeline/processor';
import { readCapture } from '../scap/reader';
import { captureHosts, readMerged } from '../scap/merge';
import { fieldRegistry } from '../fields';
import { compileFilter } from '../filter';
import { EventCtx } from '../fields/context';
import { OutWriter } from '../output/writer';
import { FieldError, FieldAccessor } from '../fields/types';
import { activePackets } from '../net/active';
import { startBackgroundPackets, BackgroundPackets } from '../net/live';
import type { ChiselApi, ChiselDefinition, ChiselHooks, ChiselOutput, ChiselArgs, ThreadTableEntry } from './api';
import { CL } from '../state/thread';
import type { FdInfo } from '../state/fdinfo';
import { ChiselError, ChiselUsageError, allChisels, loadChisel, parseChiselArgs, requiredCount, searchDirs, splitArgs } from './loader';
import { renderTable } from './table';

export interface ChiselRequest {
  name: string;
  args: string[];
}

/** Options of tsdig that take a value (so their value is not a positional). */
const VALUE_SHORT = new Set(['r', 'w', 'p', 's', 'n', 'M', 't', 'c', 'i', 'C', 'G', 'W', 'e', 'f', 'd']);
const VALUE_LONG = new Set(['read', 'readfile', 'write', 'print', 'snaplen', 'numevents', 'timetype', 'chisel', 'chisel-info', 'chisel-dir',
  'file-size', 'seconds', 'limit', 'event-limit', 'bufsize', 'pcap', 'pcap-filter', 'snapshot', 'delay']);

function takesValue(a: string): boolean {
  if (a.startsWith('--')) return !a.includes('=') && VALUE_LONG.has(a.slice(2));
  if (a.startsWith('-') && a.length === 2) return VALUE_SHORT.has(a[1]!);
  return false;
}

function validFilter(s: string): boolean {
  try {
    compileFilter<EventCtx>(s, fieldRegistry());
    return true;
  } catch {
    return false;
  }
}

/** Apply sysdig's chisel-argument rule to the raw argv: the chisels with their args, and the filter left. */
export function resolveRequests(o: CliOptions, dirs: string[]): { requests: ChiselRequest[]; filter: string } {
  const argv = o.rawArgv ?? [];
  const requests: ChiselRequest[] = [];
  const consumed: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    let name: string | undefined;
    if (a === '-c' || a === '--chisel') name = argv[++i];
    else if (a.startsWith('--chisel=')) name = a.slice(9);
    else if (/^-c[^l]/.test(a) && !a.startsWith('--')) name = a.slice(2);
    else {
      if (takesValue(a)) i++;
      continue;
    }
    if (name === undefined) throw new UsageError('-c needs a chisel name');
    const { def } = loadChisel(name, dirs);
    const next = argv[i + 1];
    let argStr: string | undefined;
    if (next !== undefined && def.args.length > 0) {
      if (requiredCount(def) > 0) argStr = next;
      // sysdig takes the next token for a chisel whose first argument is a filter (lsof proc.name=sshd)
      else if (def.args[0]!.type === 'filter') argStr = next.startsWith('-') ? undefined : next;
      else if (!next.startsWith('-')) {
        const rest: string[] = [];
        for (let j = i + 1; j < argv.length && !argv[j]!.startsWith('-'); j++) rest.push(argv[j]!);
        if (!validFilter(rest.join(' '))) argStr = next;
      }
    }
    if (argStr !== undefined) {
      i++;
      consumed.push(argStr);
    }
    // a lone filter argument is kept whole (sysdig would split 'fd.name contains /etc' and fail)
    const whole = def.args.length === 1 && def.args[0]!.type === 'filter';
    const split = argStr === undefined ? [] : splitArgs(argStr);
    requests.push({ name, args: argStr === undefined ? [] : whole && split.length !== 1 ? [argStr] : split });
  }
  const pos = (o.positionals ?? (o.filter ? o.filter.split(' ') : [])).slice();
  for (const c of consumed) {
    const k = pos.indexOf(c);
    if (k >= 0) pos.splice(k, 1);
  }
  // chisels given without rawArgv (programmatic use)
  if (!o.rawArgv) for (const n of o.chisels) requests.push({ name: n, args: [] });
  return { requests, filter: pos.join(' ') };
}

/** Stack of a chisel error, without the host's frames. */
export function chiselStack(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const lines = (e.stack ?? `${e.name}: ${e.message}`).split('\n');
  return lines.filter((l) => !/^\s+at /.test(l) || !(l.includes('node:') || l.includes('/src/chisel/run.') || l.includes('/src/pipeline/') || l.includes('/src/scap/') || l.includes('/src/state/'))).join('\n');
}

/**
 * sysdig gives fd.name = "" (not <NA>) when the event names an fd that is not in the fd table
 * (e.g. fd 1 inherited before the capture); the shared fd.name extractor returns undefined there,
 * so chisels get sysdig's value through this wrapper (until src/fields/fd.ts does it).
 */
function fixField(f: FieldAccessor<EventCtx>): FieldAccessor<EventCtx> {
  if (f.name !== 'fd.name') return f;
  return {
    name: f.name,
    type: f.type,
    value: (c) => f.value(c) ?? (c.s.fdNum >= 0 ? '' : undefined),
    display: (c) => f.display(c) ?? (c.s.fdNum >= 0 ? '' : undefined),
  };
}

interface Instance {
  name: string;
  def: ChiselDefinition;
  args: ChiselArgs;
  hooks: ChiselHooks;
  filter: { test(c: EventCtx): boolean } | null;
  intervalNs: bigint;
  lastBucket: bigint;
  lastCall: bigint;
  disabled: boolean;
}

export interface HostOptions {
  live?: boolean;
  containerData?: boolean;
  json?: boolean;
  bufFormat?: string;
  verbose?: boolean;
  /** where errors are reported */
  report?: (msg: string) => void;
}

/** Runs a set of chisels over one capture source. The TUI can use it with its own ChiselOutput. */
export class ChiselHost {
  readonly insts: Instance[] = [];
  private ending = false;
  private firstHi = -1;
  private firstLo = 0;
  private lastHi = 0;
  private lastLo = 0;
  failures = 0;
  /** threads that had their own fd list in the capture's process list */
  readonly fdTids = new Set<number>();

  /** background packet capture for chisels that asked for packets (live only) */
  private bgPackets: BackgroundPackets | null = null;

  constructor(private readonly proc: EventProcessor, private readonly out: ChiselOutput, private readonly ho: HostOptions, private readonly source: string) {}

  private report(msg: string): void {
    (this.ho.report ?? ((m: string) => process.stderr.write(m + '\n')))(msg);
  }

  private fail(inst: Instance, where: string, e: unknown): void {
    inst.disabled = true;
    this.failures++;
    this.report(`tsdig: chisel '${inst.name}' threw in ${where} and was disabled; the capture goes on:\n${chiselStack(e)}`);
  }

  /** init a chisel (errors in init propagate: bad args/fields are the user's to fix) */
  add(name: string, def: ChiselDefinition, args: ChiselArgs): void {
    const reg = fieldRegistry();
    const inst: Instance = { name, def, args, hooks: {}, filter: null, intervalNs: 0n, lastBucket: -1n, lastCall: -1n, disabled: false };
    const filters: string[] = def.filter ? [def.filter] : [];
    const api: ChiselApi = {
      field: (n) => {
        try {
          // 'proc.aname[2]': the bracket argument is passed separately
          const m = /^([^[\]]+)\[(.*)\]$/.exec(n);
          return fixField(m ? reg.resolve(m[1]!, m[2]!) : reg.resolve(n));
        } catch (e) {
          if (e instanceof FieldError) throw new ChiselUsageError(`chisel ${name}: ${e.message}`);
          throw e;
        }
      },
      setFilter: (f) => {
        if (f.trim()) filters.push(f);
      },
      setIntervalMs: (ms) => { inst.intervalNs = BigInt(Math.round(ms * 1e6)); },
      setIntervalNs: (ns) => { inst.intervalNs = BigInt(Math.round(ns)); },
      print: (line) => this.out.text(line),
      out: this.out,
      endCapture: () => { this.ending = true; },
      isLive: () => !!this.ho.live,
      isTTY: () => !!process.stdout.isTTY,
      printContainerData: () => !!this.ho.containerData,
      outputFormat: () => (this.ho.json ? 'json' : 'normal'),
      source: () => this.source,
      state: this.proc.engine,
      threadTable: (f) => this.threadTable(name, f),
      bufFormat: () => this.ho.bufFormat ?? 'normal',
      verbose: () => !!this.ho.verbose,
      packets: () => activePackets()?.snapshot() ?? null,
    };
    if (def.packets && this.ho.live && !this.bgPackets) {
      this.bgPackets = startBackgroundPackets({ pcapStats: true }, this.proc.engine, (l) => this.report(l));
    }
    try {
      inst.hooks = def.init(api, args) ?? {};
    } catch (e) {
      if (e instanceof ChiselUsageError || e instanceof UsageError) throw e;
      this.fail(inst, 'init', e);
    }
    if (filters.length) {
      const expr = filters.length === 1 ? filters[0]! : filters.map((f) => `(${f})`).join(' and ');
      try {
        inst.filter = compileFilter<EventCtx>(expr, reg);
      } catch (e) {
        throw new ChiselUsageError(`chisel ${name}: bad filter '${expr}': ${(e as Error).message}`);
      }
    }
    this.insts.push(inst);
  }

  /** sysdig.get_thread_table: threads by tid with their own fds, optionally filtered per fd */
  threadTable(chisel: string, expr?: string): ThreadTableEntry[] {
    const eng = this.proc.engine;
    let flt: { test(c: EventCtx): boolean } | null = null;
    if (expr && expr.trim()) {
      try {
        flt = compileFilter<EventCtx>(expr, fieldRegistry());
      } catch (e) {
        throw new ChiselUsageError(`chisel ${chisel}: bad filter '${expr}': ${(e as Error).message}`);
      }
    }
    const ctx = this.proc.ctx;
    const saved = { thread: eng.thread, fd: eng.fd, fdNum: eng.fdNum };
    const out: ThreadTableEntry[] = [];
    try {
      for (const t of [...eng.threads.values()].sort((a, b) => a.tid - b.tid)) {
        // sinsp keeps a thread's own fd table: threads sharing the main thread's have none, unless
        // the capture's process list gave them their own copy
        const shared = (t.flags & CL.CLONE_FILES) !== 0 && t.tid !== t.pid && t.mainThread() !== t && !this.fdTids.has(t.tid);
        const fds: Array<[number, FdInfo]> = shared ? [] : [...t.fds.entries()].sort((a, b) => a[0] - b[0]);
        let keep = fds;
        if (flt) {
          keep = fds.filter(([n, f]) => {
            eng.thread = t;
            eng.fd = f;
            eng.fdNum = n;
            return flt!.test(ctx);
          });
          if (keep.length === 0) continue;
        }
        out.push({ thread: t, user: eng.userName(t.uid) ?? '<NA>', fds: keep });
      }
    } finally {
      eng.thread = saved.thread;
      eng.fd = saved.fd;
      eng.fdNum = saved.fdNum;
    }
    return out;
  }

  captureStart(): void {
    for (const inst of this.insts) {
      if (inst.disabled || !inst.hooks.captureStart) continue;
      try {
        if (inst.hooks.captureStart() === false) this.ending = true;
      } catch (e) {
        this.fail(inst, 'captureStart', e);
      }
    }
  }

  /**
   * Every event read, before any filter (sysdig's capture duration runs from the first to the last
   * event READ, so a global filter does not change the timepct base). Without it, the events that
   * reach onEvent are used.
   */
  seen(e: { tsHi: number; tsLo: number }): void {
    this.rawTimes = true;
    if (this.firstHi < 0) {
      this.firstHi = e.tsHi;
      this.firstLo = e.tsLo;
    }
    this.lastHi = e.tsHi;
    this.lastLo = e.tsLo;
  }

  private rawTimes = false;

  firstSeen(): boolean {
    return this.rawTimes;
  }

  /** The EventProcessor consumer. */
  readonly onEvent = (c: EventCtx): boolean => {
    const e = c.e;
    if (!this.rawTimes) {
      if (this.firstHi < 0) {
        this.firstHi = e.tsHi;
        this.firstLo = e.tsLo;
      }
      this.lastHi = e.tsHi;
      this.lastLo = e.tsLo;
    }
    const insts = this.insts;
    for (let i = 0; i < insts.length; i++) {
      const inst = insts[i]!;
      if (inst.disabled) continue;
      try {
        if (inst.intervalNs > 0n && inst.hooks.onInterval) {
          const ts = e.tsBig();
          const bucket = ts - (ts % inst.intervalNs);
          if (inst.lastBucket < 0n) {
            inst.lastBucket = bucket;
            inst.lastCall = ts;
          } else if (bucket !== inst.lastBucket) {
            inst.lastBucket = bucket;
            const delta = Number(ts - inst.lastCall);
            inst.lastCall = ts;
            if (inst.hooks.onInterval(ts, delta, c) === false) this.ending = true;
          }
        }
        if (inst.filter && !inst.filter.test(c)) continue;
        if (inst.hooks.onEvent && inst.hooks.onEvent(c) === false) this.ending = true;
      } catch (err) {
        this.fail(inst, 'onEvent', err);
      }
      // sysdig.end_capture() interrupts the capture at once: the chisels after this one do not see the event
      if (this.ending) break;
    }
    return !this.ending;
  };

  captureEnd(): void {
    const ts = this.firstHi < 0 ? 0n : (BigInt(this.lastHi) << 32n) + BigInt(this.lastLo);
    const first = this.firstHi < 0 ? 0n : (BigInt(this.firstHi) << 32n) + BigInt(this.firstLo);
    for (const inst of this.insts) {
      if (inst.disabled || !inst.hooks.captureEnd) continue;
      try {
        inst.hooks.captureEnd(ts, Number(ts - first));
      } catch (e) {
        this.fail(inst, 'captureEnd', e);
      }
    }
    // after the chisels' captureEnd: they may read api.packets() there
    void this.bgPackets?.stop();
  }
}

/** Text output for the CLI. */
export function textOutput(w: OutWriter): ChiselOutput {
  return {
    text: (line) => w.write(line + '\n'),
    table: (t) => w.write(renderTable(t)),
    sample: (s) => w.write(s.text + '\n'),
  };
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out.length ? out : [''];
}

function listing(o: CliOptions, dirs: string[]): string {
  const { list, errors } = allChisels(dirs);
  const byCat = new Map<string, ChiselDefinition[]>();
  for (const { def } of list) {
    if (def.hidden) continue;
    const cat = def.category || 'misc';
    if (!byCat.has(cat)) byCat.set(cat, []);
    byCat.get(cat)!.push(def);
  }
  let s = '';
  for (const cat of [...byCat.keys()].sort()) {
    const title = `Category: ${cat}`;
    s += `\n${title}\n${'-'.repeat(title.length)}\n`;
    for (const d of byCat.get(cat)!.sort((a, b) => a.name.localeCompare(b.name))) {
      const lines = wrap(d.shortDescription, 63);
      if (d.name.length >= 16) s += d.name + '\n' + lines.map((l) => ' '.repeat(16) + l).join('\n') + '\n';
      else s += d.name.padEnd(16) + lines.join('\n' + ' '.repeat(16)) + '\n';
    }
  }
  s += `\nUse the -i flag to get detailed information about a specific chisel\n`;
  for (const e of errors) process.stderr.write(`tsdig: warning: ${e}\n`);
  void o;
  return s;
}

function info(name: string, dirs: string[]): string {
  const { def, file } = loadChisel(name, dirs);
  const title = `Category: ${def.category || 'misc'}`;
  let s = `\n${title}\n${'-'.repeat(title.length)}\n`;
  s += def.name.padEnd(16) + def.shortDescription + '\n\n';
  s += wrap(def.description, 79).join('\n') + '\n';
  s += 'Args:\n';
  if (def.args.length === 0) s += '(None)\n';
  for (const a of def.args) {
    const head = `[${a.type}] ${a.name}${a.optional ? ' (optional)' : ''}${a.default !== undefined ? ` [default ${a.default}]` : ''} - `;
    s += head + a.description + '\n';
  }
  s += `\nFile: ${file}\n`;
  return s;
}

function toUsage(e: unknown): never {
  if (e instanceof ChiselUsageError) throw new UsageError(e.message);
  throw e;
}

/** Entry point from src/cli/main.ts. */
export async function runChisels(o: CliOptions): Promise<number> {
  process.setSourceMapsEnabled(true);
  const dirs = searchDirs(o.chiselDirs);
  try {
    if (o.listChisels) {
      process.stdout.write(listing(o, dirs));
      return 0;
    }
    if (o.chiselInfo !== undefined) {
      process.stdout.write(info(o.chiselInfo, dirs));
      return 0;
    }
    const { requests, filter } = resolveRequests(o, dirs);
    // no -r: live capture (src/live/chisels.ts drives a ChiselHost with live events)
    if (o.read.length === 0) return await (await import('../live/chisels')).runLiveChisels(o, dirs);
    const defs = requests.map((r) => {
      const { def } = loadChisel(r.name, dirs);
      return { name: r.name, def, args: parseChiselArgs(def, r.args) };
    });
    const reg = fieldRegistry();
    const gfilter = filter.trim() ? compileFilter<EventCtx>(filter, reg) : null;
    const w = new OutWriter(1, o.unbuffered ? 0 : 256 * 1024);
    const output = textOutput(w);
    let failures = 0;
    try {
      for (const file of o.read) if (!fs.existsSync(file)) throw new UsageError(`cannot open ${file}`);
      // captures of several hosts: one chisel run over their events merged by time (evt.host tells them apart)
      if (o.read.length > 1 && new Set(await captureHosts(o.read)).size > 1) {
        failures += await runMergedChisels(o, defs, gfilter, output, w);
        return 0;
      }
      for (const file of o.read) {
        let host!: ChiselHost;
        const proc = new EventProcessor(
          { filter: gfilter, showInternal: true, maxEvents: o.numEvents, maxSeconds: o.seconds },
          (c) => host.onEvent(c),
        );
        proc.ctx.timeMode = o.timeType;
        // sysdig cuts buffers to 80 bytes only when no chisel runs (sysdig.cpp: !verbose && g_chisels.empty())
        proc.ctx.render = { bufFormat: o.bufFormat, bufLimit: 0 };
        host = new ChiselHost(proc, output, { containerData: o.containerFormat, json: o.json, bufFormat: o.bufFormat, verbose: o.verbose, report: (m) => { w.flush(); process.stderr.write(m + '\n'); } }, file);
        for (const d of defs) host.add(d.name, d.def, d.args);
        host.captureStart();
        const sink = proc.engine.metadataSink((e) => proc.handle(e), () => { host.fdTids.clear(); proc.newSection(); });
        const onFds = sink.onFds.bind(sink);
        const onEv = sink.onEvent.bind(sink);
        sink.onEvent = (e) => {
          const r = onEv(e);
          // events the processor looks at (not the leading container metadata nor state-only ones)
          if (r !== false && !proc.isStopped && !(e.dumpFlags & 1) && !(host.firstSeen() === false && (e.type === 228 || e.type === 272 || e.type === 324))) host.seen(e);
          return r;
        };
        sink.onFds = (tid, fds) => {
          host.fdTids.add(tid);
          onFds(tid, fds);
        };
        const onFdsRaw = sink.onFdsRaw?.bind(sink);
        if (onFdsRaw) {
          sink.onFdsRaw = (tid, list) => {
            host.fdTids.add(tid);
            onFdsRaw(tid, list);
          };
        }
        try {
          await readCapture(file, sink);
        } finally {
          host.captureEnd();
          w.flush();
          failures += host.failures;
        }
      }
    } finally {
      w.flush();
    }
    void failures;
    return 0;
  } catch (e) {
    if (e instanceof ChiselError) {
      process.stderr.write(`tsdig: ${e.message}\n`);
      return 1;
    }
    return toUsage(e);
  }
}

/** The chisels over captures of several hosts, merged by event time: one host, one state per capture. */
async function runMergedChisels(
  o: CliOptions,
  defs: { name: string; def: ChiselDefinition; args: ChiselArgs }[],
  gfilter: { test(c: EventCtx): boolean } | null,
  output: ReturnType<typeof textOutput>,
  w: OutWriter,
): Promise<number> {
  let host!: ChiselHost;
  let shown = 0;
  const procs = o.read.map(() => {
    const proc = new EventProcessor({ filter: gfilter, showInternal: true, maxSeconds: o.seconds }, (c) => {
      if (o.numEvents > 0 && ++shown > o.numEvents) return false;
      return host.onEvent(c);
    });
    proc.ctx.timeMode = o.timeType;
    proc.ctx.render = { bufFormat: o.bufFormat, bufLimit: o.verbose ? 0 : 80 };
    return proc;
  });
  // the state the chisel API exposes (threads, fds) is the first capture's
  host = new ChiselHost(procs[0]!, output, { containerData: o.containerFormat, json: o.json, bufFormat: o.bufFormat, verbose: o.verbose, report: (m) => { w.flush(); process.stderr.write(m + '\n'); } }, o.read.join(','));
  for (const d of defs) host.add(d.name, d.def, d.args);
  host.captureStart();
  const inputs = o.read.map((file, i) => {
    const proc = procs[i]!;
    const sink = proc.engine.metadataSink((e) => proc.handle(e), () => { host.fdTids.clear(); proc.newSection(); });
    const onEv = sink.onEvent.bind(sink);
    sink.onEvent = (e) => {
      const r = onEv(e);
      if (r !== false && !proc.isStopped && !(e.dumpFlags & 1) && !(host.firstSeen() === false && (e.type === 228 || e.type === 272 || e.type === 324))) host.seen(e);
      return r;
    };
    return { file, sink };
  });
  try {
    await readMerged(inputs);
  } finally {
    host.captureEnd();
    w.flush();
  }
  return host.failures;
}
