// Address text forms, as inet_ntop writes them (sysdig prints addresses through inet_ntop).

export function ipv4Str(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** IPv4 from a u32 as stored in memory (network byte order in the low bytes). */
export function ipv4FromU32(v: number): string {
  return `${v & 255}.${(v >>> 8) & 255}.${(v >>> 16) & 255}.${v >>> 24}`;
}

export function ipv6Str(b: Buffer, o: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(o + 2 * i));
  // inet_ntop prints ::ffff:a.b.c.d for v4-mapped and ::a.b.c.d for v4-compatible (but not :: or ::1)
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && (w[5] === 0xffff || (w[5] === 0 && (w[6] !== 0 || w[7]! > 1)))) {
    return (w[5] === 0xffff ? '::ffff:' : '::') + ipv4Str(b, o + 12);
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += w[i]!.toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

/** True if the 16 bytes at o are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isV4Mapped(b: Buffer, o: number): boolean {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  return b[o + 10] === 0xff && b[o + 11] === 0xff;
}

/** Parses an IPv4 or IPv6 text address to 16 bytes (v4 as v4-mapped). undefined if invalid. */
export function parseIp(s: string): Buffer | undefined {
  const m4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  const out = Buffer.alloc(16);
  if (m4) {
    out[10] = 0xff; out[11] = 0xff;
    for (let i = 0; i < 4; i++) {
      const v = Number(m4[i + 1]);
      if (v > 255) return undefined;
      out[12 + i] = v;
    }
    return out;
  }
  if (!s.includes(':')) return undefined;
  let tail4: Buffer | undefined;
  let str = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseIp(s.slice(lastColon + 1));
    if (!tail4) return undefined;
    str = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const a = parse(halves[0]!);
  const b = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - a.length - b.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const words = [...a, ...new Array(halves.length === 2 ? fill : 0).fill('0'), ...b];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(words[i]!)) return undefined;
    out.writeUInt16BE(parseInt(words[i]!, 16), 2 * i);
  }
  if (tail4) tail4.copy(out, 12, 12, 16);
  return out;
}

/** "::ffff:a.b.c.d" text form of a v4-mapped address */
export function isV4MappedText(s: string): boolean {
  return s.startsWith('::ffff:') && s.includes('.');
}

/** sinsp's is_ipv4_mapped_ipv6: a v4-mapped address, or the all-zero one */
export function mappedOrAny(b: Buffer, o: number): boolean {
  if (isV4Mapped(b, o)) return true;
  for (let i = 0; i < 16; i++) if (b[o + i] !== 0) return false;
  return true;
}
