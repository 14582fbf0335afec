// -w: captures written by tsdig must read back in sysdig 0.29.3 (the oracle) and in tsdig exactly
// as the originals do. Covers: every fixture re-written unfiltered (same output, same evt.num),
// gzip, file mode, fatfile filtering (state-only EVF blocks), -C/-W rotation and its overwrite
// rule, a full disk (tmpfs), and SIGINT in the middle of a large re-write.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawn, spawnSync } from 'node:child_process';
import { FIXTURES, TSDIG, fixtureList, firstDiff, haveCmd, needs, sysdig, tsdig } from './helpers';

const HAVE_SYSDIG = haveCmd('sysdig');
const FIX = (n: string) => path.join(FIXTURES, n);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-write-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** sysdig cannot open this one (SHB options); its content equals libs__curl_google.scap */
const COMMENTS = 'libs__curl_google_comments.scap';
const TUPLE_FMT = '%evt.time %evt.cpu %proc.name %thread.tid %evt.dir %evt.type %evt.info';

function ok(r: ReturnType<typeof tsdig>, what: string): void {
  assert.equal(r.status, 0, `${what}: exit ${r.status}: ${r.stderr?.toString()}`);
}

/** Event blocks of a capture: [block type, dump flags] (decompressing gzip). */
function eventBlocks(file: string): Array<[number, number]> {
  let b = fs.readFileSync(file);
  if (b[0] === 0x1f && b[1] === 0x8b) b = zlib.gunzipSync(b);
  const out: Array<[number, number]> = [];
  for (let p = 0; p + 8 <= b.length; ) {
    const t = b.readUInt32LE(p);
    const len = b.readUInt32LE(p + 4);
    if (t === 0x216 || t === 0x221) out.push([t, 0]);
    else if (t === 0x217 || t === 0x222) out.push([t, b.readUInt32LE(p + 10)]);
    assert.ok(len >= 12 && len % 4 === 0, `bad block length ${len} at ${p}`);
    assert.equal(b.readUInt32LE(p + len - 4), len, `trailer mismatch at ${p}`);
    p += len;
  }
  return out;
}

function captured(stderr: Buffer | string): number {
  const m = /Captured Events: (\d+)/.exec(stderr.toString());
  return m ? Number(m[1]) : NaN;
}

test('every fixture re-written without a filter reads back identically in sysdig and tsdig', { timeout: 120_000 }, (t) => {
  const skip = needs('fixtures', fixtureList().length > 0) ?? needs('sysdig', HAVE_SYSDIG);
  if (skip) return t.skip(skip);
  const failures: string[] = [];
  for (const inFile of fixtureList()) {
    const name = path.basename(inFile);
    const out = path.join(tmp, name + '.out');
    ok(tsdig(['-r', inFile, '-w', out, '-q']), `write ${name}`);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600, `${name}: mode`);
    // sysdig: same printed lines (evt.num included)
    const ref = sysdig(['-r', name === COMMENTS ? FIX('libs__curl_google.scap') : inFile]);
    const got = sysdig(['-r', out]);
    if (got.status !== 0 || !ref.stdout.equals(got.stdout)) {
      failures.push(`${name}: sysdig differs (exit ${got.status}; ${got.stderr.toString().trim()}): ${firstDiff(ref.stdout, got.stdout)}`);
    }
    // tsdig: same output as from the original
    const tref = tsdig(['-r', inFile]);
    const tgot = tsdig(['-r', out]);
    if (tgot.status !== 0 || !tref.stdout.equals(tgot.stdout)) failures.push(`${name}: tsdig differs: ${firstDiff(tref.stdout, tgot.stdout)}`);
    fs.unlinkSync(out);
  }
  assert.deepEqual(failures, []);
});

test('re-written files keep the metadata sysdig resolves fields from', (t) => {
  const skip = needs('sysdig', HAVE_SYSDIG);
  if (skip) return t.skip(skip);
  const fmt = '*%evt.num %proc.exepath %proc.args %user.name %group.gid %fd.name %fd.type %container.id %container.name %container.image %proc.cwd %proc.vpid %proc.sid %proc.env %user.loginuid %proc.pname %fd.sip %fd.cport %fd.l4proto';
  for (const name of ['falco__psp_run_as_user_0_container.scap', 'sf-collector__tcp-client-server.scap', 'falco__cat_write.scap', 'libs__single_ipv6_conn.scap']) {
    const out = path.join(tmp, 'meta-' + name);
    ok(tsdig(['-r', FIX(name), '-w', out, '-q']), name);
    const a = sysdig(['-D', '-r', FIX(name), '-p', fmt]);
    const b = sysdig(['-D', '-r', out, '-p', fmt]);
    assert.equal(b.status, 0, b.stderr.toString());
    assert.ok(a.stdout.equals(b.stdout), `${name}: ${firstDiff(a.stdout, b.stdout)}`);
  }
});

