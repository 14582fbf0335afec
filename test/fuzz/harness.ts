// A seeded mutation fuzzer for tsdig's parsers: the .scap reader (through the whole replay
// pipeline: state engine, fields, default and JSON output), the filter language and the -p format
// parser. Only typed errors may come out (ScapError, FilterError); anything else is a finding.
// Used bounded by test/fuzz.test.ts and unbounded by bench/fuzz.ts.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { ScapParser } from '../../src/scap/reader';
import { ScapError } from '../../src/scap/types';
import { EventProcessor } from '../../src/pipeline/processor';
import { fieldRegistry } from '../../src/fields';
import { Formatter, DEFAULT_FORMAT } from '../../src/output/formatter';
import { compileFilter } from '../../src/filter';
import { FilterError } from '../../src/filter/errors';
import { parseFormat } from '../../src/output/format-parse';
import { EventCtx } from '../../src/fields/context';

/** xorshift32: small, fast and reproducible from a seed */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
}

export interface Finding {
  target: string;
  seed: number;
  iteration: number;
  error: string;
  input: Buffer;
}

export interface FuzzStats {
  target: string;
  execs: number;
  typedErrors: number;
  ok: number;
  findings: Finding[];
  ms: number;
}

const INTERESTING32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 12, 26, 28];

/** Mutates a copy of `seed`: byte flips, interesting u16/u32 values, truncation, splices. */
export function mutateBytes(seed: Buffer, rng: Rng, corpus: Buffer[]): Buffer {
  let b = Buffer.from(seed);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n && b.length > 0; k++) {
    const at = rng.int(b.length);
    // mostly in-place byte damage (which reaches the decoders); sometimes structural damage
    const op = rng.int(20);
    switch (op < 6 ? 0 : op < 11 ? 1 : op < 14 ? 2 : op < 17 ? 3 : op === 17 ? 4 : op === 18 ? 5 : 6) {
      case 0: b[at] = rng.int(256); break;
      case 1: b[at]! ^= 1 << rng.int(8); break;
      case 2: if (at + 2 <= b.length) b.writeUInt16LE(INTERESTING32[rng.int(INTERESTING32.length)]! & 0xffff, at); break;
      case 3: if (at + 4 <= b.length) b.writeUInt32LE(INTERESTING32[rng.int(INTERESTING32.length)]! >>> 0, at); break;
      case 4: b = b.subarray(0, at); break; // truncate
      case 5: { // splice a chunk of another corpus file in
        const o = corpus[rng.int(corpus.length)]!;
        const from = rng.int(Math.max(1, o.length - 64));
        const len = 1 + rng.int(64);
        b = Buffer.concat([b.subarray(0, at), o.subarray(from, from + len), b.subarray(at)]);
        break;
      }
      default: { // duplicate a range (repeated blocks)
        const len = 1 + rng.int(Math.min(256, b.length - at));
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
      }
    }
  }
  return b;
}

