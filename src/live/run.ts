// `sudo tsdig [filter]` (no -r): live capture. The eBPF addon (src/live/native.ts) delivers batches
// of sysdig-format events; they go through the same EventProcessor, filter, Formatter and OutWriter
// as replay. State starts from a /proc scan (src/live/proc.ts) fed through the engine's metadata
// sink, exactly like a capture file's process list; container metadata comes from Docker
// (src/live/docker.ts). Output is flushed once per batch (every ≤ 20 ms).
//
// Stops on -n, -M, SIGINT, SIGTERM or a closed stdout; prints a summary (events, drops) on stderr.
// Ring-buffer drops are reported on stderr while they happen.
import { CliOptions } from '../cli/options';
import { EventProcessor } from '../pipeline/processor';
import { fieldRegistry } from '../fields';
import { compileFilter } from '../filter';
import { Formatter, DEFAULT_FORMAT, CONTAINER_FORMAT } from '../output/formatter';
import { OutWriter, PipeClosed } from '../output/writer';
import { EventCtx } from '../fields/context';
import { EVENTS, EVENT_MAX } from '../events/table';
import { ScapEvent } from '../events/event';
import { NativeCapture, NativeUnavailableError, checkPrerequisites, forEachRecord } from './native';
import { bootstrap, readThreadInto } from './proc';
import { DockerWatcher, DEFAULT_DOCKER_SOCKET } from './docker';

/** One paragraph: what is missing, how to get it, and the replay alternative. */
export function unavailableMessage(e: NativeUnavailableError): string {
  let what: string;
  switch (e.reason) {
    case 'permission':
      what = 'it loads an eBPF program, which needs root or the CAP_BPF and CAP_PERFMON capabilities: run it as root (sudo tsdig …) or grant them to node (setcap cap_bpf,cap_perfmon+ep "$(command -v node)").';
      break;
    case 'not-built':
      what = `the native eBPF addon is not available (${e.message}). Build it with \`npm run build:native\` (or \`npm install\`) in the tsdig directory; it needs clang, llvm, libbpf-dev, libelf-dev, zlib1g-dev, bpftool, gcc and make, and then runs as root (or with CAP_BPF + CAP_PERFMON).`;
      break;
    case 'btf':
      what = 'the running kernel does not expose BTF type information (/sys/kernel/btf/vmlinux), which the CO-RE eBPF program needs: use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020 are), and run tsdig as root (or with CAP_BPF + CAP_PERFMON).';
      break;
    case 'kernel':
      what = `the kernel refused the eBPF program (${e.message.trim()}). It needs Linux x86_64 5.11 or later with BTF and tp_btf tracepoints, and root (or CAP_BPF + CAP_PERFMON); TSDIG_BPF_DEBUG=1 prints the whole verifier log.`;
      break;
    default:
      what = `${e.message}; live capture is implemented for Linux on x86_64 only (as root, or with CAP_BPF + CAP_PERFMON).`;
  }
  return `tsdig: live capture is not possible here: ${what} Without live capture you can still look at a capture file: tsdig -r FILE [filter].\n`;
}

/** clone-family exits (the child's first event creates it) and procexit: never looked up in /proc */
const NO_LOOKUP = new Uint8Array(EVENT_MAX);
for (const e of EVENTS) {
  if ((e.dir === 1 && /^(clone|fork|vfork|clone3)$/.test(e.name)) || e.name === 'procexit') NO_LOOKUP[e.id] = 1;
}