test('format 1.0 input gets a correct IL_V2 block (sysdig reads it, unlike its own re-write)', (t) => {
  const skip = needs('sysdig', HAVE_SYSDIG);
  if (skip) return t.skip(skip);
  const out = path.join(tmp, 'il.scap');
  ok(tsdig(['-r', FIX('falco__cat_write.scap'), '-w', out, '-q']), 'write');
  const r = sysdig(['-r', out, '-q', '-v']);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(captured(r.stderr), 345);
});

test('-z writes a gzip stream that sysdig reads', (t) => {
  const skip = needs('sysdig', HAVE_SYSDIG);
  if (skip) return t.skip(skip);
  const name = 'sf-collector__mpm-worker_full.scap';
  const out = path.join(tmp, 'z.scap.gz');
  ok(tsdig(['-r', FIX(name), '-w', out, '-z', '-q']), 'write');
  const head = fs.readFileSync(out).subarray(0, 2);
  assert.deepEqual([...head], [0x1f, 0x8b]);
  assert.ok(fs.statSync(out).size < fs.statSync(FIX(name)).size / 3, 'compressed');
  assert.equal(fs.statSync(out).mode & 0o777, 0o600);
  const a = sysdig(['-r', FIX(name)]);
  const b = sysdig(['-r', out]);
  assert.equal(b.status, 0, b.stderr.toString());
  assert.ok(a.stdout.equals(b.stdout), firstDiff(a.stdout, b.stdout));
  const c = tsdig(['-r', out]);
  assert.ok(a.stdout.equals(c.stdout), 'tsdig reads the gzip output: ' + firstDiff(a.stdout, c.stdout));
});

test('a filter keeps state-changing events as state-only EVF blocks (fatfile)', (t) => {
  const skip = needs('sysdig', HAVE_SYSDIG);
  if (skip) return t.skip(skip);
  const name = 'sf-collector__tcp-client-server.scap';
  const out = path.join(tmp, 'fat.scap');
  ok(tsdig(['-r', FIX(name), '-w', out, '-q', 'evt.type=connect']), 'write');
  // sysdig 0.29.3 -F gave: 28 EVF_V2 blocks with flags 1, 2128 EV_V2, 3 EV_V2_LARGE (scap-format.md §14)
  const blocks = eventBlocks(out);
  assert.equal(blocks.filter(([bt, f]) => bt === 0x217 && f === 1).length, 28);
  assert.equal(blocks.length, 2128 + 28 + 3);
  // the filtered events print as in the original, fd names included (evt.num is renumbered)
  const a = sysdig(['-r', FIX(name), '-p', TUPLE_FMT, 'evt.type=connect']);
  const b = sysdig(['-r', out, '-p', TUPLE_FMT]);
  assert.equal(b.status, 0, b.stderr.toString());
  assert.ok(a.stdout.length > 0);
  assert.ok(a.stdout.equals(b.stdout), firstDiff(a.stdout, b.stdout));
  // a filter on a process: its fds resolve as in the original
  const out2 = path.join(tmp, 'fat2.scap');
  ok(tsdig(['-r', FIX('sf-collector__mpm-worker_full.scap'), '-w', out2, '-q', 'evt.type in (read, write, sendfile, writev)']), 'write 2');
  const c = sysdig(['-r', FIX('sf-collector__mpm-worker_full.scap'), '-p', TUPLE_FMT, 'evt.type in (read, write, sendfile, writev)']);
  const d = sysdig(['-r', out2, '-p', TUPLE_FMT]);
  assert.ok(c.stdout.length > 1000);
  assert.ok(c.stdout.equals(d.stdout), firstDiff(c.stdout, d.stdout));
});

