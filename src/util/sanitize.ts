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
