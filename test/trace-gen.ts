// Builds small .scap captures for the UI tests and benchmarks, block by block (format: see
// src/scap/reader.ts): a section header, a v9 process list, fd lists, then write/read events.
// Deterministic: fixed timestamps, pids and data.
import * as fs from 'node:fs';

export const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0, 0); return b; };
export const i64 = (v: number): Buffer => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v), 0); return b; };
const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(v, 0); return b; };
export const str = (s: Buffer): Buffer => Buffer.concat([Buffer.from([s.length & 0xff, s.length >> 8]), s]);

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

export function sectionHeader(): Buffer {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0); shb.writeUInt32LE(28, 4); shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12); shb.writeUInt16LE(2, 14); shb.writeBigInt64LE(-1n, 16); shb.writeUInt32LE(28, 24);
  return shb;
}

/** a v9 process list block with one process (its main thread) */
export function procBlock(pid: number, comm: Buffer, exe: string, args = ''): Buffer {
  const thread = Buffer.concat([
    i64(pid), i64(pid), i64(1), i64(pid), i64(pid),
    str(comm), str(Buffer.from(exe.split('/').pop()!)), str(Buffer.from(exe)), str(Buffer.from(args)), str(Buffer.from('/')),
    i64(1024), u32(0), u32(0), u32(0), u32(0), u32(0), u32(0), i64(0), i64(0), str(Buffer.alloc(0)), i64(pid), i64(pid), str(Buffer.alloc(0)), str(Buffer.from('/')),
  ]);
  return scapBlock(0x215, Buffer.concat([u32(thread.length + 4), thread]));
}

/** an fd list block (v1): regular files under the given fd numbers */
export function fdBlock(tid: number, files: Record<number, string>): Buffer {
  const entries = Object.entries(files).map(([fd, name]) => Buffer.concat([i64(Number(fd)), i64(1000 + Number(fd)), Buffer.from([1]), u16(name.length), Buffer.from(name)]));
  return scapBlock(0x203, Buffer.concat([i64(tid), ...entries]));
}

export const T0 = 1700000000n * 1000000000n;
export const WRITE_E = 8;
export const WRITE_X = 9;

/**
 * A capture `secs` long where `procs` processes (pids 1001…) each write a line to their log file
 * (fd 3, /var/log/app-N.log) `perSec` times a second. About 160 bytes per event.
 */
export function writeBusyTrace(file: string, o: { secs: number; procs: number; perSec: number }): void {
  const out = fs.openSync(file, 'w');
  try {
    const head = [sectionHeader()];
    for (let p = 0; p < o.procs; p++) head.push(procBlock(1001 + p, Buffer.from(`app${p}`), `/usr/bin/app${p}`, `--id\0${p}`));
    for (let p = 0; p < o.procs; p++) head.push(fdBlock(1001 + p, { 3: `/var/log/app-${p}.log` }));
    fs.writeSync(out, Buffer.concat(head));
    const stepNs = BigInt(Math.round(1e9 / o.perSec));
    for (let s = 0; s < o.secs; s++) {
      const blocks: Buffer[] = [];
      for (let k = 0; k < o.perSec; k++) {
        const t = T0 + BigInt(s) * 1000000000n + BigInt(k) * stepNs;
        for (let p = 0; p < o.procs; p++) {
          const data = Buffer.from(`${s}.${k} app${p} handled request ${(s * o.perSec + k) * o.procs + p} in ${1 + ((k * 7 + p) % 90)} ms: ok; upstream=10.0.0.${p + 1}:8080 bytes=${(k * 131 + p) % 9000}\n`);
          blocks.push(scapEvent(t + BigInt(p * 1000), 1001 + p, WRITE_E, [i64(3), u32(data.length)]));
          blocks.push(scapEvent(t + BigInt(p * 1000 + 500), 1001 + p, WRITE_X, [i64(data.length), data]));
        }
      }
      fs.writeSync(out, Buffer.concat(blocks));
    }
  } finally {
    fs.closeSync(out);
  }
}