test('-C rotation names files like sysdig, -W keeps a ring, existing files are not overwritten', (t) => {
  const skip = needs('sysdig', HAVE_SYSDIG);
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(tmp, 'rot-'));
  const base = path.join(dir, 'cap.scap');
  const name = 'sf-collector__mpm-worker_full.scap';
  ok(tsdig(['-r', FIX(name), '-w', base, '-C', '1', '-q']), 'rotate');
  const files = fs.readdirSync(dir).sort();
  assert.deepEqual(files, ['cap.scap0', 'cap.scap1', 'cap.scap2', 'cap.scap3']);
  let total = 0;
  for (const f of files) {
    const st = fs.statSync(path.join(dir, f));
    assert.equal(st.mode & 0o777, 0o600);
    const r = sysdig(['-r', path.join(dir, f), '-q', '-v']);
    assert.equal(r.status, 0, `${f}: ${r.stderr.toString()}`);
    total += captured(r.stderr);
  }
  assert.equal(total, 36341);
  // the first file holds the original's own tables: its lines print exactly as the original's
  const full = sysdig(['-r', FIX(name)]).stdout.toString('latin1').split('\n');
  const first = sysdig(['-r', path.join(dir, 'cap.scap0')]).stdout.toString('latin1').split('\n');
  assert.deepEqual(first.slice(0, -1), full.slice(0, first.length - 1));

  // a second run would overwrite cap.scap0, which this new capture did not create: refused
  const before = fs.statSync(path.join(dir, 'cap.scap0'));
  const again = tsdig(['-r', FIX(name), '-w', base, '-C', '1', '-q']);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr.toString(), /cap\.scap0: .*refusing to overwrite/);
  assert.equal(fs.statSync(path.join(dir, 'cap.scap0')).mtimeMs, before.mtimeMs);

  // ring of 2: the names are reused, only two files remain, both readable
  const ringDir = fs.mkdtempSync(path.join(tmp, 'ring-'));
  ok(tsdig(['-r', FIX(name), '-w', path.join(ringDir, 'r.scap'), '-C', '1', '-W', '2', '-q']), 'ring');
  assert.deepEqual(fs.readdirSync(ringDir).sort(), ['r.scap0', 'r.scap1']);
  for (const f of ['r.scap0', 'r.scap1']) assert.equal(sysdig(['-r', path.join(ringDir, f), '-q']).status, 0);
  // -e: events per file, plain index
  const evDir = fs.mkdtempSync(path.join(tmp, 'ev-'));
  ok(tsdig(['-r', FIX('falco__ping_sendto.scap'), '-w', path.join(evDir, 'e.scap'), '-e', '1000', '-q']), '-e');
  assert.deepEqual(fs.readdirSync(evDir).sort(), ['e.scap0', 'e.scap1']);
  assert.equal(eventBlocks(path.join(evDir, 'e.scap0')).length, 1000);
});

test('a full disk: one clear error, non-zero exit, the partial file is readable', (t) => {
  const isRoot = process.getuid?.() === 0;
  const skip = needs('sysdig', HAVE_SYSDIG) ?? needs('root (to mount a tmpfs)', isRoot && haveCmd('mount'));
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(tmp, 'full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  if (m.status !== 0) {
    const why = needs('mounting a tmpfs', false);
    if (why) return t.skip(why + ': ' + m.stderr.toString().trim());
  }
  try {
    const out = path.join(dir, 'out.scap');
    // 539 KB of input, 176 KB of it metadata: the events overflow the 256 KiB file system
    const r = tsdig(['-r', FIX('bencer-examples__example4-1.scap'), '-w', out, '-q']);
    assert.equal(r.status, 1);
    const lines = r.stderr.toString().trim().split('\n');
    assert.equal(lines.length, 1, r.stderr.toString());
    assert.match(lines[0]!, /^tsdig: .*out\.scap: write failed: no space left on device; the file was cut back to \d+ bytes/);
    const size = fs.statSync(out).size;
    assert.ok(size > 0 && size <= 256 * 1024);
    const s = sysdig(['-r', out, '-q', '-v']);
    assert.equal(s.status, 0, s.stderr.toString());
    assert.doesNotMatch(s.stderr.toString(), /truncated|error/i);
    assert.ok(captured(s.stderr) > 0);
    // every block is whole
    assert.ok(eventBlocks(out).length > 0);
  } finally {
    spawnSync('umount', [dir]);
  }
});

test('SIGINT during a large re-write flushes and closes a readable file', async (t) => {
  const skip = needs('sysdig', HAVE_SYSDIG);
  if (skip) return t.skip(skip);
  // a large input: raw format-1.2 fixtures concatenated (sections), ~100 MB
  const big = path.join(tmp, 'big.scap');
  const parts = ['sf-collector__mpm-worker_full.scap', 'sf-collector__mpm-preforked_full.scap', 'sf-collector__nginx.scap', 'sf-collector__mpm-event_full.scap']
    .map((n) => fs.readFileSync(FIX(n)));
  const fd = fs.openSync(big, 'w');
  for (let i = 0; i < 10; i++) for (const p of parts) fs.writeSync(fd, p);
  fs.closeSync(fd);
  const out = path.join(tmp, 'sigint.scap');
  const child = spawn(process.execPath, [TSDIG, '-r', big, '-w', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  // wait until the first chunks are on disk, then interrupt
  const t0 = Date.now();
  while (!(fs.existsSync(out) && fs.statSync(out).size > 2_000_000) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 0, stderr);
  assert.match(stderr, /Capture stopped by signal\. Wrote \d+ events/);
  const size = fs.statSync(out).size;
  assert.ok(size < fs.statSync(big).size, 'stopped before the end');
  const s = sysdig(['-r', out, '-q', '-v']);
  assert.equal(s.status, 0, s.stderr.toString());
  const n = captured(s.stderr);
  assert.ok(n > 0, s.stderr.toString());
  const written = Number(/Wrote (\d+) events/.exec(stderr)![1]);
  // every event counted in the summary is in the file as a whole block (sysdig's count leaves
  // out each section's few state-only events, so it is a little lower)
  assert.equal(eventBlocks(out).length, written);
  assert.ok(n <= written && n > written * 0.99, `${n} of ${written}`);
});
