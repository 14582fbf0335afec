// Data buffers as sysdig renders them: dotted ASCII (default), -A (printable + line breaks),
// -x/-X hex dumps, -b base64. Every form maps control bytes to '.' or drops them, so a traced
// process cannot put escape sequences on the terminal through a buffer.

export type BufFormat = 'normal' | 'ascii' | 'hex' | 'hexascii' | 'base64' | 'json';

const isPrint = (c: number) => c >= 0x20 && c <= 0x7e;
let scratch = Buffer.allocUnsafe(4096);

/**
 * Renders a buffer. `limit` > 0 applies sysdig's cut for the default format only: a rendering
 * longer than `limit` keeps limit-3 chars followed by "...".
 */
export function escapeBuffer(b: Buffer, fmt: BufFormat, limit: number): string {
  if (b.length === 0) return '';
  switch (fmt) {
    case 'base64':
      return b.toString('base64');
    case 'hex':
      return hexDump(b, false);
    case 'hexascii':
      return hexDump(b, true);
    case 'ascii':
      return eols(b);
    default: {
      // one rendered char per byte: render only what survives the cut, through a scratch buffer
      const cut = fmt === 'normal' && limit > 0 && b.length > limit;
      const n = cut ? limit - 3 : b.length;
      if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
      for (let i = 0; i < n; i++) {
        const c = b[i]!;
        scratch[i] = c >= 0x20 && c <= 0x7e ? c : 0x2e;
      }
      const s = scratch.toString('latin1', 0, n);
      return cut ? s + '...' : s;
    }
  }
}

/** The default rendering of escapeBuffer (fmt 'normal'), written straight into the output. */
export function writeEscapedBuffer(out: { bytesMapped(b: Uint8Array, start: number, n: number): void; str(s: string): void }, b: Uint8Array, start: number, len: number, limit: number): void {
  if (len === 0) return;
  const cut = limit > 0 && len > limit;
  out.bytesMapped(b, start, cut ? limit - 3 : len);
  if (cut) out.str('...');
}

/** -A: printable bytes, CR and LF as line breaks; other bytes dropped. */
function eols(b: Buffer): string {
  let s = '\n';
  for (let j = 0; j < b.length; j++) {
    const c = b[j]!;
    if (isPrint(c)) s += String.fromCharCode(c);
    else if (c === 0x0d) s += '\n';
    else if (c === 0x0a) {
      if (j > 0 && b[j - 1] !== 0x0d) s += '\n';
    }
  }
  return s;
}

function hex2(c: number): string {
  return (c < 16 ? '0' : '') + c.toString(16);
}

/** -x / -X: rows of 16 bytes, "\n\t0xOFFS:" then 2-byte groups, optional ASCII column. */
function hexDump(b: Buffer, ascii: boolean): string {
  let s = '';
  const n = b.length;
  for (let j = 0; j < n; j += 16) {
    s += '\n\t0x' + j.toString(16).padStart(4, '0') + ':';
    const end = Math.min(j + 16, n);
    let chunks = 0;
    for (let k = j; k < end; k += 2) {
      s += ' ' + hex2(b[k]!) + (k + 1 < end ? hex2(b[k + 1]!) : '');
      chunks++;
    }
    if (ascii) {
      for (; chunks < 8; chunks++) s += '     ';
      s += '  ';
      for (let k = j; k < end; k++) s += isPrint(b[k]!) ? String.fromCharCode(b[k]!) : '.';
    }
  }
  return s + '\n';
}
