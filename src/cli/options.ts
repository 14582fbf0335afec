// Command-line flags, named and meaning what sysdig's do. yargs parses; this module normalises the
// sysdig spellings yargs cannot express directly (-pc, -cl, -lv) and validates combinations.
// The commonest command of all, a replay (`-r FILE [-q] [-v] [-S] [filter]`), is read without
// yargs (./quick-args), which is a tenth of a short replay's start-up to load and run.
import type yargsType from 'yargs';
import { quickArgs } from './quick-args';

export interface CliOptions {
  read: string[];
  write?: string;
  print?: string;
  json: boolean;
  bufFormat: 'normal' | 'ascii' | 'hex' | 'hexascii' | 'base64';
  snaplen: number;
  numEvents: number;
  seconds: number;
  quiet: boolean;
  verbose: boolean;
  timeType: 'h' | 'a' | 'r' | 'd' | 'D';
  list: boolean;
  listVerbose: boolean;
  listEvents: boolean;
  debug: boolean;
  chisels: string[];
  chiselArgs: string[][];
  listChisels: boolean;
  chiselInfo?: string;
  chiselDirs: string[];
  compress: boolean;
  fatfile: boolean;
  fileSizeMb: number;
  rotateSeconds: number;
  fileLimit: number;
  eventLimit: number;
  bufsize?: number;
  pcap?: string;
  pcapFilter?: string;
  /** live UI / live --snapshot: count packets in the background (--no-pcap-stats: false) */
  pcapStats: boolean;
  ui?: boolean;
  forcePrint: boolean;
  snapshot?: string;
  delayMs: number;
  unbuffered: boolean;
  summary: boolean;
  filter: string;
  containerFormat: boolean;
  /** --metrics [ADDR:]PORT: Prometheus endpoint of a live run */
  metrics?: string;
  /** series per metrics group before the rest folds into `other` */
  metricsTop: number;
  /** --otlp URL: OTLP/HTTP metrics export; every otlpIntervalMs */
  otlp?: string;
  otlpIntervalMs: number;
  /** --stream: live capture as a .scap stream on stdout (what --remote runs on the far side) */
  stream: boolean;
  /** --remote USER@HOST: the UI here, the capture there over ssh */
  remote?: string;
  /** the tsdig command on the remote host (default `sudo tsdig`) */
  remoteCmd: string;
  /** the ssh command and its options (default `ssh`) */
  ssh: string;
  /** the UI's first view (id or name) */
  view?: string;
  /** the argv as given (chisel argument rule, see src/chisel/run.ts) */
  rawArgv: string[];
  /** the positional tokens joined into `filter` */
  positionals: string[];
}

export class UsageError extends Error {}

/** sysdig allows `-pc`, `-pcontainer`, `-cl`, `-lv`: split them before yargs sees them. */
function preprocess(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-pc' || a === '-pcontainer') out.push('--container-format');
    else if (a === '-cl') out.push('--list-chisels');
    else if (a === '-lv') out.push('-l', '--list-verbose');
    else out.push(a);
  }
  return out;
}

export function parseArgs(argv: string[]): CliOptions {
  const a = quickArgs(argv) ?? yargsArgs(argv);
  if (a === null) return null as unknown as CliOptions;
  return toOptions(a, argv);
}

/** parseArgs without the quick path (for the test that compares the two). */
export function parseArgsWithYargs(argv: string[]): CliOptions {
  const a = yargsArgs(argv);
  return a === null ? (null as unknown as CliOptions) : toOptions(a, argv);
}

