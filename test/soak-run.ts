// The soak of test/soak.test.ts (60 s) and bench/soak.ts (10 minutes): a steady syscall load from
// several compiled getppid/read(/dev/zero) loops while two live tsdig processes run:
//  - the full-screen UI (`tsdig` on a terminal: tmux, 120x40, TERM=xterm-256color), and
//  - a chisel (`tsdig -v -q -c topprocs_file`): the UI has no chisel view, so the chisel runs in
//    a process of its own, which is also the one whose counters are read.
// Every `everyS` seconds: both processes' RSS (/proc), and the chisel process's own stats line
// (SIGUSR2: events, events/s since the last line, drops, V8 memory, state-table sizes). The load
// rate reported is tsdig's (its event counter), not the generators' intent. Not a test file.
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import { ROOT, TSDIG, haveCmd } from './helpers';
import { LiveStats, buildLoad, exitTables, liveStats, rssKb, runLoads, sleep, startTsdig, summaryDrops, summaryEvents } from './soak-lib';
import type { Sizes } from '../src/live/tables';

/** The UI live in a detached tmux server of its own; a string says why it could not run. */
export interface LiveUi {
  pid: number;
  /** the screen as text */
  screen: () => string;
  /** the UI is still up (the shell did not print its exit) */
  alive: () => boolean;
  stop: () => void;
}

