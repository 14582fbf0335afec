// Finding, compiling and loading chisels.
// Search order: ./chisels, ~/.config/tsdig/chisels, each --chisel-dir, then the bundled chisels
// (chisels/*.ts compiled by tsc into dist/chisels/*.js). A chisel is NAME.ts or NAME.js; .ts files
// are compiled on the fly with esbuild (inline source maps, so stack traces point at the .ts).
// Inside a chisel, `import … from 'tsdig/chisel'` resolves to this package's chisel API.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Module from 'node:module';
import type { ChiselArgs, ChiselArgSpec, ChiselDefinition } from './api';

export class ChiselError extends Error {}
/** bad chisel arguments: reported as a usage error (exit 2) */
export class ChiselUsageError extends Error {}

/** dist/chisels (compiled bundled chisels) */
export const BUNDLED_DIR = path.resolve(__dirname, '..', '..', 'chisels');
/** the repo's chisels/ source folder (same chisels as BUNDLED_DIR) */
const SOURCE_DIR = path.resolve(__dirname, '..', '..', '..', 'chisels');
const API_MODULE = path.resolve(__dirname, 'api.js');
const PKG_ROOT = path.resolve(__dirname, '..', '..', '..');

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export function searchDirs(extra: string[] = []): string[] {
  const dirs = [path.resolve('chisels'), path.join(os.homedir(), '.config', 'tsdig', 'chisels'), ...extra.map((d) => path.resolve(d)), BUNDLED_DIR];
  const src = realpath(SOURCE_DIR);
  const out: string[] = [];
  for (const d of dirs) {
    // the repo's own chisels/ are the bundled ones: use their compiled form
    const r = d === BUNDLED_DIR ? d : realpath(d) === src ? BUNDLED_DIR : d;
    if (!out.includes(r)) out.push(r);
  }
  // keep bundled last even if ./chisels pointed at the sources
  const i = out.indexOf(BUNDLED_DIR);
  if (i >= 0 && i !== out.length - 1) out.push(...out.splice(i, 1));
  return out;
}

const EXTS = ['.ts', '.js'];

function isChiselFile(f: string): boolean {
  return (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.js');
}

/** Path of the chisel NAME, or undefined. */
export function findChisel(name: string, dirs: string[]): string | undefined {
  if (name.includes('/') && fs.existsSync(name)) return path.resolve(name);
  for (const d of dirs) {
    for (const ext of EXTS) {
      const p = path.join(d, name + ext);
      if (fs.existsSync(p)) return p;
    }
  }
  return undefined;
}

/** As root, a chisel from a file or folder anyone can write is code anyone can run as root. */
function checkPermissions(file: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  for (const p of [file, path.dirname(file)]) {
    const st = fs.statSync(p);
    if (st.mode & 0o002) {
      const what = p === file ? 'file' : 'folder';
      throw new ChiselError(
        `refusing to load chisel ${file}: its ${what} ${p} is world-writable, and running as root any user could change the code run as root (fix: chmod o-w ${p})`,
      );
    }
  }
}

let esbuild: typeof import('esbuild') | null = null;

function compileTs(file: string): string {
  if (!esbuild) esbuild = require('esbuild') as typeof import('esbuild');
  const src = fs.readFileSync(file, 'utf8');
  try {
    return esbuild.transformSync(src, { loader: 'ts', format: 'cjs', sourcemap: 'inline', sourcefile: file, target: 'node20' }).code;
  } catch (e) {
    throw new ChiselError(`cannot compile chisel ${file}: ${(e as Error).message}`);
  }
}

/** Load a module from source text, with 'tsdig/chisel' (and the repo's src/*.ts) mapped to the compiled API. */
function loadModule(file: string, code: string): unknown {
  const m = new Module(file, module);
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(file));
  const base = m.require.bind(m);
  const req = ((id: string) => {
    if (id === 'tsdig/chisel' || id === 'tsdig') return require(API_MODULE);
    if (id.startsWith('.') || id.startsWith('/')) {
      let abs = path.resolve(path.dirname(file), id);
      if (abs.endsWith('.ts')) abs = abs.slice(0, -3);
      const rel = path.relative(PKG_ROOT, abs);
      if (!rel.startsWith('..') && rel.startsWith('src' + path.sep) && !fs.existsSync(abs + '.js')) {
        return require(path.join(PKG_ROOT, 'dist', rel));
      }
      if (!fs.existsSync(abs) && !fs.existsSync(abs + '.js') && fs.existsSync(abs + '.ts')) {
        return loadFile(abs + '.ts');
      }
    }
    return base(id);
  }) as NodeJS.Require;
  m.require = req;
  (m as unknown as { _compile(code: string, file: string): void })._compile(code, file);
  m.loaded = true;
  return m.exports;
}