/** The flags as yargs reads them (keyed by their short names); null after --help or --version. */
function yargsArgs(argv: string[]): Record<string, unknown> | null {
  // loaded here, not at the top: the quick path never needs it
  // (what `import yargs from 'yargs'` gives: the module itself, it is no ES module)
  const m = require('yargs') as { __esModule?: boolean; default?: typeof yargsType };
  const yargs = m.__esModule ? m.default! : (m as unknown as typeof yargsType);
  const y = yargs(preprocess(argv))
    .scriptName('tsdig')
    .usage('Usage: tsdig [options] [-p <output_format>] [filter]\n\nContainer-aware system and network monitor. With no output option on a terminal, opens the live UI;\nwith -r FILE replays a capture. Flags keep sysdig\'s names and meanings.')
    .parserConfiguration({ 'short-option-groups': true, 'unknown-options-as-args': false, 'halt-at-non-option': false, 'camel-case-expansion': false })
    .option('r', { alias: ['read', 'readfile'], type: 'string', description: 'read events from a capture file (repeatable)' })
    .option('w', { alias: 'write', type: 'string', description: 'write events to a .scap file' })
    .option('p', { alias: 'print', type: 'string', description: 'output format (%field tokens); -pc adds container columns' })
    .option('container-format', { type: 'boolean', hidden: true })
    .option('j', { alias: 'json', type: 'boolean', description: 'one JSON object per event' })
    .option('A', { alias: 'print-ascii', type: 'boolean', description: 'print buffers as ASCII with line breaks' })
    .option('x', { alias: 'print-hex', type: 'boolean', description: 'print buffers in hex' })
    .option('X', { alias: 'print-hex-ascii', type: 'boolean', description: 'print buffers in hex and ASCII' })
    .option('b', { alias: 'print-base64', type: 'boolean', description: 'print buffers in base64' })
    .option('s', { alias: 'snaplen', type: 'number', description: 'bytes of each I/O buffer to capture (default 80)' })
    .option('n', { alias: 'numevents', type: 'number', description: 'stop after this many events' })
    .option('M', { type: 'number', description: 'stop after this many seconds' })
    .option('q', { alias: 'quiet', type: 'boolean', description: 'do not print events' })
    .option('v', { alias: 'verbose', type: 'boolean', description: 'whole buffers, and a summary at the end' })
    .option('t', { alias: 'timetype', type: 'string', description: 'time format: h (default), a, r, d, D' })
    .option('l', { alias: 'list', type: 'boolean', description: 'list the fields' })
    .option('list-verbose', { type: 'boolean', hidden: true })
    .option('L', { alias: 'list-events', type: 'boolean', description: 'list the event types' })
    .option('D', { alias: 'debug', type: 'boolean', description: 'also show internal events' })
    .option('c', { alias: 'chisel', type: 'string', description: 'run a chisel (repeatable)' })
    .option('list-chisels', { type: 'boolean', description: 'list chisels (-cl)' })
    .option('i', { alias: 'chisel-info', type: 'string', description: 'describe a chisel and its arguments' })
    .option('chisel-dir', { type: 'string', array: true, description: 'extra folder to search for chisels' })
    .option('z', { alias: 'compress', type: 'boolean', description: 'gzip the -w file' })
    .option('F', { alias: 'fatfile', type: 'boolean', description: 'keep state-changing events that fail the filter (default with -w)' })
    .option('C', { alias: 'file-size', type: 'number', description: 'rotate -w files every N MB' })
    .option('G', { alias: 'seconds', type: 'number', description: 'rotate -w files every N seconds' })
    .option('W', { alias: 'limit', type: 'number', description: 'keep at most N rotated files' })
    .option('e', { alias: 'event-limit', type: 'number', description: 'rotate -w files every N events' })
    .option('bufsize', { type: 'number', description: 'ring buffer size in MB (live)' })
    .option('pcap', { type: 'string', description: 'write packets to a pcapng file' })
    .option('f', { alias: 'pcap-filter', type: 'string', description: 'libpcap capture filter for --pcap' })
    .option('pcap-stats', { type: 'boolean', description: 'live UI: count packets per connection and container (--no-pcap-stats: syscalls only)' })
    .option('ui', { type: 'boolean', description: 'force the full-screen UI' })
    .option('print-events', { type: 'boolean', description: 'print events even on a terminal' })
    .option('snapshot', { type: 'string', description: 'print one frame of a UI view as text and exit' })
    .option('d', { alias: 'delay', type: 'number', description: 'UI refresh interval in ms (default 2000)' })
    .option('unbuffered', { type: 'boolean', description: 'flush output after every event' })
    .option('metrics', { type: 'string', description: 'live: serve Prometheus metrics on [ADDR:]PORT (/metrics; a bare PORT is 127.0.0.1 only)' })
    .option('metrics-top', { type: 'number', description: 'metrics: series per group (containers, process groups) before the rest folds into "other" (default 50)' })
    .option('otlp', { type: 'string', description: 'live: push the metrics as OTLP/HTTP JSON to URL (default $OTEL_EXPORTER_OTLP_ENDPOINT)' })
    .option('otlp-interval', { type: 'number', description: 'OTLP push interval in ms (default 10000)' })
    .option('stream', { type: 'boolean', description: 'live: write the capture as a .scap stream to stdout (a pipe), flushed every batch' })
    .option('remote', { type: 'string', description: 'UI here, capture on USER@HOST: runs `sudo tsdig --stream [filter]` there over ssh' })
    .option('remote-cmd', { type: 'string', description: 'the tsdig command on the remote host (default "sudo tsdig")' })
    .option('ssh', { type: 'string', description: 'ssh command and options for --remote (default "ssh"), e.g. "ssh -p 2222 -i key"' })
    .option('view', { type: 'string', description: 'the UI\'s first view (id or name, see the picker)' })
    .option('S', { alias: 'summary', type: 'boolean', description: 'print event counts per type at the end' })
    .help('h')
    .alias('h', 'help')
    .version(false)
    .option('version', { type: 'boolean', description: "print tsdig's version" })
    .strictOptions()
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(err ? err.message : msg);
    });
  const a = y.parseSync() as Record<string, unknown>;
  if (a.version) process.stdout.write(`tsdig ${ownVersion()}\n`);
  if (a.help || a.version) return null;
  return a;
}

