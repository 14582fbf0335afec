// The packet decoder, the connection counters and the pcapng writer on hand-built frames (no
// privileges): VLAN-tagged IPv4/TCP, IPv6 with a hop-by-hop header carrying UDP, ICMP and ICMPv6,
// a retransmitted segment; the file is read back by tshark (ns and us resolutions).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { needs, haveCmd } from './helpers';
import { decodePacket, PacketInfo, LINKTYPE_ETHERNET, LINKTYPE_RAW, formatAddr, TCP_SYN, TCP_ACK, TCP_PSH, TCP_FIN } from '../src/net/decode';
import { PcapngWriter, optionBytes, writeRawOption } from '../src/net/pcapng';
import { NetStats } from '../src/net/stats';
import { SocketIndex } from '../src/net/owners';
import { ThreadInfo } from '../src/state/thread';
import { FdInfo, L4 } from '../src/state/fdinfo';
import { FdType } from '../src/scap/types';

const MAC_A = [2, 0, 0, 0, 0, 0xa];
const MAC_B = [2, 0, 0, 0, 0, 0xb];

function eth(etype: number, payload: Buffer, vlan?: number, src = MAC_A, dst = MAC_B): Buffer {
  const tag = vlan === undefined ? Buffer.alloc(0) : Buffer.from([0x81, 0x00, (vlan >> 8) & 0x0f, vlan & 0xff]);
  return Buffer.concat([Buffer.from(dst), Buffer.from(src), tag, Buffer.from([etype >> 8, etype & 0xff]), payload]);
}

function ipv4(proto: number, src: number[], dst: number[], l4: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  return Buffer.concat([h, l4]);
}

function ipv6(next: number, src: Buffer, dst: Buffer, rest: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(rest.length, 4);
  h[6] = next;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, rest]);
}

function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, data = ''): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, Buffer.from(data)]);
}

function udp(sport: number, dport: number, data: string): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + data.length, 4);
  return Buffer.concat([h, Buffer.from(data)]);
}

const V6A = Buffer.from('fd000000000000000000000000000001', 'hex');
const V6B = Buffer.from('fd000000000000000000000000000002', 'hex');
const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];

// a small TCP exchange (one segment sent twice), then other protocols
const frames: Buffer[] = [
  eth(0x0800, ipv4(6, A, B, tcp(40000, 80, 1000, 0, TCP_SYN)), 42),
  eth(0x0800, ipv4(6, B, A, tcp(80, 40000, 5000, 1001, TCP_SYN | TCP_ACK)), 42, MAC_B, MAC_A),
  eth(0x0800, ipv4(6, A, B, tcp(40000, 80, 1001, 5001, TCP_ACK | TCP_PSH, 'GET / HTTP/1.0\r\n\r\n')), 42),
  eth(0x0800, ipv4(6, A, B, tcp(40000, 80, 1001, 5001, TCP_ACK | TCP_PSH, 'GET / HTTP/1.0\r\n\r\n')), 42), // retransmission
  eth(0x0800, ipv4(6, B, A, tcp(80, 40000, 5001, 1019, TCP_ACK | TCP_FIN, 'OK')), 42, MAC_B, MAC_A),
  eth(0x86dd, ipv6(0, V6A, V6B, Buffer.concat([Buffer.from([17, 0, 1, 4, 0, 0, 0, 0]), udp(5353, 53, 'query')]))), // hop-by-hop → UDP
  eth(0x86dd, ipv6(58, V6A, V6B, Buffer.from([128, 0, 0, 0, 0, 1, 0, 1]))), // ICMPv6 echo request
  eth(0x0800, ipv4(1, A, B, Buffer.from([8, 0, 0, 0, 0, 1, 0, 1]))), // ICMP echo request
  eth(0x0806, Buffer.alloc(28)), // ARP: not IP
];

