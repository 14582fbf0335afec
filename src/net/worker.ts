// Capture child: opens one interface with `cap` and streams its packets to the parent on fd 1.
// One process per interface because cap's poll callback asserts (aborting the whole process) when
// its socket reports an error, which is what happens when a veth goes down as its container stops.
//
// Stream format, little endian, records back to back:
//   u32 caplen | u32 flags (bit 0: truncated, bit 31: control record with a JSON payload) | u32 sec | u32 nsec | bytes
// The first record is a control record: {"ok":true,"linktype":"ETHERNET"} or {"ok":false,"error":"…"}.
// Timestamps are taken in the packet callback (cap does not pass libpcap's), from the wall clock.
// argv: device, filter ('' for none), kernel buffer size in bytes.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const HDR = 16;
const CONTROL = 0x80000000;
const out = Buffer.allocUnsafe(1 << 20);
let pos = 0;
let scheduled = false;

function flush(): void {
  scheduled = false;
  let done = 0;
  while (done < pos) {
    try {
      done += fs.writeSync(1, out, done, pos - done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      process.exit(0); // parent went away
    }
  }
  pos = 0;
}

function control(obj: unknown): void {
  const body = Buffer.from(JSON.stringify(obj));
  if (pos + HDR + body.length > out.length) flush();
  out.writeUInt32LE(body.length, pos);
  out.writeUInt32LE(CONTROL, pos + 4);
  out.writeUInt32LE(0, pos + 8);
  out.writeUInt32LE(0, pos + 12);
  body.copy(out, pos + HDR);
  pos += HDR + body.length;
  flush();
}

function main(): void {
  const [dev, filter = '', bufArg = ''] = process.argv.slice(2);
  const bufSize = Number(bufArg) || 8 << 20;
  let capmod: typeof import('cap');
  try {
    capmod = require('cap') as typeof import('cap');
  } catch (e) {
    control({ ok: false, error: `cannot load the cap module (libpcap): ${(e as Error).message}` });
    process.exit(3);
  }
  const c = new capmod.Cap();
  const pkt = Buffer.alloc(65536);
  let linktype: string;
  try {
    linktype = c.open(dev!, filter, bufSize, pkt);
  } catch (e) {
    control({ ok: false, error: (e as Error).message });
    process.exit(2);
  }
  control({ ok: true, linktype });
  const origin = performance.timeOrigin;
  c.on('packet', (nbytes: number, truncated: boolean) => {
    const ms = origin + performance.now();
    const sec = Math.floor(ms / 1000);
    const nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
    if (pos + HDR + nbytes > out.length) flush();
    out.writeUInt32LE(nbytes, pos);
    out.writeUInt32LE(truncated ? 1 : 0, pos + 4);
    out.writeUInt32LE(sec, pos + 8);
    out.writeUInt32LE(nsec, pos + 12);
    pkt.copy(out, pos + HDR, 0, nbytes);
    pos += HDR + nbytes;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  const stop = (): void => {
    try {
      c.close();
    } catch {
      /* already closed */
    }
    flush();
    process.exit(0);
  };
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => undefined); // the parent decides when to stop
}

main();
