// Runs one capture child (worker.ts) per interface and hands their packets to the caller as
// (buffer, offset, length) views of the received chunks: no per-packet copies except for records
// that straddle two chunks.
import { spawn, ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_NULL, LINKTYPE_RAW } from './decode';

const HDR = 16;
const CONTROL = 0x80000000;

export const LINKTYPES: Record<string, number> = {
  ETHERNET: LINKTYPE_ETHERNET,
  LINUX_SLL: LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL: LINKTYPE_LINUX_SLL,
  RAW: LINKTYPE_RAW,
  NULL: LINKTYPE_NULL,
  IEEE802_11_RADIO: 127,
};

export interface CaptureHandlers {
  /** The interface is open (linktype is the pcap LINKTYPE_ number) or failed to open (error). */
  onOpen(dev: string, linktype: number, error?: string): void;
  onPacket(dev: string, buf: Buffer, off: number, caplen: number, truncated: boolean, sec: number, nsec: number): void;
  /** The child ended; expected is false when it was not asked to stop (e.g. the interface went down). */
  onExit(dev: string, expected: boolean, detail: string): void;
}

interface Child {
  dev: string;
  proc: ChildProcess;
  carry: Buffer | null;
  stopping: boolean;
  opened: boolean;
  stderr: string;
  exited: Promise<void>;
}

export class CaptureManager {
  private readonly children = new Map<string, Child>();
  private readonly worker = path.join(__dirname, 'worker.js');

  constructor(
    private readonly h: CaptureHandlers,
    private readonly filter = '',
    private readonly bufSize = 8 << 20,
  ) {}

  has(dev: string): boolean {
    return this.children.has(dev);
  }

  get devices(): string[] {
    return [...this.children.keys()];
  }

  /** bufSize overrides the kernel ring size for this interface. */
  open(dev: string, bufSize = this.bufSize): void {
    if (this.children.has(dev)) return;
    const proc = spawn(process.execPath, [this.worker, dev, this.filter, String(bufSize)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let resolveExit!: () => void;
    const ch: Child = { dev, proc, carry: null, stopping: false, opened: false, stderr: '', exited: new Promise((r) => (resolveExit = r)) };
    this.children.set(dev, ch);
    proc.stdout!.on('data', (chunk: Buffer) => this.onData(ch, chunk));
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (s: string) => {
      ch.stderr = (ch.stderr + s).slice(-2000);
    });
    proc.stdin!.on('error', () => undefined);
    proc.on('error', (e) => {
      ch.stderr += String(e.message);
    });
    proc.on('close', (code, signal) => {
      if (this.children.get(dev) === ch) this.children.delete(dev);
      const detail = `${signal ? `signal ${signal}` : `exit ${code}`}${ch.stderr.trim() ? `: ${lastLine(ch.stderr)}` : ''}`;
      if (!ch.opened) this.h.onOpen(dev, -1, lastLine(ch.stderr) || detail);
      this.h.onExit(dev, ch.stopping, detail);
      resolveExit();
    });
  }

  /** Asks the child to close its handle and flush; kills it if it has not gone after timeoutMs. */
  async close(dev: string, timeoutMs = 2000): Promise<void> {
    const ch = this.children.get(dev);
    if (!ch) return;
    ch.stopping = true;
    ch.proc.stdin!.end();
    const t = setTimeout(() => ch.proc.kill('SIGKILL'), timeoutMs);
    await ch.exited;
    clearTimeout(t);
  }

  async closeAll(timeoutMs = 2000): Promise<void> {
    await Promise.all([...this.children.keys()].map((d) => this.close(d, timeoutMs)));
  }

  private onData(ch: Child, chunk: Buffer): void {
    let buf = chunk;
    if (ch.carry) {
      buf = Buffer.concat([ch.carry, chunk]);
      ch.carry = null;
    }
    let o = 0;
    const n = buf.length;
    while (o + HDR <= n) {
      const len = buf.readUInt32LE(o);
      if (o + HDR + len > n) break;
      const flags = buf.readUInt32LE(o + 4);
      if (flags & CONTROL) {
        this.onControl(ch, buf.toString('utf8', o + HDR, o + HDR + len));
      } else {
        this.h.onPacket(ch.dev, buf, o + HDR, len, (flags & 1) !== 0, buf.readUInt32LE(o + 8), buf.readUInt32LE(o + 12));
      }
      o += HDR + len;
    }
    if (o < n) ch.carry = Buffer.from(buf.subarray(o));
  }

  private onControl(ch: Child, json: string): void {
    let m: { ok?: boolean; linktype?: string; error?: string };
    try {
      m = JSON.parse(json);
    } catch {
      return;
    }
    if (ch.opened) return;
    ch.opened = true;
    if (m.ok) {
      const lt = LINKTYPES[m.linktype ?? ''];
      if (lt === undefined) {
        this.h.onOpen(ch.dev, -1, `unsupported link type ${m.linktype}`);
        void this.close(ch.dev);
      } else this.h.onOpen(ch.dev, lt);
    } else {
      ch.stopping = true;
      this.h.onOpen(ch.dev, -1, m.error ?? 'open failed');
    }
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n').filter((l) => l.trim() && !/^Warning: .*no IPv4 address assigned/.test(l));
  return lines[lines.length - 1]?.trim() ?? '';
}
