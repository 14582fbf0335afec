// `tsdig --remote root@127.0.0.1`: the UI here (in tmux), the capture "there" (`tsdig --stream`
// over a real ssh login to a private sshd), and the event→screen latency: a marker process
// with a fresh name is started and the time until its name shows on screen is measured, over ssh
// and, as the baseline, with the local live UI in the same run. Needs root, live capture, tmux and
// openssh-server; under CI it FAILS instead of skipping.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, TSDIG, haveCmd, needs } from './helpers';
import { checkPrerequisites } from '../src/live/native';
import { Tmux } from './tmux';
import { SSHD, startSshd } from './sshd';
import { remoteArgv, shq } from '../src/live/remote';
import { parseArgs } from '../src/cli/options';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-remote-'));
const cleanup: (() => void)[] = [];
after(() => {
  for (const f of cleanup.reverse()) try { f(); } catch { /* best effort */ }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--remote: the ssh command line', () => {
  const o = parseArgs(['--remote', 'ops@db1', '--ssh', 'ssh -p 2222', 'proc.name = "my app"']);
  assert.deepEqual(remoteArgv(o), ['ssh', '-p', '2222', '-T', '-o', 'ServerAliveInterval=15', 'ops@db1', `sudo tsdig --stream -s 80 'proc.name = "my app"'`]);
  assert.equal(shq("it's"), `'it'\\''s'`);
  assert.throws(() => parseArgs(['--remote', 'a@b', '-r', 'x.scap']), /cannot be used with -r/);
  assert.throws(() => parseArgs(['--remote', 'a b']), /USER@/);
});

let markers = 0;
/**
 * Starts a process with a fresh name (a copy of dash looping on sleep 0.1: it has events in every
 * interval, so its row stays on screen) and resolves with the ms until `tm` shows its name.
 */
async function markerLatency(tm: Tmux): Promise<number> {
  const name = `tsdigmk${process.pid % 1000}x${++markers}`;
  const exe = path.join('/tmp', name); // a short path: the whole name fits in the Command column
  cleanup.push(() => fs.rmSync(exe, { force: true }));
  fs.copyFileSync('/bin/dash', exe);
  fs.chmodSync(exe, 0o755);
  const t0 = performance.now();
  const p = cp.spawn(exe, ['-c', 'while :; do sleep 0.1; done'], { stdio: 'ignore' });
  cleanup.push(() => p.kill('SIGKILL'));
  await tm.waitFor(new RegExp(name), `marker ${name} on screen`, 20_000);
  const ms = performance.now() - t0;
  p.kill('SIGKILL');
  return ms;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

test('--remote over a real ssh login: the remote capture in the local UI, event→screen latency', { timeout: 180_000 }, async (t) => {
  const pre = checkPrerequisites();
  const skip = needs('root', process.getuid?.() === 0) ?? needs(`live capture (${pre?.message})`, !pre) ?? needs('tmux', haveCmd('tmux'))
    ?? needs('openssh-server (/usr/sbin/sshd) and ssh', fs.existsSync(SSHD) && haveCmd('ssh') && haveCmd('ssh-keygen'));
  if (skip) return t.skip(skip);
  const sshd = await startSshd('tsdig-remote');
  cleanup.push(() => sshd.stop());
  const filter = `proc.name startswith tsdigmk${process.pid % 1000}x`;
  const run = async (how: 'remote' | 'local'): Promise<number[]> => {
    const tm = new Tmux();
    cleanup.push(() => tm.kill());
    const args = how === 'remote'
      ? ['--remote', 'root@127.0.0.1', '--ssh', sshd.ssh, '--remote-cmd', `${process.execPath} ${TSDIG}`, '--view', 'procs', '-d', '500', filter]
      : ['--view', 'procs', '-d', '500', '--no-pcap-stats', filter]; // no packet counting, as over ssh
    tm.start(`cd ${ROOT} && TERM=xterm-256color ${[process.execPath, TSDIG, ...args].map(shq).join(' ')}; echo UI rc=$?; sleep 60`, 140, 30);
    await tm.waitFor(/^Viewing: Processes/m, `the ${how} UI`, 30_000);
    // the capture is up once the footer shows its "capturing" line
    await tm.waitFor(/capturing live events/, `the ${how} capture`, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    const lat: number[] = [];
    for (let i = 0; i < 4; i++) lat.push(await markerLatency(tm));
    if (how === 'remote') assert.match(tm.capture(), /127\.0\.0\.1: |root@127\.0\.0\.1: /, 'the remote side\'s stderr in the footer');
    tm.keys('q');
    const s = await tm.waitFor(/UI rc=\d+/, 'quit', 15_000);
    assert.match(s, /UI rc=0/);
    return lat;
  };
  const remote = await run('remote');
  const local = await run('local');
  t.diagnostic(`event→screen latency at -d 500 (ms): over ssh ${remote.map((x) => x.toFixed(0)).join(', ')} (median ${median(remote).toFixed(0)}); local ${local.map((x) => x.toFixed(0)).join(', ')} (median ${median(local).toFixed(0)}); ratio ${(median(remote) / median(local)).toFixed(2)}`);
  // a name shows within a few refresh intervals, over ssh as here
  assert.ok(median(remote) < 5000, `remote median ${median(remote)} ms`);
});
