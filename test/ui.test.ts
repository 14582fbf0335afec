// The views, the --snapshot text frames and the full-screen UI (driven through tmux).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { FIXTURES, ROOT, TSDIG, needs, haveCmd, tsdig } from './helpers';
import { VIEWS, findView } from '../src/views';
import { viewRegistry } from '../src/snapshot/fields';
import { compileFilter } from '../src/filter';
import { completeFilter } from '../src/snapshot/filter';
import { humanBytes, layoutColumns, safeText } from '../src/snapshot/format';
import { collectSnapshots } from '../src/snapshot/collect';
import { escapeBufferLines } from '../src/ui/text';
import { Snapshot } from '../src/snapshot/types';

const CURL = path.join(FIXTURES, 'libs__curl_google.scap');
const TCP = path.join(FIXTURES, 'sf-collector__tcp-client-server.scap');
const haveFixtures = fs.existsSync(CURL) && fs.existsSync(TCP);

const snap = (file: string, view: string, extra: string[] = []) => {
  const r = tsdig(['-r', file, '--snapshot', view, ...extra]);
  return { code: r.status, out: r.stdout.toString('latin1'), err: r.stderr.toString('latin1') };
};

test('every view is well formed: fields resolve, filters compile, drill targets exist', () => {
  const reg = viewRegistry();
  const ids = new Set<string>();
  assert.ok(VIEWS.length >= 16, `only ${VIEWS.length} views`);
  for (const v of VIEWS) {
    assert.ok(!ids.has(v.id), `duplicate view id ${v.id}`);
    ids.add(v.id);
    if (v.filter) compileFilter(v.filter, reg);
    reg.resolve(v.key);
    if (v.groupBy) reg.resolve(v.groupBy);
    for (const c of v.columns) reg.resolve(c.field);
    assert.ok(v.sortCol >= 0 && v.sortCol < v.columns.length, `${v.id}: sort column`);
    if (v.drilldown) assert.ok(findView(v.drilldown), `${v.id}: drill target ${v.drilldown}`);
  }
  for (const id of ['procs', 'threads', 'containers', 'connections', 'sports', 'files', 'directories', 'io_by_type', 'syscalls', 'errors', 'spy_users', 'slow_io', 'net_procs', 'containers_errors', 'container_net', 'page_faults']) {
    assert.ok(findView(id), `missing view ${id}`);
  }
  assert.equal(findView('Files')?.id, 'files');
});

test('helpers: filters compose, bytes print like csysdig, text is escaped, columns fit', () => {
  const v = findView('files')!;
  const f = completeFilter(v, 'proc.name=curl', [{ viewId: 'procs', field: 'proc.pid', value: '12', numeric: true }, { viewId: 'files', field: 'fd.name', value: 'a "b"', numeric: false }]);
  assert.equal(f, `((fd.type=file or fd.type=directory) and fd.name!='') and (proc.name=curl) and (proc.pid=12) and (fd.name="a \\"b\\"")`);
  compileFilter(f, viewRegistry());
  assert.equal(humanBytes(1434), '1.40K');
  assert.equal(humanBytes(166723584), '159M');
  assert.equal(humanBytes(12), '12');
  assert.equal(safeText('a\x1b[31mb\x07\u00e9'), 'a.[31mb..');
  assert.deepEqual(escapeBufferLines(Buffer.from('GET /\r\nHost: x\x1b]0;pwn\x07\n')), ['GET /', 'Host: x.]0;pwn.']);
  const w = layoutColumns(findView('connections')!.columns, 80);
  assert.ok(w.reduce((a, b) => a + b, 0) + w.length - 1 <= 80, `connections does not fit 80 columns: ${w}`);
});

test('aggregator publishes one immutable snapshot per interval of event time', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures);
  if (skip) return t.skip(skip);
  const snaps: Snapshot[] = [];
  await collectSnapshots([TCP], { view: findView('procs')!, intervalNs: 2e9, onSnapshot: (s) => snaps.push(s) });
  assert.ok(snaps.length >= 2, `expected several 2 s intervals, got ${snaps.length}`);
  snaps.forEach((s, i) => {
    assert.equal(s.index, i);
    assert.ok(Object.isFrozen(s) && Object.isFrozen(s.rows));
    if (i > 0) assert.equal(s.startNs, snaps[i - 1]!.startNs + 2e9);
  });
  const total = snaps.reduce((a, s) => a + s.totals.events, 0);
  const whole: Snapshot[] = [];
  await collectSnapshots([TCP], { view: findView('procs')!, intervalNs: 0, onSnapshot: (s) => whole.push(s) });
  assert.equal(whole.length, 1);
  assert.equal(whole[0]!.totals.events, total, 'intervals add up to the whole trace');
});

