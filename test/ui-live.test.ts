// The UI on live capture (root, eBPF): a container started here must show up by name in the
// Containers view; echo (F5/e) and dig (F6/d) on its row show its I/O (escaped, ASCII and hex) and
// its events as they arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT, TSDIG, needs, haveCmd } from './helpers';
import { Tmux as SharedTmux } from './tmux';
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

/** The shared tmux driver, with waits long enough for live capture to start (BPF load, Docker). */
class Tmux extends SharedTmux {
  override waitFor(re: RegExp, what: string, timeoutMs = 30000): Promise<string> {
    return super.waitFor(re, what, timeoutMs);
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
    // a container runs, so the start view is Containers (it follows the first live intervals)
    await tm.waitFor(/^Viewing: Containers\s/m, 'the Containers start view', 30000);
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

/** Escape sequences tmux itself produces for `capture-pane -e` are SGR only; anything else came from the app. */
function foreignEscapes(pane: string): string[] {
  const bad: string[] = [];
  const re = /\x1b(\[[0-9;:]*m)?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pane))) if (!m[1]) bad.push(JSON.stringify(pane.slice(m.index, m.index + 12)));
  if (/[\x07\x9b\x90\x9d]/.test(pane)) bad.push('BEL or C1 control');
  return bad;
}

test('live UI (root): echo and dig on a container row show its I/O (escaped, ASCII and hex) and its events', async (t) => {
  const pre = checkPrerequisites();
  const skip = needs('tmux', haveCmd('tmux')) ?? needs(`live capture (${pre?.message ?? ''})`, pre === null)
    ?? needs('docker', haveCmd('docker') && docker('info').status === 0) ?? needs(`image ${IMAGE}`, ensureImage());
  if (skip) return t.skip(skip);
  const name = 'tsdig-uiecho';
  docker('rm', '-f', name);
  const tm = new Tmux();
  try {
    // head (a busybox applet run inside the forked sh) reads /etc/hostname, which docker fills with
    // the container's short id; the shell writes an escape sequence (OSC title, clear screen) to /dev/null
    const loop = `while true; do head -n 1 /etc/hostname >/dev/null; printf '\\033]0;pwned\\007\\033[2J hi\\n' >/dev/null; sleep 0.2; done`;
    const run = docker('run', '-d', '--name', name, IMAGE, 'sh', '-c', loop);
    assert.equal(run.status, 0, run.stderr);
    const id = docker('inspect', '-f', '{{.Id}}', name).stdout.trim().slice(0, 12);
    tm.tmux('new-session', '-d', '-s', 'ui', '-x', '120', '-y', '30', `sh -c 'cd ${ROOT} && TERM=xterm-256color node ${TSDIG} --ui -d 1000; echo EXITED rc=$?; sleep 60'`);
    await tm.waitFor(/Source: live \[\d+\/\d+\+\] .* LIVE/, 'live snapshots');
    await tm.waitFor(/^Viewing: Containers\s/m, 'the Containers start view', 30000);
    await tm.waitFor(new RegExp(name), 'the container row');
    tm.keys('/');
    tm.literal(name);
    tm.keys('Enter');
    await tm.waitFor(/\?Help/, 'search closed');

    // echo: the container's reads and writes, escaped
    tm.keys('e');
    let s = await tm.waitFor(/Echo \(live\): container\.id="?[0-9a-f]{12}/, 'the live echo screen');
    assert.match(s, new RegExp(`container\\.id="?${id}`));
    // the forked sh renames itself with prctl(PR_SET_NAME) before running the applet: `head`
    s = await tm.waitFor(new RegExp(`Read 13B from /etc/hostname \\(head\\)[ x]*\\n.{0,3}${id}`), 'the read of /etc/hostname and its data');
    s = await tm.waitFor(/\.\]0;pwned\.\.\[2J hi/, 'the escape sequence, escaped');
    assert.deepEqual(foreignEscapes(tm.tmux('capture-pane', '-p', '-e', '-t', 'ui')), [], 'raw escape sequences reached the pane');
    assert.doesNotMatch(tm.tmux('display', '-p', '-t', 'ui', '#{pane_title}'), /pwned/);
    // x: hex dump (ESC ] = 1b 5d)
    tm.keys('x');
    const hex = Buffer.from(id.slice(0, 8)).toString('hex').replace(/(.{4})/g, '$1 ').trim();
    s = await tm.waitFor(new RegExp(`0x0000:  ${hex} .* ${id}\\.`), 'the hex dump of the read');
    assert.match(s, /0x0000:  1b5d 303b 7077 6e65 6407 1b5b 324a 2068  \.\]0;pwned\.\.\[2J h/);
    assert.match(s, /x ASCII/, 'the footer offers ASCII back');
    tm.keys('x');
    await tm.waitFor(/x hex/, 'back to ASCII');
    tm.keys('Escape');
    await tm.waitFor(/^Viewing: Containers/m, 'back to the table');

    // dig: the container's events as sysdig prints them (narrowed by a filter: the container also
    // starts a process five times a second, whose events would scroll the reads away)
    tm.keys('\\');
    tm.literal('fd.name=/etc/hostname');
    tm.keys('Enter');
    await tm.waitFor(/Filter: fd\.name=\/etc\/hostname/, 'the filter');
    await tm.waitFor(new RegExp(name), 'the container row under the filter');
    await new Promise((r) => setTimeout(r, 1500)); // a second snapshot of the new query: the row stays
    tm.keys('/');
    tm.literal(name);
    tm.keys('Enter');
    await tm.waitFor(new RegExp(`\\?Help[^]*$`), 'search closed');
    tm.keys('d');
    await tm.waitFor(new RegExp(`Dig \\(live\\): \\(fd\\.name=/etc/hostname\\) and \\(container\\.id="${id}"\\)`), 'the live dig screen');
    await tm.waitFor(/\d+ \S+ \d+ head \(\d+\) > read fd=\d+\(<f>\/etc\/hostname\)/, 'the reads of /etc/hostname');
    await tm.waitFor(new RegExp(`head \\(\\d+\\) < read res=13 data=${id}\\.`), 'the data read, escaped');
    assert.deepEqual(foreignEscapes(tm.tmux('capture-pane', '-p', '-e', '-t', 'ui')), []);
    tm.keys('BSpace');
    await tm.waitFor(/^Viewing: Containers/m, 'back to the table');
    tm.keys('q');
    await tm.waitFor(/EXITED rc=0/, 'exit', 20000);
  } finally {
    tm.tmux('kill-server');
    docker('rm', '-f', name);
  }
});
