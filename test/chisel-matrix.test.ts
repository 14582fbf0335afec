// Chisel × fixture matrix: every bundled chisel that sysdig 0.29.3 also ships, on every fixture,
// against `sysdig -r FILE -c NAME`. To stay within a few minutes, each tool reads each fixture
// ONCE with all the chisels (sysdig runs several -c the same way: every chisel sees every event,
// in -c order, and ends in -c order). A marker chisel after each one prints a line at capture
// end, so the end-of-capture output splits per chisel; what the chisels print while events go
// by comes before the first marker, interleaved in event order (the same in both tools). When
// that stream differs, the streaming chisels are rerun one by one on that fixture to name the
// culprit. Runs: a pool of 2 processes, nothing cached between runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { TSDIG, fixtureList, haveCmd, needs } from './helpers';
import { ALONE, CHISEL_ARGS, KNOWN_DIFFS, compareKind, sameOutput, streams, topOf } from './chisel-matrix-cases';

const files = fixtureList().filter((f) => path.basename(f) !== 'libs__curl_google_comments.scap'); // sysdig cannot open it

const MARK_LUA = `description = "prints a marker line at capture end"
short_description = "chisel matrix marker"
category = "Test"
args = {{name = "tag", description = "marker tag", argtype = "string"}}
function on_set_arg(name, val) tag = val return true end
function on_capture_end() print("@@chisel-matrix " .. tag) return true end
`;
const MARK_TS = `import { defineChisel } from 'tsdig/chisel';
export default defineChisel({
  name: 'matrix_mark', category: 'Test', shortDescription: 'chisel matrix marker', description: 'prints a marker line at capture end',
  args: [{ name: 'tag', type: 'string', description: 'marker tag' }],
  init(api, args) { return { captureEnd() { api.print('@@chisel-matrix ' + String(args.tag)); } }; },
});
`;

interface Out { out: string; err: string; code: number }

function runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Out> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, TZ: 'UTC', ...env }, maxBuffer: 1 << 29, encoding: 'latin1', timeout: 300_000 }, (e, out, err) => {
      resolve({ out, err, code: e ? ((e as { code?: number }).code ?? 1) : 0 });
    });
  });
}

/** at most n of the thunks running at once */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(f: () => Promise<T>) => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** chisel names of a `-cl` listing */
export function listedChisels(listing: string): string[] {
  const names: string[] = [];
  for (const l of listing.split('\n')) {
    if (!l || /^\s/.test(l) || l.startsWith('Category:') || l.startsWith('---') || l.startsWith('Use the -i')) continue;
    names.push(l.split(/\s+/)[0]!);
  }
  return names;
}

/** end-of-capture output split at the markers: [stream, chisel 0's end, chisel 1's end, …] */
export function splitMarked(out: string, n: number): string[] | null {
  const parts: string[] = [];
  let rest = out;
  for (let i = 0; i <= n; i++) {
    const m = `@@chisel-matrix ${i}\n`;
    const k = rest.startsWith(m) ? 0 : rest.indexOf('\n' + m) + 1;
    if (k === 0 && !rest.startsWith(m)) return null;
    parts.push(rest.slice(0, k));
    rest = rest.slice(k + m.length);
  }
  return rest === '' ? parts : null;
}

/** TSDIG_MATRIX_DUMP=DIR keeps both outputs of each differing pair there (KEY.sysdig, KEY.tsdig) */
function dump(key: string, theirs: string, ours: string): void {
  const d = process.env.TSDIG_MATRIX_DUMP;
  if (!d) return;
  fs.mkdirSync(d, { recursive: true });
  const base = path.join(d, key.replace(/[^\w.=-]+/g, '_'));
  fs.writeFileSync(base + '.sysdig', theirs, 'latin1');
  fs.writeFileSync(base + '.tsdig', ours, 'latin1');
}

const sameSet = (a: string, b: string) => a.split('\n').sort().join('\n') === b.split('\n').sort().join('\n');

function same(chisel: string, ours: string, theirs: string): boolean {
  const kind = compareKind(chisel);
  if (kind === 'exact') return ours === theirs;
  if (kind === 'set') return sameSet(ours, theirs);
  return sameOutput(ours, theirs, topOf(chisel));
}

