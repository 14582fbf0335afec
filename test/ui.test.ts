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
import { Tmux } from './tmux';
import { T0, WRITE_E, WRITE_X, i64, procBlock, scapEvent, sectionHeader, u32, writeBusyTrace } from './trace-gen';

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
  // the widest view (syscall and wire columns side by side) fits a 120-column terminal
  const w = layoutColumns(findView('connections')!.columns, 120);
  assert.ok(w.reduce((a, b) => a + b, 0) + w.length - 1 <= 120, `connections does not fit 120 columns: ${w}`);
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

// ---- synthetic hostile capture: escape sequences in a process name and in written data --------

const EVIL_DATA = Buffer.from('hello \x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b31m\n', 'latin1');
const EVIL_COMM = Buffer.from('ev\x1b]0;pwned\x07il;touch x', 'latin1');

/** SHB, a v9 process list with one process (pid `pid`, hostile comm), then write enter/exit pairs once a second for `secs` s. */
function hostileCapture(file: string, pid: number, secs: number): void {
  const blocks = [sectionHeader(), procBlock(pid, EVIL_COMM, '/bin/evil')];
  for (let s = 0; s <= secs; s++) {
    const ts = T0 + BigInt(s) * 1000000000n;
    blocks.push(scapEvent(ts, pid, WRITE_E, [i64(1), u32(EVIL_DATA.length)]));
    blocks.push(scapEvent(ts + 1000n, pid, WRITE_X, [i64(EVIL_DATA.length), EVIL_DATA]));
  }
  fs.writeFileSync(file, Buffer.concat(blocks));
}

/** Escape sequences tmux itself produces for `capture-pane -e` are SGR only; anything else came from the app. */
function foreignEscapes(paneWithEscapes: string): string[] {
  const bad: string[] = [];
  const re = /\x1b(\[[0-9;:]*m)?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(paneWithEscapes))) if (!m[1]) bad.push(JSON.stringify(paneWithEscapes.slice(m.index, m.index + 12)));
  if (/[\x07\x9b\x90\x9d]/.test(paneWithEscapes)) bad.push('BEL or C1 control');
  return bad;
}

