// Little-endian integers read by hand from a byte array whose bounds the caller has checked: no
// Buffer.read* argument validation on the per-event path. `>>> 0` makes an unsigned 32-bit value
// the JIT knows as such; the older `(…) + b3 * 16777216` is speculated as int32 and deoptimizes
// its compiled caller the first time a value has its top bit set.

/** unsigned 32-bit value at b[o..o+4) */
export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** signed 32-bit value at b[o..o+4) (also the bits of an unsigned one, as an int32) */
export function i32le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

/**
 * Lowercase hex of the unsigned 64-bit value at b[o..o+8), no leading zeros (BigInt#toString(16)'s
 * text) from its two 32-bit halves: no BigInt made per unix socket of a process table.
 */
export function u64hex(b: Uint8Array, o: number): string {
  const lo = u32le(b, o);
  const hi = u32le(b, o + 4);
  return hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
}
