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

/** Splits a (hi, lo) u64 ns timestamp into exact seconds and nanoseconds. */
export function splitTs(hi: number, lo: number): [number, number] {
  // hi*2^32 + lo = sec*1e9 + ns, computed without losing precision: 2^32 = 4*1e9 + 294967296
  const a = hi * 294967296 + lo; // < 2^61: not exact as a double, so split hi further
  if (a < Number.MAX_SAFE_INTEGER) {
    const sec = hi * 4 + Math.floor(a / 1e9);
    return [sec, a % 1e9];
  }
  const big = (BigInt(hi) << 32n) | BigInt(lo);
  return [Number(big / 1000000000n), Number(big % 1000000000n)];
}

export function ns9(n: number): string {
  return String(n).padStart(9, '0');
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

/** ISO 8601 in UTC with ns: 2018-08-17T17:35:48.515219603Z */
export function iso8601(hi: number, lo: number): string {
  const [sec, ns] = splitTs(hi, lo);
  const d = new Date(sec * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${ns9(ns)}Z`;
}

/** "s.nnnnnnnnn" for a non-negative duration in ns */
export function secNs(ns: number): string {
  if (ns < 0) return '-' + secNs(-ns);
  const s = Math.floor(ns / 1e9);
  return `${s}.${ns9(ns - s * 1e9)}`;
}