test('UI on a hostile capture: no escape reaches the pane, echo escapes data, legend, seek, export, kill with y/n, resize', async (t) => {
  const skip = needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'tsdig-uievil-'));
  // the "process" of the capture is a real sleep started here: the kill action must reach it by pid only
  const victim = require('node:child_process').spawn('sleep', ['300'], { stdio: 'ignore' });
  const exited = new Promise<string | null>((r) => victim.on('exit', (_c: number | null, sig: string | null) => r(sig)));
  const tm = new Tmux();
  try {
    const cap = path.join(dir, 'hostile.scap');
    hostileCapture(cap, victim.pid, 10);
    tm.start(`sh -c 'cd ${dir} && TERM=xterm-256color node ${TSDIG} -r ${cap} -d 1000 --ui 2>${dir}/err; echo EXITED rc=$?; sleep 60'`);
    let s = await tm.waitFor(new RegExp(`^\\s*${victim.pid}\\s+1 `, 'm'), 'the hostile process row');
    assert.match(s, /ev\.\]0;pwned\.il;touch x|evil/, 'the name is shown escaped');
    const withEsc = tm.tmux('capture-pane', '-p', '-e', '-t', tm.session);
    assert.deepEqual(foreignEscapes(withEsc), [], 'raw escape sequences reached the pane');
    assert.doesNotMatch(tm.tmux('display', '-p', '-t', tm.session, '#{pane_title}'), /pwned/);

    // echo: the written data, escaped
    tm.keys('e');
    s = await tm.waitFor(/hello \.\]0;pwned\.\.\[2J\.\[31mred\.31m/, 'escaped data in the echo view');
    assert.deepEqual(foreignEscapes(tm.tmux('capture-pane', '-p', '-e', '-t', tm.session)), []);
    assert.doesNotMatch(tm.tmux('display', '-p', '-t', tm.session, '#{pane_title}'), /pwned/);
    assert.ok(!fs.existsSync(path.join(dir, 'x')), 'nothing ran the name');
    tm.keys('Escape');

    // legend (F7)
    tm.keys('F7');
    s = await tm.waitFor(/Legend: Processes/, 'the legend');
    assert.match(s, /field proc\.pid/);
    assert.match(s, /FILE\s+file bytes\/s/);
    tm.keys('l');
    await tm.waitFor(/lLegend/, 'legend closed');

    // seek: g 5 Enter → interval starting 5 s after the first
    tm.keys('g');
    await tm.waitFor(/Go to second: _/, 'the seek prompt');
    tm.literal('5');
    tm.keys('Enter');
    s = await tm.waitFor(/\[6\/11\] \S+ \+5\.0s\/10\.0s PAUSED/, 'the header at +5 s');
    assert.match(s, /\[-+\|-+\]/, 'the time cursor');
    tm.keys('g');
    tm.literal('+2');
    tm.keys('Enter');
    await tm.waitFor(/\[8\/11\] \S+ \+7\.0s/, 'relative seek');

    // export: x then Enter (CSV), x then j (JSON), in the UI's cwd
    tm.keys('x');
    await tm.waitFor(/c\/Enter CSV\s+j\s+JSON/, 'the export prompt');
    assert.match(tm.capture(), new RegExp(`Export this interval of the view to ${dir}`));
    tm.keys('Enter');
    s = await tm.waitFor(/exported 1 rows to \S+tsdig-procs-8\.csv/, 'CSV export');
    const csv = fs.readFileSync(path.join(dir, 'tsdig-procs-8.csv'), 'latin1');
    assert.match(csv, /^PID,PPID,EVTS,USER,TH,VIRT,RES,FILE,NET,Command\r\n/);
    assert.match(csv, new RegExp(`^${victim.pid},1,2,`, 'm'));
    assert.ok(!/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\xff]/.test(csv), 'no control bytes in the CSV');
    tm.keys('x');
    await tm.waitFor(/j\s+JSON/, 'the export prompt');
    tm.keys('j');
    await tm.waitFor(/tsdig-procs-8\.json/, 'JSON export');
    const j = JSON.parse(fs.readFileSync(path.join(dir, 'tsdig-procs-8.json'), 'utf8'));
    assert.equal(j.view, 'procs');
    assert.equal(j.interval.index, 8);
    assert.equal(j.rows[0].PID, victim.pid);

    // actions: a, t, n = nothing; a, t, y = SIGTERM by pid
    tm.keys('a');
    s = await tm.waitFor(/t SIGTERM\s+k SIGKILL/, 'the action menu');
    assert.match(s, new RegExp(`Action on pid ${victim.pid}`));
    tm.keys('t');
    s = await tm.waitFor(/Send SIGTERM to pid \d+ \(pid from the capture\), now running 'sleep'\? y\/n/, 'the confirmation');
    tm.keys('n');
    await tm.waitFor(/cancelled/, 'cancel');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(victim.exitCode, null, 'n must not kill');
    assert.equal(victim.signalCode, null, 'n must not kill');
    tm.keys('a');
    await tm.waitFor(/t SIGTERM/, 'the action menu');
    tm.keys('t');
    await tm.waitFor(/y\/n/, 'the confirmation');
    tm.keys('y');
    await tm.waitFor(new RegExp(`sent SIGTERM to pid ${victim.pid}`), 'the result in the footer');
    assert.equal(await exited, 'SIGTERM');
    assert.ok(!fs.existsSync(path.join(dir, 'x')));

    // resize: larger, then back to 80x24: the frame follows, nothing wider than the pane
    tm.tmux('resize-window', '-t', tm.session, '-x', '132', '-y', '40');
    s = await tm.waitFor(/^Source: .{100,}$/m, 'redraw at 132x40');
    await new Promise((r) => setTimeout(r, 300));
    s = tm.capture();
    assert.equal(s.replace(/\n$/, '').split('\n').length, 40);
    assert.ok(s.split('\n').some((l) => l.length > 100), 'lines use the new width');
    tm.tmux('resize-window', '-t', tm.session, '-x', '80', '-y', '24');
    await new Promise((r) => setTimeout(r, 400));
    s = tm.capture();
    const lines = s.replace(/\n$/, '').split('\n');
    assert.equal(lines.length, 24);
    for (const l of lines) assert.ok(l.length <= 80, `wider than 80 after resize: ${l}`);
    assert.match(lines[0]!, /^Viewing: Processes/);
    assert.match(lines[23]!, /sent SIGTERM/);

    tm.keys('q');
    s = await tm.waitFor(/EXITED rc=0/, 'exit');
    assert.doesNotMatch(s, /Viewing:/);
    assert.doesNotMatch(tm.tmux('display', '-p', '-t', tm.session, '#{pane_title}'), /pwned/);
  } finally {
    tm.kill();
    if (victim.exitCode === null && victim.signalCode === null) victim.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('UI on xterm-256color, screen, tmux, linux console and vt100: ASCII borders and no colour where missing, clean exit', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures) ?? needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  for (const term of ['xterm-256color', 'screen', 'tmux-256color', 'linux', 'vt100']) {
    const tm = new Tmux();
    try {
      tm.start(`sh -c 'cd ${ROOT} && TERM=${term} node ${TSDIG} -r ${CURL} --ui; echo EXITED rc=$?; sleep 60'`);
      await tm.waitFor(/curl -6/, `${term}: the Processes view`);
      tm.keys('v');
      const s = await tm.waitFor(/Spy Users/, `${term}: the picker`);
      const esc = tm.tmux('capture-pane', '-p', '-e', '-t', tm.session);
      assert.deepEqual(foreignEscapes(esc), [], `${term}: foreign escapes`);
      if (term === 'linux' || term === 'vt100') {
        assert.ok(!/[^\x00-\x7f]/.test(s), `${term}: non-ASCII (line drawing) on the screen`);
        assert.match(s, /\+-+ Views -+\+|\+-+\+/, `${term}: ASCII box corners`);
      } else {
        // line drawing: Unicode, or DEC ACS (tmux's capture shows ACS cells as their letters: l q k x)
        assert.match(s, /[┌─│]|^lq Views q+k/m, `${term}: line drawing expected`);
      }
      if (term === 'vt100') assert.doesNotMatch(esc, /\x1b\[[0-9;]*(3[0-8]|4[0-8]|9[0-7])[;m]/, 'vt100: colour codes');
      tm.keys('Escape');
      tm.keys('q');
      const end = await tm.waitFor(/EXITED rc=0/, `${term}: exit`);
      assert.doesNotMatch(end, /Viewing:/, `${term}: screen restored`);
    } finally {
      tm.kill();
    }
  }
});

