// Chisel benchmark (not a test): replay of the largest fixture with topprocs_cpu + topconns +
// fdbytes_by, tsdig vs `sysdig -r -c` of the same chisels in the same run, median of N runs.
//   node dist/bench/chisels.js [--runs 3] [--file PATH]
import * as cp from 'node:child_process';
import * as path from 'node:path';
import { runEnv } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
const arg = (n: string, d: string) => {
  const i = process.argv.indexOf('--' + n);
  return i > 0 ? process.argv[i + 1]! : d;
};
const runs = Number(arg('runs', '3'));
const file = arg('file', path.resolve(ROOT, '..', 'shared', 'fixtures', 'scap', 'bencer-troubleshooting__capture.scap'));
const chisels = ['-c', 'topprocs_cpu', '-c', 'topconns', '-c', 'fdbytes_by', 'fd.name'];

function time(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = cp.spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: runEnv() });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
const median = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const ts: number[] = [];
const ss: number[] = [];
for (let i = 0; i < runs; i++) {
  ts.push(time(process.execPath, [path.join(ROOT, 'bin', 'tsdig'), '-r', file, ...chisels]));
  ss.push(time('sysdig', ['-r', file, ...chisels]));
}
const t = median(ts);
const s = median(ss);
console.log(`${path.basename(file)}: topprocs_cpu + topconns + fdbytes_by`);
console.log(`tsdig ${t.toFixed(3)} s, sysdig ${s.toFixed(3)} s, ratio ${(t / s).toFixed(2)} (target <= 1.0)`);
