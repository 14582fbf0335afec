// `tsdig --remote USER@HOST [filter]`: the UI here, the capture there. Runs
// `ssh -T USER@HOST sudo tsdig --stream [filter]` (--ssh, --remote-cmd change the two commands);
// the far side writes its live capture as a .scap stream on stdout, flushed every batch
// (src/live/write.ts), which is parsed here chunk by chunk into the consumer: its machine info,
// process and fd tables fill the consumer's engine, container events describe the remote
// containers, and events go through the same LiveFeed and aggregators as a local capture.
//
// ssh's stderr is passed on line by line (the UI shows it in its footer). The capture stops when
// the consumer asks, on SIGINT/SIGTERM/SIGHUP, or when the stream ends (ssh or the remote tsdig
// exited: its last stderr line says why).
import { spawn } from 'node:child_process';
import { CliOptions, UsageError } from '../cli/options';
import { ScapParser } from '../scap/reader';
import { claimSignals, holdSignals } from '../cli/signals';
import type { LiveConsumer, LiveResult, LiveSourceOpts } from './source';
import { stateSizes } from './tables';

/** POSIX shell quoting for one word of the remote command line. */
export function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The ssh argv: the --ssh words, -T (a binary stream: no pty), the target, the remote command. */
export function remoteArgv(o: Pick<CliOptions, 'ssh' | 'remote' | 'remoteCmd' | 'filter' | 'snaplen' | 'bufsize'>): string[] {
  const ssh = o.ssh.trim().split(/\s+/).filter(Boolean);
  if (!ssh.length) throw new UsageError('--ssh needs a command');
  const cmd = [o.remoteCmd.trim(), '--stream', '-s', String(o.snaplen)];
  if (o.bufsize !== undefined) cmd.push('--bufsize', String(o.bufsize));
  if (o.filter.trim()) cmd.push(shq(o.filter));
  return [...ssh, '-T', '-o', 'ServerAliveInterval=15', o.remote!, cmd.join(' ')];
}

const NO_STATS = { events: 0, drops: 0, bytes: 0, errors: 0, batches: 0, records: 0 };

export async function captureRemote(o: CliOptions, c: LiveConsumer, so: LiveSourceOpts & { isStopped?(): boolean }): Promise<LiveResult | null> {
  const argv = remoteArgv(o);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let signal: NodeJS.Signals | null = null;
  let failure: unknown = null;
  let events = 0;
  let bytes = 0;
  let t0 = 0;
  let lastErr = '';
  let stopped = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) child.kill('SIGTERM');
    setImmediate(finish);
  };
  const onSignal = (s: NodeJS.Signals) => {
    signal ??= s;
    stop();
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, onSignal);
  const early = claimSignals();
  if (early) onSignal(early);
  const poll = setInterval(() => {
    if (so.isStopped?.()) stop();
  }, 100);
  const sink = c.engine.metadataSink((ev) => {
    events++;
    if (!c.handle(ev)) {
      stop();
      return false;
    }
    return true;
  });
  const parser = new ScapParser(sink, `${o.remote}:stream`);
  let errBuf = '';
  child.stderr!.on('data', (d: Buffer) => {
    errBuf += d.toString();
    let i;
    while ((i = errBuf.indexOf('\n')) >= 0) {
      const line = errBuf.slice(0, i).trim();
      errBuf = errBuf.slice(i + 1);
      if (!line) continue;
      lastErr = line;
      if (!t0 && /capturing live events/.test(line)) {
        t0 = performance.now();
        so.started?.();
      }
      process.stderr.write(`${o.remote}: ${line}\n`);
    }
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    if (stopped) return;
    bytes += chunk.length;
    try {
      parser.push(chunk);
      c.afterBatch?.();
    } catch (e) {
      failure = e;
      stop();
    }
  });
  child.on('error', (e) => {
    failure = new Error(`cannot run ${argv[0]}: ${e.message}`);
    stop();
  });
  child.stdout!.on('end', stop);
  child.on('exit', () => setTimeout(stop, 50)); // stdout may still hold data
  const tick = setInterval(() => c.tick?.({ ...NO_STATS, events, bytes }), 1000);
  try {
    await done;
  } finally {
    clearInterval(poll);
    clearInterval(tick);
    for (const s of sigs) process.off(s, onSignal);
    holdSignals();
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  if (!failure && !signal && events === 0 && !so.isStopped?.()) {
    failure = new Error(`the remote capture ended before any event${lastErr ? `: ${lastErr}` : ` (${argv.join(' ')})`}`);
  }
  return {
    started: events > 0 || t0 > 0,
    events, malformed: 0, lookups: 0,
    stats: { ...NO_STATS, events, bytes },
    boot: { processes: 0, threads: c.engine.threads.size, fds: 0, ms: 0 },
    secs: t0 ? (performance.now() - t0) / 1000 : 0,
    signal, failure, tables: stateSizes(c.engine),
  };
}
