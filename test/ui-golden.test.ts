// Golden screens of the UI in tmux: every view at 80x24, some at 200x50, the view picker, drill-down
// and back, filter errors, replay controls (seek, step, speed) and echo in ASCII and hex.
// Deterministic: fixture traces (TZ=UTC, one interval for the whole trace with -d 600000) and a
// generated one (test/trace-gen.ts). The screens are in test/golden/ui/; after an intended change
// of the screen (a view's columns, the header…), rewrite them with
//   TSDIG_UPDATE_GOLDEN=1 node scripts/run-tests.js ui-golden
// and review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, ROOT, TSDIG, needs, haveCmd } from './helpers';
import { VIEWS } from '../src/views';
import { Tmux } from './tmux';
import { writeBusyTrace } from './trace-gen';

// two containers, 41 processes, 82 connections
const CAP = path.join(FIXTURES, 'sysdig-inspect__502Error.scap');
const GOLDEN = path.join(ROOT, 'test', 'golden', 'ui');
const UPDATE = !!process.env.TSDIG_UPDATE_GOLDEN;

function golden(name: string, screen: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  const text = screen.replace(/[ \t]+$/gm, '').replace(/\n+$/, '\n');
  if (UPDATE) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, text);
    return;
  }
  assert.ok(fs.existsSync(file), `missing golden screen ${file} (TSDIG_UPDATE_GOLDEN=1 writes it)`);
  const want = fs.readFileSync(file, 'utf8');
  if (text !== want) {
    const a = want.split('\n');
    const b = text.split('\n');
    const diff: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) diff.push(`line ${i + 1}\n  want: ${a[i] ?? ''}\n  got:  ${b[i] ?? ''}`);
    assert.fail(`screen ${name} differs from ${file} (TSDIG_UPDATE_GOLDEN=1 rewrites it):\n${diff.join('\n')}\nscreen:\n${text}`);
  }
}

const cmd = (args: string, cwd = ROOT) => `sh -c 'cd ${cwd} && TZ=UTC TERM=xterm node ${TSDIG} ${args} --ui; echo EXITED rc=$?; sleep 60'`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The picker's views for this capture: sorted by name, all apply at the top level; no pods, so no K8s views. */
const PICKED = VIEWS.filter((v) => !v.k8s);

/** Opens view `i` of the picker. */
async function openView(tm: Tmux, i: number): Promise<string> {
  const v = PICKED[i]!;
  tm.keys('v');
  await tm.waitFor(/ Views /, 'the picker');
  tm.keys('Home');
  for (let k = 0; k < i; k++) tm.keys('Down');
  tm.keys('Enter');
  return tm.settled(new RegExp(`^Viewing: ${esc(v.name)}  For: whole machine[^]*\\bEND\\b`, 'm'), `the ${v.name} view`);
}

test('golden screens: every view at 80x24, the picker, drill-down and back, filter errors', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, fs.existsSync(CAP)) ?? needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const tm = new Tmux();
  try {
    tm.start(cmd(`-r ${CAP} -d 600000`));
    golden('start-containers-80x24', await tm.settled(/^Viewing: Containers[^]*\bEND\b/m, 'the start view'));
    tm.keys('v');
    golden('picker-80x24', await tm.settled(/ Views [^]*Spy Users/, 'the picker'));
    tm.keys('Escape');
    for (let i = 0; i < PICKED.length; i++) golden(`view-${PICKED[i]!.id}-80x24`, await openView(tm, i));

    // drill-down: Containers → Processes of the container → Threads of the process, then back up
    await openView(tm, PICKED.findIndex((v) => v.id === 'containers'));
    tm.keys('Enter');
    golden('drill-1-container-procs-80x24', await tm.settled(/^Viewing: Processes  For: Containers: container\.id=[^]*\bEND\b/m, 'processes of the container'));
    tm.keys('Enter');
    golden('drill-2-process-threads-80x24', await tm.settled(/^Viewing: Threads  For: Containers: container\.id=\S+ > Processes: proc[^]*\bEND\b/m, 'threads of the process'));
    tm.keys('BSpace');
    golden('drill-3-back-container-procs-80x24', await tm.settled(/^Viewing: Processes  For: Containers: container\.id=[^]*\bEND\b/m, 'back to the processes'));
    tm.keys('BSpace');
    golden('drill-4-back-containers-80x24', await tm.settled(/^Viewing: Containers  For: whole machine[^]*\bEND\b/m, 'back to the containers'));

    // filter errors: an unknown field, an operator with no value; each names its column
    tm.keys('\\');
    await tm.waitFor(/^Filter: _/m, 'the filter bar');
    tm.literal('proc.name=nginx and proc.nme=x');
    golden('filter-error-field-80x24', await tm.settled(/error at column 21: unknown field/, 'the unknown field error'));
    tm.keys('Escape');
    await tm.waitFor(/\?Help/, 'filter bar closed');
    tm.keys('\\');
    tm.literal('fd.port >');
    golden('filter-error-value-80x24', await tm.settled(/error at column \d+/, 'the missing value error'));
    tm.keys('Escape');
    tm.keys('q');
    await tm.waitFor(/EXITED rc=0/, 'exit');
  } finally {
    tm.kill();
  }
});

