// The soak of test/soak.test.ts (60 s) and bench/soak.ts (10 minutes): a steady syscall load from
// several compiled getppid/read(/dev/zero) loops while two live tsdig processes run:
//  - the full-screen UI (`tsdig` on a terminal: tmux, 120x40, TERM=xterm-256color), and
//  - a chisel (`tsdig -v -q -c topprocs_file`): the UI has no chisel view, so the chisel runs in
//    a process of its own, which is also the one whose counters are read.
// Every `everyS` seconds: both processes' RSS (/proc), and the chisel process's own stats line
// (SIGUSR2: events, events/s since the last line, drops, V8 memory, state-table sizes). The load
// rate reported is tsdig's (its event counter), not the generators' intent. A stats line comes
// only when tsdig's event loop turns: how long it took to come is reported too (a stalled loop
// means no timers, no signals and no redraws meanwhile); while one is outstanding, no new
// SIGUSR2 is sent (signals would coalesce), and that sample has no stats. Not a test file.
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import { ROOT, TSDIG, haveCmd } from './helpers';
import { LiveStats, buildLoad, exitTables, liveStats, parseStats, rssKb, runLoads, sleep, startTsdig, summaryDrops, summaryEvents } from './soak-lib';
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
  /** the stats line asked for at this sample (null: an earlier request was still unanswered) */
  stats: LiveStats | null;
  /** ms until the stats line came (-1: never) */
  answerMs: number;
  /** events/s over the interval since the previous answered request (tsdig's own counter) */
  rate: number;
  /** ring-buffer drops since the previous answered request */
  drops: number;
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
    // tsdig stamps its stats lines with its capture clock: this maps them to wall time, so an
    // answer's latency is known even when it is collected at a later sample
    const wallAtZero = Date.now() - base.at * 1000;
    res.tablesStart = base.tables;
    let prevDrops = base.drops;
    let asked: { sample: SoakSample; n: number; at: number } | null = null;
    /** files the answer to the outstanding request, if it came */
    const collect = () => {
      if (!asked) return;
      const all = parseStats(live.stderr());
      if (all.length <= asked.n) return;
      const st = all[asked.n]!;
      Object.assign(asked.sample, { stats: st, answerMs: Math.max(0, Math.round(wallAtZero + st.at * 1000 - asked.at)), rate: st.rate, drops: st.drops - prevDrops });
      prevDrops = st.drops;
      asked = null;
    };
    const load = runLoads(procs, rate, seconds);
    const t0 = Date.now();
    for (let k = 1; k * everyS <= seconds; k++) {
      await sleep(t0 + k * everyS * 1000 - Date.now());
      assert.equal(live.proc.exitCode, null, 'the chisel process died during the soak; stderr:\n' + live.stderr());
      collect();
      const uiUp = typeof ui === 'object' && ui.alive();
      const s: SoakSample = {
        t: k * everyS,
        rssMb: Math.round(rssKb(live.pid) / 1024),
        uiRssMb: typeof ui === 'object' ? (uiUp ? Math.round(rssKb(ui.pid) / 1024) : NaN) : null,
        stats: null,
        answerMs: -1,
        rate: NaN,
        drops: NaN,
      };
      res.samples.push(s);
      res.rssMb.push(s.rssMb);
      if (s.uiRssMb !== null) res.uiRssMb.push(s.uiRssMb);
      if (!asked) {
        asked = { sample: s, n: parseStats(live.stderr()).length, at: Date.now() };
        live.proc.kill('SIGUSR2');
        // most answers come within milliseconds: wait a little so the log line can show it
        for (let i = 0; i < 20 && asked; i++) {
          await sleep(50);
          collect();
        }
      }
      opts.log?.(
        `t=${s.t}s tsdig -c: rss ${s.rssMb} MB; UI rss ${s.uiRssMb ?? '-'} MB; ` +
          (s.stats
            ? `stats in ${s.answerMs} ms: ${s.rate} events/s, ${s.drops} dropped, heap ${s.stats.memory.heapUsed} MB, external ${s.stats.memory.external} MB, threads ${s.stats.tables.threads}, fds ${s.stats.tables.fds}`
            : asked && asked.sample !== s ? 'no stats asked (the previous request is still unanswered)' : 'no stats line within 1 s (event loop busy)'),
      );
    }
    // the last request's answer (a busy loop may take a while)
    for (let i = 0; i < 600 && asked; i++) {
      await sleep(100);
      collect();
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

/**
 * Memory growth bound on RSS samples. A garbage-collected heap is a saw-tooth, so one low sample
 * is no baseline (CI once saw the UI at 336 213 361 437 294 371 MB): growth without bound shows
 * as the later half's peak far above the earlier half's.
 */
export function rssBound(mb: number[]): { early: number; late: number; held: boolean } {
  const half = Math.ceil(mb.length / 2);
  const early = Math.max(0, ...mb.slice(0, half));
  const late = Math.max(0, ...mb.slice(half));
  return { early, late, held: late <= 1.5 * early + 50 };
}

/** The report both the test and the bench print. */
export function soakReport(r: SoakResult): string[] {
  const answered = r.samples.filter((s) => s.stats);
  const rates = answered.map((s) => s.rate);
  const sustained = answered.length > 1 ? Math.round((answered.at(-1)!.stats!.events - answered[0]!.stats!.events) / (answered.at(-1)!.stats!.at - answered[0]!.stats!.at)) : rates[0] ?? 0;
  const slow = r.samples.filter((s) => s.answerMs < 0 || s.answerMs > 1000);
  const bound = (mb: number[]) => {
    const b = rssBound(mb);
    return `peak of the later half ${b.late} <= 1.5 x the earlier half's ${b.early} + 50: ${b.held ? 'held' : 'EXCEEDED'}`;
  };
  const pick = (t: Sizes | null) => (t ? `threads=${t.threads} processes=${t.processes} fds=${t.fds} containers=${t.containers} lookupMisses=${t.lookupMisses} chisel.fdTids=${t['chisel.fdTids']}` : 'missing');
  return [
    `chisel process: ${r.chisel}; UI: ${r.ui}${r.uiHeader ? ` — at the end: "${r.uiHeader}"` : ''}${r.ui.startsWith('running') ? (r.uiAliveAtEnd ? ' (still up)' : ' (GONE before the end)') : ''}`,
    `load: ${r.procs} generator processes, ${r.loadRate} syscalls/s (${2 * r.loadRate} events/s) for ${r.seconds} s`,
    `tsdig -c: events/s per interval (its own counter; - = no stats line asked/answered): ${r.samples.map((s) => (s.stats ? s.rate : '-')).join(' ')}; sustained ${sustained}`,
    `tsdig -c: drops per interval: ${r.samples.map((s) => (s.stats ? s.drops : '-')).join(' ')}`,
    `tsdig -c: stats answer latency ms (event-loop responsiveness): ${r.samples.map((s) => s.answerMs).join(' ')}; ${slow.length} of ${r.samples.length} over 1 s or missing`,
    `tsdig -c: RSS MB: ${r.rssMb.join(' ')} (min ${Math.min(...r.rssMb)} max ${Math.max(...r.rssMb)}; ${bound(r.rssMb)})`,
    `tsdig -c: V8 heapUsed MB: ${r.samples.map((s) => s.stats?.memory.heapUsed ?? '-').join(' ')}; external MB: ${r.samples.map((s) => s.stats?.memory.external ?? '-').join(' ')}`,
    `UI RSS MB: ${r.uiRssMb.length ? `${r.uiRssMb.join(' ')} (${bound(r.uiRssMb)})` : '-'}`,
    `tsdig -c summary: ${r.events} events in ${r.secs} s (${Math.round(r.events / r.secs)} events/s), ${r.drops} dropped by the ring buffer (${((100 * r.drops) / Math.max(1, r.events + r.drops)).toFixed(3)}%), exit code ${r.exitCode}`,
    `state tables at start: ${pick(r.tablesStart)}; at exit: ${pick(r.tablesEnd)}`,
  ];
}
