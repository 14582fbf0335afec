// The parallel replay (src/cli/replay-parallel.ts) must print exactly what the single thread
// prints: same stdout bytes, same stderr, same exit code — also for damaged files and a closed
// pipe. Each case runs tsdig with TSDIG_THREADS=1 and with two threads forced on small segments
// that the threads print alternately (so both threads print, wait for each other and stop on
// errors), and on the largest fixture with the split tsdig picks by itself.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { FIXTURES, TSDIG, fixtureList, needs, tsdig, firstDiff } from './helpers';

const files = fixtureList();
const skip = needs('../shared/fixtures/scap (the public captures beside the project)', files.length > 0);

/** the largest captures by events, a gzip one among them, and a few small ones */
const PICKED = [
  'bencer-troubleshooting__capture.scap',
  'sf-collector__nginx.scap',
  'sf-collector__mpm-worker_full.scap',
  'sf-collector__mpm-event_full.scap',
  'libs__sample.scap',
  'falco__psp_privileged.scap',
].map((f) => path.join(FIXTURES, f)).filter((f) => fs.existsSync(f));

const SINGLE = { TSDIG_THREADS: '1' };
const ALTERNATE = { TSDIG_THREADS: '2', TSDIG_PARALLEL_SPLIT: 'alternate', TSDIG_SEGMENT_BYTES: '65536' };

interface Case { name: string; args: string[] }
const CASES: Case[] = [
  { name: 'default format', args: [] },
  { name: '-p with fd fields', args: ['-p', '*%evt.num %proc.name %thread.tid %fd.num %fd.name %fd.type %fd.cip:%fd.cport %evt.info'] },
  { name: 'a filter', args: ['-p', '%evt.num %evt.type %fd.name %evt.res', 'evt.type in (open, openat, read, write, connect, accept) or proc.name=nginx'] },
  { name: '-j', args: ['-j'] },
  { name: '-pc -A -t r', args: ['-pc', '-A', '-t', 'r'] },
  { name: '-S -v -x', args: ['-S', '-v', '-x'] },
];

function same(label: string, args: string[], env: NodeJS.ProcessEnv): void {
  const want = tsdig(args, { env: SINGLE });
  const got = tsdig(args, { env });
  assert.equal(got.status, want.status, `${label}: exit ${got.status}, single thread ${want.status}; stderr: ${got.stderr}`);
  assert.equal(got.stderr.toString(), want.stderr.toString(), `${label}: stderr differs`);
  assert.ok(Buffer.compare(got.stdout, want.stdout) === 0, `${label}: stdout differs (${got.stdout.length} vs ${want.stdout.length} bytes) at ${firstDiff(want.stdout, got.stdout)}`);
}

for (const c of CASES) {
  test(`parallel replay prints what one thread prints: ${c.name}`, { skip }, () => {
    for (const f of PICKED) same(`${path.basename(f)} ${c.args.join(' ')}`, ['-r', f, ...c.args], ALTERNATE);
  });
}

test('parallel replay: both threads print, and the split tsdig picks matches too', { skip }, () => {
  const big = PICKED[0]!;
  const r = tsdig(['-r', big], { env: { ...ALTERNATE, TSDIG_DEBUG_PARALLEL: '1' } });
  assert.equal(r.status, 0);
  const printed = [...r.stderr.toString().matchAll(/parallel: (lead|follow) printed (\d+) of/g)].map((m) => [m[1], Number(m[2])] as const);
  assert.equal(printed.length, 2, `both threads report: ${r.stderr}`);
  for (const [who, n] of printed) assert.ok(n > 0, `${who} printed no segment: ${r.stderr}`);
  same('adaptive split', ['-r', big], { TSDIG_THREADS: '2' });
  same('adaptive split, filter', ['-r', big, 'evt.type!=switch and proc.name!=sysdig'], { TSDIG_THREADS: '2', TSDIG_SEGMENT_BYTES: '262144' });
});

test('parallel replay of truncated and corrupt files: same output before the error, same message and exit code', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-par-'));
  try {
    const made: string[] = [];
    for (const f of PICKED.slice(0, 3)) {
      let b = fs.readFileSync(f);
      if (b[0] === 0x1f && b[1] === 0x8b) b = zlib.gunzipSync(b);
      const base = path.basename(f, '.scap');
      // cuts at fixed fractions land mid-block; the gzip one loses its trailer
      for (const frac of [0.37, 0.81]) {
        const p = path.join(dir, `${base}-cut${frac}.scap`);
        fs.writeFileSync(p, b.subarray(0, Math.floor(b.length * frac)));
        made.push(p);
      }
      const gz = zlib.gzipSync(b);
      const pg = path.join(dir, `${base}-cut.scap.gz`);
      fs.writeFileSync(pg, gz.subarray(0, Math.floor(gz.length * 0.6)));
      made.push(pg);
      const bad = Buffer.from(b);
      for (const frac of [0.55, 0.56, 0.57]) bad[Math.floor(bad.length * frac)]! ^= 0xff;
      const pb = path.join(dir, `${base}-flipped.scap`);
      fs.writeFileSync(pb, bad);
      made.push(pb);
    }
    for (const p of made) {
      same(path.basename(p), ['-r', p], ALTERNATE);
      same(path.basename(p) + ' -p', ['-r', p, '-p', '%evt.num %fd.name'], ALTERNATE);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('parallel replay into a pipe closed early exits quietly with 0', { skip }, async () => {
  const big = PICKED[0]!;
  for (const env of [ALTERNATE, { TSDIG_THREADS: '2' }]) {
    const child = spawn(process.execPath, [TSDIG, '-r', big], { env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let got = 0;
    child.stdout.on('data', (d: Buffer) => {
      got += d.length;
      if (got > 100_000) child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, `exit ${code}; stderr: ${stderr}`);
    assert.equal(stderr, '');
  }
});
