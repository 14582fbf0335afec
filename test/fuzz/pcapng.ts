// A small, strict pcapng reader (SHB, IDB, EPB; other blocks are length-checked and skipped) and
// two fuzz targets around src/net/pcapng.ts:
//  * round trip: random interface and packet sets go through PcapngWriter into a file and back
//    through this reader; everything written (interfaces, options, timestamps at the interface's
//    resolution, lengths, bytes) must come back exactly;
//  * mutation: damaged pcapng bytes (the writer's own output, mutated) go through the reader; the
//    only thing allowed to come out is a PcapngError naming the byte offset.
// Every length is checked against the bytes present before it is used.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapngWriter } from '../../src/net/pcapng';
import { Rng, FuzzStats, mutateBytes } from './harness';

export class PcapngError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte offset ${offset})`);
    this.name = 'PcapngError';
  }
}

export interface PcapngOption {
  code: number;
  value: Buffer;
}
export interface PcapngIface {
  linktype: number;
  snaplen: number;
  options: PcapngOption[];
  name?: string;
  description?: string;
  comment?: string;
  /** if_tsresol byte (6 when absent) */
  tsresol: number;
}
export interface PcapngPacket {
  ifId: number;
  /** timestamp in the interface's units, as a 64-bit integer */
  ts: bigint;
  caplen: number;
  origlen: number;
  data: Buffer;
  options: PcapngOption[];
}
export interface PcapngSection {
  bigEndian: boolean;
  major: number;
  minor: number;
  options: PcapngOption[];
  interfaces: PcapngIface[];
  packets: PcapngPacket[];
}

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const MAGIC = 0x1a2b3c4d;

/** Parses a whole pcapng file; throws PcapngError (only) on malformed input. */
export function readPcapng(b: Buffer): PcapngSection[] {
  const sections: PcapngSection[] = [];
  let sec: PcapngSection | null = null;
  let p = 0;
  while (p < b.length) {
    if (b.length - p < 12) throw new PcapngError(`truncated block header: ${b.length - p} bytes left`, p);
    const typeLe = b.readUInt32LE(p);
    if (typeLe === SHB) {
      // the byte-order magic decides how to read this block (and the section)
      if (b.length - p < 28) throw new PcapngError('truncated section header block', p);
      const m = b.readUInt32LE(p + 8);
      const be = m !== MAGIC;
      if (be && b.readUInt32BE(p + 8) !== MAGIC) throw new PcapngError(`bad byte-order magic 0x${m.toString(16)}`, p + 8);
      const total = be ? b.readUInt32BE(p + 4) : b.readUInt32LE(p + 4);
      checkLength(b, p, total, 28, be);
      const major = be ? b.readUInt16BE(p + 12) : b.readUInt16LE(p + 12);
      const minor = be ? b.readUInt16BE(p + 14) : b.readUInt16LE(p + 14);
      if (major !== 1) throw new PcapngError(`unsupported pcapng version ${major}.${minor}`, p + 12);
      sec = { bigEndian: be, major, minor, options: readOptions(b, p + 24, p + total - 4, be), interfaces: [], packets: [] };
      sections.push(sec);
      p += total;
      continue;
    }
    if (!sec) throw new PcapngError(`block type 0x${typeLe.toString(16)} before the first section header`, p);
    const be = sec.bigEndian;
    const type = be ? b.readUInt32BE(p) : typeLe;
    const total = be ? b.readUInt32BE(p + 4) : b.readUInt32LE(p + 4);
    if (type === IDB) {
      checkLength(b, p, total, 20, be);
      const options = readOptions(b, p + 16, p + total - 4, be);
      const iface: PcapngIface = {
        linktype: be ? b.readUInt16BE(p + 8) : b.readUInt16LE(p + 8),
        snaplen: be ? b.readUInt32BE(p + 12) : b.readUInt32LE(p + 12),
        options,
        tsresol: 6,
      };
      for (const o of options) {
        if (o.code === 2) iface.name = o.value.toString('utf8');
        else if (o.code === 3) iface.description = o.value.toString('utf8');
        else if (o.code === 1) iface.comment = o.value.toString('utf8');
        else if (o.code === 9) {
          if (o.value.length !== 1) throw new PcapngError(`if_tsresol of ${o.value.length} bytes`, p);
          iface.tsresol = o.value[0]!;
        }
      }
      sec.interfaces.push(iface);
    } else if (type === EPB) {
      checkLength(b, p, total, 32, be);
      const u32 = (o: number) => (be ? b.readUInt32BE(p + o) : b.readUInt32LE(p + o));
      const ifId = u32(8);
      if (ifId >= sec.interfaces.length) throw new PcapngError(`packet on interface ${ifId} of ${sec.interfaces.length}`, p + 8);
      const caplen = u32(20);
      const origlen = u32(24);
      const room = total - 32;
      if (caplen > room) throw new PcapngError(`captured length ${caplen} exceeds the block (${room} bytes)`, p + 20);
      const padded = (caplen + 3) & ~3;
      if (padded > room) throw new PcapngError(`padded packet data ${padded} exceeds the block (${room} bytes)`, p + 20);
      const ts = (BigInt(u32(12)) << 32n) | BigInt(u32(16));
      sec.packets.push({ ifId, ts, caplen, origlen, data: Buffer.from(b.subarray(p + 28, p + 28 + caplen)), options: readOptions(b, p + 28 + padded, p + total - 4, be) });
    } else {
      checkLength(b, p, total, 12, be); // simple packet, name resolution, statistics, custom: skipped
    }
    p += total;
  }
  return sections;
}

function checkLength(b: Buffer, p: number, total: number, min: number, be: boolean): void {
  if (total < min) throw new PcapngError(`block length ${total} below the minimum ${min}`, p + 4);
  if (total % 4 !== 0) throw new PcapngError(`block length ${total} is not a multiple of 4`, p + 4);
  if (total > b.length - p) throw new PcapngError(`block length ${total} exceeds the ${b.length - p} bytes left`, p + 4);
  const trailer = be ? b.readUInt32BE(p + total - 4) : b.readUInt32LE(p + total - 4);
  if (trailer !== total) throw new PcapngError(`trailing block length ${trailer} differs from ${total}`, p + total - 4);
}

/** Options from [o, end): code, length, value padded to 4; stops at opt_endofopt or the end. */
function readOptions(b: Buffer, o: number, end: number, be: boolean): PcapngOption[] {
  const out: PcapngOption[] = [];
  while (o < end) {
    if (end - o < 4) throw new PcapngError(`truncated option header (${end - o} bytes)`, o);
    const code = be ? b.readUInt16BE(o) : b.readUInt16LE(o);
    const len = be ? b.readUInt16BE(o + 2) : b.readUInt16LE(o + 2);
    if (code === 0) {
      if (len !== 0) throw new PcapngError(`opt_endofopt with length ${len}`, o);
      return out;
    }
    const padded = (len + 3) & ~3;
    if (padded > end - o - 4) throw new PcapngError(`option ${code} of ${len} bytes exceeds its block`, o);
    out.push({ code, value: Buffer.from(b.subarray(o + 4, o + 4 + len)) });
    o += 4 + padded;
  }
  return out;
}

// ---- round trip --------------------------------------------------------------------------

interface GenIface { linktype: number; snaplen: number; name: string; description: string; comment?: string }
interface GenPacket { ifId: number; sec: number; nsec: number; data: Buffer; origlen: number }

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-_.@:/ ';
function genString(rng: Rng, max: number): string {
  const n = rng.int(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = rng.int(40);
    s += k === 0 ? String.fromCodePoint(0x80 + rng.int(0x3000)) : NAME_CHARS[rng.int(NAME_CHARS.length)];
  }
  return s;
}

function genCase(rng: Rng): { nanos: boolean; ifaces: GenIface[]; packets: GenPacket[] } {
  const nanos = rng.int(4) !== 0;
  const ifaces: GenIface[] = [];
  const ni = 1 + rng.int(5);
  for (let i = 0; i < ni; i++) {
    ifaces.push({
      linktype: [1, 113, 276, 0, 101, 0xffff][rng.int(6)]!,
      snaplen: [0, 65535, 262144, 96, 0xffffffff][rng.int(5)]!,
      name: genString(rng, 16),
      description: genString(rng, rng.int(10) === 0 ? 2000 : 64),
      comment: rng.int(3) === 0 ? genString(rng, 100) : undefined,
    });
  }
  const packets: GenPacket[] = [];
  const np = rng.int(10) === 0 ? 2000 + rng.int(3000) : rng.int(200);
  for (let i = 0; i < np; i++) {
    const r = rng.int(100);
    const caplen = r === 0 ? 1_000_000 + rng.int(600_000) : r < 5 ? 0 : r < 30 ? rng.int(8) : rng.int(1600);
    const data = Buffer.allocUnsafe(caplen);
    const head = Math.min(caplen, 257); // random head, then the head repeated (large packets)
    for (let k = 0; k < head; k++) data[k] = rng.int(256);
    for (let k = head; k < caplen; k += head) data.copy(data, k, 0, Math.min(head, caplen - k));
    const sec = [0, 1, 0xffffffff, 0x7fffffff, 1764100000][rng.int(8)] ?? rng.next();
    const nsec = [0, 999_999_999, 999, 1000][rng.int(6)] ?? rng.int(1_000_000_000);
    packets.push({ ifId: rng.int(ni), sec, nsec, data, origlen: caplen + (rng.int(3) === 0 ? rng.int(70000) : 0) });
  }
  return { nanos, ifaces, packets };
}

/** Writes a case through PcapngWriter into `file`, reads it back, returns what differs ('' = none). */
export function roundTripOnce(rng: Rng, file: string): { diff: string; bytes: Buffer; packets: number } {
  const c = genCase(rng);
  const w = new PcapngWriter(file, c.nanos, 'tsdig-fuzz');
  const ids: number[] = [];
  let next = 0;
  // interfaces appear as packets need them (as in live capture), the rest at the end
  const addUpTo = (k: number) => {
    while (next <= k) ids.push(w.addInterface(c.ifaces[next++]!));
  };
  for (const p of c.packets) {
    addUpTo(p.ifId);
    // the packet bytes sit at an offset inside a larger buffer, as they do in a capture batch
    const pad = Buffer.alloc(3);
    const src = Buffer.concat([pad, p.data, pad]);
    w.writePacket(ids[p.ifId]!, p.sec, p.nsec, src, 3, p.data.length, p.origlen);
    if (rng.int(50) === 0) w.flush();
  }
  addUpTo(c.ifaces.length - 1);
  w.close();
  const bytes = fs.readFileSync(file);
  let secs: PcapngSection[];
  try {
    secs = readPcapng(bytes);
  } catch (e) {
    return { diff: `reader rejected the writer's output: ${(e as Error).message}`, bytes, packets: c.packets.length };
  }
  const d = compare(c, secs);
  if (w.packets !== c.packets.length) return { diff: `writer counted ${w.packets} packets of ${c.packets.length}`, bytes, packets: c.packets.length };
  if (w.bytesWritten !== bytes.length) return { diff: `writer counted ${w.bytesWritten} bytes, file has ${bytes.length}`, bytes, packets: c.packets.length };
  return { diff: d, bytes, packets: c.packets.length };
}