test('chisel matrix: every bundled chisel of sysdig\'s name × every fixture', { timeout: 900_000 }, async (t) => {
  if (files.length === 0) return t.skip('skipped: ../shared/fixtures/scap is absent');
  const skip = needs('sysdig (the reference oracle)', haveCmd('sysdig'));
  if (skip) return t.skip(skip);
  const [sl, tl] = await Promise.all([runAsync('sysdig', ['-cl']), runAsync(process.execPath, [TSDIG, '-cl'])]);
  const theirs = new Set(listedChisels(sl.out));
  const common = listedChisels(tl.out).filter((c) => theirs.has(c)).sort();
  assert.ok(common.length >= 30, `only ${common.length} chisels in common:\n${tl.out}`);
  // one configuration per (chisel, args)
  const configs: string[][] = [];
  for (const c of common) for (const a of CHISEL_ARGS[c] ?? [[]]) configs.push([c, ...a]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-chisel-matrix-'));
  fs.writeFileSync(path.join(dir, 'matrix_mark.lua'), MARK_LUA);
  fs.writeFileSync(path.join(dir, 'matrix_mark.ts'), MARK_TS);
  const cargs = (c: string[]) => ['-c', c[0]!, ...(c.length > 1 ? [c.slice(1).join(' ')] : [])];
  const combined = configs.filter((c) => !ALONE.has(c[0]!));
  const alone = configs.filter((c) => ALONE.has(c[0]!));
  const argv: string[] = ['-c', 'matrix_mark', '0'];
  combined.forEach((c, i) => argv.push(...cargs(c), '-c', 'matrix_mark', String(i + 1)));
  const pool = limiter(2);
  const sysdigRun = (f: string, args: string[]) => pool(() => runAsync('sysdig', ['-r', f, ...args], { SYSDIG_CHISEL_DIR: dir }));
  const tsdigRun = (f: string, args: string[]) => pool(() => runAsync(process.execPath, [TSDIG, '--chisel-dir', dir, '-r', f, ...args]));
  const results = new Map<string, boolean>(); // "chisel args|fixture" → same
  const errors: string[] = [];
  try {
    await Promise.all(files.map(async (f) => {
      const fx = path.basename(f, '.scap');
      const [s, o] = await Promise.all([sysdigRun(f, argv), tsdigRun(f, argv)]);
      if (o.code !== 0 || s.code !== 0) errors.push(`${fx}: exit sysdig ${s.code} tsdig ${o.code}: ${o.err.slice(0, 300)}${s.err.slice(0, 300)}`);
      await Promise.all(alone.map(async (c) => {
        const [s1, o1] = await Promise.all([sysdigRun(f, cargs(c)), tsdigRun(f, cargs(c))]);
        const key = `${c.join(' ')}|${fx}`;
        const ok = o1.code === 0 && same(c[0]!, o1.out, s1.out);
        results.set(key, ok);
        if (!ok) dump(key, s1.out, o1.out);
      }));
      const sp = splitMarked(s.out, combined.length);
      const op = splitMarked(o.out, combined.length);
      if (!sp || !op) {
        errors.push(`${fx}: the markers are missing or out of order (sysdig ${!!sp}, tsdig ${!!op})`);
        return;
      }
      combined.forEach((c, i) => {
        const key = `${c.join(' ')}|${fx}`;
        const ok = same(c[0]!, op[i + 1]!, sp[i + 1]!);
        results.set(key, ok);
        if (!ok) dump(key, sp[i + 1]!, op[i + 1]!);
      });
      if (op[0] !== sp[0]) dump(`stream|${fx}`, sp[0]!, op[0]!);
      if (op[0] === sp[0]) return;
      // the stream differs: rerun the chisels that print while events go by, one at a time
      await Promise.all(combined.filter((c) => streams(c[0]!)).map(async (c) => {
        const [s1, o1] = await Promise.all([sysdigRun(f, cargs(c)), tsdigRun(f, cargs(c))]);
        const key = `${c.join(' ')}|${fx}`;
        const ok = same(c[0]!, o1.out, s1.out);
        results.set(key, results.get(key)! && ok);
        if (!ok) dump(key + '|alone', s1.out, o1.out);
      }));
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const differ = [...results].filter(([, ok]) => !ok).map(([k]) => k).sort();
  const fresh = differ.filter((k) => !(k in KNOWN_DIFFS));
  const fixed = Object.keys(KNOWN_DIFFS).filter((k) => results.get(k) === true);
  console.log(`# chisel matrix: ${configs.length} chisel configurations × ${files.length} fixtures = ${results.size} pairs, ` +
    `${results.size - differ.length} identical to sysdig (ties and hash order aside), ${differ.length} known differences`);
  for (const k of differ) console.log(`#   differs: ${k}${KNOWN_DIFFS[k] ? ' (known: ' + KNOWN_DIFFS[k] + ')' : ''}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(fresh, [], 'new differences from sysdig');
  // a known difference that went away must leave the list, so the list stays short and true
  assert.deepEqual(fixed, [], 'known differences that now match: remove them from KNOWN_DIFFS');
});
