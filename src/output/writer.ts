// Buffered output: lines are appended to a string and written in large chunks with one write(2)
// per ~256 KB, instead of sysdig's one write per line. Strings are latin1 byte strings, written
// back byte for byte. A closed pipe (tsdig | head) ends the program quietly.
import * as fs from 'node:fs';

export class OutWriter {
  private buf = '';
  private closed = false;
  constructor(private readonly fd = 1, private readonly limit = 256 * 1024) {}

  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= this.limit) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0 || this.closed) {
      this.buf = '';
      return;
    }
    const data = Buffer.from(this.buf, 'latin1');
    this.buf = '';
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