function compare(c: ReturnType<typeof genCase>, secs: PcapngSection[]): string {
  if (secs.length !== 1) return `${secs.length} sections`;
  const s = secs[0]!;
  if (s.bigEndian || s.major !== 1 || s.minor !== 0) return `section header ${s.bigEndian ? 'BE' : 'LE'} ${s.major}.${s.minor}`;
  const appl = s.options.find((o) => o.code === 4)?.value.toString();
  if (appl !== 'tsdig-fuzz') return `shb_userappl ${JSON.stringify(appl)}`;
  if (s.interfaces.length !== c.ifaces.length) return `${s.interfaces.length} interfaces, wrote ${c.ifaces.length}`;
  // interfaces are added in order of first use, so the file's order is the generator's order
  for (let i = 0; i < c.ifaces.length; i++) {
    const a = c.ifaces[i]!;
    const b = s.interfaces[i]!;
    // an empty comment is no comment (the writer leaves the option out)
    const want = { ...a, comment: a.comment || undefined };
    for (const k of ['linktype', 'snaplen', 'name', 'description', 'comment'] as const) {
      if (want[k] !== b[k]) return `interface ${i} ${k}: wrote ${JSON.stringify(a[k])}, read ${JSON.stringify(b[k])}`;
    }
    if (b.tsresol !== (c.nanos ? 9 : 6)) return `interface ${i} if_tsresol ${b.tsresol}`;
  }
  if (s.packets.length !== c.packets.length) return `${s.packets.length} packets, wrote ${c.packets.length}`;
  for (let i = 0; i < c.packets.length; i++) {
    const a = c.packets[i]!;
    const b = s.packets[i]!;
    const ts = c.nanos ? BigInt(a.sec) * 1_000_000_000n + BigInt(a.nsec) : BigInt(a.sec) * 1_000_000n + BigInt(Math.floor(a.nsec / 1000));
    if (b.ifId !== a.ifId) return `packet ${i}: interface ${b.ifId}, wrote ${a.ifId}`;
    if (b.ts !== ts) return `packet ${i}: timestamp ${b.ts}, wrote ${ts} (sec ${a.sec} nsec ${a.nsec}, ${c.nanos ? 'ns' : 'us'})`;
    if (b.caplen !== a.data.length || b.origlen !== a.origlen) return `packet ${i}: lengths ${b.caplen}/${b.origlen}, wrote ${a.data.length}/${a.origlen}`;
    if (!b.data.equals(a.data)) return `packet ${i}: data differs`;
    if (b.options.length) return `packet ${i}: ${b.options.length} unexpected options`;
  }
  return '';
}