export async function startLiveUi(cols = 120, rows = 40): Promise<LiveUi | string> {
  if (!haveCmd('tmux')) return 'tmux is not installed';
  const sock = `tsdig-soak-${process.pid}`;
  const tmux = (...a: string[]) => cp.spawnSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
  const r = tmux('new-session', '-d', '-s', 'ui', '-x', String(cols), '-y', String(rows), `sh -c 'cd ${ROOT} && TERM=xterm-256color ${process.execPath} ${TSDIG}; echo TSDIG-EXIT=$?; sleep 3600'`);
  if (r.status !== 0) return `tmux new-session failed: ${r.stderr}`;
  const screen = () => tmux('capture-pane', '-p', '-t', 'ui').stdout ?? '';
  const stop = () => {
    tmux('send-keys', '-t', 'ui', 'q');
    cp.spawnSync('sleep', ['1']);
    tmux('kill-server');
  };
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000 && !/Source: live/.test(screen()) && !/TSDIG-EXIT=/.test(screen())) await sleep(250);
  const s = screen();
  if (!/Source: live/.test(s)) {
    stop();
    return `the UI did not start live: ${s.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
  }
  const panePid = Number(tmux('display-message', '-p', '-t', 'ui', '#{pane_pid}').stdout.trim());
  const kid = cp.spawnSync('pgrep', ['-P', String(panePid), '-f', 'bin/tsdig'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number)[0];
  if (!kid) {
    stop();
    return 'the UI process was not found under the tmux pane';
  }
  return { pid: kid, screen, alive: () => !/TSDIG-EXIT=/.test(screen()), stop };
}

export interface SoakSample {
  /** seconds since the load started */
  t: number;
  rssMb: number;
  uiRssMb: number | null;
  /** the chisel process's events/s over the interval (its own counter) */
  rate: number;
  /** ring-buffer drops in the interval */
  drops: number;
  stats: LiveStats;
}

export interface SoakResult {
  chisel: string;
  seconds: number;
  procs: number;
  /** syscalls/s the generators made (each is 2 events) */
  loadRate: number;
  samples: SoakSample[];
  rssMb: number[];
  uiRssMb: number[];
  /** the UI: 'running …' or why it did not run */
  ui: string;
  uiAliveAtEnd: boolean;
  /** the UI's header line at the end */
  uiHeader: string;
  /** chisel process, from its summary line */
  events: number;
  secs: number;
  drops: number;
  exitCode: number | null;
  tablesStart: Sizes;
  tablesEnd: Sizes | null;
}

/**
 * `seconds` of load at `rate` syscalls/s in total from `procs` generator processes, with the UI
 * (unless opts.ui is false) and a chisel running live; samples every `everyS` seconds.
 */
export async function runSoak(
  seconds: number,
  rate: number,
  everyS = 10,
  opts: { ui?: boolean; procs?: number; chisel?: string; log?: (s: string) => void } = {},
): Promise<SoakResult> {
  buildLoad();
  const procs = opts.procs ?? 2;
  const chisel = opts.chisel ?? 'topprocs_file';
  const args = ['-v', '-q', '-c', chisel];
  const res: SoakResult = {
    chisel: `tsdig ${args.join(' ')}`, seconds, procs, loadRate: 0, samples: [], rssMb: [], uiRssMb: [], ui: 'not run', uiAliveAtEnd: false, uiHeader: '',
    events: 0, secs: 0, drops: 0, exitCode: null, tablesStart: {}, tablesEnd: null,
  };
  let ui: LiveUi | string | undefined;
  const live = startTsdig(args, { keepStdout: false });
  try {
    await live.ready;
    if (opts.ui !== false) {
      ui = await startLiveUi();
      res.ui = typeof ui === 'string' ? ui : `running live in tmux 120x40, TERM=xterm-256color (pid ${ui.pid})`;
      opts.log?.(`UI: ${res.ui}`);
    }
    const base = await liveStats(live);
    res.tablesStart = base.tables;
    let lastDrops = base.drops;
    const load = runLoads(procs, rate, seconds);
    const t0 = Date.now();
    for (let k = 1; k * everyS <= seconds; k++) {
      await sleep(t0 + k * everyS * 1000 - Date.now());
      assert.equal(live.proc.exitCode, null, 'the chisel process died during the soak; stderr:\n' + live.stderr());
      const st = await liveStats(live);
      const uiUp = typeof ui === 'object' && ui.alive();
      const s: SoakSample = {
        t: k * everyS,
        rssMb: Math.round(rssKb(live.pid) / 1024),
        uiRssMb: typeof ui === 'object' ? (uiUp ? Math.round(rssKb(ui.pid) / 1024) : NaN) : null,
        rate: st.rate,
        drops: st.drops - lastDrops,
        stats: st,
      };
      lastDrops = st.drops;
      res.samples.push(s);
      res.rssMb.push(s.rssMb);
      if (s.uiRssMb !== null) res.uiRssMb.push(s.uiRssMb);
      opts.log?.(
        `t=${s.t}s tsdig -c: rss ${s.rssMb} MB (heap ${st.memory.heapUsed}, external ${st.memory.external}, arrayBuffers ${st.memory.arrayBuffers}), ` +
          `${s.rate} events/s, ${s.drops} dropped; UI rss ${s.uiRssMb ?? '-'} MB; threads ${st.tables.threads} fds ${st.tables.fds}`,
      );
    }
    const l = await load;
    res.loadRate = Math.round(l.syscalls / l.seconds);
    if (typeof ui === 'object') {
      res.uiAliveAtEnd = ui.alive();
      res.uiHeader = ui.screen().split('\n').find((x) => /Source: live/.test(x))?.trim() ?? '';
    }
    const ex = await live.stop();
    res.exitCode = ex.code;
    const err = live.stderr();
    res.events = summaryEvents(err);
    res.secs = Number(/events captured in ([\d.]+) s/.exec(err)?.[1] ?? NaN);
    res.drops = summaryDrops(err);
    res.tablesEnd = exitTables(err);
    return res;
  } finally {
    if (typeof ui === 'object') ui.stop();
    await live.stop('SIGKILL').catch(() => undefined);
  }
}

/** The report both the test and the bench print. */
export function soakReport(r: SoakResult): string[] {
  const rates = r.samples.map((s) => s.rate);
  const sustained = rates.length ? Math.round(rates.reduce((a, b) => a + b, 0) / rates.length) : 0;
  const second = r.rssMb[1] ?? r.rssMb[0] ?? 0;
  const last = r.rssMb.at(-1) ?? 0;
  const pick = (t: Sizes | null) => (t ? `threads=${t.threads} processes=${t.processes} fds=${t.fds} containers=${t.containers} lookupMisses=${t.lookupMisses} chisel.fdTids=${t['chisel.fdTids']}` : 'missing');
  return [
    `chisel process: ${r.chisel}; UI: ${r.ui}${r.uiHeader ? ` — at the end: "${r.uiHeader}"` : ''}${r.ui.startsWith('running') ? (r.uiAliveAtEnd ? ' (still up)' : ' (GONE before the end)') : ''}`,
    `load: ${r.procs} generator processes, ${r.loadRate} syscalls/s (${2 * r.loadRate} events/s) for ${r.seconds} s`,
    `tsdig -c: events/s every ${r.samples[0] ? r.samples[0].t : '?'} s (its own counter): ${rates.join(' ')}; mean ${sustained}`,
    `tsdig -c: drops per interval: ${r.samples.map((s) => s.drops).join(' ')}`,
    `tsdig -c: RSS MB: ${r.rssMb.join(' ')} (min ${Math.min(...r.rssMb)} max ${Math.max(...r.rssMb)}; bound last <= 1.5 x second + 50: ${last <= 1.5 * second + 50 ? 'held' : 'EXCEEDED'})`,
    `tsdig -c: V8 heapUsed MB: ${r.samples.map((s) => s.stats.memory.heapUsed).join(' ')}; external MB: ${r.samples.map((s) => s.stats.memory.external).join(' ')}`,
    `UI RSS MB: ${r.uiRssMb.length ? r.uiRssMb.join(' ') : '-'}`,
    `tsdig -c summary: ${r.events} events in ${r.secs} s (${Math.round(r.events / r.secs)} events/s), ${r.drops} dropped by the ring buffer (${((100 * r.drops) / Math.max(1, r.events + r.drops)).toFixed(3)}%), exit code ${r.exitCode}`,
    `state tables at start: ${pick(r.tablesStart)}; at exit: ${pick(r.tablesEnd)}`,
  ];
}