test('golden screens at 200x50: Processes, Containers, Connections, Files, the picker', async (t) => {
  const skip = needs('fixtures in ' + FIXTURES, fs.existsSync(CAP)) ?? needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const tm = new Tmux();
  try {
    tm.start(cmd(`-r ${CAP} -d 600000`), 200, 50);
    golden('start-containers-200x50', await tm.settled(/^Viewing: Containers[^]*\bEND\b/m, 'the start view'));
    tm.keys('v');
    golden('picker-200x50', await tm.settled(/ Views [^]*Spy Users/, 'the picker'));
    tm.keys('Escape');
    for (const id of ['procs', 'connections', 'files']) golden(`view-${id}-200x50`, await openView(tm, PICKED.findIndex((v) => v.id === id)));
    tm.keys('q');
    await tm.waitFor(/EXITED rc=0/, 'exit');
  } finally {
    tm.kill();
  }
});

test('golden screens of the replay controls (seek, step back and forward, speed) and of echo in ASCII and hex', async (t) => {
  const skip = needs('tmux', haveCmd('tmux'));
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-golden-'));
  const tm = new Tmux();
  try {
    const file = path.join(dir, 'busy.scap');
    writeBusyTrace(file, { secs: 60, procs: 8, perSec: 20 });
    tm.start(cmd(`-r ${file} -d 1000`, dir));
    await tm.waitFor(/\[\d+\/60\] /, 'the whole capture read (60 intervals)');
    tm.keys('g');
    await tm.waitFor(/Go to second: _/, 'the seek prompt');
    tm.literal('30');
    tm.keys('Enter');
    golden('replay-seek-80x24', await tm.settled(/\[31\/60\] .* PAUSED x1 /, 'the seek'));
    tm.keys(',');
    golden('replay-step-back-80x24', await tm.settled(/\[30\/60\] .* PAUSED x1 /, 'a step back'));
    tm.keys('.');
    tm.keys('.');
    tm.keys('+');
    golden('replay-step-forward-faster-80x24', await tm.settled(/\[32\/60\] .* PAUSED x2 /, 'two steps forward, twice as fast'));
    tm.keys('-');
    tm.keys('-');
    golden('replay-slower-80x24', await tm.settled(/\[32\/60\] .* PAUSED x0\.50 /, 'half speed'));
    // echo of the selected process in this interval, then as a hex dump
    tm.keys('e');
    golden('echo-ascii-80x24', await tm.settled(/Echo: proc\.pid=1001 \(interval 32\)[^]*handled request/, 'echo'));
    tm.keys('x');
    golden('echo-hex-80x24', await tm.settled(/0x0000:  3331 2e30 2061/, 'the hex dump'));
    tm.keys('Escape');
    tm.keys('q');
    await tm.waitFor(/EXITED rc=0/, 'exit');
  } finally {
    tm.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