test('decoder: VLAN/IPv4/TCP, IPv6 extension header/UDP, ICMP, ICMPv6, raw IP', () => {
  const p = new PacketInfo();
  decodePacket(frames[0]!, 0, frames[0]!.length, LINKTYPE_ETHERNET, p);
  assert.equal(p.vlan, 42);
  assert.equal(p.family, 4);
  assert.equal(p.proto, 6);
  assert.equal(formatAddr(frames[0]!, p.srcOff, p.addrLen), '10.0.0.1');
  assert.deepEqual([p.sport, p.dport, p.seq, p.tcpFlags], [40000, 80, 1000, TCP_SYN]);
  decodePacket(frames[2]!, 0, frames[2]!.length, LINKTYPE_ETHERNET, p);
  assert.equal(p.payloadLen, 18);
  decodePacket(frames[5]!, 0, frames[5]!.length, LINKTYPE_ETHERNET, p);
  assert.deepEqual([p.family, p.proto, p.sport, p.dport, p.payloadLen], [6, 17, 5353, 53, 5]);
  assert.equal(formatAddr(frames[5]!, p.dstOff, p.addrLen), 'fd00::2');
  decodePacket(frames[6]!, 0, frames[6]!.length, LINKTYPE_ETHERNET, p);
  assert.deepEqual([p.proto, p.icmpType, p.icmpCode], [58, 128, 0]);
  decodePacket(frames[7]!, 0, frames[7]!.length, LINKTYPE_ETHERNET, p);
  assert.deepEqual([p.proto, p.icmpType], [1, 8]);
  decodePacket(frames[8]!, 0, frames[8]!.length, LINKTYPE_ETHERNET, p);
  assert.equal(p.family, 0);
  const raw = ipv4(17, A, B, udp(1, 2, 'x'));
  decodePacket(raw, 0, raw.length, LINKTYPE_RAW, p);
  assert.deepEqual([p.family, p.proto, p.sport, p.dport, p.payloadLen], [4, 17, 1, 2, 1]);
  // truncated frames never throw
  for (const f of frames) for (let n = 0; n < f.length; n++) decodePacket(f, 0, n, LINKTYPE_ETHERNET, p);
  assert.equal(formatAddr(Buffer.from('20010db8000000000000000000000001', 'hex'), 0, 16), '2001:db8::1');
});

test('counters: per connection with direction, flags and retransmissions; per container rx/tx', () => {
  const s = new NetStats();
  s.addInterface({ id: 0, name: 'veth0', ifindex: 7, containerId: 'c'.repeat(64), containerName: 'web', localMac: Uint8Array.from(MAC_A) });
  const p = new PacketInfo();
  for (const f of frames) {
    decodePacket(f, 0, f.length, LINKTYPE_ETHERNET, p);
    s.account(0, f, p, f.length, 1000);
  }
  const snap = s.snapshot(3000);
  const t = snap.connections.find((c) => c.proto === 'tcp')!;
  assert.deepEqual([t.src, t.sport, t.dst, t.dport], ['10.0.0.1', 40000, '10.0.0.2', 80]);
  assert.deepEqual([t.packets, t.pktsOut, t.pktsIn, t.syn, t.synAck, t.fin, t.retrans], [5, 3, 2, 1, 1, 1, 1]);
  assert.equal(t.payloadOut, 36);
  assert.equal(snap.connections.length, 4, 'tcp, udp6, icmp6, icmp');
  const ct = snap.containers.find((c) => c.name === 'web')!;
  assert.equal(ct.packets, frames.length);
  assert.equal(ct.rxPackets, 2);
  assert.equal(ct.tcpRetrans, 1);
  assert.equal(snap.interfaces[0]!.nonIp, 1);
  assert.ok(snap.intervalMs > 0 && ct.pps > 0);
  assert.equal(s.snapshot().connections[0]!.pps, 0, 'rates are per snapshot interval');
});

