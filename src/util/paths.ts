// Path joining exactly as sinsp does it (concatenate_paths + copy_and_sanitize_path): a relative
// path is appended to the base directory and "."/".." segments are folded char by char — with
// sinsp's quirks, since fd names and printed paths must match sysdig's byte for byte.

function isPrintable(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** Appends `path` to the char array `t` (which may already hold a base), folding ./ and ../ */
function copySanitizedPath(t: string[], path: string): void {
  let i = 0;
  const n = path.length;
  const rewind = (delta: number) => {
    if (t.length <= 1) {
      i += delta;
      return;
    }
    t.pop();
    while (t.length >= 1 && t[t.length - 1] !== '/') t.pop();
    i += delta;
  };
  for (;;) {
    if (i >= n) {
      if (t.length > 1 && t[t.length - 1] === '/') t.pop();
      return;
    }
    const c = path.charCodeAt(i);
    if (!isPrintable(c)) {
      t.push('.');
      i++;
      continue;
    }
    const ch = path[i]!;
    if (ch === '.') {
      const n1 = path[i + 1];
      if (n1 === '.') {
        const n2 = path[i + 2];
        if (n2 === '/') { rewind(3); continue; }
        if (n2 === undefined) { rewind(2); continue; }
        t.push('.', '.');
        i += 2;
        continue;
      }
      if (n1 === '/') { i += 2; continue; }
      if (n1 === undefined) { i += 1; continue; }
      t.push('.');
      i++;
      continue;
    }
    if (ch === '/') {
      if (t.length > 0 && t[t.length - 1] === '/') { i++; continue; }
      t.push('/');
      i++;
      continue;
    }
    t.push(ch);
    i++;
  }
}

/**
 * sinsp's concatenate_paths: returns the joined path and whether it was "resolved" (true only for
 * a non-empty relative path, which is when sysdig prints the `(resolved)` suffix).
 */
const NEEDS_FOLDING = /\/\/|\.\/|\.$|\/$|[^\x20-\x7e]/;

export function sinspConcat(base: string, path: string): [string, boolean] {
  // fast path: nothing to fold (no "//", "./", trailing "." or "/", or unprintable bytes)
  if (path.length > 0 && !NEEDS_FOLDING.test(path)) {
    if (path[0] === '/') return [path, false];
    if (base === '' || base.endsWith('/')) return [base + path, true];
  }
  const t: string[] = [];
  if (path.length !== 0 && path[0] !== '/') {
    for (const c of base) t.push(c);
    copySanitizedPath(t, path);
    return [t.join(''), true];
  }
  copySanitizedPath(t, path);
  return [t.join(''), false];
}

export function concatPaths(dir: string, path: string): string {
  return sinspConcat(dir, path)[0];
}

/** cwd as sinsp stores it: always ending with '/' */
export function asDir(p: string): string {
  return p === '' || p.endsWith('/') ? p : p + '/';
}
