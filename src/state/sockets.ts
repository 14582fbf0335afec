// Socket tuples and addresses as the driver encodes them (PT_SOCKTUPLE / PT_SOCKADDR), decoded
// into fd state and rendered as sysdig prints them.
import { FdType } from '../scap/types';
import { FdInfo } from './fdinfo';
import { ipv4Str, ipv6Str, isV4Mapped } from '../util/net';

export const PPM_AF_UNIX = 1;
export const PPM_AF_INET = 2;
export const PPM_AF_INET6 = 10;

/** Decodes a tuple into the fd (type, addresses, name). Returns false if the tuple is unusable. */
export function decodeTuple(b: Buffer, f: FdInfo): boolean {
  if (b.length < 1) return false;
  const fam = b[0];
  if (fam === PPM_AF_INET && b.length >= 13) {
    f.type = f.type === FdType.IPV6_SOCK ? FdType.IPV6_SOCK : FdType.IPV4_SOCK;
    if (f.type === FdType.IPV6_SOCK) f.type = FdType.IPV4_SOCK;
    f.sip = ipv4Str(b, 1);
    f.sport = b.readUInt16LE(5);
    f.dip = ipv4Str(b, 7);
    f.dport = b.readUInt16LE(11);
    f.name = tupleName(f);
    return true;
  }
  if (fam === PPM_AF_INET6 && b.length >= 37) {
    if (isV4Mapped(b, 1) && isV4Mapped(b, 19)) {
      f.type = FdType.IPV4_SOCK;
      f.sip = ipv4Str(b, 13);
      f.dip = ipv4Str(b, 31);
    } else {
      f.type = FdType.IPV6_SOCK;
      f.sip = ipv6Str(b, 1);
      f.dip = ipv6Str(b, 19);
    }
    f.sport = b.readUInt16LE(17);
    f.dport = b.readUInt16LE(35);
    f.name = tupleName(f);
    return true;
  }
  if (fam === PPM_AF_UNIX && b.length >= 17) {
    f.type = FdType.UNIX_SOCK;
    f.usrc = b.readBigUInt64LE(1).toString(16);
    f.udst = b.readBigUInt64LE(9).toString(16);
    let e = 17;
    while (e < b.length && b[e] !== 0) e++;
    f.name = b.toString('latin1', 17, e);
    return true;
  }
  return false;
}

export function tupleName(f: FdInfo): string {
  return `${f.sip}:${f.sport}->${f.dip}:${f.dport}`;
}

export type Sockaddr =
  | { family: 'ipv4' | 'ipv6'; ip: string; port: number }
  | { family: 'unix'; path: string }
  | { family: 'other'; num: number };

export function decodeSockaddr(b: Buffer): Sockaddr | undefined {
  if (b.length < 1) return undefined;
  const fam = b[0]!;
  if (fam === PPM_AF_INET && b.length >= 7) return { family: 'ipv4', ip: ipv4Str(b, 1), port: b.readUInt16LE(5) };
  if (fam === PPM_AF_INET6 && b.length >= 19) {
    if (isV4Mapped(b, 1)) return { family: 'ipv4', ip: ipv4Str(b, 13), port: b.readUInt16LE(17) };
    return { family: 'ipv6', ip: ipv6Str(b, 1), port: b.readUInt16LE(17) };
  }
  if (fam === PPM_AF_UNIX) {
    let e = 1;
    while (e < b.length && b[e] !== 0) e++;
    return { family: 'unix', path: b.toString('latin1', 1, e) };
  }
  return { family: 'other', num: fam };
}
