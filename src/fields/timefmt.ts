// Timestamp text forms. The wall-clock part is cached per second so printing a million events
// does not build a million Date objects.

let cacheSec = -1;
let cacheStr = '';
let cacheDateStr = '';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function fill(sec: number): void {
  if (sec === cacheSec) return;
  const d = new Date(sec * 1000);
  cacheSec = sec;
  cacheStr = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  cacheDateStr = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/**
 * Splits a (hi, lo) u64 ns timestamp into exact seconds and nanoseconds without BigInt:
 * hi*2^32 = hi*4e9 + hi*294967296, and hi*294967296 is split again over hi's 16-bit halves so
 * every partial product stays below 2^53.
 */
const split: [number, number] = [0, 0];
export function splitTs(hi: number, lo: number): [number, number] {
  const hh = Math.floor(hi / 65536);
  const hl = hi - hh * 65536;
  // 2^16 * 294967296 = 19330 * 1e9 + 976710656
  const rest = hh * 976710656 + hl * 294967296 + lo;
  const q = Math.floor(rest / 1e9);
  split[0] = 4 * hi + hh * 19330 + q;
  split[1] = rest - q * 1e9;
  return split;
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000'];
export function ns9(n: number): string {
  const s = String(n);
  return s.length >= 9 ? s : ZEROS[9 - s.length] + s;
}

/** HH:MM:SS.nnnnnnnnn in local time (evt.time) */
export function timeOfDay(hi: number, lo: number, withNs = true): string {
  const [sec, ns] = splitTs(hi, lo);
  fill(sec);
  return withNs ? cacheStr + '.' + ns9(ns) : cacheStr;
}

/** YYYY-MM-DD HH:MM:SS.nnnnnnnnn in local time (evt.datetime) */
export function dateTime(hi: number, lo: number, withNs = true): string {
  const [sec, ns] = splitTs(hi, lo);
  fill(sec);
  return cacheDateStr + ' ' + cacheStr + (withNs ? '.' + ns9(ns) : '');
}

/** ISO 8601 in UTC with ns, as sinsp prints it: 2018-08-17T17:35:48.515219603+0000 */
export function iso8601(hi: number, lo: number): string {
  const [sec, ns] = splitTs(hi, lo);
  const d = new Date(sec * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${ns9(ns)}+0000`;
}

/** "s.nnnnnnnnn" for a non-negative duration in ns */
export function secNs(ns: number): string {
  if (ns < 0) return '-' + secNs(-ns);
  const s = Math.floor(ns / 1e9);
  return `${s}.${ns9(ns - s * 1e9)}`;
}
