// Soak run on demand (not a test): `node dist/bench/soak.js [--seconds 600] [--rate 250000]
// [--procs 2] [--every 10] [--no-ui]`. `procs` compiled getppid/read loops make `rate` syscalls/s
// in total (2 events each) while the full-screen UI runs live in tmux and a chisel runs live in a
// second tsdig (test/soak-run.ts). Prints every sample as it comes (RSS of both, the chisel
// process's own events/s, drops, V8 memory, table sizes), then the series. Needs root, the addon,
// cc and tmux. Run it alone: `flock /tmp/tsdig-heavy.lock node dist/bench/soak.js`. The bounded
// variant is test/soak.test.ts.
import { cleanupLoad, killChildren, liveSkip } from '../test/soak-lib';
import { runSoak, soakReport } from '../test/soak-run';

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
  const r = await runSoak(arg('seconds', 600), arg('rate', 250_000), arg('every', 10), {
    ui: !process.argv.includes('--no-ui'),
    procs: arg('procs', 2),
    log: (s) => console.log(s),
  });
  console.log('');
  for (const l of soakReport(r)) console.log(l);
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
