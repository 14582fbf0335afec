// Buffered output: lines are appended to a string and written in large chunks with one write(2)
// per ~256 KB, instead of sysdig's one write per line. Strings are latin1 byte strings, written
// back byte for byte. A closed pipe (tsdig | head) ends the program quietly.
import * as fs from 'node:fs';

/** Node's Buffer has an undocumented but stable latin1Write (what buf.write(s, off, 'latin1') calls) */
type LatinBuf = Buffer & { latin1Write(s: string, off: number): number };

export class OutWriter {
  private readonly buf: Buffer;
  private off = 0;
  private closed = false;
  /** limit 0 = flush after every write (--unbuffered) */
  constructor(private readonly fd = 1, private readonly limit = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(limit, 64 * 1024));
  }

  write(s: string): void {
    if (this.off + s.length > this.buf.length) this.flush();
    if (s.length > this.buf.length) {
      this.writeAll(Buffer.from(s, 'latin1'));
      return;
    }
    // strings are latin1 byte strings: one byte per char, written straight into the batch
    this.off += (this.buf as LatinBuf).latin1Write(s, this.off);
    if (this.limit === 0) this.flush();
  }

  flush(): void {
    if (this.off === 0 || this.closed) {
      this.off = 0;
      return;
    }
    const n = this.off;
    this.off = 0;
    this.writeAll(this.buf.subarray(0, n));
  }

  private writeAll(data: Buffer): void {
    let off = 0;
    while (off < data.length) {
      try {
        off += fs.writeSync(this.fd, data, off, data.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          continue;
        }
        if (code === 'EPIPE') {
          this.closed = true;
          throw new PipeClosed();
        }
        throw e;
      }
    }
  }
}

export class PipeClosed extends Error {
  constructor() {
    super('output closed');
  }
}