test('--snapshot prints every view as plain text and exits 0', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures);
  if (skip) return t.skip(skip);
  for (const file of [CURL, TCP]) {
    for (const v of VIEWS) {
      const r = snap(file, v.id);
      assert.equal(r.code, 0, `${v.id} on ${path.basename(file)}: ${r.err}`);
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(r.out), `${v.id}: control characters in output`);
      const lines = r.out.split('\n');
      assert.match(lines[0]!, new RegExp(`^Viewing: ${v.name.replace(/[/()]/g, '.')}`));
      assert.ok(lines[4]!.includes(v.columns[0]!.name), `${v.id}: column header: ${lines[4]}`);
      assert.ok(lines.length >= 6, `${v.id}: no rows line`);
    }
  }
});

test('--snapshot content: golden facts of the curl and tcp captures', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures);
  if (skip) return t.skip(skip);
  const procs = snap(CURL, 'procs').out;
  assert.match(procs, /^\s*17497\s+3200\s+\d+ ubuntu .*curl -6 http:\/\/www\.google\.com$/m);
  const conns = snap(CURL, 'connections').out;
  assert.match(conns, /^udp\s+2600:1f18:262c:6542:9aa6:df7a:9a47:d29e\s+40251 2001:4860:4860::8888\s+53 .*curl/m);
  assert.match(conns, /^tcp .* 37140 2607:f8b0:4004:802::2004\s+80 /m);
  const files = snap(CURL, 'files').out;
  assert.match(files, /^\s*0\s+0\s+9\s+3\s+0 \/etc\/ld\.so\.cache$/m);
  assert.match(files, /\/etc\/resolv\.conf/);
  assert.match(snap(CURL, 'syscalls').out, /^\s*\S+\s+48\s+\S+\s+\S+ open$/m);
  assert.match(snap(CURL, 'errors').out, /^\s*42\s+\d+\s+1 ENOENT$/m);
  assert.match(snap(CURL, 'directories').out, /\/etc$/m);
  assert.match(snap(TCP, 'sports').out, /^\s*8080\s/m);
  assert.match(snap(TCP, 'net_procs').out, /\.\/server$/m);
  // a user filter narrows every view; -d picks the first interval
  const filtered = snap(CURL, 'files', ['fd.name contains resolv']).out;
  assert.match(filtered, /resolv\.conf/);
  assert.doesNotMatch(filtered, /ld\.so\.cache/);
  const first = snap(TCP, 'procs', ['-d', '1000']);
  assert.equal(first.code, 0);
  assert.match(first.out, /Interval: 1 /);
  // errors are reported, not thrown
  const bad = snap(CURL, 'nosuchview');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown view 'nosuchview'/);
  const badf = snap(CURL, 'procs', ['proc.nme=curl']);
  assert.equal(badf.code, 2);
  assert.match(badf.err, /column \d+/);
});

// ---- tmux-driven UI ------------------------------------------------------------------------

let tmuxN = 0;
class Tmux {
  // a private server per test: never touches the user's tmux, and no reuse races between tests
  readonly sock = `tsdig-uitest-${process.pid}-${++tmuxN}`;
  readonly session = 'ui';
  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.sock, ...args], { encoding: 'utf8' });
    return r.stdout ?? '';
  }
  start(cmd: string): void {
    this.tmux('new-session', '-d', '-s', this.session, '-x', '80', '-y', '24', cmd);
  }
  keys(...k: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...k);
  }
  literal(s: string): void {
    this.tmux('send-keys', '-t', this.session, '-l', s);
  }
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }
  async waitFor(re: RegExp, what: string, timeoutMs = 8000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = this.capture();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 60));
    }
    throw new Error(`timed out waiting for ${what} (${re}); screen was:\n${last}`);
  }
  kill(): void {
    this.tmux('kill-server');
  }
}

