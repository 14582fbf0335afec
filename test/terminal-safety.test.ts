// Terminal safety of the printing paths: captured bytes with ESC/CSI/OSC/DCS/C1 controls and invalid
// UTF-8, printed by the default line, -A, -X, -j and -p to a real terminal (a pty made by script(1)),
// must never reach it raw. The same output to a pipe stays byte-exact.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { haveCmd, needs, run, TSDIG } from './helpers';
import { escapeForTerminal } from '../src/output/writer';

const EVIL = Buffer.concat([
  Buffer.from('\x1b]0;pwned\x07\x1b[2J\x1bP+q\x1b\\\x1b[31mred', 'latin1'),
  Buffer.from([0x9b, 0x33, 0x31, 0x6d, 0xc2, 0x9b, 0xff, 0xfe]), // 8-bit CSI, UTF-8 C1 CSI, invalid UTF-8
]);

/** A minimal capture: SHB, then a write enter and exit whose data holds EVIL, from a thread named with an ESC. */
function evilCapture(file: string): void {
  const blocks: Buffer[] = [];
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0); shb.writeUInt32LE(28, 4); shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12); shb.writeUInt16LE(2, 14); shb.writeBigInt64LE(-1n, 16); shb.writeUInt32LE(28, 24);
  blocks.push(shb);
  // process list v9 with one thread whose comm carries an escape sequence
  const str = (s: Buffer) => { const b = Buffer.alloc(2 + s.length); b.writeUInt16LE(s.length, 0); s.copy(b, 2); return b; };
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0, 0); return b; };
  const i64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v), 0); return b; };
  const entryBody = Buffer.concat([
    i64(4242), i64(4242), i64(1), i64(4242), i64(4242),
    str(Buffer.from('ev\x1b[2Jil', 'latin1')), str(Buffer.from('evil')), str(Buffer.from('/bin/evil')), str(Buffer.alloc(0)), str(Buffer.from('/')),
    i64(1024), u32(0), u32(0), u32(0), u32(0), u32(0), u32(0), i64(0), i64(0), str(Buffer.alloc(0)), i64(4242), i64(4242), str(Buffer.alloc(0)), str(Buffer.from('/')),
  ]);
  const entry = Buffer.concat([u32(entryBody.length + 4), entryBody]);
  blocks.push(block(0x215, entry));
  const ts = 1700000000n * 1000000000n;
  blocks.push(eventBlock(ts, 4242, 8, [i64(1), u32(EVIL.length)]));
  blocks.push(eventBlock(ts + 1000n, 4242, 9, [i64(EVIL.length), EVIL]));
  fs.writeFileSync(file, Buffer.concat(blocks));
}

function block(type: number, body: Buffer): Buffer {
  const len = Math.ceil((12 + body.length) / 4) * 4;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0); b.writeUInt32LE(len, 4); body.copy(b, 8); b.writeUInt32LE(len, len - 4);
  return b;
}

function eventBlock(ts: bigint, tid: number, type: number, params: Buffer[]): Buffer {
  const hdr = Buffer.alloc(26 + 2 * params.length);
  const total = hdr.length + params.reduce((a, p) => a + p.length, 0);
  hdr.writeBigUInt64LE(ts, 0); hdr.writeBigInt64LE(BigInt(tid), 8); hdr.writeUInt32LE(total, 16);
  hdr.writeUInt16LE(type, 20); hdr.writeUInt32LE(params.length, 22);
  params.forEach((p, i) => hdr.writeUInt16LE(p.length, 26 + 2 * i));
  const cpu = Buffer.alloc(2);
  return block(0x216, Buffer.concat([cpu, hdr, ...params]));
}

const hasRawControl = (b: Buffer) => {
  for (const c of b) if (c === 0x1b || c === 0x07 || c === 0x9b || c === 0x90 || c === 0x9d) return true;
  const s = b.toString('utf8');
  return /[\u0080-\u009f]/.test(s);
};

test('escapeForTerminal leaves no control sequence but line breaks', () => {
  const out = escapeForTerminal(Buffer.concat([EVIL, Buffer.from('\n')]));
  assert.equal(hasRawControl(out), false);
  assert.ok(out.toString().includes('\\x1b]0;pwned'));
  assert.ok(out.toString().endsWith('\n'));
});

test('every print path on a terminal escapes captured control bytes', { skip: needs('script (util-linux)', haveCmd('script')) }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-tty-'));
  try {
    const cap = path.join(dir, 'evil.scap');
    evilCapture(cap);
    const modes: string[][] = [[], ['-A'], ['-X'], ['-x'], ['-j'], ['-v'], ['-p', '%proc.name %evt.buffer %evt.arg.data'], ['-pc'],
      // chisel text output: raw buffers (echo_fds, stdout) and a table of process names
      ['-c', 'echo_fds'], ['-c', 'stdout'], ['-c', 'topprocs_file']];
    for (const m of modes) {
      const cmd = [process.execPath, TSDIG, '-r', cap, ...(m[0] === '-c' ? [] : ['--print-events']), ...m].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const r = run('script', ['-qec', cmd, '/dev/null']);
      assert.equal(r.status, 0, `${m.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, `${m.join(' ')}: no output`);
      assert.equal(hasRawControl(r.stdout), false, `${m.join(' ')} leaked a control sequence: ${JSON.stringify(r.stdout.toString('latin1'))}`);
      // the hostile process name reached the terminal escaped, not silently dropped
      if (m.length === 0) assert.ok(r.stdout.toString('utf8').includes('ev\\x1b[2Jil'), `default line lost the escaped name: ${JSON.stringify(r.stdout.toString('latin1'))}`);
    }
    // to a pipe the bytes stay exact (sysdig parity): the default line shows dots for the buffer
    const piped = run(process.execPath, [TSDIG, '-r', cap]);
    assert.equal(piped.status, 0);
    assert.ok(piped.stdout.toString('latin1').includes('data=.]0;pwned..[2J'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// isTerminal decides the escaping without loading node:tty when fstat rules a terminal out: it must
// answer as tty.isatty does for what a replay's stdout can be — /dev/null and /dev/zero (character
// devices that are not terminals), a file, a pipe, and a real pty
test('isTerminal answers as tty.isatty: /dev/null, /dev/zero, a file, a pipe, a pty', { skip: needs('script (util-linux)', haveCmd('script')) }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-isatty-'));
  try {
    const probe = path.join(dir, 'probe.js');
    fs.writeFileSync(probe, `const { isTerminal } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'util', 'terminal.js'))});
process.stderr.write(isTerminal(1) + ' ' + require('node:tty').isatty(1) + '\\n');`);
    const node = `'${process.execPath}' '${probe}'`;
    const file = path.join(dir, 'out.txt');
    const cases: [string, string, string][] = [
      ['/dev/null', `${node} > /dev/null`, 'false false'],
      ['/dev/zero', `${node} > /dev/zero`, 'false false'],
      ['a file', `${node} > '${file}'`, 'false false'],
      ['a pipe', `${node} | cat`, 'false false'],
    ];
    for (const [what, cmd, want] of cases) {
      const r = run('sh', ['-c', cmd]);
      assert.equal(r.stderr.toString().trim(), want, what);
    }
    // under script(1) stdout is the pty; the probe's answer comes back in the typescript file
    const ts = path.join(dir, 'typescript');
    const r = run('script', ['-qec', `${node} 2>&1`, ts]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(fs.readFileSync(ts, 'latin1'), /true true/, 'a pty');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
