// Fault matrix on demand (not a test): `node dist/bench/faults.js [--containers 100] [--wave 10]
// [--rewrites 30] [--lives 9] [--restarts 3] [--flood 10] [--bufsize 0.0625] [--early 30]
// [--seed N] [--only a,b,c,d,e,f]`. The same scenarios as test/faults.test.ts
// (test/fault-scenarios.ts), larger and repeated; prints one row per run with its outcome and
// figures (for (b): the state-table sizes before, right after and after the churn, and at exit).
// dockerd is running again at the end, whatever happens.
// Needs root, the addon, cc, docker, sysdig and the fixtures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../test/helpers';
import { cleanupLoad, killChildren, liveSkip, restartDockerd } from '../test/soak-lib';
import { faultContainerChurn, faultDockerRestart, faultEarlySignals, faultOverrun, faultSignals, faultSigpipe } from '../test/fault-scenarios';
import { ensureTestImage } from '../test/docker';

const arg = (n: string, d: number) => {
  const i = process.argv.indexOf('--' + n);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set(process.argv[i + 1]!.split(',')) : null;
})();
const want = (k: string) => !only || only.has(k);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-faults-bench-'));
const rows: string[] = [];

async function row(name: string, f: () => Promise<unknown>): Promise<void> {
  const t0 = Date.now();
  try {
    const fig = await f();
    rows.push(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s) ${JSON.stringify(fig)}`);
  } catch (e) {
    rows.push(`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s) ${String((e as Error)?.message ?? e).split('\n').slice(0, 3).join(' | ')}`);
  }
  console.log(rows.at(-1));
}

async function main(): Promise<void> {
  const skip = liveSkip();
  if (skip) {
    console.log(skip);
    return;
  }
  await restartDockerd();
  const img = ensureTestImage();
  if (img) throw new Error(img);
  const seed = arg('seed', Date.now() % 1e9);
  console.log(`seed ${seed}`);
  if (want('a')) for (let i = 0; i < arg('restarts', 3); i++) await row(`(a) dockerd restart #${i + 1}`, () => faultDockerRestart('ba' + i));
  if (want('b')) await row(`(b) ${arg('containers', 100)} containers started/stopped`, () => faultContainerChurn(arg('containers', 100), 'bb', arg('wave', 10)));
  if (want('c')) {
    await row('(c) signals', async () => {
      const res = await faultSignals(tmp, seed, arg('rewrites', 30), arg('lives', 9), 10);
      for (const r of res) console.log(`    ${r.ok ? 'ok  ' : 'FAIL'} ${r.mode} ${r.signal} after ${r.delayMs} ms: exit ${r.code ?? r.killedBy}, started ${r.started}, ${r.outBytes} bytes, sysdig ${r.sysdig} ${r.note}`);
      const bad = res.filter((r) => !r.ok);
      const early = res.filter((r) => r.killedBy !== null && r.ok).length;
      if (bad.length) throw new Error(`${bad.length} of ${res.length} runs failed`);
      return { runs: res.length, exit0: res.filter((r) => r.code === 0).length, killedBeforeHandlers: early };
    });
  }
  if (want('d')) await row('(d) SIGPIPE', () => faultSigpipe(path.join(FIXTURES, 'sf-collector__mpm-worker_full.scap')));
  if (want('e')) await row(`(e) overrun --bufsize ${arg('bufsize', 0.0625)}`, () => faultOverrun(arg('bufsize', 0.0625), arg('flood', 10)));
  if (want('f')) {
    await row('(f) SIGTERM 0-300 ms after tsdig -w starts', async () => {
      const res = await faultEarlySignals(tmp, seed, arg('early', 30), 300);
      for (const r of res) console.log(`    ${r.ok ? 'ok  ' : 'FAIL'} after ${r.delayMs} ms: ${r.code !== null ? `exit ${r.code}` : `killed by ${r.killedBy}`}, file ${r.file} (${r.last})`);
      const bad = res.filter((r) => !r.ok);
      if (bad.length) throw new Error(`${bad.length} of ${res.length} runs failed`);
      return { runs: res.length, exit0: res.filter((r) => r.code === 0).length, fileWritten: res.filter((r) => r.file !== 'absent').length, killedBeforeHandlers: res.filter((r) => r.killedBy).length };
    });
  }
  console.log('\nfault matrix:');
  for (const r of rows) console.log('  ' + r);
}

const cleanup = async () => {
  killChildren();
  cleanupLoad();
  fs.rmSync(tmp, { recursive: true, force: true });
  await restartDockerd().catch((e) => console.error(String(e)));
};
process.on('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});
main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanup);
