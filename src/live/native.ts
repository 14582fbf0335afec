// Thin typed wrapper around the native live-capture addon (native/, built by binding.gyp into
// build/Release/tsdig_bpf.node). The addon delivers batches of sysdig-format event records:
//
//   record := u32 reclen (incl. this 8-byte prefix, multiple of 8) | u16 cpu | u16 flags |
//             scap v2 event (u64 ts epoch-ns, u64 tid, u32 len, u16 type, u32 nparams,
//             nparams x u16 lengths, values) | zero pad to 8
//
// See native/README.md for the design and the list of covered syscalls.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NativeOpenOptions {
  /** BPF ring buffer size in bytes (rounded up to a power of two, min 64 KiB). Default 16 MiB. */
  bufferSize?: number;
  /** bytes of I/O data captured per read/write/send/recv (default 80, max 4096) */
  snaplen?: number;
  /** only capture this process (tgid); 0/undefined = whole system */
  pid?: number;
}

export interface NativeStats {
  /** records written to the BPF ring buffer */
  events: number;
  /** records lost because the ring buffer was full */
  drops: number;
  /** bytes written to the ring buffer */
  bytes: number;
  /** records the BPF side could not build (should stay 0) */
  errors: number;
  /** batches handed to JS */
  batches: number;
  /** records copied into batches by the poller thread */
  records: number;
}

/** onBatch receives an ArrayBuffer owning `nbytes` bytes of back-to-back records */
export type BatchCallback = (batch: ArrayBuffer, nbytes: number) => void;

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

interface Addon {
  open(opts?: NativeOpenOptions): NativeHandle;
  openAsync(opts?: NativeOpenOptions): Promise<NativeHandle>;
  start(h: NativeHandle, cb: BatchCallback): void;
  stats(h: NativeHandle): NativeStats;
  close(h: NativeHandle): void;
}

/** record prefix size and offsets inside a record */
export const REC_PREFIX = 8;
export const REC_FLAG_STATE_ONLY = 1;
/** a string/buffer param was cut at its bound (args, env, paths; not snaplen cuts of I/O data) */
export const REC_FLAG_TRUNCATED = 2;

export class NativeUnavailableError extends Error {
  constructor(message: string, readonly reason: 'not-built' | 'platform' | 'permission' | 'btf' | 'kernel') {
    super(message);
    this.name = 'NativeUnavailableError';
  }
}

function findRepoRoot(): string {
  // works from src/live (ts-node) and dist/src/live (compiled)
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..', '..');
}

export function addonPath(): string {
  return path.join(findRepoRoot(), 'build', 'Release', 'tsdig_bpf.node');
}

let cached: Addon | null = null;

/** Loads the addon or throws NativeUnavailableError naming what is missing. */
export function loadAddon(): Addon {
  if (cached) return cached;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new NativeUnavailableError(`live capture needs Linux x86_64 (this is ${process.platform}/${process.arch})`, 'platform');
  }
  const p = addonPath();
  if (!fs.existsSync(p)) {
    throw new NativeUnavailableError(
      `live capture addon not built: ${p} is missing. Build it with \`npm install\` or \`npm run build:native\` ` +
        '(needs clang, llvm, libbpf-dev, libelf-dev, zlib1g-dev, bpftool and a kernel with BTF)',
      'not-built',
    );
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cached = require(p) as Addon;
  } catch (e) {
    throw new NativeUnavailableError(`cannot load ${p}: ${(e as Error).message} (libbpf1/libelf1 installed? rebuilt for this Node?)`, 'not-built');
  }
  return cached;
}

/** Checks the static prerequisites; returns null if capture can be attempted, else the reason. */
export function checkPrerequisites(): NativeUnavailableError | null {
  try {
    loadAddon();
  } catch (e) {
    return e as NativeUnavailableError;
  }
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) {
    return new NativeUnavailableError('kernel BTF (/sys/kernel/btf/vmlinux) is missing: needs CONFIG_DEBUG_INFO_BTF=y', 'btf');
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0 && !hasBpfCaps()) {
    return new NativeUnavailableError('live capture needs root, or CAP_BPF + CAP_PERFMON', 'permission');
  }
  return null;
}

