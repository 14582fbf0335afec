// Builds small .scap captures for the UI tests and benchmarks from src/scap/synth.ts's blocks: a
// section header, a v9 process list, fd lists, then write/read events.
// Deterministic: fixed timestamps, pids and data.
import * as fs from 'node:fs';

import { fdBlock, i64, lstr, procBlock as synthProc, scapBlock, scapEvent, sectionHeader, u32 } from '../src/scap/synth';

export { fdBlock, i64, scapBlock, scapEvent, sectionHeader, u32 };
export const str = (s: Buffer): Buffer => lstr(s);

/** a v9 process list block with one process (its main thread) */
export function procBlock(pid: number, comm: Buffer, exe: string, args = ''): Buffer {
  return synthProc({ pid, comm, exe, args });
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
