// Packet decoder over a raw frame: Ethernet (+ up to two 802.1Q/802.1ad tags), Linux cooked (SLL),
// raw IP, IPv4, IPv6 (with extension headers), TCP, UDP, ICMP and ICMPv6. It fills one reusable
// PacketInfo instead of allocating per packet; addresses stay in the buffer (addrOff + addrLen).

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export class PacketInfo {
  len = 0; // bytes available (captured length)
  // link layer
  ethOff = -1; // offset of the Ethernet header, -1 when the link type has none
  etherType = 0;
  vlan = -1; // outermost VLAN id, -1 when untagged
  vlanCount = 0;
  // network layer
  family = 0; // 4, 6, or 0 when not IP
  l3Off = 0;
  srcOff = 0; // offsets of the source / destination address in the buffer
  dstOff = 0;
  addrLen = 0; // 4 or 16
  ttl = 0;
  proto = -1; // IP protocol number of the transport header (after v6 extension headers)
  fragment = false; // not the first fragment: no transport header
  ipPayloadLen = 0; // bytes after the IP header(s), from the IP length fields
  // transport layer
  l4Off = 0;
  sport = 0;
  dport = 0;
  tcpFlags = 0;
  seq = 0; // unsigned 32-bit
  ack = 0;
  window = 0;
  payloadLen = 0; // TCP/UDP payload bytes (from the headers, not the captured length)
  icmpType = -1;
  icmpCode = -1;
  truncated = false; // a header did not fit in the captured bytes

  reset(len: number): void {
    this.len = len;
    this.ethOff = -1;
    this.etherType = 0;
    this.vlan = -1;
    this.vlanCount = 0;
    this.family = 0;
    this.l3Off = 0;
    this.srcOff = 0;
    this.dstOff = 0;
    this.addrLen = 0;
    this.ttl = 0;
    this.proto = -1;
    this.fragment = false;
    this.ipPayloadLen = 0;
    this.l4Off = 0;
    this.sport = 0;
    this.dport = 0;
    this.tcpFlags = 0;
    this.seq = 0;
    this.ack = 0;
    this.window = 0;
    this.payloadLen = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.truncated = false;
  }
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Decodes the frame in buf[off, off+len) captured with the given link type into p. */
export function decodePacket(buf: Uint8Array, off: number, len: number, linktype: number, p: PacketInfo): PacketInfo {
  p.reset(len);
  const end = off + len;
  let o = off;
  let etype: number;
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      if (len < 14) return trunc(p);
      p.ethOff = o;
      etype = u16(buf, o + 12);
      o += 14;
      while ((etype === 0x8100 || etype === 0x88a8 || etype === 0x9100) && p.vlanCount < 2) {
        if (o + 4 > end) return trunc(p);
        if (p.vlanCount === 0) p.vlan = u16(buf, o) & 0x0fff;
        p.vlanCount++;
        etype = u16(buf, o + 2);
        o += 4;
      }
      break;
    case LINKTYPE_LINUX_SLL:
      if (len < 16) return trunc(p);
      etype = u16(buf, o + 14);
      o += 16;
      break;
    case LINKTYPE_RAW:
      if (len < 1) return trunc(p);
      etype = buf[o]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case LINKTYPE_NULL: {
      if (len < 4) return trunc(p);
      const fam = buf[o]! | (buf[o + 1]! << 8); // host (little) endian AF_*
      etype = fam === 2 ? 0x0800 : fam === 10 || fam === 24 || fam === 28 || fam === 30 ? 0x86dd : 0;
      o += 4;
      break;
    }
    default:
      return p;
  }
  p.etherType = etype;
  if (etype === 0x0800) decodeIPv4(buf, o, end, p);
  else if (etype === 0x86dd) decodeIPv6(buf, o, end, p);
  return p;
}

function trunc(p: PacketInfo): PacketInfo {
  p.truncated = true;
  return p;
}

function decodeIPv4(buf: Uint8Array, o: number, end: number, p: PacketInfo): void {
  if (o + 20 > end) return void trunc(p);
  const vihl = buf[o]!;
  if (vihl >> 4 !== 4) return;
  const ihl = (vihl & 0x0f) * 4;
  if (ihl < 20) return;
  p.family = 4;
  p.l3Off = o;
  p.addrLen = 4;
  p.srcOff = o + 12;
  p.dstOff = o + 16;
  p.ttl = buf[o + 8]!;
  p.proto = buf[o + 9]!;
  const total = u16(buf, o + 2);
  // TSO/GSO super-frames seen by AF_PACKET can carry total length 0: fall back to the captured size
  const ipEnd = total >= ihl ? o + total : end;
  p.ipPayloadLen = Math.max(0, ipEnd - o - ihl);
  const fragOff = u16(buf, o + 6) & 0x1fff;
  if (fragOff !== 0) {
    p.fragment = true;
    return;
  }
  decodeL4(buf, o + ihl, Math.min(end, ipEnd), p.ipPayloadLen, p);
}