/** Loads capture seeds, decompressed, cut to the first `maxBytes` (mutating huge files is slow). */
export function loadScapSeeds(files: string[], maxBytes = 256 * 1024): Buffer[] {
  return files.map((f) => {
    const raw = fs.readFileSync(f);
    const b = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
    // cut at a block boundary so unmutated seeds read cleanly and mutants go deep into the pipeline
    let end = 0;
    for (let p = 0; p + 8 <= b.length; ) {
      const len = b.readUInt32LE(p + 4);
      if (len < 12 || p + len > b.length || p + len > maxBytes) break;
      p += len;
      end = p;
    }
    return b.subarray(0, end);
  }).filter((b) => {
    // keep the seeds that replay cleanly (a cut inside a long process list has no events)
    try {
      replayBytes(b, 1 << 20);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs one capture through the full replay pipeline; throws what the pipeline throws. */
export function replayBytes(input: Buffer, chunk: number): number {
  const reg = fieldRegistry();
  const fmt = new Formatter(DEFAULT_FORMAT, reg);
  let lines = 0;
  const proc = new EventProcessor({}, (c) => {
    if (fmt.format(c) !== null) lines++;
    if (fmt.json(c) !== null) lines++;
  });
  proc.ctx.timeMode = lines & 1 ? 'r' : 'h';
  const parser = new ScapParser(proc.engine.metadataSink((e) => proc.handle(e), () => proc.newSection()), 'fuzz.scap');
  for (let o = 0; o < input.length; o += chunk) parser.push(input.subarray(o, o + chunk));
  parser.end();
  return lines;
}

function isTyped(e: unknown): boolean {
  return e instanceof ScapError || e instanceof FilterError;
}

export function fuzzScap(seeds: Buffer[], seed: number, execs: number, timeBudgetMs = Infinity): FuzzStats {
  const rng = new Rng(seed);
  const st: FuzzStats = { target: 'scap reader + replay pipeline', execs: 0, typedErrors: 0, ok: 0, findings: [], ms: 0 };
  const t0 = Date.now();
  for (let i = 0; i < execs && Date.now() - t0 < timeBudgetMs; i++) {
    const input = mutateBytes(seeds[rng.int(seeds.length)]!, rng, seeds);
    st.execs++;
    try {
      replayBytes(input, 1 + rng.int(70000));
      st.ok++;
    } catch (e) {
      if (isTyped(e)) st.typedErrors++;
      else st.findings.push({ target: 'scap', seed, iteration: i, error: String((e as Error)?.stack ?? e).split('\n').slice(0, 4).join(' | '), input });
    }
  }
  st.ms = Date.now() - t0;
  return st;
}

const FILTER_SEEDS = [
  'proc.name=nginx and fd.type=ipv4',
  'evt.type in (open, openat) and not fd.name startswith /proc',
  '(proc.name=curl or proc.pname=bash) and evt.dir=<',
  'fd.name glob /etc/*.conf or fd.name pmatch (/usr, /lib)',
  'evt.buffer bcontains 48545450 and evt.rawres > 0',
  'fd.sip=10.0.0.1 or fd.net=192.168.0.0/16 or fd.port in (80, 443)',
  'proc.aname[2]=sshd and user.name exists',
  'evt.arg.fd = 3 and evt.arg[0] icontains "x\\x41y"',
  'tolower(proc.name) = "nginx" and proc.name regex "^ng.*"',
  'evt.latency >= 1000000 and thread.cgroup.cpuacct contains docker',
  'container.name != host and val(proc.name) = proc.name',
];
const TOKENS = [' and ', ' or ', ' not ', '(', ')', '=', '!=', ' in ', ' contains ', '"', "'", '\\', ',', '[', ']', '.', ' exists', 'proc.', 'evt.arg.', '%', '\x00', '\xff', '>=', 'glob', 'pmatch', 'val(', 'tolower('];

export function mutateText(seed: string, rng: Rng): string {
  let s = seed;
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const at = rng.int(s.length + 1);
    switch (rng.int(4)) {
      case 0: s = s.slice(0, at) + TOKENS[rng.int(TOKENS.length)] + s.slice(at); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1 + rng.int(6)); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(rng.int(256)) + s.slice(at + 1); break;
      default: s = s.slice(0, at) + s.slice(rng.int(s.length + 1)); break;
    }
  }
  return s;
}

export function fuzzFilters(seed: number, execs: number): FuzzStats {
  const rng = new Rng(seed);
  const reg = fieldRegistry();
  const st: FuzzStats = { target: 'filter parser/compiler', execs: 0, typedErrors: 0, ok: 0, findings: [], ms: 0 };
  const t0 = Date.now();
  for (let i = 0; i < execs; i++) {
    const expr = mutateText(FILTER_SEEDS[rng.int(FILTER_SEEDS.length)]!, rng);
    st.execs++;
    try {
      compileFilter<EventCtx>(expr, reg);
      st.ok++;
    } catch (e) {
      if (isTyped(e)) st.typedErrors++;
      else st.findings.push({ target: 'filter', seed, iteration: i, error: String((e as Error)?.stack ?? e).split('\n').slice(0, 3).join(' | '), input: Buffer.from(expr, 'latin1') });
    }
  }
  st.ms = Date.now() - t0;
  return st;
}

const FORMAT_SEEDS = [
  '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info',
  '%evt.num %12proc.name %-6evt.type %fd.name %evt.arg[0] %evt.arg.fd',
  '%%literal %proc.aname[2] %thread.cgroup.cpuacct %container.label.app',
];

export function fuzzFormats(seed: number, execs: number): FuzzStats {
  const rng = new Rng(seed);
  const reg = fieldRegistry();
  const st: FuzzStats = { target: '-p format parser', execs: 0, typedErrors: 0, ok: 0, findings: [], ms: 0 };
  const t0 = Date.now();
  for (let i = 0; i < execs; i++) {
    const fmt = mutateText(FORMAT_SEEDS[rng.int(FORMAT_SEEDS.length)]!, rng);
    st.execs++;
    try {
      parseFormat(fmt);
      new Formatter(fmt, reg);
      st.ok++;
    } catch (e) {
      if (isTyped(e)) st.typedErrors++;
      else st.findings.push({ target: 'format', seed, iteration: i, error: String((e as Error)?.stack ?? e).split('\n').slice(0, 3).join(' | '), input: Buffer.from(fmt, 'latin1') });
    }
  }
  st.ms = Date.now() - t0;
  return st;
}
