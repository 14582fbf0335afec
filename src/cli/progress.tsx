// Progress of a capture being written (-w): a live ink panel on a terminal, a plain status line
// every 2 s otherwise (stderr in both cases, so stdout stays free), nothing with -q.
//
// ink 3 + react 17: ink 4 and later are ESM-only, and this project compiles to CommonJS
// ("module": "commonjs"), where TypeScript turns import() into require() — which cannot load an
// ESM-only package on Node 20. ink 3 is CommonJS, runs on Node 20 and is typed, so it is loaded
// with a plain require, and only when stderr is a terminal (non-TTY runs never load React/ink).
import * as React from 'react';

export interface ProgressStats {
  /** events written */
  events: number;
  /** bytes written (estimated for gzip until the last chunk is compressed) */
  bytes: number;
  /** events the source lost */
  drops: number;
  startMs: number;
  /** the file being written */
  file: string;
}

export interface ProgressHandle {
  /** stops updating; the ink panel keeps its last frame */
  stop(): void;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Derived { events: string; rate: string; bytes: string; drops: string; elapsed: string; file: string }

function derive(s: ProgressStats, now: number, prev: { t: number; ev: number }): Derived {
  const dt = (now - prev.t) / 1000;
  const rate = dt > 0 ? (s.events - prev.ev) / dt : 0;
  const el = (now - s.startMs) / 1000;
  return {
    events: fmtInt(s.events),
    rate: fmtInt(rate),
    bytes: fmtBytes(s.bytes),
    drops: fmtInt(s.drops),
    elapsed: el < 60 ? `${el.toFixed(1)} s` : `${Math.floor(el / 60)}m${String(Math.floor(el % 60)).padStart(2, '0')}s`,
    file: s.file || '-',
  };
}

/** One plain line, as printed on a non-terminal stderr. */
export function statusLine(d: Derived): string {
  return `tsdig: ${d.events} events (${d.rate} ev/s), ${d.bytes}, ${d.drops} drops, ${d.elapsed}, file ${d.file}\n`;
}

function Panel(props: { d: Derived; ink: typeof import('ink') }): React.ReactElement {
  const { Box, Text } = props.ink;
  const d = props.d;
  const cell = (label: string, value: string, color?: string) => (
    <Box marginRight={2}>
      <Text dimColor>{label} </Text>
      <Text bold color={color}>{value}</Text>
    </Box>
  );
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Box>
        <Text color="cyan" bold>tsdig </Text>
        <Text>writing </Text>
        <Text bold>{d.file}</Text>
      </Box>
      <Box>
        {cell('events', d.events, 'green')}
        {cell('ev/s', d.rate)}
        {cell('bytes', d.bytes)}
        {cell('drops', d.drops, d.drops === '0' ? undefined : 'red')}
        {cell('elapsed', d.elapsed)}
      </Box>
    </Box>
  );
}

/** Starts reporting; get() is polled (every 250 ms on a TTY, 2 s otherwise). */
export function startProgress(get: () => ProgressStats, opts: { tty: boolean; intervalMs?: number }): ProgressHandle {
  let prev = { t: Date.now(), ev: 0 };
  const sample = () => {
    const now = Date.now();
    const s = get();
    const d = derive(s, now, prev);
    prev = { t: now, ev: s.events };
    return d;
  };
  if (!opts.tty) {
    const timer = setInterval(() => process.stderr.write(statusLine(sample())), opts.intervalMs ?? 2000);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ink = require('ink') as typeof import('ink');
  const app = ink.render(<Panel d={sample()} ink={ink} />, { stdout: process.stderr, exitOnCtrlC: false, patchConsole: false });
  const timer = setInterval(() => app.rerender(<Panel d={sample()} ink={ink} />), opts.intervalMs ?? 250);
  timer.unref();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      app.rerender(<Panel d={sample()} ink={ink} />);
      app.unmount();
    },
  };
}