export async function runLive(o: CliOptions): Promise<number> {
  const pre = checkPrerequisites();
  if (pre) {
    process.stderr.write(unavailableMessage(pre));
    return 1;
  }
  // everything that can fail on bad input fails before the (slow) BPF load
  const reg = fieldRegistry();
  const filter = o.filter.trim() ? compileFilter<EventCtx>(o.filter, reg) : null;
  const fmt = new Formatter(o.print ?? (o.containerFormat ? CONTAINER_FORMAT : DEFAULT_FORMAT), reg);
  const out = new OutWriter(1, o.unbuffered ? 0 : 256 * 1024);
  const summary = new Map<string, number>();

  const proc = new EventProcessor({ filter, showInternal: o.debug, maxEvents: o.numEvents, maxSeconds: o.seconds }, (c) => {
    if (o.summary) {
      const k = c.e.info.name + (c.e.dir ? ' <' : ' >');
      summary.set(k, (summary.get(k) ?? 0) + 1);
    }
    if (o.quiet) return;
    const line = o.json ? fmt.json(c) : fmt.format(c);
    if (line === null) return;
    out.write(line + '\n');
    c.lastPrintedHi = c.e.tsHi;
    c.lastPrintedLo = c.e.tsLo;
  });
  const ctx = proc.ctx;
  ctx.timeMode = o.timeType;
  ctx.render = { bufFormat: o.json && o.bufFormat === 'normal' ? 'json' : o.bufFormat, bufLimit: o.verbose || o.json ? 0 : 80 };
  const engine = proc.engine;
  const sink = engine.metadataSink((e) => proc.handle(e));

  const warn = (m: string) => process.stderr.write(`tsdig: ${m}\n`);
  const docker = new DockerWatcher(engine.containers, { socketPath: process.env.TSDIG_DOCKER_SOCKET || DEFAULT_DOCKER_SOCKET, warn });
  const dockerReady = docker.start();

  let cap: NativeCapture;
  try {
    cap = new NativeCapture({
      bufferSize: o.bufsize !== undefined && o.bufsize > 0 ? Math.round(o.bufsize * 1024 * 1024) : undefined,
      snaplen: Math.max(0, Math.min(4096, Math.floor(o.snaplen))),
    });
  } catch (e) {
    docker.stop();
    if (e instanceof NativeUnavailableError) {
      process.stderr.write(unavailableMessage(e));
      return 1;
    }
    throw e;
  }

  // state: the /proc scan after the (slow) load narrows the window of processes we miss; any tid
  // that still slips through is read from /proc when its first event arrives
  const boot = bootstrap(sink);
  const threads = engine.threads;
  for (const t of threads.values()) if (t.containerId) docker.want(t.containerId);
  await Promise.race([dockerReady, new Promise((r) => setTimeout(r, 1500).unref())]);

  const ev = new ScapEvent();
  const gone = new Set<number>();
  const addSink = { onThread: sink.onThread, onFds: sink.onFds };
  const haveMain = (pid: number) => threads.has(pid);
  let num = 0;
  let malformed = 0;
  let lookups = 0;
  let stopped = false;
  let failure: unknown = null;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => (finish = r));

  const stop = () => {
    if (stopped) return;
    stopped = true;
    // never close the capture from inside its own batch callback
    setImmediate(finish);
  };

  const onBatch = (ab: ArrayBuffer, nbytes: number) => {
    if (stopped) return;
    const buf = Buffer.from(ab, 0, nbytes);
    try {
      forEachRecord(ab, nbytes, (off, cpu) => {
        if (stopped) return;
        ev.set(buf, off, 26, cpu, 0);
        if (ev.type >= EVENT_MAX || !ev.wellFormed()) {
          malformed++;
          return;
        }
        ev.num = ++num;
        const tid = ev.tid;
        let t = threads.get(tid);
        if (!t && !NO_LOOKUP[ev.type] && !gone.has(tid)) {
          lookups++;
          if (!readThreadInto(tid, haveMain, addSink)) gone.add(tid);
          t = threads.get(tid);
        }
        if (t && t.containerId && !engine.containers.byId.has(t.containerId)) docker.want(t.containerId);
        if (!proc.handle(ev)) {
          stop();
          return;
        }
        const t2 = engine.thread;
        if (t2 && t2 !== t && t2.containerId && !engine.containers.byId.has(t2.containerId)) docker.want(t2.containerId);
      });
      out.flush();
    } catch (e) {
      if (!(e instanceof PipeClosed)) failure = e;
      stop();
    }
  };

  const onSignal = () => stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  let lastDrops = 0;
  const dropTimer = setInterval(() => {
    const st = cap.stats();
    if (st.drops > lastDrops) {
      warn(`ring buffer full: ${st.drops - lastDrops} events dropped in the last second (${st.drops} in total): events arrive faster than tsdig reads them; a larger --bufsize (MB) absorbs bursts`);
      lastDrops = st.drops;
    }
  }, 1000);
  let wallTimer: NodeJS.Timeout | null = null;
  if (o.seconds > 0) wallTimer = setTimeout(stop, o.seconds * 1000 + 100);

  const t0 = performance.now();
  try {
    cap.start(onBatch);
    const cts = engine.containers.byId.size;
    warn(
      `capturing live events system-wide (state: ${boot.processes} processes, ${boot.threads} threads, ${boot.fds} fds from /proc in ${boot.ms.toFixed(0)} ms` +
        `${cts ? `, ${cts} containers` : ''}); Ctrl-C to stop`,
    );
    await done;
  } finally {
    clearInterval(dropTimer);
    if (wallTimer) clearTimeout(wallTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    const st = cap.stats();
    cap.close();
    docker.stop();
    try {
      out.flush();
    } catch (e) {
      if (!(e instanceof PipeClosed)) throw e;
    }
    const secs = (performance.now() - t0) / 1000;
    if (o.summary) {
      const rows = [...summary.entries()].sort((a, b) => b[1] - a[1]);
      process.stdout.write('\nEvent counts by type:\n' + rows.map(([k, v]) => `${String(v).padStart(10)} ${k}`).join('\n') + '\n');
    }
    if (o.verbose) process.stderr.write(`Captured Events: ${proc.captured}\n`);
    warn(
      `${num} events captured in ${secs.toFixed(1)} s (${proc.accepted} matched the filter), ${st.drops} dropped by the ring buffer` +
        `${malformed ? `, ${malformed} malformed` : ''}${lookups ? `; ${lookups} late threads read from /proc` : ''}`,
    );
  }
  if (failure) throw failure;
  return 0;
}