export function tmpPcapngPath(): { file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-fuzz-pcapng-'));
  return { file: path.join(dir, 'rt.pcapng'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Round-trip target; also collects small outputs as seeds for the mutation target. */
export function fuzzPcapngRoundTrip(seed: number, execs: number, timeBudgetMs = Infinity, seedsOut?: Buffer[]): FuzzStats {
  const rng = new Rng(seed);
  const st: FuzzStats = { target: 'pcapng writer -> reader round trip', execs: 0, typedErrors: 0, ok: 0, findings: [], ms: 0 };
  const t0 = Date.now();
  const tmp = tmpPcapngPath();
  try {
    for (let i = 0; i < execs && Date.now() - t0 < timeBudgetMs; i++) {
      st.execs++;
      try {
        const r = roundTripOnce(rng, tmp.file);
        if (r.diff) st.findings.push({ target: 'pcapng-roundtrip', seed, iteration: i, error: r.diff, input: r.bytes });
        else st.ok++;
        if (seedsOut && r.bytes.length < 64 * 1024 && seedsOut.length < 64) seedsOut.push(r.bytes);
      } catch (e) {
        st.findings.push({ target: 'pcapng-roundtrip', seed, iteration: i, error: String((e as Error)?.stack ?? e).split('\n').slice(0, 4).join(' | '), input: Buffer.alloc(0) });
      }
    }
  } finally {
    tmp.cleanup();
  }
  st.ms = Date.now() - t0;
  return st;
}

/** Mutation target: damaged pcapng bytes may only produce PcapngError. */
export function fuzzPcapngReader(seeds: Buffer[], seed: number, execs: number, timeBudgetMs = Infinity): FuzzStats {
  const rng = new Rng(seed);
  const st: FuzzStats = { target: 'pcapng reader (mutated input)', execs: 0, typedErrors: 0, ok: 0, findings: [], ms: 0 };
  const t0 = Date.now();
  for (let i = 0; i < execs && Date.now() - t0 < timeBudgetMs; i++) {
    const input = mutateBytes(seeds[rng.int(seeds.length)]!, rng, seeds);
    st.execs++;
    try {
      readPcapng(input);
      st.ok++;
    } catch (e) {
      if (e instanceof PcapngError) st.typedErrors++;
      else st.findings.push({ target: 'pcapng-reader', seed, iteration: i, error: String((e as Error)?.stack ?? e).split('\n').slice(0, 4).join(' | '), input });
    }
  }
  st.ms = Date.now() - t0;
  return st;
}