function decodeIPv6(buf: Uint8Array, o: number, end: number, p: PacketInfo): void {
  if (o + 40 > end) return void trunc(p);
  if (buf[o]! >> 4 !== 6) return;
  p.family = 6;
  p.l3Off = o;
  p.addrLen = 16;
  p.srcOff = o + 8;
  p.dstOff = o + 24;
  p.ttl = buf[o + 7]!;
  const plen = u16(buf, o + 4);
  let next = buf[o + 6]!;
  let q = o + 40;
  let remaining = plen > 0 ? plen : end - q; // jumbograms / GSO: use what was captured
  for (let i = 0; i < 8; i++) {
    if (next === 0 || next === 43 || next === 60) {
      // hop-by-hop, routing, destination options: (len + 1) * 8 bytes
      if (q + 2 > end) return void trunc(p);
      const hl = (buf[q + 1]! + 1) * 8;
      next = buf[q]!;
      q += hl;
      remaining -= hl;
    } else if (next === 44) {
      if (q + 8 > end) return void trunc(p);
      const fragOff = u16(buf, q + 2) >> 3;
      next = buf[q]!;
      q += 8;
      remaining -= 8;
      if (fragOff !== 0) {
        p.proto = next;
        p.fragment = true;
        p.ipPayloadLen = Math.max(0, remaining);
        return;
      }
    } else if (next === 51) {
      if (q + 2 > end) return void trunc(p);
      const hl = (buf[q + 1]! + 2) * 4;
      next = buf[q]!;
      q += hl;
      remaining -= hl;
    } else break;
  }
  p.proto = next;
  p.ipPayloadLen = Math.max(0, remaining);
  decodeL4(buf, q, Math.min(end, q + Math.max(0, remaining)), p.ipPayloadLen, p);
}

function decodeL4(buf: Uint8Array, o: number, end: number, l4len: number, p: PacketInfo): void {
  p.l4Off = o;
  switch (p.proto) {
    case PROTO_TCP: {
      if (o + 20 > end) return void trunc(p);
      p.sport = u16(buf, o);
      p.dport = u16(buf, o + 2);
      p.seq = u32(buf, o + 4);
      p.ack = u32(buf, o + 8);
      const doff = (buf[o + 12]! >> 4) * 4;
      p.tcpFlags = buf[o + 13]!;
      p.window = u16(buf, o + 14);
      p.payloadLen = Math.max(0, l4len - doff);
      return;
    }
    case PROTO_UDP: {
      if (o + 8 > end) return void trunc(p);
      p.sport = u16(buf, o);
      p.dport = u16(buf, o + 2);
      const ulen = u16(buf, o + 4);
      p.payloadLen = Math.max(0, (ulen >= 8 ? ulen : l4len) - 8);
      return;
    }
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      if (o + 4 > end) return void trunc(p);
      p.icmpType = buf[o]!;
      p.icmpCode = buf[o + 1]!;
      p.payloadLen = Math.max(0, l4len - 4);
      return;
    default:
      p.payloadLen = l4len;
  }
}

/** Text form of the address at buf[off] (4 or 16 bytes); allocates, so use for reports only. */
export function formatAddr(buf: Uint8Array, off: number, len: number): string {
  if (len === 4) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(u16(buf, off + i));
  // RFC 5952: compress the longest run (>= 2) of zero groups
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return hex.slice(0, bestAt).join(':') + '::' + hex.slice(bestAt + bestLen).join(':');
}

export function tcpFlagsString(f: number): string {
  let s = '';
  if (f & TCP_SYN) s += 'S';
  if (f & TCP_FIN) s += 'F';
  if (f & TCP_RST) s += 'R';
  if (f & TCP_PSH) s += 'P';
  if (f & TCP_ACK) s += '.';
  if (f & TCP_URG) s += 'U';
  if (f & TCP_ECE) s += 'E';
  if (f & TCP_CWR) s += 'W';
  return s;
}
