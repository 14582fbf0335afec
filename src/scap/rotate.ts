// File rotation for -w: -C (size, millions of bytes), -G (seconds of event time), -e (events), and
// -W (keep at most N files: a ring that reuses the names). File names follow sysdig's cycle
// writer: with -C the base name gets an index zero-padded to the digits of -W (`out.scap0`,
// `out.scap1`… or `out.scap00`… with -W 10); with -G or -e it gets a plain index; with -G and a
// `%` in the name, the name is an strftime pattern of the rotation time.
//
// Safety rule: a rotating capture only overwrites files it created itself. Each file is opened
// with O_EXCL the first time; a name that already exists and was not created by this capture is
// an error, never silently clobbered. When the ring comes back to one of its own files, that
// file is truncated and rewritten.
import * as fs from 'node:fs';
import { ScapWriter, WriteError, WriterOptions } from './writer';

export interface RotateOpts {
  /** -C: millions of bytes per file (0: off) */
  sizeMb: number;
  /** -G: seconds per file (0: off) */
  seconds: number;
  /** -e: events per file (0: off) */
  events: number;
  /** -W: number of files in the ring (0: unlimited) */
  limit: number;
}

export const rotationActive = (o: RotateOpts): boolean => o.sizeMb > 0 || o.seconds > 0 || o.events > 0;

/** Minimal strftime for -G name patterns: %Y %m %d %H %M %S %s %j %y %%, local time. */
export function strftime(pattern: string, d: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return pattern.replace(/%([YmdHMSsjy%])/g, (_, c: string) => {
    switch (c) {
      case 'Y': return String(d.getFullYear());
      case 'y': return p2(d.getFullYear() % 100);
      case 'm': return p2(d.getMonth() + 1);
      case 'd': return p2(d.getDate());
      case 'H': return p2(d.getHours());
      case 'M': return p2(d.getMinutes());
      case 'S': return p2(d.getSeconds());
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'j': {
        const start = new Date(d.getFullYear(), 0, 1);
        return String(Math.floor((d.getTime() - start.getTime()) / 86400000) + 1).padStart(3, '0');
      }
      default: return '%';
    }
  });
}

/** The name of file number `index` (0-based, already wrapped by the ring), sysdig style. */
export function rotatedName(base: string, o: RotateOpts, index: number, whenMs: number): string {
  if (!rotationActive(o)) return base;
  if (o.sizeMb > 0) {
    const digits = o.limit > 0 ? String(o.limit).length : 0;
    return base + String(index).padStart(digits, '0');
  }
  if (o.seconds > 0 && base.includes('%')) return strftime(base, new Date(whenMs));
  return base + String(index);
}

/**
 * Decides when to move to the next file and opens it. `onOpen` writes the section header and
 * metadata of each new file (from the state as of that moment).
 */
export class RotatingOutput {
  current: ScapWriter | null = null;
  /** every file this capture has created, in order (ring reuses keep their first position) */
  readonly created: string[] = [];
  private readonly createdSet = new Set<string>();
  /** the names in the ring, by slot: used to delete strftime-named files that fall out of it */
  private readonly slots: string[] = [];
  private index = 0;
  private fileEvents = 0;
  private fileStartSec = -1;
  /** bytes and events over all files */
  totalBytes = 0;
  totalEvents = 0;
  /** event blocks written but lost to a failed write (cut off to keep the file readable) */
  lostEvents = 0;

  constructor(
    readonly base: string,
    readonly rot: RotateOpts,
    private readonly wopts: WriterOptions,
    private readonly onOpen: (w: ScapWriter) => void,
  ) {}

  get active(): boolean {
    return rotationActive(this.rot);
  }

  get currentName(): string {
    return this.current?.path ?? '';
  }

  /** Before an event with timestamp tsSec is written: true when a new file must be started. */
  due(tsSec: number): boolean {
    const w = this.current;
    if (!w) return true;
    if (!this.active) return false;
    const r = this.rot;
    if (r.sizeMb > 0 && w.fileBytes > r.sizeMb * 1e6) return true;
    if (r.events > 0 && this.fileEvents >= r.events) return true;
    if (r.seconds > 0 && this.fileStartSec >= 0 && tsSec - this.fileStartSec >= r.seconds) return true;
    return false;
  }

  /** Closes the current file (if any) and opens the next one; whenMs names -G files. */
  next(tsSec: number, whenMs: number): ScapWriter {
    this.closeCurrent();
    if (this.rot.limit > 0 && this.index >= this.rot.limit) this.index = 0;
    const name = rotatedName(this.base, this.rot, this.index, whenMs);
    const old = this.slots[this.index];
    if (old !== undefined && old !== name && this.createdSet.has(old)) {
      // the ring drops the file that held this slot (strftime names differ each time)
      try {
        fs.unlinkSync(old);
      } catch {
        /* already gone */
      }
    }
    const ours = this.createdSet.has(name);
    let w: ScapWriter;
    try {
      w = ScapWriter.open(name, { ...this.wopts, exclusive: this.active && !ours });
    } catch (e) {
      if (e instanceof WriteError && e.code === 'EEXIST') {
        throw new WriteError(`file exists and was not created by this capture; refusing to overwrite it (remove it or choose another -w name)`, name, 'EEXIST');
      }
      throw e;
    }
    if (!ours) {
      this.createdSet.add(name);
      this.created.push(name);
    }
    this.slots[this.index] = name;
    this.index++;
    this.current = w;
    this.fileEvents = 0;
    this.fileStartSec = tsSec;
    this.onOpen(w);
    return w;
  }

  /** Counts an event written to the current file. */
  counted(): void {
    this.fileEvents++;
    this.totalEvents++;
  }

  private closeCurrent(): void {
    const w = this.current;
    if (!w) return;
    this.current = null;
    try {
      w.close();
    } finally {
      this.totalBytes += w.fileBytes;
      this.lostEvents += w.events - w.eventsCommitted;
    }
  }

  /** Flushes and closes the current file; idempotent. */
  close(): void {
    this.closeCurrent();
  }

  /** Bytes written so far, the open file included. */
  get bytes(): number {
    return this.totalBytes + (this.current?.fileBytes ?? 0);
  }
}
