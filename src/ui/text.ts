// Text for the dig (F6) and echo (F5) screens, produced by a separate pass over the capture.
// Every line is escaped: captured bytes never reach the terminal as control characters.
import { fieldRegistry } from '../fields';
import { EventCtx } from '../fields/context';
import { compileFilter } from '../filter';
import { Formatter, DEFAULT_FORMAT } from '../output/formatter';
import { EF, PT } from '../events/table';
import { replayFiles } from '../snapshot/collect';
import { viewRegistry } from '../snapshot/fields';
import { safeText } from '../snapshot/format';

export interface TextResult {
  lines: string[];
  truncated: boolean;
}

const MAX_LINES = 5000;

/** Events of the selection, formatted like `tsdig -r` prints them. */
export async function digLines(files: readonly string[], filter: string, range?: { from: number; to: number }): Promise<TextResult> {
  const f = filter ? compileFilter<EventCtx>(filter, viewRegistry()) : null;
  const fmt = new Formatter(DEFAULT_FORMAT, fieldRegistry());
  const lines: string[] = [];
  let truncated = false;
  await replayFiles(files, (c) => {
    if (range && (c.e.tsNum < range.from || c.e.tsNum > range.to)) return;
    if (f && !f.test(c)) return;
    const l = fmt.format(c);
    if (l === null) return;
    if (lines.length >= MAX_LINES) {
      truncated = true;
      return false;
    }
    lines.push(safeText(l));
  });
  return { lines, truncated };
}

function dataBuffer(c: EventCtx): Buffer | undefined {
  const e = c.e;
  const params = e.info.params;
  for (let i = 0; i < e.paramCount; i++) if (params[i]!.type === PT.BYTEBUF && params[i]!.name === 'data') return e.bytes(i);
  return undefined;
}

/** I/O buffers read and written by the selection: a header per chunk, then its printable text. */
export async function echoLines(files: readonly string[], filter: string, range?: { from: number; to: number }): Promise<TextResult> {
  const f = filter ? compileFilter<EventCtx>(filter, viewRegistry()) : null;
  const lines: string[] = [];
  let truncated = false;
  await replayFiles(files, (c) => {
    const e = c.e;
    if (e.dir !== 1 || (e.info.flags & (EF.READS_FROM_FD | EF.WRITES_TO_FD)) === 0) return;
    if (range && (e.tsNum < range.from || e.tsNum > range.to)) return;
    if (f && !f.test(c)) return;
    const b = dataBuffer(c);
    const res = e.paramCount > 0 ? e.int(0) ?? -1 : -1;
    if (!b || b.length === 0 || res < 0) return;
    if (lines.length >= MAX_LINES) {
      truncated = true;
      return false;
    }
    const verb = (e.info.flags & EF.READS_FROM_FD) ? 'Read' : 'Write';
    const name = c.s.fd?.name ?? '';
    lines.push(safeText(`------ ${verb} ${res}B from ${name} (${c.s.thread?.comm ?? '?'})`));
    for (const l of escapeBufferLines(b)) lines.push(l);
  });
  return { lines, truncated };
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
