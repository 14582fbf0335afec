// Several captures read as one stream, merged by event time (`tsdig -r a.scap -r b.scap`, e.g.
// from different hosts). Each file keeps its own sink (its own state engine: pids, fds and users
// are per host); events are delivered in timestamp order across files (ties: the earlier -r),
// numbered 1, 2, 3… across the merge. Metadata blocks (a new section's tables) reach a file's sink
// in file order, right before that file's next event, never ahead of events still queued.
//
// Each file is parsed a chunk at a time into a queue of events that point into the chunk (chunks
// are never reused, so nothing is copied); a file is read further only when its queue is empty.
// A damaged file stops the merge with its error once every event before the damage was delivered.
import * as fs from 'node:fs';
import { ScapEvent } from '../events/event';
import { ScapParser, ioMessage, isGzipFd, openCaptureStream, readCapture } from './reader';
import { CaptureSink, ScapError } from './types';

const CHUNK = 1 << 20;

export interface MergeInput {
  file: string;
  sink: CaptureSink;
}

class Source {
  readonly parser: ScapParser;
  // queued items, flat: buffer (or a metadata call), then offset/hdr/cpu/flags/nparams/fileOffset/ts
  private bufs: (Buffer | (() => void))[] = [];
  private nums: number[] = [];
  private head = 0;
  ended = false;
  error: unknown = null;
  private fd = -1;
  private stream: AsyncIterator<Buffer> | null = null;

  constructor(readonly index: number, readonly file: string, readonly sink: CaptureSink) {
    const q = (fn: () => void) => {
      this.bufs.push(fn);
      this.nums.push(0, 0, 0, 0, 0, 0, 0);
    };
    this.parser = new ScapParser({
      onSection: (a, b) => q(() => sink.onSection(a, b)),
      onMachineInfo: (mi) => q(() => sink.onMachineInfo(mi)),
      onThread: (t) => q(() => sink.onThread(t)),
      onFds: (tid, fds) => q(() => sink.onFds(tid, fds)),
      onInterfaces: (l) => q(() => sink.onInterfaces(l)),
      onUsers: (u, g) => q(() => sink.onUsers(u, g)),
      onEvent: (e) => {
        this.bufs.push(e.buf);
        this.nums.push(e.off, e.hdr, e.cpu, e.dumpFlags, e.nparams, e.fileOffset, e.tsNum);
      },
    }, file);
  }

  open(): void {
    try {
      this.fd = fs.openSync(this.file, 'r');
      if (fs.fstatSync(this.fd).isDirectory()) throw new ScapError('is a directory', this.file, 0);
      if (isGzipFd(this.fd)) {
        fs.closeSync(this.fd);
        this.fd = -1;
        this.stream = (openCaptureStream(this.file, CHUNK) as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      }
    } catch (e) {
      this.close();
      throw e instanceof ScapError ? e : new ScapError(ioMessage(e), this.file, 0);
    }
  }

  get empty(): boolean {
    return this.head >= this.bufs.length;
  }

  /** timestamp of the queued event at the head (call when not empty and the head is an event) */
  get headTs(): number {
    return this.nums[7 * this.head + 6]!;
  }

  /** Runs queued metadata calls at the head; true when an event is at the head. */
  applyMeta(): boolean {
    while (this.head < this.bufs.length) {
      const b = this.bufs[this.head]!;
      if (b instanceof Buffer) return true;
      this.head++;
      (b as () => void)();
    }
    return false;
  }

  /** Points `ev` at the head event and drops it from the queue. */
  take(ev: ScapEvent): void {
    const h = this.head++;
    const n = this.nums;
    const k = 7 * h;
    ev.set(this.bufs[h] as Buffer, n[k]!, n[k + 1]!, n[k + 2]!, n[k + 3]!, n[k + 1] === 26 ? -1 : n[k + 4]!);
    ev.fileOffset = n[k + 5]!;
    if (this.head >= this.bufs.length) {
      this.bufs = [];
      this.nums = [];
      this.head = 0;
    }
  }

  /** Reads and parses the next chunk; returns bytes read (0 at the end). */
  async fill(): Promise<number> {
    if (this.ended) return 0;
    try {
      let chunk: Buffer | null = null;
      if (this.stream) {
        const r = await this.stream.next();
        chunk = r.done ? null : r.value;
      } else {
        const buf = Buffer.allocUnsafe(CHUNK);
        const n = fs.readSync(this.fd, buf, 0, CHUNK, null);
        chunk = n > 0 ? buf.subarray(0, n) : null;
      }
      if (!chunk) {
        this.ended = true;
        this.close();
        this.parser.end();
        return 0;
      }
      this.parser.push(chunk);
      return chunk.length;
    } catch (e) {
      this.ended = true;
      this.close();
      this.error = e instanceof ScapError ? e : new ScapError(ioMessage(e), this.file, this.parser.stats.bytes);
      return 0;
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    const s = this.stream as unknown as { return?: () => void } | null;
    s?.return?.();
    this.stream = null;
  }
}

/**
 * Reads `inputs` merged by event time into their sinks. Stops when a sink returns false from
 * onEvent or `stop()` says so; rejects with the ScapError of a damaged file after delivering
 * every event before the damage.
 */
export async function readMerged(inputs: readonly MergeInput[], stop?: () => boolean): Promise<void> {
  const srcs = inputs.map((x, i) => new Source(i, x.file, x.sink));
  try {
    for (const s of srcs) s.open();
    const ev = new ScapEvent();
    let num = 0;
    let sinceYield = 0;
    const live = srcs.slice();
    for (;;) {
      // every file with events left has one at its head (or has ended)
      for (let i = 0; i < live.length; i++) {
        const s = live[i]!;
        while (!s.applyMeta()) {
          if (s.ended) break;
          sinceYield += await s.fill();
        }
        if (s.empty && s.ended) {
          if (s.error) throw s.error;
          live.splice(i--, 1);
        }
      }
      if (!live.length) return;
      let best = live[0]!;
      for (let i = 1; i < live.length; i++) if (live[i]!.headTs < best.headTs) best = live[i]!;
      best.take(ev);
      ev.num = ++num;
      if (best.sink.onEvent(ev) === false || stop?.()) return;
      if (sinceYield >= 16 << 20) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
        if (stop?.()) return;
      }
    }
  } finally {
    for (const s of srcs) s.close();
  }
}

/** The hostname in each capture's machine info ('' when it has none), read from its first blocks. */
export async function captureHosts(files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    let h = '';
    const n = () => {};
    try {
      await readCapture(f, { onSection: n, onThread: n, onFds: n, onInterfaces: n, onUsers: n, onMachineInfo: (mi) => { h ||= mi.hostname; }, onEvent: () => false });
    } catch {
      // damaged or missing: the replay itself reports it
    }
    out.push(h);
  }
  return out;
}