/** CliOptions from the flags as read, with sysdig's checks of their values and combinations. */
function toOptions(a: Record<string, unknown>, argv: string[]): CliOptions {
  const bufFlags = ['A', 'x', 'X', 'b'].filter((k) => a[k]);
  if (bufFlags.length > 1) throw new UsageError('you cannot specify more than one output format (-A, -x, -X, -b)');
  const t = (a.t as string | undefined) ?? 'h';
  if (!['h', 'a', 'r', 'd', 'D'].includes(t)) throw new UsageError(`invalid -t value '${t}': use h, a, r, d or D`);
  const num = (k: string, def: number) => {
    const v = a[k];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageError(`-${k} needs a non-negative number`);
    return v;
  };
  const chisels = a.c === undefined ? [] : Array.isArray(a.c) ? (a.c as string[]).slice() : [a.c as string];
  let listChisels = !!a['list-chisels'];
  if (chisels.length === 1 && chisels[0] === 'l') {
    listChisels = true;
    chisels.length = 0;
  }
  const print = a.p as string | undefined;
  if (a.stream && (a.r !== undefined || a.w !== undefined || a.remote !== undefined)) throw new UsageError('--stream writes a live capture to stdout: it cannot be used with -r, -w or --remote');
  if (a.remote !== undefined && (a.r !== undefined || a.w !== undefined || a.c !== undefined)) throw new UsageError('--remote shows the UI of a remote live capture: it cannot be used with -r, -w or -c');
  if (a.remote !== undefined && !/^([^@\s]+@)?[^@\s]+$/.test(String(a.remote))) throw new UsageError(`--remote needs [USER@]HOST, got '${a.remote}'`);
  if ((a.metrics !== undefined || a.otlp !== undefined) && a.r !== undefined) throw new UsageError('--metrics and --otlp export a live capture: they cannot be used with -r');
  if (a.metrics !== undefined && String(a.metrics) === '') throw new UsageError('--metrics needs [ADDR:]PORT');
  if (a.otlp !== undefined && String(a.otlp) === '' && !process.env.OTEL_EXPORTER_OTLP_ENDPOINT) throw new UsageError('--otlp needs a URL (or OTEL_EXPORTER_OTLP_ENDPOINT)');
  const stream = !!a.stream;
  return {
    read: a.r === undefined ? [] : Array.isArray(a.r) ? (a.r as string[]) : [a.r as string],
    write: stream ? '/dev/stdout' : (a.w as string | undefined),
    print: print === 'c' || print === 'container' ? undefined : print,
    containerFormat: !!a['container-format'] || print === 'c' || print === 'container',
    json: !!a.j,
    bufFormat: a.A ? 'ascii' : a.x ? 'hex' : a.X ? 'hexascii' : a.b ? 'base64' : 'normal',
    snaplen: num('s', 80),
    numEvents: num('n', 0),
    seconds: num('M', 0),
    quiet: !!a.q || stream,
    verbose: !!a.v,
    timeType: t as CliOptions['timeType'],
    list: !!a.l,
    listVerbose: !!a['list-verbose'],
    listEvents: !!a.L,
    debug: !!a.D,
    chisels,
    chiselArgs: [],
    listChisels,
    chiselInfo: a.i as string | undefined,
    chiselDirs: (a['chisel-dir'] as string[] | undefined) ?? [],
    compress: !!a.z,
    fatfile: a.F === undefined ? true : !!a.F,
    fileSizeMb: num('C', 0),
    rotateSeconds: num('G', 0),
    fileLimit: num('W', 0),
    eventLimit: num('e', 0),
    bufsize: a.bufsize as number | undefined,
    pcap: a.pcap as string | undefined,
    pcapFilter: a.f as string | undefined,
    pcapStats: a['pcap-stats'] !== false,
    ui: a.ui as boolean | undefined,
    forcePrint: !!a['print-events'],
    snapshot: a.snapshot as string | undefined,
    delayMs: num('d', 2000),
    unbuffered: !!a.unbuffered,
    summary: !!a.S,
    filter: ((a._ as Array<string | number>) ?? []).map(String).join(' '),
    metrics: a.metrics as string | undefined,
    metricsTop: num('metrics-top', 50),
    otlp: a.otlp === undefined ? undefined : String(a.otlp),
    otlpIntervalMs: num('otlp-interval', 10000),
    stream: !!a.stream,
    remote: a.remote as string | undefined,
    remoteCmd: (a['remote-cmd'] as string | undefined) ?? 'sudo tsdig',
    ssh: (a.ssh as string | undefined) ?? 'ssh',
    view: a.view as string | undefined,
    rawArgv: argv.slice(),
    positionals: ((a._ as Array<string | number>) ?? []).map(String),
  };
}

/** The version in tsdig's package.json, found upwards from this file (dist/src/cli or a bundle in dist). */
function ownVersion(): string {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    try {
      const p = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'tsdig') return p.version ?? 'unknown';
    } catch {
      // no package.json here: keep going up
    }
  }
  return 'unknown';
}
