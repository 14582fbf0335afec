// A private sshd (Debian's openssh-server) on a free loopback port with a key made for the test:
// root logs in with that key only. stop() ends it and removes its files.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { freePort } from './helpers';

export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  /** the ssh command line (with -p, -i and the non-interactive options) */
  ssh: string;
  stop(): void;
}

/** `extra`: more sshd_config lines (e.g. `AcceptEnv LANG LC_*`) */
export async function startSshd(prefix: string, extra: string[] = []): Promise<Sshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-sshd-`));
  let sshd: ChildProcess | null = null;
  const stop = () => {
    if (sshd && sshd.exitCode === null) sshd.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const f of ['host', 'key']) {
      const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, f)]);
      if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
    }
    fs.copyFileSync(path.join(dir, 'key.pub'), path.join(dir, 'authorized_keys'));
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host`, `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`, 'PermitRootLogin yes', 'UsePAM no', 'StrictModes no',
      'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', ...extra, '',
    ].join('\n'));
    const log: string[] = [];
    sshd = spawn(SSHD, ['-f', path.join(dir, 'sshd_config'), '-D', '-e'], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
    const up = Date.now() + 10000;
    for (;;) {
      const ok = await new Promise<boolean>((r) => {
        const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); });
        c.on('error', () => r(false));
      });
      if (ok) break;
      if (Date.now() > up || sshd.exitCode !== null) throw new Error(`sshd did not start: ${log.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ssh = `ssh -p ${port} -i ${dir}/key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes`;
    return { port, ssh, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
