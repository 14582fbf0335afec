// Shared test plumbing: where the fixtures are, how to run tsdig and sysdig, and the CI rule that
// a test which would skip for lack of a privilege or tool must fail instead when CI is set.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SHARED = path.resolve(ROOT, '..', 'shared');
export const FIXTURES = path.join(SHARED, 'fixtures', 'scap');
export const TSDIG = path.join(ROOT, 'bin', 'tsdig');

export function fixtureList(): string[] {
  if (!fs.existsSync(FIXTURES)) return [];
  return fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.scap')).sort().map((f) => path.join(FIXTURES, f));
}

/** Returns a skip reason, or throws under CI (where every test must really run). */
export function needs(what: string, ok: boolean): string | undefined {
  if (ok) return undefined;
  if (process.env.CI) throw new Error(`required in CI but missing: ${what}`);
  return `skipped: ${what} is not available`;
}

export function haveCmd(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<Buffer> {
  return spawnSync(cmd, args, {
    env: { ...process.env, TZ: 'UTC', ...opts.env },
    input: opts.input,
    maxBuffer: 1 << 30,
    timeout: opts.timeout ?? 300_000,
  });
}

export function tsdig(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<Buffer> {
  return run(process.execPath, [TSDIG, ...args], opts);
}

export function sysdig(args: string[]): SpawnSyncReturns<Buffer> {
  return run('sysdig', args);
}

/** First differing line of two outputs, for assertion messages. */
export function firstDiff(a: Buffer, b: Buffer): string {
  const la = a.toString('latin1').split('\n');
  const lb = b.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  sysdig: ${la[i]?.slice(0, 300)}\n  tsdig:  ${lb[i]?.slice(0, 300)}`;
  }
  return 'identical';
}

/** A TCP port on 127.0.0.1 that nothing listens on (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