function hasBpfCaps(): boolean {
  try {
    const m = /CapEff:\s*([0-9a-f]+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (!m) return false;
    const eff = BigInt('0x' + m[1]);
    const has = (bit: number) => (eff & (1n << BigInt(bit))) !== 0n;
    return has(21) /* SYS_ADMIN */ || (has(39) /* BPF */ && has(38) /* PERFMON */);
  } catch {
    return false;
  }
}

function unavailable(e: unknown): NativeUnavailableError {
  const err = e as Error & { code?: string };
  return new NativeUnavailableError(err.message, err.code === 'EPERM' ? 'permission' : 'kernel');
}

/** An open (loaded, not yet attached) capture. */
export class NativeCapture {
  private handle: NativeHandle | null;
  private readonly addon: Addon;
  private lastStats: NativeStats | null = null;

  /** Loads the programs (synchronously: the BPF verifier takes a few hundred ms). */
  constructor(opts: NativeOpenOptions = {}, handle?: NativeHandle) {
    this.addon = loadAddon();
    if (handle) {
      this.handle = handle;
      return;
    }
    const pre = checkPrerequisites();
    if (pre) throw pre;
    try {
      this.handle = this.addon.open(opts);
    } catch (e) {
      throw unavailable(e);
    }
  }

  /** Loads the programs on a worker thread: JS start-up work and signals go on meanwhile. */
  static async open(opts: NativeOpenOptions = {}): Promise<NativeCapture> {
    const pre = checkPrerequisites();
    if (pre) throw pre;
    let h: NativeHandle;
    try {
      h = await loadAddon().openAsync(opts);
    } catch (e) {
      throw unavailable(e);
    }
    return new NativeCapture(opts, h);
  }

  /** Attaches the programs and starts delivering batches. */
  start(onBatch: BatchCallback): void {
    if (!this.handle) throw new Error('capture is closed');
    this.addon.start(this.handle, onBatch);
  }

  stats(): NativeStats {
    if (!this.handle) return this.lastStats ?? { events: 0, drops: 0, bytes: 0, errors: 0, batches: 0, records: 0 };
    return this.addon.stats(this.handle);
  }

  /** Detaches and frees everything; idempotent. No onBatch call happens after it returns. */
  close(): void {
    if (!this.handle) return;
    this.lastStats = this.addon.stats(this.handle);
    this.addon.close(this.handle);
    this.handle = null;
  }

  get closed(): boolean {
    return this.handle === null;
  }
}

/** The addon's options for a live job's -s and --bufsize (MB). */
export function liveOpenOptions(o: { snaplen: number; bufsize?: number }): NativeOpenOptions {
  return {
    bufferSize: o.bufsize !== undefined && o.bufsize > 0 ? Math.round(o.bufsize * 1024 * 1024) : undefined,
    snaplen: Math.max(0, Math.min(4096, Math.floor(o.snaplen))),
  };
}

let early: { key: string; p: Promise<NativeCapture> } | null = null;

/**
 * Starts loading the programs now, on a worker thread, for a capture opened later with the same
 * options (main() calls it as soon as it knows the job is live: the load then overlaps module
 * loading too). Does nothing where capture is not possible: the job reports why itself.
 */
export function preopen(opts: NativeOpenOptions): void {
  if (early || checkPrerequisites()) return;
  const p = NativeCapture.open(opts);
  p.catch(() => {}); // the job that takes it sees the error
  early = { key: JSON.stringify(opts), p };
}

/** Whether a load preopen() started was never taken (the job ended before its capture). */
export function preopenUnclaimed(): boolean {
  return early !== null;
}

/** The capture preopen() started with these options, else a new load. */
export function openCapture(opts: NativeOpenOptions): Promise<NativeCapture> {
  const key = JSON.stringify(opts);
  if (early && early.key === key) {
    const p = early.p;
    early = null;
    return p;
  }
  return NativeCapture.open(opts);
}

/** Iterates the records of a batch: calls fn(offset of the scap event, cpu, flags, record length). */
export function forEachRecord(
  batch: ArrayBuffer,
  nbytes: number,
  fn: (evtOffset: number, cpu: number, flags: number, reclen: number) => void,
): number {
  const dv = new DataView(batch, 0, nbytes);
  let n = 0;
  for (let off = 0; off + REC_PREFIX <= nbytes; ) {
    const reclen = dv.getUint32(off, true);
    if (reclen < REC_PREFIX || off + reclen > nbytes) break;
    fn(off + REC_PREFIX, dv.getUint16(off + 4, true), dv.getUint16(off + 6, true), reclen);
    off += reclen;
    n++;
  }
  return n;
}