const cache = new Map<string, unknown>();

function loadFile(file: string): unknown {
  const hit = cache.get(file);
  if (hit) return hit;
  checkPermissions(file);
  let exp: unknown;
  if (file.startsWith(BUNDLED_DIR + path.sep)) exp = require(file);
  else exp = loadModule(file, file.endsWith('.ts') ? compileTs(file) : fs.readFileSync(file, 'utf8'));
  cache.set(file, exp);
  return exp;
}

function asDefinition(exp: unknown, file: string): ChiselDefinition {
  const e = exp as Record<string, unknown> | null;
  const cands = [e?.default, e?.chisel, e];
  for (const c of cands) {
    const d = c as ChiselDefinition | undefined;
    if (d && typeof d === 'object' && typeof d.name === 'string' && typeof d.init === 'function') {
      if (!Array.isArray(d.args)) d.args = [];
      return d;
    }
  }
  throw new ChiselError(`${file} is not a chisel: it must export (default) a definition with name, description and init()`);
}

export interface LoadedChisel {
  def: ChiselDefinition;
  file: string;
}

export function loadChisel(name: string, dirs: string[]): LoadedChisel {
  const file = findChisel(name, dirs);
  if (!file) throw new ChiselUsageError(`chisel '${name}' not found (searched ${dirs.join(', ')})`);
  let exp: unknown;
  try {
    exp = loadFile(file);
  } catch (e) {
    if (e instanceof ChiselError) throw e;
    const err = new ChiselError(`cannot load chisel ${file}: ${(e as Error).message}`);
    err.stack = (e as Error).stack;
    throw err;
  }
  return { def: asDefinition(exp, file), file };
}

/** Every chisel in the search path (first occurrence of a name wins); unloadable files are reported in `errors`. */
export function allChisels(dirs: string[]): { list: LoadedChisel[]; errors: string[] } {
  const seen = new Set<string>();
  const list: LoadedChisel[] = [];
  const errors: string[] = [];
  for (const d of dirs) {
    let files: string[];
    try {
      files = fs.readdirSync(d).filter(isChiselFile).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      const name = f.replace(/\.(ts|js)$/, '');
      if (seen.has(name)) continue;
      seen.add(name);
      try {
        list.push({ def: asDefinition(loadFile(path.join(d, f)), path.join(d, f)), file: path.join(d, f) });
      } catch (e) {
        errors.push(`${path.join(d, f)}: ${(e as Error).message}`);
      }
    }
  }
  return { list, errors };
}

/** Split an argument string like sysdig: on spaces, with '…' or `…` grouping. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let has = false;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = '';
      else cur += ch;
    } else if (ch === "'" || ch === '`') {
      quote = ch;
      has = true;
    } else if (ch === ' ') {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

export function requiredCount(def: ChiselDefinition): number {
  return def.args.filter((a) => !a.optional).length;
}

function usageOf(def: ChiselDefinition): string {
  return def.args.map((a) => (a.optional ? `[${a.name}]` : `<${a.name}>`)).join(' ');
}

/** Check and convert positional args against the definition. Throws ChiselUsageError. */
export function parseChiselArgs(def: ChiselDefinition, given: string[]): ChiselArgs {
  const req = requiredCount(def);
  if (given.length < req || given.length > def.args.length) {
    throw new ChiselUsageError(
      `wrong number of parameters for chisel ${def.name}, ${req} required, ${given.length} given\nusage: -c ${def.name} ${usageOf(def)}`.trimEnd(),
    );
  }
  const out: ChiselArgs = {};
  def.args.forEach((a: ChiselArgSpec, i) => {
    const v = given[i];
    if (v === undefined) {
      out[a.name] = a.default;
      return;
    }
    switch (a.type) {
      case 'int':
        if (!/^[-+]?\d+$/.test(v)) {
          throw new ChiselUsageError(`chisel ${def.name}: argument '${a.name}' must be an integer, got '${v}'\nusage: -c ${def.name} ${usageOf(def)}`);
        }
        out[a.name] = Number(v);
        break;
      case 'ipv4': {
        const p = v.split('.');
        if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) {
          throw new ChiselUsageError(`chisel ${def.name}: argument '${a.name}' must be an IPv4 address, got '${v}'\nusage: -c ${def.name} ${usageOf(def)}`);
        }
        out[a.name] = v;
        break;
      }
      default:
        out[a.name] = v;
    }
  });
  return out;
}
