// The UI on live capture (root, eBPF): a container started here must show up by name in the
// Containers view. Also: `tsdig --ui` without root says why and exits before opening the screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT, TSDIG, needs, haveCmd } from './helpers';
import { checkPrerequisites } from '../src/live/native';

const NAME = 'tsdig-ui-test';
const IMAGE = 'tsdig-busybox:test';

function docker(...args: string[]) {
  return spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
}

function ensureImage(): boolean {
  if (docker('image', 'inspect', IMAGE).status === 0) return true;
  // busybox-static rootfs | docker import
  const r = spawnSync('sh', ['-c', `set -e; d=$(mktemp -d); mkdir -p $d/bin $d/etc; cp /bin/busybox $d/bin/busybox; for a in sh cat sleep; do ln -s busybox $d/bin/$a; done; echo tsdig > $d/etc/hostname; tar -C $d -c . | docker import - ${IMAGE}; rm -rf $d`], { encoding: 'utf8' });
  return r.status === 0;
}

class Tmux {
  readonly sock = `tsdig-uilive-${process.pid}`;
  tmux(...args: string[]): string {
    return spawnSync('tmux', ['-L', this.sock, ...args], { encoding: 'utf8' }).stdout ?? '';
  }
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'ui');
  }
  keys(...k: string[]): void {
    this.tmux('send-keys', '-t', 'ui', ...k);
  }
  async waitFor(re: RegExp, what: string, timeoutMs = 30000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = this.capture();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${what} (${re}); screen was:\n${last}`);
  }
}

test('live UI (root): a container started by the test appears by name in the Containers view', async (t) => {
  const pre = checkPrerequisites();
  const skip = needs('tmux', haveCmd('tmux')) ?? needs(`live capture (${pre?.message ?? ''})`, pre === null)
    ?? needs('docker', haveCmd('docker') && docker('info').status === 0) ?? needs(`image ${IMAGE}`, ensureImage());
  if (skip) return t.skip(skip);
  docker('rm', '-f', NAME);
  const tm = new Tmux();
  try {
    const run = docker('run', '-d', '--name', NAME, IMAGE, 'sh', '-c', 'while true; do cat /etc/hostname >/dev/null; sleep 0.2; done');
    assert.equal(run.status, 0, run.stderr);
    tm.tmux('new-session', '-d', '-s', 'ui', '-x', '120', '-y', '30', `sh -c 'cd ${ROOT} && TERM=xterm-256color node ${TSDIG} --ui -d 1000; echo EXITED rc=$?; sleep 60'`);
    await tm.waitFor(/Source: live \[\d+\/\d+\+\] .* LIVE/, 'live snapshots');
    // picker, type-ahead: C → Connections, C → Containers
    tm.keys('v');
    await tm.waitFor(/Spy Users/, 'the picker', 30000);
    tm.keys('C');
    await new Promise((r) => setTimeout(r, 300));
    tm.keys('C');
    await tm.waitFor(/Containers: processes, threads/, 'Containers selected (its description)');
    tm.keys('Enter');
    await tm.waitFor(/^Viewing: Containers\s/m, 'the Containers view');
    const s = await tm.waitFor(new RegExp(`${NAME}`), 'the container row', 30000);
    assert.match(s, /NAME/);
    const id = docker('inspect', '-f', '{{.Id}}', NAME).stdout.trim();
    const row = s.split('\n').find((l) => l.includes(NAME))!;
    assert.ok(row.includes(id.slice(0, 12)), `row has the container id ${id.slice(0, 12)}: ${row}`);
    assert.match(row, /docker/);
    tm.keys('q');
    await tm.waitFor(/EXITED rc=0/, 'exit', 20000);
  } finally {
    tm.tmux('kill-server');
    docker('rm', '-f', NAME);
  }
});
