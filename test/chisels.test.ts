// Chisels: bundled ones against `sysdig -r FILE -c NAME`, user chisels (found, compiled, run),
// isolation of a chisel that throws, and argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { FIXTURES, TSDIG, haveCmd, needs, tsdig } from './helpers';
import { sameOutput } from './chisel-matrix-cases';

const FIX = ['falco__cat_write', 'sf-collector__tcp-client-server', 'libs__curl_google'].map((f) => path.join(FIXTURES, f + '.scap'));
const haveFixtures = FIX.every((f) => fs.existsSync(f));

/**
 * Argument and filter variations beyond the chisel matrix (test/chisel-matrix.test.ts runs every
 * chisel on every fixture), each on fixtures where it has something to show. 'set': the output is
 * compared as a set of lines (sysdig walks hash tables: lsof/netstat/lscontainers order is arbitrary).
 */
const COMPARED2: Array<{ c: string[]; f: string[]; set?: boolean }> = [
  { c: ['topprocs_cpu'], f: ['falco__ping_sendto', 'libs__curl_google', 'sysdig-inspect__502Error'] },
  { c: ['topprocs_cpu', 'proc.name=sysdig'], f: ['falco__ping_sendto'] },
  { c: ['topcontainers_cpu'], f: ['falco__ping_sendto', 'sf-collector__tcp-client-server', 'sysdig-inspect__502Error'] },
  { c: ['ps'], f: ['libs__curl_google', 'sysdig-inspect__502Error', 'falco__cat_write'], set: true },
  { c: ['ps', 'fd.type=ipv6'], f: ['sf-collector__tcp-client-server'], set: true },
  { c: ['lsof'], f: ['libs__curl_google', 'falco__ping_sendto', 'sysdig-inspect__502Error'], set: true },
  { c: ['lsof', 'proc.name=sshd'], f: ['sf-collector__tcp-client-server'], set: true },
  { c: ['netstat'], f: ['sf-collector__tcp-client-server', 'libs__single_ipv6_conn', 'sf-collector__nginx'], set: true },
  { c: ['netstat', 'fd.port=22'], f: ['sf-collector__tcp-client-server'], set: true },
  { c: ['lscontainers'], f: ['sysdig-inspect__502Error', 'bencer-examples__example5_nginx', 'libs__curl_google'], set: true },
  { c: ['spy_file'], f: ['falco__cat_write', 'libs__curl_google', 'sf-collector__rename'] },
  { c: ['spy_file', 'W'], f: ['sf-collector__files_v1'] },
  { c: ['spy_ip', '127.0.0.1'], f: ['sf-collector__tcp-client-server', 'sf-collector__nginx'] },
  { c: ['spy_port', '80'], f: ['sf-collector__nginx'] },
  { c: ['spy_port', '8080 disable_colors'], f: ['sf-collector__tcp-client-server'] },
  { c: ['spy_users'], f: ['sf-collector__setns', 'sf-collector__objectstore_download', 'sf-collector__tcp-client-server'] },
  { c: ['spy_users', '1'], f: ['sf-collector__setns'] },
  { c: ['proc_exec_time'], f: ['sysdig-inspect__502Error', 'sf-collector__setns', 'sf-collector__mpm-worker_full'] },
  { c: ['httplog'], f: ['libs__curl_google', 'sf-collector__nginx', 'sysdig-inspect__502Error'] },
];

const sameSet = (a: string, b: string) => a.split('\n').sort().join('\n') === b.split('\n').sort().join('\n');

function runAsync(cmd: string, args: string[]): Promise<{ out: string; err: string; code: number }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 28, encoding: 'latin1' }, (e, out, err) => {
      resolve({ out, err, code: e ? ((e as { code?: number }).code ?? 1) : 0 });
    });
  });
}

async function pool<T>(jobs: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const res: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      res[i] = await jobs[i]!();
    }
  }));
  return res;
}

test('chisel argument and filter variations match sysdig -c', async (t) => {
  if (!haveFixtures) return t.skip('fixtures not found under ' + FIXTURES);
  const skip = needs('sysdig', haveCmd('sysdig'));
  if (skip) return t.skip(skip);
  const jobs: Array<() => Promise<{ key: string; ok: boolean; err: string }>> = [];
  for (const { c, f: files, set } of COMPARED2) {
    for (const name of files) {
      const f = path.join(FIXTURES, name + '.scap');
      jobs.push(async () => {
        const [s, o] = await Promise.all([runAsync('sysdig', ['-r', f, '-c', ...c]), runAsync(process.execPath, [TSDIG, '-r', f, '-c', ...c])]);
        const ok = o.code === 0 && s.out !== '' && (set ? sameSet(o.out, s.out) : sameOutput(o.out, s.out));
        return { key: `${c.join(' ')}|${name}`, ok, err: o.err };
      });
    }
  }
  const results = await pool(jobs, 2);
  const bad = results.filter((r) => !r.ok);
  console.log(`chisel variations vs sysdig: ${results.length - bad.length}/${results.length} runs identical (ties aside)`);
  assert.deepEqual(bad.map((b) => b.key + (b.err ? ': ' + b.err.slice(0, 200) : '')), []);
});

function tmpChiselDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-chisels-'));
  fs.writeFileSync(
    path.join(d, 'evcount.ts'),
    `import { defineChisel } from 'tsdig/chisel';
import type { EventCtx } from 'tsdig/chisel';

export default defineChisel({
  name: 'evcount',
  category: 'Test',
  shortDescription: 'count events of one type',
  description: 'Counts the events of the given type.',
  args: [
    { name: 'type', type: 'string', description: 'event type' },
    { name: 'times', type: 'int', optional: true, default: 1, description: 'multiplier' },
  ],
  init(api, args) {
    const type = api.field('evt.type');
    let n = 0;
    return {
      onEvent(c: EventCtx) { if (type.value(c) === args.type) n++; },
      captureEnd() { api.print('count=' + n * Number(args.times)); },
    };
  },
});
`,
  );
  fs.writeFileSync(
    path.join(d, 'boom.ts'),
    `import { defineChisel } from 'tsdig/chisel';

export default defineChisel({
  name: 'boom',
  category: 'Test',
  shortDescription: 'throws on the 5th event',
  description: 'A broken chisel.',
  args: [],
  init() {
    let n = 0;
    return {
      onEvent() {
        if (++n === 5) throw new Error('kaboom');
      },
    };
  },
});
`,
  );
  return d;
}

test('a user chisel in --chisel-dir is found, compiled and run with typed args', (t) => {
  if (!haveFixtures) return t.skip('fixtures not found');
  const d = tmpChiselDir();
  try {
    const r = tsdig(['--chisel-dir', d, '-r', FIX[0]!, '-c', 'evcount', 'open 2']);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stdout.toString(), /^count=\d+\n$/);
    const one = tsdig(['--chisel-dir', d, '-r', FIX[0]!, '-c', 'evcount', 'open']);
    const n1 = Number(/count=(\d+)/.exec(one.stdout.toString())![1]);
    const n2 = Number(/count=(\d+)/.exec(r.stdout.toString())![1]);
    assert.equal(n2, n1 * 2);
    // the global filter after the chisel args still applies
    const f = tsdig(['--chisel-dir', d, '-r', FIX[0]!, '-c', 'evcount', 'open', 'evt.type=close']);
    assert.equal(f.stdout.toString(), 'count=0\n');
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('a chisel that throws is reported with file:line and disabled; others go on', (t) => {
  if (!haveFixtures) return t.skip('fixtures not found');
  const d = tmpChiselDir();
  try {
    const r = tsdig(['--chisel-dir', d, '-r', FIX[0]!, '-c', 'boom', '-c', 'topscalls']);
    assert.equal(r.status, 0);
    const err = r.stderr.toString();
    assert.match(err, /chisel 'boom' threw in onEvent/);
    assert.match(err, /kaboom/);
    assert.match(err, /boom\.ts:13:\d+/, err);
    assert.match(r.stdout.toString(), /^# Calls {13}Syscall/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('bad chisel arguments give a usage error (exit 2)', (t) => {
  if (!haveFixtures) return t.skip('fixtures not found');
  const d = tmpChiselDir();
  try {
    const r = tsdig(['--chisel-dir', d, '-r', FIX[0]!, '-c', 'evcount', 'open x']);
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), /argument 'times' must be an integer, got 'x'/);
    const m = tsdig(['-r', FIX[0]!, '-c', 'fdbytes_by']);
    assert.equal(m.status, 2);
    assert.match(m.stderr.toString(), /wrong number of parameters for chisel fdbytes_by, 1 required, 0 given/);
    const u = tsdig(['-r', FIX[0]!, '-c', 'no_such_chisel']);
    assert.equal(u.status, 2);
    assert.match(u.stderr.toString(), /chisel 'no_such_chisel' not found/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('-cl lists chisels by category and -i shows the args', () => {
  const l = tsdig(['-cl']);
  assert.equal(l.status, 0, l.stderr.toString());
  const out = l.stdout.toString();
  assert.match(out, /Category: I\/O\n-------------\n/);
  assert.match(out, /\ntopfiles_bytes  Top files by R\+W bytes\n/);
  const i = tsdig(['-i', 'fdbytes_by']);
  assert.equal(i.status, 0);
  assert.match(i.stdout.toString(), /\[string\] key - The filter field used for grouping/);
});
