// Write benchmark (not a test): re-write a ≥1M-event capture with `tsdig -r IN -w OUT -q` to a
// real file and to /dev/null, and also time the plain replay (`-q`) as the floor.
//   npm run build && node dist/bench/write.js [--runs 3] [--min-events 1000000] [--gzip]
// The input is the same kind of file bench/replay.ts builds: the format-1.2 fixtures (gzip ones
// decompressed) concatenated until there are ≥ 1M events; it is written once to os.tmpdir().
// Reports the median wall time, MB/s of input and output, and the file/devnull ratio.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.resolve(ROOT, '..', 'shared', 'fixtures', 'scap');
const TSDIG = path.join(ROOT, 'bin', 'tsdig');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 3);
const MIN_EVENTS = arg('min-events', 1_000_000);
const GZIP = process.argv.includes('--gzip');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Format-1.2 fixtures readable by sysdig, with their event counts, from INDEX.md. */
function sources(): Array<{ file: string; events: number }> {
  const text = fs.readFileSync(path.join(FIXTURES, 'INDEX.md'), 'utf8');
  const rows: Array<{ file: string; events: number }> = [];
  for (const line of text.split('\n')) {
    const c = line.split('|').map((s) => s.trim());
    const name = /^`([^`]+\.scap)`/.exec(c[1] ?? '');
    if (c.length < 12 || !name || c[6] !== '1.2' || c[11] !== 'yes' || !(Number(c[7]) > 0)) continue;
    if (fs.existsSync(path.join(FIXTURES, name[1]!))) rows.push({ file: name[1]!, events: Number(c[7]) });
  }
  return rows;
}

function bigInput(): { file: string; events: number } {
  const rows = sources();
  if (rows.length === 0) throw new Error(`no format-1.2 fixtures in ${FIXTURES}`);
  const perRound = rows.reduce((s, r) => s + r.events, 0);
  const rounds = Math.ceil(MIN_EVENTS / perRound);
  const file = path.join(os.tmpdir(), `tsdig-bench-write-in-${rounds}x${rows.length}.scap`);
  if (!fs.existsSync(file)) {
    const bodies = rows.map((r) => {
      const b = fs.readFileSync(path.join(FIXTURES, r.file));
      return b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b;
    });
    const fd = fs.openSync(file + '.tmp', 'w');
    for (let i = 0; i < rounds; i++) for (const b of bodies) fs.writeSync(fd, b);
    fs.closeSync(fd);
    fs.renameSync(file + '.tmp', file);
  }
  return { file, events: perRound * rounds };
}

function timed(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = cp.spawnSync(process.execPath, [TSDIG, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`tsdig ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return sec;
}

function main(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'write.js'))) throw new Error('build first: npm run build');
  const { file, events } = bigInput();
  const inBytes = fs.statSync(file).size;
  const out = path.join(os.tmpdir(), `tsdig-bench-write-out-${process.pid}.scap`);
  const z = GZIP ? ['-z'] : [];
  console.log(`input ${file}: ${(inBytes / 1e6).toFixed(1)} MB, ~${events.toLocaleString('en-US')} events; ${RUNS} runs (median)${GZIP ? '; -z' : ''}`);
  const replay: number[] = [];
  const toFile: number[] = [];
  const toNull: number[] = [];
  let outBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    replay.push(timed(['-r', file, '-q']));
    toNull.push(timed(['-r', file, '-w', '/dev/null', '-q', ...z]));
    toFile.push(timed(['-r', file, '-w', out, '-q', ...z]));
    outBytes = fs.statSync(out).size;
    fs.unlinkSync(out);
  }
  const r = median(replay);
  const n = median(toNull);
  const f = median(toFile);
  const mbs = (s: number) => (inBytes / 1e6 / s).toFixed(1);
  console.log(`| run | median s | input MB/s | events/s |`);
  console.log(`|---|---:|---:|---:|`);
  console.log(`| replay only (-q) | ${r.toFixed(3)} | ${mbs(r)} | ${(events / r / 1e6).toFixed(2)}M |`);
  console.log(`| -w /dev/null | ${n.toFixed(3)} | ${mbs(n)} | ${(events / n / 1e6).toFixed(2)}M |`);
  console.log(`| -w file | ${f.toFixed(3)} | ${mbs(f)} | ${(events / f / 1e6).toFixed(2)}M |`);
  console.log(`output file ${(outBytes / 1e6).toFixed(1)} MB → ${(outBytes / 1e6 / f).toFixed(1)} MB/s written`);
  console.log(`ratio file / devnull = ${(f / n).toFixed(2)}; write overhead over replay = ${(n / r).toFixed(2)}x`);
}

try {
  main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
}
