/** Removes every byte that is not printable ASCII (sinsp's sanitize_string). */
export function sanitize(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return s.replace(/[^\x20-\x7e]/g, '');
  }
  return s;
}
