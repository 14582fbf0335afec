// Writes a small synthetic capture for the code cache of the replay bundle (scripts/bundle-replay.js):
// one process with an open file, then an enter and an exit of every event type in tsdig's table,
// each param filled with a plausible value of its type. Replaying it runs the reader, the state
// engine, the filter and the line writer over every kind of param once, so the cache holds those
// functions compiled: a real replay then starts its hot loop from bytecode instead of from source.
// Nothing here is a test of correctness; odd values only print oddly.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const TABLE = path.join(__dirname, '..', 'dist', 'src', 'events', 'data', 'event-table.json');

const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v & 0xffff); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const i64 = (v) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b; };
const lstr = (s) => { const b = Buffer.from(s, 'latin1'); return Buffer.concat([u16(b.length), b]); };
const cstr = (s) => Buffer.from(s + '\0', 'latin1');

function block(type, body) {
  const len = Math.ceil((12 + body.length) / 4) * 4;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

const PID = 4242;
const IP = Buffer.from([127, 0, 0, 1]);

/** a value of each param type (PT_*), sized as the drivers write it */
function param(type, name, i) {
  switch (type) {
    case 1: case 5: case 23: case 24: case 28: case 19: return Buffer.from([i === 0 ? 0 : 2]); // 8-bit ints, flags, l4proto, family, signal
    case 2: case 6: case 22: case 29: case 18: return u16(i === 0 ? 1 : 80); // 16-bit, port, syscall id
    case 3: case 7: case 30: case 31: case 32: case 42: case 46: case 34: case 25: return u32(name === 'mode' ? 0o644 : 3); // 32-bit, flags, uid/gid, mode, sigset, bool
    case 26: return IP; // IPv4 address
    case 14: return i64(3); // fd
    case 15: return i64(PID); // pid
    case 11: return i64(i === 0 ? 0 : -2); // errno: success, then ENOENT
    case 4: case 8: case 20: case 21: case 33: return i64(name.includes('size') ? 4096 : 123456); // 64-bit ints, times
    case 9: return cstr(name === 'exe' ? '/usr/bin/warm' : 'warm'); // charbuf
    case 17: return cstr(i % 2 ? 'rel/file' : '/tmp/warm/file'); // absolute and relative paths
    case 43: return cstr('/tmp/warm/file');
    case 10: return Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02', 'latin1'); // data buffer
    case 12: return Buffer.concat([Buffer.from([2]), IP, u16(8080)]); // sockaddr, AF_INET
    case 13: return Buffer.concat([Buffer.from([2]), IP, u16(40000), IP, u16(8080)]); // socket tuple
    case 16: return Buffer.concat([u16(1), i64(3), u16(1)]); // fd list: one entry
    case 35: return Buffer.from('a\0b\0', 'latin1'); // strings array
    case 36: return Buffer.from('k\0v\0', 'latin1'); // string pairs
    default: return Buffer.alloc(0);
  }
}

function event(ts, tid, type, params) {
  const hdr = Buffer.alloc(26 + 2 * params.length);
  hdr.writeBigUInt64LE(ts, 0);
  hdr.writeBigInt64LE(BigInt(tid), 8);
  hdr.writeUInt32LE(hdr.length + params.reduce((a, p) => a + p.length, 0), 16);
  hdr.writeUInt16LE(type, 20);
  hdr.writeUInt32LE(params.length, 22);
  params.forEach((p, i) => hdr.writeUInt16LE(p.length, 26 + 2 * i));
  return block(0x216, Buffer.concat([Buffer.alloc(2), hdr, ...params]));
}

function capture() {
  const table = JSON.parse(fs.readFileSync(TABLE, 'utf8'));
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0); shb.writeUInt32LE(28, 4); shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12); shb.writeUInt16LE(2, 14); shb.writeBigInt64LE(-1n, 16); shb.writeUInt32LE(28, 24);
  const thread = Buffer.concat([
    i64(PID), i64(PID), i64(1), i64(PID), i64(PID),
    lstr('warm'), lstr('warm'), lstr('/usr/bin/warm'), lstr('--x\0'), lstr('/tmp/'),
    i64(1024), u32(0), u32(0), u32(0), u32(0), u32(0), u32(0), i64(0), i64(0), lstr('A=1\0'), i64(PID), i64(PID),
    lstr('cpu=/docker/0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab\0'), lstr('/'),
  ]);
  const parts = [shb, block(0x215, Buffer.concat([u32(thread.length + 4), thread]))];
  const file = Buffer.from('/tmp/warm/log');
  parts.push(block(0x203, Buffer.concat([i64(PID), i64(3), i64(1003), Buffer.from([1]), u16(file.length), file])));
  let ts = 1700000000n * 1000000000n;
  // twice over: the second round finds the state the first one left (fds, children)
  for (let round = 0; round < 2; round++) {
    for (let type = 2; type < table.length; type++) {
      const e = table[type];
      // (LARGE_PAYLOAD events have 4-byte param lengths: the two there are not worth a second layout)
      if (!e || e.flags.includes('SKIP') || e.flags.includes('UNUSED') || e.flags.includes('LARGE_PAYLOAD') || e.name === 'NA') continue;
      const params = e.params.map(([name, t], i) => param(t, name, i + round));
      parts.push(event(ts, PID, type, params));
      ts += 1000n;
    }
  }
  return Buffer.concat(parts);
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node scripts/warm-capture.js OUT.scap\n');
    process.exit(2);
  }
  fs.writeFileSync(out, capture(), { mode: 0o600 });
}

module.exports = { capture };