test('UI in tmux at 80x24: start view, picker, drill-down, filter error, quit', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures) ?? needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const tm = new Tmux();
  try {
    tm.start(`sh -c 'cd ${ROOT} && TERM=xterm node ${TSDIG} -r ${CURL} --ui 2>/tmp/tsdig-uitest-${process.pid}.err; echo EXITED rc=$?; sleep 60'`);
    let s = await tm.waitFor(/curl -6/, 'the Processes view with curl');
    assert.match(s, /^Viewing: Processes\s+For: whole machine/m);
    assert.match(s, /PID\s+PPID/);
    assert.match(s, /qQuit/);
    for (const line of s.split('\n')) assert.ok(line.length <= 80, `line wider than 80: ${line}`);

    tm.keys('v');
    s = await tm.waitFor(/Spy Users/, 'the view picker');
    assert.match(s, /Files/);
    assert.match(s, /Connections/);
    tm.keys('F'); // type-ahead to the first view named F…
    tm.keys('Enter');
    s = await tm.waitFor(/^Viewing: Files/m, 'the Files view');
    s = await tm.waitFor(/\/etc\/ld\.so\.cache/, 'file rows');
    assert.match(s, /FILENAME/);

    // select /etc/ld.so.cache (search), drill down: Processes limited to that file
    tm.keys('/');
    tm.literal('ld.so.cache');
    tm.keys('Enter');
    await tm.waitFor(/\?Help/, 'search closed');
    tm.keys('Enter');
    s = await tm.waitFor(/For: Files: fd\.name="\/etc\/ld\.so\.cache"/, 'the drill-down breadcrumb');
    assert.match(s, /^Viewing: Processes/m);
    await tm.waitFor(/curl -6/, 'curl under the file');
    tm.keys('BSpace');
    s = await tm.waitFor(/^Viewing: Files\s+For: whole machine/m, 'back to Files');

    // a bad filter shows the error and its column, Esc cancels
    tm.keys('\\');
    await tm.waitFor(/^Filter: /m, 'the filter bar');
    tm.literal('proc.name=curl and proc.nme=x');
    s = await tm.waitFor(/error at column \d+/, 'the filter error');
    assert.match(s, /error at column 20: unknown field 'proc\.nme'/);
    tm.keys('Escape');
    await tm.waitFor(/\?Help/, 'filter bar closed');
    // a good filter applies
    tm.keys('\\');
    tm.literal('fd.name contains resolv');
    tm.keys('Enter');
    s = await tm.waitFor(/Filter: fd\.name contains resolv/, 'the filter in the header');
    await tm.waitFor(/resolv\.conf/, 'filtered rows');
    assert.doesNotMatch(tm.capture(), /ld\.so\.cache/);

    // help, dig (escaped event lines), back
    tm.keys('?');
    await tm.waitFor(/drill down into the selected row/, 'the help screen');
    tm.keys('Escape');
    await tm.waitFor(/\?Help/, 'help closed');
    tm.keys('d');
    s = await tm.waitFor(/Dig: .*\n(.|\n)*resolv\.conf/, 'dig lines');
    tm.keys('BSpace');
    await tm.waitFor(/^Viewing: Files/m, 'back from dig');

    tm.keys('q');
    s = await tm.waitFor(/EXITED rc=0/, 'the UI to exit');
    assert.doesNotMatch(s, /Viewing:/, 'screen restored');
  } finally {
    tm.kill();
  }
});

test('UI starts in Containers when the capture has containers; SIGTERM restores the terminal', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures) ?? needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const tm = new Tmux();
  try {
    tm.start(`sh -c 'cd ${ROOT} && TERM=xterm node ${TSDIG} -r ${TCP} --ui; echo EXITED rc=$?; sleep 60'`);
    await tm.waitFor(/^Viewing: Containers/m, 'the Containers view');
    const panePid = tm.tmux('list-panes', '-t', tm.session, '-F', '#{pane_pid}').trim();
    const pid = Number(spawnSync('pgrep', ['-P', panePid, 'node'], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
    assert.ok(pid > 0, 'pid of the UI process');
    process.kill(pid, 'SIGTERM');
    const s = await tm.waitFor(/EXITED rc=143/, 'exit on SIGTERM');
    assert.doesNotMatch(s, /Viewing:/);
  } finally {
    tm.kill();
  }
});
