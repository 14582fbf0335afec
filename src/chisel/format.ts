// Number and column formatting with sysdig's chisel conventions ("3.45KB", "12us", 20-char columns).

/** Bytes: "512B", "3.45KB", "1.20M", "2.00G" (sysdig's units: KB then M, G, T, P; strictly greater-than thresholds). */
export function formatBytes(v: number): string {
  const K = 1024;
  if (v > K ** 5) return (v / K ** 5).toFixed(2) + 'P';
  if (v > K ** 4) return (v / K ** 4).toFixed(2) + 'T';
  if (v > K ** 3) return (v / K ** 3).toFixed(2) + 'G';
  if (v > K * K) return (v / (K * K)).toFixed(2) + 'M';
  if (v > K) return (v / K).toFixed(2) + 'KB';
  return Math.trunc(v) + 'B';
}

const pad2 = (n: number) => String(Math.trunc(n)).padStart(2, '0');

/** ns duration: "1.10s", "80ms", "3.07ms", "407us", "3.07us", "12ns". */
export function formatTime(v: number): string {
  if (v >= 1e9) return `${Math.floor(v / 1e9)}.${pad2((v % 1e9) / 1e7)}s`;
  if (v >= 1e7) return `${Math.floor(v / 1e6)}ms`;
  if (v >= 1e6) return `${Math.floor(v / 1e6)}.${pad2((v % 1e6) / 1e4)}ms`;
  if (v >= 1e4) return `${Math.floor(v / 1e3)}us`;
  if (v >= 1e3) return `${Math.floor(v / 1e3)}.${pad2((v % 1e3) / 10)}us`;
  return `${Math.trunc(v)}ns`;
}

/** Pad to `n` characters; a longer string is cut to n-1 characters plus a space. */
export function extendString(s: string, n: number): string {
  if (s.length < n) return s + ' '.repeat(n - s.length);
  return n > 0 ? s.slice(0, n - 1) + ' ' : '';
}

export const DASHES = '-'.repeat(80);
