// Synthetic captures, block by block (the format: src/scap/reader.ts): a section header, a v9
// process list, v1 fd lists and v2 event blocks. Used by the build (the code cache's warm-up
// capture, scripts/warm-capture.js) and by tests and benchmarks that need small deterministic files.

export const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(v & 0xffff, 0); return b; };
export const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0, 0); return b; };
export const i64 = (v: number): Buffer => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v), 0); return b; };
/** a u16-length-prefixed string, as process and fd lists hold them */
export const lstr = (s: Buffer | string): Buffer => {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return Buffer.concat([u16(b.length), b]);
};

/** a block: type, length, body padded to 4 bytes, length again */
export function scapBlock(type: number, body: Buffer): Buffer {
  const len = Math.ceil((12 + body.length) / 4) * 4;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

/** an EV_V2 block: cpu 0, then the event header and its params */
export function scapEvent(ts: bigint, tid: number, type: number, params: Buffer[]): Buffer {
  const hdr = Buffer.alloc(26 + 2 * params.length);
  hdr.writeBigUInt64LE(ts, 0);
  hdr.writeBigInt64LE(BigInt(tid), 8);
  hdr.writeUInt32LE(hdr.length + params.reduce((a, p) => a + p.length, 0), 16);
  hdr.writeUInt16LE(type, 20);
  hdr.writeUInt32LE(params.length, 22);
  params.forEach((p, i) => hdr.writeUInt16LE(p.length, 26 + 2 * i));
  return scapBlock(0x216, Buffer.concat([Buffer.alloc(2), hdr, ...params]));
}

/** a section header block, format 1.2 */
export function sectionHeader(): Buffer {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0); shb.writeUInt32LE(28, 4); shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12); shb.writeUInt16LE(2, 14); shb.writeBigInt64LE(-1n, 16); shb.writeUInt32LE(28, 24);
  return shb;
}

export interface SynthProcess {
  pid: number;
  comm: Buffer | string;
  exe: string;
  /** NUL-separated */
  args?: string;
  cwd?: string;
  env?: string;
  cgroups?: string;
}

/** a v9 process list block with one process (its main thread) */
export function procBlock(p: SynthProcess): Buffer {
  const { pid } = p;
  const thread = Buffer.concat([
    i64(pid), i64(pid), i64(1), i64(pid), i64(pid),
    lstr(p.comm), lstr(p.exe.split('/').pop()!), lstr(p.exe), lstr(p.args ?? ''), lstr(p.cwd ?? '/'),
    i64(1024), u32(0), u32(0), u32(0), u32(0), u32(0), u32(0), i64(0), i64(0), lstr(p.env ?? ''), i64(pid), i64(pid),
    lstr(p.cgroups ?? ''), lstr('/'),
  ]);
  return scapBlock(0x215, Buffer.concat([u32(thread.length + 4), thread]));
}

/** an fd list block (v1): regular files under the given fd numbers */
export function fdBlock(tid: number, files: Record<number, string>): Buffer {
  const entries = Object.entries(files).map(([fd, name]) => Buffer.concat([i64(Number(fd)), i64(1000 + Number(fd)), Buffer.from([1]), lstr(name)]));
  return scapBlock(0x203, Buffer.concat([i64(tid), ...entries]));
}
