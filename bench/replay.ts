// Replay benchmark (not a test): tsdig against sysdig 0.29.3, side by side in the same run.
//   npm run bench:replay            (= npm run build && node dist/bench/replay.js)
//   node dist/bench/replay.js [--runs 3] [--min-events 1000000] [--rebuild]
// Scenarios: counting (-q), filtering (-q + filter) and printing to /dev/null (default format), on
// (a) the largest fixture by event count and (b) a ≥1M-event file made by concatenating the
// format-1.2 fixtures (gzip ones decompressed first), written once to os.tmpdir() and reused.
// Reports the median wall time and CPU time (user + sys) of N runs, the ratios tsdig/sysdig (< 1:
// tsdig is faster), events/s and the max RSS of every run (via /usr/bin/time when present) to
// show memory stays flat.
import * as cp from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { envNote, runEnv } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.resolve(ROOT, '..', 'shared', 'fixtures', 'scap');
const TSDIG = path.join(ROOT, 'bin', 'tsdig');
const LARGEST = 'bencer-troubleshooting__capture.scap';
const FILTER = 'evt.type=open or evt.type=openat or proc.name=nginx';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 3);
const MIN_EVENTS = arg('min-events', 1_000_000);
const REBUILD = process.argv.includes('--rebuild');

const haveCmd = (c: string) => cp.spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
const HAVE_SYSDIG = haveCmd('sysdig');
const TIME_BIN = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface RunOut { sec: number; cpu: number; rssKiB: number; status: number | null; stderr: string }

const devnull = fs.openSync('/dev/null', 'w');
const rssFile = path.join(os.tmpdir(), `tsdig-bench-rss-${process.pid}`);

/**
 * One timed run with stdout to /dev/null; CPU time (user + sys) and max RSS from /usr/bin/time
 * when available. CPU time is the steadier figure on a shared machine: wall time also counts the
 * time other processes held the CPUs.
 */
