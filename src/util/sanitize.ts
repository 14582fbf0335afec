/** Removes every byte that is not printable ASCII (sinsp's sanitize_string). */
export function sanitize(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return s.replace(/[^\x20-\x7e]/g, '');
  }
  return s;
}

type Latin1Buf = Buffer & { latin1Slice(start: number, end: number): string };

/** buf.toString('latin1', s, e) without the encoding dispatch (Node's own fast path) */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as Latin1Buf).latin1Slice(start, end);
}

/** A NUL-separated list (process-list args, env, cgroups) as its entries; a trailing NUL ends the last. */
export function nulList(v: string | { buf: Buffer; start: number; end: number }): string[] {
  const s = typeof v === 'string' ? v : latin1(v.buf, v.start, v.end);
  if (s === '') return [];
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
