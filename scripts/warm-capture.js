// Writes a small synthetic capture for the code cache of the replay bundle (scripts/bundle-replay.js):
// one process with an open file, then an enter and an exit of every event type in tsdig's table,
// each param filled with a plausible value of its type. Replaying it runs the reader, the state
// engine, the filter and the line writer over every kind of param once, so the cache holds those
// functions compiled: a real replay then starts its hot loop from bytecode instead of from source.
// Nothing here is a test of correctness; odd values only print oddly.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist', 'src');
const TABLE = path.join(DIST, 'events', 'data', 'event-table.json');
// the block builders tests use too (compiled by tsc before this runs)
const { fdBlock, i64, procBlock, scapEvent, sectionHeader, u16, u32 } = require(path.join(DIST, 'scap', 'synth.js'));
const cstr = (s) => Buffer.from(s + '\0', 'latin1');

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

function capture() {
  const table = JSON.parse(fs.readFileSync(TABLE, 'utf8'));
  const parts = [
    sectionHeader(),
    procBlock({ pid: PID, comm: 'warm', exe: '/usr/bin/warm', args: '--x\0', cwd: '/tmp/', env: 'A=1\0', cgroups: 'cpu=/docker/0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab\0' }),
    fdBlock(PID, { 3: '/tmp/warm/log' }),
  ];
  let ts = 1700000000n * 1000000000n;
  // twice over: the second round finds the state the first one left (fds, children)
  for (let round = 0; round < 2; round++) {
    for (let type = 2; type < table.length; type++) {
      const e = table[type];
      // (LARGE_PAYLOAD events have 4-byte param lengths: the two there are not worth a second layout)
      if (!e || e.flags.includes('SKIP') || e.flags.includes('UNUSED') || e.flags.includes('LARGE_PAYLOAD') || e.name === 'NA') continue;
      const params = e.params.map(([name, t], i) => param(t, name, i + round));
      parts.push(scapEvent(ts, PID, type, params));
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
