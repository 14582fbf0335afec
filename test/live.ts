// A live tsdig under test: spawned with TZ=UTC, its output collected, `ready` once it printed its
// "capturing" line (30 s at most), stop() = SIGINT then SIGKILL after 10 s.
import * as cp from 'node:child_process';
import { TSDIG } from './helpers';

export interface Live {
  proc: cp.ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** resolves once tsdig printed its "capturing" line */
  ready: Promise<void>;
  /** SIGINT, then the exit code */
  stop: () => Promise<number | null>;
  exited: Promise<number | null>;
}

export function startTsdig(args: string[], env: NodeJS.ProcessEnv = {}): Live {
  const p = cp.spawn(process.execPath, [TSDIG, ...args], { env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const to = setTimeout(() => reject(new Error('tsdig did not start capturing in 30 s; stderr:\n' + err)), 30_000);
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('capturing')) {
        clearTimeout(to);
        resolve();
      }
    });
    void exited.then((c) => {
      clearTimeout(to);
      reject(new Error(`tsdig exited (${c}) before capturing; stderr:\n${err}`));
    });
  });
  ready.catch(() => {});
  return {
    proc: p,
    stdout: () => out,
    stderr: () => err,
    ready,
    exited,
    stop: async () => {
      if (p.exitCode === null) p.kill('SIGINT');
      const to = setTimeout(() => p.kill('SIGKILL'), 10_000);
      const c = await exited;
      clearTimeout(to);
      return c;
    },
  };
}