test('--snapshot VIEW -j prints the frame as one JSON object', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, haveFixtures);
  if (skip) return t.skip(skip);
  const r = snap(CURL, 'procs', ['-j']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.view, 'procs');
  assert.equal(j.viewName, 'Processes');
  assert.deepEqual(j.columns.map((c: { name: string }) => c.name).slice(0, 3), ['PID', 'PPID', 'EVTS']);
  const curl = j.rows.find((x: Record<string, unknown>) => x.PID === 17497);
  assert.ok(curl, 'curl row');
  assert.equal(curl.PPID, 3200);
  assert.match(curl.Command, /^curl -6 http:\/\/www\.google\.com$/);
  assert.ok(j.totals.events > 0 && j.captured > 0);
});

/** "13.1M" → bytes (humanBytes' units, 1024-based) */
function parseHuman(s: string): number {
  const m = /^([\d.]+)([KMGT]?)$/.exec(s);
  if (!m) throw new Error(`not a size: ${s}`);
  return Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2] || ' ');
}

test('UI with -v: a drill-down and a step back at a late cursor read from a checkpoint, not the whole capture', async (t) => {
  const skip = needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'tsdig-uiresume-'));
  const tm = new Tmux();
  try {
    const file = path.join(dir, 'busy.scap');
    writeBusyTrace(file, { secs: 60, procs: 8, perSec: 150 });
    const size = fs.statSync(file).size;
    tm.start(`sh -c 'cd ${dir} && TZ=UTC TERM=xterm node ${TSDIG} -r ${file} -d 1000 -v --ui; echo EXITED rc=$?; sleep 60'`);
    const read = (s: string) => {
      const m = /^Debug: read (\S+) of (\S+), (\d+) checkpoints/m.exec(s);
      assert.ok(m, `no debug line:\n${s}`);
      return { read: parseHuman(m[1]!), checkpoints: Number(m[3]) };
    };
    // the first pass reads the capture once and leaves checkpoints behind
    let s = await tm.waitFor(/\[\d+\/60\] /, 'the whole capture read');
    s = await tm.settled(/^Debug: read/m, 'the debug line');
    const first = read(s);
    assert.ok(Math.abs(first.read - size) < size * 0.01, `first pass read ${first.read} of ${size}`);
    assert.ok(first.checkpoints >= 8, `${first.checkpoints} checkpoints`);
    tm.keys('g');
    tm.literal('50');
    tm.keys('Enter');
    await tm.waitFor(/\[51\/60\] .* PAUSED/, 'the seek to +50 s');
    // drill-down into the first process: Threads of pid 1001 at interval 51
    tm.keys('Enter');
    s = await tm.settled(/^Viewing: Threads  For: Processes: proc\.pid=1001[^]*\n\s+1001\s+1001\s+300 /m, 'the drilled-down view at interval 51');
    const drill = read(s).read - first.read;
    assert.ok(drill < size / 3, `the drill-down read ${drill} of ${size} bytes`);
    // a step back: collected from the checkpoint before it
    tm.keys(',');
    s = await tm.settled(/\[50\/60\] [^]*\n\s+1001\s+1001\s+300 /, 'one interval back');
    const back = read(s).read - first.read - drill;
    assert.ok(back < size / 3, `the step back read ${back} of ${size} bytes`);
    // drill-up: the Processes view comes from memory
    const before = read(s).read;
    tm.keys('BSpace');
    s = await tm.settled(/^Viewing: Processes  For: whole machine[^]*\[50\/60\]/m, 'back to Processes');
    assert.ok(read(s).read - before < 2 << 20, 'drill-up reads (almost) nothing');
    tm.keys('q');
    await tm.waitFor(/EXITED rc=0/, 'exit');
  } finally {
    tm.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