test('pcapng: tshark reads SHB/IDB/EPB with ns and us resolution', (t) => {
  const skip = needs('tshark', haveCmd('tshark'));
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-pcapng-'));
  try {
    for (const nanos of [true, false]) {
      const file = path.join(dir, `x${nanos ? 'ns' : 'us'}.pcapng`);
      const w = new PcapngWriter(file, nanos);
      const i0 = w.addInterface({ linktype: 1, snaplen: 65535, name: 'veth1', description: 'container web (cccccccccccc) eth0 via veth1' });
      const i1 = w.addInterface({ linktype: 1, snaplen: 65535, name: 'lo', description: 'host lo' });
      const sec = 1_700_000_000;
      frames.forEach((f, i) => w.writePacket(i % 2 ? i1 : i0, sec + i, 123_456_789, f, 0, f.length, f.length));
      w.close();
      const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.interface_description', '-e', 'tcp.analysis.retransmission', '-e', 'vlan.id', '-e', 'ipv6.dst', '-e', 'frame.len'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
      assert.equal(rows.length, frames.length);
      assert.equal(rows[0]![0], nanos ? '1700000000.123456789' : '1700000000.123456000');
      assert.equal(rows[8]![0]!.slice(0, 10), '1700000008');
      assert.equal(rows[0]![1], 'container web (cccccccccccc) eth0 via veth1');
      assert.equal(rows[1]![1], 'host lo');
      assert.equal(rows[0]![3], '42');
      assert.equal(rows[5]![4], 'fd00::2');
      assert.deepEqual(rows.map((r) => Number(r[5])), frames.map((f) => f.length));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('attribution: socket tuples (client and server roles, both ends local) joined with packet connections', () => {
  // hand-made state: a client socket in a container process, the accepted socket in a host process,
  // and a UDP server bound to a wildcard address in the same container
  const mk = (tid: number, comm: string, containerId: string): ThreadInfo => {
    const t = new ThreadInfo(tid);
    t.pid = tid;
    t.ptid = 1;
    t.comm = comm;
    t.exe = comm;
    t.containerId = containerId;
    return t;
  };
  const cli = mk(100, 'wget', 'abcdef012345');
  const srv = mk(200, 'httpd', '');
  const dns = mk(300, 'named', 'abcdef012345');
  const sock = (type: FdType, l4: L4, role: 0 | 1 | 2, sip: string, sport: number, dip: string, dport: number): FdInfo => {
    const f = new FdInfo(type);
    f.l4proto = l4;
    f.role = role;
    f.sip = sip;
    f.sport = sport;
    f.dip = dip;
    f.dport = dport;
    return f;
  };
  const idx = new SocketIndex((id) => (id === 'abcdef012345' ? 'web' : ''));
  const g0 = idx.gen;
  const cf = sock(FdType.IPV4_SOCK, L4.TCP, 2, '10.0.0.2', 40000, '10.0.0.9', 80);
  idx.note(cli, cf);
  idx.note(cli, cf); // unchanged tuple: no new generation
  assert.equal(idx.gen, g0 + 1);
  idx.note(srv, sock(FdType.IPV4_SOCK, L4.TCP, 1, '10.0.0.2', 40000, '10.0.0.9', 80)); // accepted: tuple client → server
  idx.note(dns, sock(FdType.IPV4_SERVSOCK, L4.UDP, 1, '0.0.0.0', 53, '', 0));
  assert.equal(idx.lookup(6, '10.0.0.2', 40000, '10.0.0.9', 80, '')?.proc, 'wget');
  assert.equal(idx.lookup(6, '10.0.0.9', 80, '10.0.0.2', 40000, '')?.proc, 'httpd');
  assert.equal(idx.lookup(6, '10.0.0.9', 80, '10.0.0.3', 40000, ''), undefined, 'another peer is another tuple');

  const s = new NetStats();
  s.resolver = idx;
  s.addInterface({ id: 0, name: 'veth1', ifindex: 5, containerId: 'abcdef012345' + '0'.repeat(52), containerName: 'web', localMac: Uint8Array.from(MAC_A) });
  const p = new PacketInfo();
  const feed = (f: Buffer): void => {
    decodePacket(f, 0, f.length, LINKTYPE_ETHERNET, p);
    s.account(0, f, p, f.length, 1000);
  };
  // the server answers first (packets seen before the SYN): roles come from the index, not the order
  feed(eth(0x0800, ipv4(6, [10, 0, 0, 9], [10, 0, 0, 2], tcp(80, 40000, 7, 1, TCP_ACK)), undefined, MAC_B, MAC_A));
  feed(eth(0x0800, ipv4(6, [10, 0, 0, 2], [10, 0, 0, 9], tcp(40000, 80, 1, 8, TCP_ACK))));
  feed(eth(0x0800, ipv4(17, [10, 0, 0, 7], [10, 0, 0, 2], udp(5353, 53, 'q')), undefined, MAC_B, MAC_A));
  const snap = s.snapshot(2000);
  const t1 = snap.connections.find((c) => c.proto === 'tcp')!;
  const ends = [t1.srcOwner, t1.dstOwner].map((o) => o && `${o.proc}/${o.container}/${o.pid}`).sort();
  assert.deepEqual(ends, ['httpd/host/200', 'wget/web/100']);
  assert.equal(t1.proc, 'wget', 'the end inside the interface container');
  assert.equal(t1.container, 'web');
  assert.equal(t1.pid, 100);
  const u = snap.connections.find((c) => c.proto === 'udp')!;
  const uo = u.srcOwner ?? u.dstOwner;
  assert.equal(uo?.proc, 'named', 'a wildcard-bound UDP server in the interface container');
  assert.equal((u.srcOwner ? 1 : 0) + (u.dstOwner ? 1 : 0), 1, 'the remote end stays unattributed');
  assert.equal(u.proc, 'named');

  // a closed listener leaves the index (the port is bound again by the next process); a process exit too
  const l2 = sock(FdType.IPV4_SERVSOCK, L4.UDP, 1, '127.0.0.1', 9999, '', 0);
  idx.note(dns, l2);
  assert.equal(idx.lookup(17, '127.0.0.1', 9999, '127.0.0.1', 5000, '')?.pid, 300);
  idx.closed(l2);
  assert.equal(idx.lookup(17, '127.0.0.1', 9999, '127.0.0.1', 5000, ''), undefined);
  idx.exited(300);
  assert.equal(idx.lookup(17, '10.0.0.2', 53, '10.0.0.7', 5353, 'abcdef012345'), undefined);
  assert.equal(idx.lookup(6, '10.0.0.2', 40000, '10.0.0.9', 80, '')?.proc, 'wget', 'connection tuples stay as history');
});

test('pcapng: option values longer than 65535 bytes are cut, never written with a wrapped length', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-pcapng-'));
  try {
    const file = path.join(dir, 'long.pcapng');
    const w = new PcapngWriter(file, true);
    // 70000 bytes: a u16 length would wrap to 4464 and misalign every later block; the cut value
    // ends before the 3-byte character that straddles byte 65535
    const long = 'x'.repeat(65534) + '\u20ac' + 'y'.repeat(4463);
    const i0 = w.addInterface({ linktype: 1, snaplen: 65535, name: 'veth9', description: long, comment: long });
    assert.equal(optionBytes(long).length, 65534, 'cut at a character boundary');
    assert.equal(optionBytes('short').toString(), 'short');
    w.writePacket(i0, 1_700_000_000, 5, frames[0]!, 0, frames[0]!.length, frames[0]!.length);
    w.close();
    // walk the blocks: every length field agrees with the trailing copy, every option fits its block
    const b = fs.readFileSync(file);
    const types: number[] = [];
    for (let o = 0; o < b.length; ) {
      const type = b.readUInt32LE(o);
      const len = b.readUInt32LE(o + 4);
      assert.ok(len >= 12 && len % 4 === 0 && o + len <= b.length, `block at ${o}: length ${len}`);
      assert.equal(b.readUInt32LE(o + len - 4), len, `trailing length of the block at ${o}`);
      if (type === 1) {
        let q = o + 16;
        const opts: Array<[number, number]> = [];
        while (q < o + len - 4) {
          const code = b.readUInt16LE(q);
          const olen = b.readUInt16LE(q + 2);
          opts.push([code, olen]);
          if (code === 0) break;
          q += 4 + ((olen + 3) & ~3);
        }
        assert.deepEqual(opts, [[2, 5], [3, 65534], [9, 1], [1, 65534], [0, 0]]);
      }
      types.push(type);
      o += len;
    }
    assert.deepEqual(types, [0x0a0d0d0a, 1, 6]);
    // the writer refuses a raw over-long value rather than wrapping its length
    assert.throws(() => writeRawOption(Buffer.alloc(70000)), RangeError);
    const skip = needs('tshark', haveCmd('tshark'));
    if (skip) return t.skip(skip);
    const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.len'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `veth9\t${frames[0]!.length}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('wire counters for the snapshot join: one socket end from its own side, containers, expiry', () => {
  const s = new NetStats();
  const cid = 'abcdef012345' + '0'.repeat(52);
  s.addInterface({ id: 0, name: 'veth1', ifindex: 5, containerId: cid, containerName: 'web', localMac: Uint8Array.from(MAC_A) });
  s.addInterface({ id: 1, name: 'lo', ifindex: 1, containerId: '', containerName: 'host' });
  const p = new PacketInfo();
  const feed = (ifId: number, f: Buffer, ms: number): void => {
    decodePacket(f, 0, f.length, LINKTYPE_ETHERNET, p);
    s.account(ifId, f, p, f.length, ms);
  };
  for (const f of frames.slice(0, 5)) feed(0, f, 1000); // 10.0.0.1:40000 → 10.0.0.2:80, one retransmission by the client
  const cli = s.wireEnd(6, '10.0.0.1', 40000, '10.0.0.2', 80, 'abcdef012345')!;
  const srv = s.wireEnd(6, '10.0.0.2', 80, '10.0.0.1', 40000, '')!;
  assert.equal(cli.conn, srv.conn, 'one connection seen on one interface');
  assert.notEqual(cli.localIsA, srv.localIsA);
  assert.deepEqual([cli.pktsOut, cli.pktsIn, cli.retrans], [3, 2, 1]);
  assert.deepEqual([srv.pktsOut, srv.pktsIn, srv.retrans], [2, 3, 0]);
  assert.equal(cli.bytesOut, srv.bytesIn);
  assert.equal(cli.bytesOut, frames.slice(0, 5).filter((_, i) => i !== 1 && i !== 4).reduce((n, f) => n + f.length, 0));
  assert.equal(s.wireEnd(6, '10.0.0.1', 40001, '10.0.0.2', 80, ''), undefined, 'another port is another connection');
  const ct = s.containerWire('abcdef012345')!;
  assert.deepEqual([ct.pktsOut, ct.pktsIn], [3, 2], 'tx = from the container MAC, rx = the two answers');
  assert.deepEqual([...s.allContainerWire().keys()].sort(), ['abcdef012345', 'host']);
  // idle connections are forgotten; interface and container totals stay
  feed(0, frames[5]!, 50_000);
  assert.equal(s.expire(30_000, 60_000), 1, 'the tcp connection, idle since 1000 ms');
  assert.equal(s.wireEnd(6, '10.0.0.1', 40000, '10.0.0.2', 80, ''), undefined);
  assert.equal(s.connectionCount, 1);
  assert.equal(s.snapshot(60_000).connections.length, 1);
  assert.equal(s.containerWire('abcdef012345')!.pktsIn + s.containerWire('abcdef012345')!.pktsOut, 6);
});
