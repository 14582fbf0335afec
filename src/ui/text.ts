// Text of the dig (F6) and echo (F5) screens, one event at a time (textview.ts feeds the events:
// a replay job over the shown interval, or the live capture). Every line is escaped: captured
// bytes never reach the terminal as control characters. Echo keeps each I/O buffer (a copy, up
// to 16 KiB) so the screen can switch between ASCII and a hex dump.
import { fieldRegistry } from '../fields';
import { EventCtx } from '../fields/context';
import { Formatter, DEFAULT_FORMAT } from '../output/formatter';
import { EF, PT } from '../events/table';
import { safeText } from '../snapshot/format';

/** most bytes of one I/O buffer kept for echo */
const CHUNK_MAX = 16 * 1024;

/** Dig: the event formatted as `tsdig -r` prints it (escaped), or null when it prints nothing. */
export function digFormatter(): (c: EventCtx) => string | null {
  const fmt = new Formatter(DEFAULT_FORMAT, fieldRegistry());
  return (c) => {
    const l = fmt.format(c);
    return l === null ? null : safeText(l);
  };
}

export interface EchoChunk {
  /** "------ Read 6B from /etc/hostname (cat)", escaped */
  head: string;
  data: Buffer;
}

/** true for a read/write exit: cheap check before the filter */
export function isIo(c: EventCtx): boolean {
  const e = c.e;
  return e.dir === 1 && (e.info.flags & (EF.READS_FROM_FD | EF.WRITES_TO_FD)) !== 0;
}

function dataBuffer(c: EventCtx): Buffer | undefined {
  const e = c.e;
  const params = e.info.params;
  for (let i = 0; i < e.paramCount; i++) if (params[i]!.type === PT.BYTEBUF && params[i]!.name === 'data') return e.bytes(i);
  return undefined;
}

/** Echo: the I/O buffer of a read/write exit (copied), or null. */
export function echoChunk(c: EventCtx): EchoChunk | null {
  const e = c.e;
  if (!isIo(c)) return null;
  const b = dataBuffer(c);
  const res = e.paramCount > 0 ? e.int(0) ?? -1 : -1;
  if (!b || b.length === 0 || res < 0) return null;
  const verb = (e.info.flags & EF.READS_FROM_FD) ? 'Read' : 'Write';
  const name = c.s.fd?.name ?? '';
  return { head: safeText(`------ ${verb} ${res}B from ${name} (${c.s.thread?.comm ?? '?'})`), data: Buffer.from(b.subarray(0, CHUNK_MAX)) };
}

export function chunkLines(ch: EchoChunk, hex: boolean): string[] {
  return [ch.head, ...(hex ? hexLines(ch.data) : escapeBufferLines(ch.data))];
}

/** Printable ASCII kept, newlines split lines, every other byte shown as '.'. */
export function escapeBufferLines(b: Buffer): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < b.length; i++) {
    const x = b[i]!;
    if (x === 10) {
      out.push(cur);
      cur = '';
    } else if (x === 13) {
      continue;
    } else cur += x >= 0x20 && x <= 0x7e ? String.fromCharCode(x) : '.';
  }
  if (cur) out.push(cur);
  return out;
}

/** 16 bytes a line, as sysdig -X prints them: offset, hex in pairs, then the printable ASCII. */
export function hexLines(b: Buffer): string[] {
  const out: string[] = [];
  for (let off = 0; off < b.length; off += 16) {
    const row = b.subarray(off, off + 16);
    let hex = '';
    let asc = '';
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        hex += row[i]!.toString(16).padStart(2, '0');
        asc += row[i]! >= 0x20 && row[i]! <= 0x7e ? String.fromCharCode(row[i]!) : '.';
      } else hex += '  ';
      if (i % 2 === 1) hex += ' ';
    }
    out.push(`0x${off.toString(16).padStart(4, '0')}:  ${hex} ${asc}`);
  }
  return out;
}
