// Live start-up benchmark (not a test). Needs root and the built addon.
//   npm run build && node dist/bench/startup.js [--runs 10] [--base DIR]
// Launch -> first event: the wall time from spawning `tsdig -n 1 proc.pid=<marker>` to the first
// event line on its stdout. The marker is a node process polling every millisecond (an epoll_pwait
// each time), started before the runs. Beside it, in the same rounds: bpftrace's launch -> first
// probe firing for `tracepoint:raw_syscalls:sys_enter /pid == marker/` (if bpftrace is installed),
// and --base DIR: another build's bin/tsdig (e.g. the commit before this benchmark, built in DIR).
// Also timed in this process: the addon's open() alone (the BPF load and verification), with its
// default number of loader threads and with one.
// Rounds interleave the tools so load from other jobs on the machine falls on all of them alike;
// the CPU time each tool had used when its first event came (from /proc/PID/stat) does not depend
// on that load.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addonPath, checkPrerequisites } from '../src/live/native';
import { envNote, runEnv } from './env';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const RUNS = Number(arg('runs') ?? 10);
const BASE = arg('base');
const ROOT = path.join(__dirname, '..', '..');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU time (user + system, all threads) a live process has used so far, ms */
function cpuMs(pid: number): number {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
  } catch {
    return NaN;
  }
}
const TICKS = Number(cp.spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Sample {
  /** wall ms from spawn to the first event */
  ms: number;
  /** CPU ms the tool had used by then (what the start-up costs, whatever the machine's load) */
  cpu: number;
}

/** Spawn to the first stdout chunk matching `re`; the child is killed after it. */
function firstOutput(cmd: string, args: string[], re: RegExp, timeoutMs = 30_000): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = cp.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: runEnv() });
    let out = '';
    let err = '';
    let done = false;
    const finish = (v: Sample | Error) => {
      if (done) return;
      done = true;
      clearTimeout(to);
      if (c.exitCode === null) c.kill('SIGINT');
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const to = setTimeout(() => finish(new Error(`${cmd}: no event within ${timeoutMs} ms; stderr: ${err.slice(-300)}`)), timeoutMs);
    c.stdout.on('data', (d) => {
      const t = process.hrtime.bigint();
      out += d;
      if (re.test(out)) finish({ ms: Number(t - t0) / 1e6, cpu: cpuMs(c.pid!) });
    });
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => {
      if (!done) finish(new Error(`${cmd} exited (${code}) before an event; stderr: ${err.slice(-300)}`));
    });
  });
}

function which(name: string): string | null {
  const r = cp.spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

async function main(): Promise<void> {
  const pre = checkPrerequisites();
  if (pre) {
    console.error(`startup bench: ${pre.message}`);
    process.exit(1);
  }
  const marker = cp.spawn(process.execPath, ['-e', 'setInterval(() => {}, 1)'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const pid = marker.pid!;
  const bpftrace = which('bpftrace');
  const base = BASE ? path.resolve(BASE) : null;
  if (base && !fs.existsSync(path.join(base, 'dist', 'src', 'cli', 'main.js'))) {
    console.error(`startup bench: ${base} has no built tsdig (npm ci there first)`);
    process.exit(1);
  }
  const tools: { name: string; run: () => Promise<Sample> }[] = [
    { name: 'tsdig', run: () => firstOutput(process.execPath, [path.join(ROOT, 'bin', 'tsdig'), '-n', '1', `proc.pid=${pid}`], /\n/) },
  ];
  if (base) {
    tools.push({ name: `tsdig (${path.basename(base)})`, run: () => firstOutput(process.execPath, [path.join(base, 'bin', 'tsdig'), '-n', '1', `proc.pid=${pid}`], /\n/) });
  }
  if (bpftrace) {
    const prog = `tracepoint:raw_syscalls:sys_enter /pid == ${pid}/ { printf("hit\\n"); exit(); }`;
    tools.push({ name: 'bpftrace', run: () => firstOutput(bpftrace, ['-e', prog], /hit/) });
  }
  const times = new Map<string, Sample[]>(tools.map((t) => [t.name, []]));
  const opens = new Map<string, number[]>();
  // TSDIG_BPF_THREADS: how many threads load the programs (native/src/loader.h; default: CPUs)
  const addons: { name: string; file: string; threads?: string }[] = [
    { name: `tsdig, ${Math.min(4, os.cpus().length)} loader threads`, file: addonPath() },
    { name: 'tsdig, 1 loader thread', file: addonPath(), threads: '1' },
  ];
  if (base) addons.push({ name: `tsdig (${path.basename(base)})`, file: path.join(base, 'build', 'Release', 'tsdig_bpf.node') });
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const t of tools) times.get(t.name)!.push(await t.run());
      for (const a of addons) {
        // the addon's open() alone: ELF, BTF, CO-RE relocations, BPF verification and JIT
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const mod = require(a.file) as { open(o: object): unknown; close(h: unknown): void };
        if (a.threads) process.env.TSDIG_BPF_THREADS = a.threads;
        else delete process.env.TSDIG_BPF_THREADS;
        const t0 = process.hrtime.bigint();
        const h = mod.open({});
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        mod.close(h);
        (opens.get(a.name) ?? opens.set(a.name, []).get(a.name)!).push(ms);
      }
      process.stderr.write(`round ${i + 1}/${RUNS}\r`);
    }
  } finally {
    marker.kill();
  }
  const row = (name: string, xs: number[]) =>
    `| ${name.padEnd(44)} | ${median(xs).toFixed(0).padStart(6)} | ${Math.min(...xs).toFixed(0).padStart(6)} | ${Math.max(...xs).toFixed(0).padStart(6)} |`;
  console.log(`\nlaunch -> first event, ${RUNS} runs, ms (load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}, ${os.cpus().length} CPUs)`);
  console.log(envNote());
  console.log(`| ${'what'.padEnd(44)} | median |    min |    max |`);
  console.log(`|${'-'.repeat(46)}|-------:|-------:|-------:|`);
  for (const t of tools) console.log(row(`${t.name}: launch -> first event`, times.get(t.name)!.map((x) => x.ms)));
  for (const t of tools) console.log(row(`${t.name}: CPU used by then`, times.get(t.name)!.map((x) => x.cpu)));
  for (const [name, xs] of opens) console.log(row(`${name}: addon open() (BPF load)`, xs));
  if (!bpftrace) console.log('bpftrace not installed: its column is skipped (apt-get install -y bpftrace)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
