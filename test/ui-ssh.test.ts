// The UI as users run it over SSH: a private sshd (Debian's openssh-server) on 127.0.0.1, a key made
// here, `ssh -t` inside tmux, F-keys, letters and a resize through the SSH pty, then quit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { FIXTURES, ROOT, needs, haveCmd } from './helpers';
import { SSHD, Sshd, startSshd } from './sshd';

const CURL = path.join(FIXTURES, 'libs__curl_google.scap');

class Tmux {
  readonly sock = `tsdig-uissh-${process.pid}`;
  tmux(...args: string[]): string {
    return spawnSync('tmux', ['-L', this.sock, ...args], { encoding: 'utf8' }).stdout ?? '';
  }
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'ui');
  }
  keys(...k: string[]): void {
    this.tmux('send-keys', '-t', 'ui', ...k);
  }
  async waitFor(re: RegExp, what: string, timeoutMs = 15000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = this.capture();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 80));
    }
    throw new Error(`timed out waiting for ${what} (${re}); screen was:\n${last}`);
  }
}

test('UI over ssh -t (openssh-server on 127.0.0.1): F-keys, letters, resize, quit', async (t) => {
  const isRoot = process.getuid?.() === 0;
  const skip = needs('fixtures', fs.existsSync(CURL)) ?? needs('tmux', haveCmd('tmux')) ?? needs('openssh-server (/usr/sbin/sshd) and ssh', fs.existsSync(SSHD) && haveCmd('ssh') && haveCmd('ssh-keygen'))
    ?? needs('root (sshd with PermitRootLogin)', isRoot);
  if (skip) return t.skip(skip);
  const tm = new Tmux();
  let sshd: Sshd | null = null;
  try {
    sshd = await startSshd('tsdig-uissh', ['AcceptEnv LANG LC_*']);
    const remote = `cd ${ROOT} && TERM=xterm-256color node bin/tsdig -r ${CURL} --ui; echo REMOTE rc=$?`;
    const ssh = `${sshd.ssh} -t root@127.0.0.1 '${remote}'`;
    tm.tmux('new-session', '-d', '-s', 'ui', '-x', '80', '-y', '24', `sh -c "${ssh.replace(/"/g, '\\"')}; echo SSH rc=\\$?; sleep 60"`);
    let s = await tm.waitFor(/curl -6/, 'the UI through ssh');
    assert.match(s, /^Viewing: Processes/m);
    tm.keys('F2');
    s = await tm.waitFor(/Spy Users/, 'F2: the picker');
    tm.keys('F');
    tm.keys('Enter');
    await tm.waitFor(/^Viewing: Files/m, 'the Files view');
    await tm.waitFor(/ld\.so\.cache/, 'file rows');
    tm.keys('F7');
    await tm.waitFor(/Legend: Files/, 'F7: the legend');
    tm.keys('Escape');
    tm.keys('F1');
    await tm.waitFor(/drill down into the selected row/, 'F1: help');
    tm.keys('Escape');
    tm.keys('l');
    await tm.waitFor(/Legend: Files/, 'l: the legend');
    tm.keys('Escape');
    // resize through ssh (SIGWINCH travels as a window-change request)
    tm.tmux('resize-window', '-t', 'ui', '-x', '120', '-y', '35');
    s = await tm.waitFor(/^(?:.*\n){34}\?Help/, 'redraw at 120x35 (footer on line 35)');
    await new Promise((r) => setTimeout(r, 400));
    s = tm.capture();
    assert.equal(s.replace(/\n$/, '').split('\n').length, 35);
    assert.match(s.replace(/\n$/, '').split('\n')[34]!, /\?Help/, 'footer on the last line after resize');
    const sort0 = /sort:(\S+)/.exec(s)?.[1];
    assert.ok(sort0, 'sort column in the wide footer');
    tm.keys('F9');
    s = await tm.waitFor(new RegExp(`sort:(?!${sort0.replace(/[^\w]/g, '.')}\\b)\\S+`), 'F9: next sort column');
    tm.tmux('resize-window', '-t', 'ui', '-x', '80', '-y', '24');
    await new Promise((r) => setTimeout(r, 400));
    s = tm.capture();
    for (const l of s.split('\n')) assert.ok(l.length <= 80, `wider than 80: ${l}`);
    tm.keys('F10');
    s = await tm.waitFor(/SSH rc=0/, 'quit and ssh exit');
    assert.match(s, /REMOTE rc=0/);
    assert.doesNotMatch(s, /Viewing:/, 'screen restored');
  } finally {
    tm.tmux('kill-server');
    sshd?.stop();
  }
});
