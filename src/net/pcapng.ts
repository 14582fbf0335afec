// pcapng writer: one Section Header Block, an Interface Description Block per captured interface
// (added as interfaces appear, with if_name, if_description and if_tsresol), and Enhanced Packet
// Blocks. Blocks are assembled in one reusable buffer and written synchronously when it fills.
import * as fs from 'node:fs';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;

const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;

export interface IdbInfo {
  linktype: number;
  snaplen: number;
  name: string;
  description: string;
  comment?: string;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** An option value's length is a u16: longer values are cut (at a UTF-8 character boundary). */
export const MAX_OPTION_BYTES = 0xffff;

/** value as option bytes, at most MAX_OPTION_BYTES long; a cut never splits a UTF-8 sequence. */
export function optionBytes(value: string | Uint8Array): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (b.length <= MAX_OPTION_BYTES) return b;
  let n = MAX_OPTION_BYTES;
  if (typeof value === 'string') while (n > 0 && (b[n]! & 0xc0) === 0x80) n--; // b[n] continues a character: cut before it starts
  return b.subarray(0, n);
}

export class PcapngWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  private fd: number;
  private nIfaces = 0;
  packets = 0;
  bytesWritten = 0;

  /** nanoseconds: if_tsresol 9 (default); otherwise microseconds (if_tsresol 6). */
  constructor(path: string, private readonly nanos = true, appl = 'tsdig') {
    this.fd = fs.openSync(path, 'w');
    const opts: Array<[number, Buffer]> = [
      [SHB_OS, optionBytes(`Linux ${safeRelease()}`)],
      [SHB_USERAPPL, optionBytes(appl)],
    ];
    const optLen = optionsLength(opts);
    const total = 28 + optLen;
    this.ensure(total);
    const b = this.buf;
    let o = this.pos;
    b.writeUInt32LE(SHB, o);
    b.writeUInt32LE(total, o + 4);
    b.writeUInt32LE(0x1a2b3c4d, o + 8);
    b.writeUInt16LE(1, o + 12);
    b.writeUInt16LE(0, o + 14);
    b.writeInt32LE(-1, o + 16); // section length unknown
    b.writeInt32LE(-1, o + 20);
    o = writeOptions(b, o + 24, opts);
    b.writeUInt32LE(total, o);
    this.pos = o + 4;
  }

  /** Adds an interface; returns its interface id for writePacket. */
  addInterface(i: IdbInfo): number {
    const opts: Array<[number, Buffer]> = [
      [IF_NAME, optionBytes(i.name)],
      [IF_DESCRIPTION, optionBytes(i.description)],
      [IF_TSRESOL, Buffer.from([this.nanos ? 9 : 6])],
    ];
    if (i.comment) opts.push([OPT_COMMENT, optionBytes(i.comment)]);
    const total = 20 + optionsLength(opts);
    this.ensure(total);
    const b = this.buf;
    let o = this.pos;
    b.writeUInt32LE(IDB, o);
    b.writeUInt32LE(total, o + 4);
    b.writeUInt16LE(i.linktype, o + 8);
    b.writeUInt16LE(0, o + 10);
    b.writeUInt32LE(i.snaplen, o + 12);
    o = writeOptions(b, o + 16, opts);
    b.writeUInt32LE(total, o);
    this.pos = o + 4;
    return this.nIfaces++;
  }

  /**
   * Writes one EPB. The timestamp is sec + nsec (wall clock); caplen bytes come from src[off..].
   * Converts to the interface's resolution without BigInt: the 64-bit value is built in 32-bit halves.
   */
  writePacket(ifId: number, sec: number, nsec: number, src: Uint8Array, off: number, caplen: number, origlen: number): void {
    const padded = pad4(caplen);
    const total = 32 + padded;
    this.ensure(total);
    const b = this.buf;
    const o = this.pos;
    b.writeUInt32LE(EPB, o);
    b.writeUInt32LE(total, o + 4);
    b.writeUInt32LE(ifId, o + 8);
    let hi: number;
    let lo: number;
    if (this.nanos) {
      // sec * 1e9 + nsec, with sec < 2^32: split sec into 16-bit halves so every product is exact
      const sh = Math.floor(sec / 65536);
      const sl = sec % 65536;
      const x = sh * 1e9; // < 2^46; the value is x * 2^16 + sl * 1e9 + nsec
      hi = Math.floor(x / 65536);
      const y = (x % 65536) * 65536 + sl * 1e9 + nsec; // < 2^48
      hi += Math.floor(y / 4294967296);
      lo = y % 4294967296;
    } else {
      const v = sec * 1e6 + Math.floor(nsec / 1000); // < 2^53 until year 2255
      hi = Math.floor(v / 4294967296);
      lo = v % 4294967296;
    }
    b.writeUInt32LE(hi >>> 0, o + 12);
    b.writeUInt32LE(lo >>> 0, o + 16);
    b.writeUInt32LE(caplen, o + 20);
    b.writeUInt32LE(origlen, o + 24);
    b.set(src.subarray(off, off + caplen), o + 28);
    for (let i = caplen; i < padded; i++) b[o + 28 + i] = 0;
    b.writeUInt32LE(total, o + 28 + padded);
    this.pos = o + total;
    this.packets++;
  }

  flush(): void {
    let done = 0;
    while (done < this.pos) done += fs.writeSync(this.fd, this.buf, done, this.pos - done);
    this.bytesWritten += this.pos;
    this.pos = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(pad4(n) * 2);
  }
}

function optionsLength(opts: Array<[number, Buffer]>): number {
  let n = 4; // opt_endofopt
  for (const [, v] of opts) n += 4 + pad4(v.length);
  return n;
}

function writeOptions(b: Buffer, o: number, opts: Array<[number, Buffer]>): number {
  for (const [code, v] of opts) {
    // a wrapped u16 length would make readers misparse every block after this one
    if (v.length > MAX_OPTION_BYTES) throw new RangeError(`pcapng option ${code} is ${v.length} bytes (at most ${MAX_OPTION_BYTES})`);
    b.writeUInt16LE(code, o);
    b.writeUInt16LE(v.length, o + 2);
    v.copy(b, o + 4);
    const p = pad4(v.length);
    b.fill(0, o + 4 + v.length, o + 4 + p);
    o += 4 + p;
  }
  b.writeUInt16LE(OPT_END, o);
  b.writeUInt16LE(0, o + 2);
  return o + 4;
}

/** Writes one option into a scratch buffer (exported for tests: the length check is writeOptions'). */
export function writeRawOption(v: Buffer, code = OPT_COMMENT): Buffer {
  const b = Buffer.alloc(optionsLength([[code, v]]));
  writeOptions(b, 0, [[code, v]]);
  return b;
}

function safeRelease(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return '';
  }
}
