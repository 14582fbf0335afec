// Socket tuples and addresses as the driver encodes them (PT_SOCKTUPLE / PT_SOCKADDR), decoded
// into fd state and rendered as sysdig prints them.
import { FdInfo } from './fdinfo';

export const PPM_AF_UNIX = 1;
export const PPM_AF_INET = 2;
export const PPM_AF_INET6 = 10;

export function tupleName(f: FdInfo): string {
  return `${f.sip}:${f.sport}->${f.dip}:${f.dport}`;
}
