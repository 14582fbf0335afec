// Soak run on demand (not a test): `node dist/bench/soak.js [--seconds 600] [--rate 250000]
// [--every 10] [--no-ui]`. A compiled getppid/write loop makes `rate` syscalls/s (2 events each)
// while tsdig runs live (a chisel when live chisels exist, else `-q -S`) and, when `tsdig --ui`
// works live, the UI in tmux as well. Prints tsdig's RSS every `every` seconds, then the series,
// the events and the drops. Needs root, the addon and cc. The bounded variant is test/soak.test.ts.
import { cleanupLoad, killChildren, liveSkip, runSoak } from '../test/soak-lib';

const arg = (n: string, d: number) => {
  const i = process.argv.indexOf('--' + n);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};

async function main(): Promise<void> {
  const skip = liveSkip();
  if (skip) {
    console.log(skip);
    return;
  }
  const seconds = arg('seconds', 600);
  const rate = arg('rate', 250_000);
  const every = arg('every', 10);
  const r = await runSoak(seconds, rate, every, { ui: !process.argv.includes('--no-ui'), log: (s) => console.log(s) });
  const second = r.rssMb[1] ?? r.rssMb[0] ?? 0;
  const last = r.rssMb.at(-1) ?? 0;
  console.log(`mode: ${r.mode}`);
  console.log(`load: ${r.loadRate} syscalls/s (${2 * r.loadRate} events/s) for ${seconds} s`);
  console.log(`tsdig RSS MB every ${every} s: ${r.rssMb.join(' ')}`);
  console.log(`  min ${Math.min(...r.rssMb)} max ${Math.max(...r.rssMb)}; last/second ${(last / Math.max(1, second)).toFixed(2)} (bound: last <= 1.5 x second + 50 MB: ${last <= 1.5 * second + 50 ? 'held' : 'EXCEEDED'})`);
  console.log(`UI: ${r.ui}${r.uiRssMb.length ? `; UI RSS MB: ${r.uiRssMb.join(' ')}` : ''}`);
  console.log(`events: ${r.events}, dropped by the ring buffer: ${r.drops} (${((100 * r.drops) / Math.max(1, r.events + r.drops)).toFixed(3)}%), exit code ${r.exitCode}`);
}

const cleanup = () => {
  killChildren();
  cleanupLoad();
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanup);