function timed(cmd: string, args: string[]): RunOut {
  const [c, a] = TIME_BIN ? [TIME_BIN, ['-f', '%U %S %M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = cp.spawnSync(c, a, { stdio: ['ignore', devnull, 'pipe'], env: runEnv(), maxBuffer: 1 << 26, timeout: 600_000 });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  let rssKiB = NaN;
  let cpu = NaN;
  if (TIME_BIN && fs.existsSync(rssFile)) {
    const m = /([\d.]+) ([\d.]+) (\d+)\s*$/.exec(fs.readFileSync(rssFile, 'utf8').trim());
    if (m) {
      cpu = Number(m[1]) + Number(m[2]);
      rssKiB = Number(m[3]);
    }
    fs.unlinkSync(rssFile);
  }
  return { sec, cpu, rssKiB, status: r.status, stderr: r.stderr?.toString() ?? String(r.error) };
}

const tsdigCmd = (args: string[]): [string, string[]] => [process.execPath, [TSDIG, ...args]];
const sysdigCmd = (args: string[]): [string, string[]] => ['sysdig', args];

/** "Captured Events: N" from `-q -v` (sysdig puts it on stderr among other stats). */
function capturedEvents(cmd: [string, string[]], file: string): number {
  const r = cp.spawnSync(cmd[0], [...cmd[1], '-r', file, '-q', '-v'], { encoding: 'utf8', env: runEnv(), maxBuffer: 1 << 26 });
  const m = /Captured Events: (\d+)/.exec((r.stderr ?? '') + (r.stdout ?? ''));
  return m ? Number(m[1]) : NaN;
}

// ---------------------------------------------------------------- the ≥1M-event file

interface IndexRow { file: string; gzip: boolean; version: string; events: number; readable: boolean }

/** The summary table of INDEX.md: | file | repo | path | bytes | comp. | fmt ver | count | lines | blocks | predicted | read | */
function indexRows(): IndexRow[] {
  const text = fs.readFileSync(path.join(FIXTURES, 'INDEX.md'), 'utf8');
  const rows: IndexRow[] = [];
  for (const line of text.split('\n')) {
    const c = line.split('|').map((s) => s.trim());
    const name = /^`([^`]+\.scap)`/.exec(c[1] ?? ''); // some names carry a note after them
    if (c.length < 12 || !name) continue;
    rows.push({ file: name[1]!, gzip: c[5] === 'gzip', version: c[6]!, events: Number(c[7]), readable: c[11] === 'yes' });
  }
  return rows;
}

function bigFile(): { file: string; events: number } {
  const rows = indexRows().filter((r) => r.version === '1.2' && r.readable && r.events > 0 && fs.existsSync(path.join(FIXTURES, r.file)));
  if (rows.length === 0) throw new Error(`no readable format-1.2 fixtures listed in ${FIXTURES}/INDEX.md`);
  const perRound = rows.reduce((s, r) => s + r.events, 0);
  const key = crypto.createHash('sha1').update(JSON.stringify({ rows, MIN_EVENTS })).digest('hex').slice(0, 10);
  const file = path.join(os.tmpdir(), `tsdig-bench-replay-${key}.scap`);
  const meta = file + '.json';
  if (!REBUILD && fs.existsSync(file) && fs.existsSync(meta)) {
    const m = JSON.parse(fs.readFileSync(meta, 'utf8')) as { bytes: number; events: number };
    if (fs.statSync(file).size === m.bytes && m.events >= MIN_EVENTS) {
      console.log(`reusing ${file} (${(m.bytes / 2 ** 20).toFixed(0)} MiB, ${m.events} events)`);
      return { file, events: m.events };
    }
  }
  const t0 = Date.now();
  const bodies = rows.map((r) => {
    const b = fs.readFileSync(path.join(FIXTURES, r.file));
    return b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b;
  });
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let rounds = 0;
  let events = 0;
  // INDEX.md counts leave out each file's leading container events; a concatenated section may
  // count them, so the estimate is a lower bound — the real count is checked below
  while (events < MIN_EVENTS) {
    for (const b of bodies) bytes += fs.writeSync(fd, b);
    events += perRound;
    rounds++;
  }
  fs.closeSync(fd);
  const counted = HAVE_SYSDIG ? capturedEvents(sysdigCmd([]), file) : capturedEvents(tsdigCmd([]), file);
  if (Number.isFinite(counted)) events = counted;
  fs.writeFileSync(meta, JSON.stringify({ bytes, events, rounds, sources: rows.map((r) => r.file) }));
  console.log(`built ${file}: ${rows.length} format-1.2 fixtures × ${rounds} rounds, ${(bytes / 2 ** 20).toFixed(0)} MiB, ${events} events (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return { file, events };
}

/** One extra `-q` run with a preload that forces a GC at exit and reports what is still live. */
function liveHeapAfterGc(file: string): string | null {
  const pre = path.join(os.tmpdir(), `tsdig-bench-heap-${process.pid}.js`);
  fs.writeFileSync(pre, `process.on('exit', () => { global.gc(); const m = process.memoryUsage();
    process.stderr.write('HEAP ' + (m.heapUsed / 2 ** 20).toFixed(1) + ' MiB used of ' + (m.heapTotal / 2 ** 20).toFixed(0) + ' MiB heap, rss ' + (m.rss / 2 ** 20).toFixed(0) + ' MiB\\n'); });\n`);
  const r = cp.spawnSync(process.execPath, ['--expose-gc', '--require', pre, TSDIG, '-r', file, '-q'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  fs.unlinkSync(pre);
  return /HEAP (.*)/.exec(r.stderr ?? '')?.[1] ?? null;
}

// ---------------------------------------------------------------- scenarios

interface Scenario { name: string; args: string[] }
const SCENARIOS: Scenario[] = [
  { name: 'count (-q)', args: ['-q'] },
  { name: 'filter (-q + filter)', args: ['-q', FILTER] },
  { name: 'print > /dev/null', args: [] },
];

interface Row {
  label: string; scenario: string; events: number;
  ts: number; sd: number; tsCpu: number; sdCpu: number; tsRss: number; sdRss: number; errors: string[];
}

function bench(label: string, file: string, events: number, sc: Scenario): Row {
  const ts: RunOut[] = [];
  const sd: RunOut[] = [];
  // interleaved, so drift in machine load hits both sides alike
  for (let i = 0; i < RUNS; i++) {
    ts.push(timed(...tsdigCmd(['-r', file, ...sc.args])));
    if (HAVE_SYSDIG) sd.push(timed(...sysdigCmd(['-r', file, ...sc.args])));
  }
  const errors = [...ts.map((r) => ['tsdig', r] as const), ...sd.map((r) => ['sysdig', r] as const)]
    .filter(([, r]) => r.status !== 0)
    .map(([who, r]) => `${who} exit ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  return {
    label, scenario: sc.name, events,
    ts: median(ts.map((r) => r.sec)),
    sd: HAVE_SYSDIG ? median(sd.map((r) => r.sec)) : NaN,
    tsCpu: median(ts.map((r) => r.cpu)),
    sdCpu: HAVE_SYSDIG ? median(sd.map((r) => r.cpu)) : NaN,
    tsRss: Math.max(...ts.map((r) => r.rssKiB)),
    sdRss: HAVE_SYSDIG ? Math.max(...sd.map((r) => r.rssKiB)) : NaN,
    errors,
  };
}

const fmtN = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'n/a');
const fmtS = (s: number) => (Number.isFinite(s) ? s.toFixed(3) : 'n/a');
const fmtEps = (ev: number, s: number) => (Number.isFinite(s) && s > 0 ? `${(ev / s / 1e6).toFixed(2)}M` : 'n/a');
const fmtMiB = (k: number) => (Number.isFinite(k) ? (k / 1024).toFixed(0) : 'n/a');

function table(rows: Row[]): string {
  const head = ['file', 'scenario', 'events', 'tsdig s', 'sysdig s', 'ratio', 'tsdig cpu s', 'sysdig cpu s', 'cpu ratio', 'tsdig ev/s', 'sysdig ev/s', 'tsdig RSS MiB', 'sysdig RSS MiB'];
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : 'n/a');
  const body = rows.map((r) => [
    r.label, r.scenario, fmtN(r.events), fmtS(r.ts), fmtS(r.sd), ratio(r.ts, r.sd), fmtS(r.tsCpu), fmtS(r.sdCpu), ratio(r.tsCpu, r.sdCpu),
    fmtEps(r.events, r.ts), fmtEps(r.events, r.sd), fmtMiB(r.tsRss), fmtMiB(r.sdRss),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ') + ' |';
  const rule = '|' + w.map((n, i) => (i < 2 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|') + '|';
  return [line(head), rule, ...body.map(line)].join('\n');
}

function main(): void {
  if (!fs.existsSync(TSDIG) || !fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  if (!fs.existsSync(FIXTURES)) throw new Error(`fixtures not found at ${FIXTURES}`);
  if (!HAVE_SYSDIG) console.log('sysdig is not installed: timing tsdig alone, no ratios');
  // bin/tsdig starts replays from the bundle only when it is newer than the last tsc build
  const bundle = path.join(ROOT, 'dist', 'tsdig-replay.js');
  const built = path.join(ROOT, 'dist', '.tsbuildinfo');
  if (!fs.existsSync(bundle) || (fs.existsSync(built) && fs.statSync(built).mtimeMs > fs.statSync(bundle).mtimeMs)) {
    console.log('note: dist/tsdig-replay.js is missing or older than the last tsc build: timing the unbundled start-up (run npm run build)');
  }
  const t0 = Date.now();
  const largest = path.join(FIXTURES, LARGEST);
  const big = bigFile();
  const files: { label: string; file: string; events: number }[] = [
    { label: `${LARGEST.replace(/\.scap$/, '')}`, file: largest, events: NaN },
    { label: `concat-1.2 ×${Math.round(big.events / 1000)}k`, file: big.file, events: big.events },
  ];
  for (const f of files) {
    const sdCount = HAVE_SYSDIG ? capturedEvents(sysdigCmd([]), f.file) : NaN; // also warms the page cache
    const tsCount = capturedEvents(tsdigCmd([]), f.file);
    if (!Number.isFinite(f.events)) f.events = Number.isFinite(sdCount) ? sdCount : tsCount;
    if (HAVE_SYSDIG && sdCount !== tsCount) console.log(`note: ${f.label}: sysdig counts ${sdCount} events, tsdig ${tsCount}`);
  }
  console.log(`runs per cell: ${RUNS} (median); filter: ${FILTER}; ${os.cpus().length} CPUs, node ${process.version}`);
  console.log(envNote() + '\n');
  const rows: Row[] = [];
  for (const f of files) {
    for (const sc of SCENARIOS) {
      const r = bench(f.label, f.file, f.events, sc);
      rows.push(r);
      process.stderr.write(`  ${f.label} / ${sc.name}: tsdig ${fmtS(r.ts)} s, sysdig ${fmtS(r.sd)} s\n`);
      for (const e of r.errors) console.log(`  ERROR ${f.label} / ${sc.name}: ${e}`);
    }
  }
  console.log(table(rows));
  console.log('');
  for (const sc of SCENARIOS) {
    const rs = rows.filter((r) => r.scenario === sc.name);
    const parts = rs.map((r) => {
      const ratio = r.ts / r.sd;
      const verdict = !Number.isFinite(ratio) ? 'n/a' : ratio < 1 ? `${(1 / ratio).toFixed(2)}x faster` : `${ratio.toFixed(2)}x slower`;
      const cpu = r.tsCpu / r.sdCpu;
      return `${r.label}: ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'} (${verdict}, ${fmtEps(r.events, r.ts)} ev/s; cpu ${Number.isFinite(cpu) ? cpu.toFixed(2) : 'n/a'})`;
    });
    console.log(`summary ${sc.name}: tsdig/sysdig = ${parts.join('; ')}`);
  }
  const smallRss = Math.max(...rows.filter((r) => r.label === files[0]!.label).map((r) => r.tsRss));
  const bigRss = Math.max(...rows.filter((r) => r.label === files[1]!.label).map((r) => r.tsRss));
  console.log(`memory: tsdig max RSS ${fmtMiB(smallRss)} MiB on ${fmtN(files[0]!.events)} events, ${fmtMiB(bigRss)} MiB on ${fmtN(files[1]!.events)} events (${(fs.statSync(big.file).size / 2 ** 20).toFixed(0)} MiB file)` +
    (TIME_BIN ? '' : ' — /usr/bin/time missing, RSS not measured'));
  const heap = liveHeapAfterGc(big.file);
  if (heap) console.log(`memory: tsdig live JS heap after a full GC at exit: ${heap}`);
  console.log(`total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

try {
  main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
}
