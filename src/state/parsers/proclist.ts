// Fd lists from a capture's process table, loaded as sinsp loads them (add_fd_from_scap), and the
// direction fix sinsp applies to their sockets once every list is in (fix_sockets_coming_from_proc).
import { copySockBytes, FdRecord, FdType } from '../../scap/types';
import { decodeFdList } from '../../scap/blocks';
import { FdInfo } from '../fdinfo';
import { CL, FdTable, PendingFds, ThreadInfo, setPendingFdLoader } from '../thread';
import { SOCK_LEN, swapAddresses, syncView } from '../sockets';
import { ipv6Str, mappedOrAny, parseIp } from '../../util/net';

/** one scratch for every list: a Buffer per thread cost more than the lists' parsing */
const SCRATCH = Buffer.alloc(SOCK_LEN);
/** an IPv6 socket's tuple as the capture has it (16 + 16 address bytes, two ports, l4 proto) */
const IP6_TUPLE = Buffer.alloc(37);

function anyNonZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return true;
  return false;
}

function putIp(b: Buffer, o: number, text: string | undefined, v6: boolean): void {
  const a = parseIp(text ?? '');
  if (!a) b.fill(0, o, o + (v6 ? 16 : 4));
  else if (v6) a.copy(b, o);
  else a.copy(b, o, 12, 16);
}

function putU64(b: Buffer, o: number, hex: string | undefined): void {
  let v = 0n;
  try { v = BigInt('0x' + (hex || '0')); } catch { v = 0n; }
  b.writeBigUInt64LE(BigInt.asUintN(64, v), o);
}

/**
 * Loads one thread's fd list. sinsp fills one reused fdinfo per thread and copies it into the
 * table, writing only the socket fields of each fd's type: the rest of the socket bytes are the
 * previous fd's. Those leftovers show when a socket later changes type, so they are kept here.
 */
export function loadFdList(fds: FdTable, list: FdRecord[]): void {
  const scratch = SCRATCH.fill(0); // zeroed per thread, as sinsp's fresh fdinfo; never kept (copied)
  let snapshot: Buffer | null = null; // scratch as last copied, shared by the non-socket fds after it
  for (const r of list) {
    const f = new FdInfo(r.type === FdType.FILE_V2 ? FdType.FILE : r.type, r.name);
    f.openFlags = r.openFlags;
    f.ino = r.ino;
    f.dev = r.dev;
    let wrote = true;
    switch (r.type) {
      case FdType.IPV4_SOCK:
        if (copySockBytes(r, scratch, 13)) break; // a capture's bytes are already in this layout
        putIp(scratch, 0, r.sip, false); putIp(scratch, 4, r.dip, false);
        scratch.writeUInt16LE(r.sport ?? 0, 8); scratch.writeUInt16LE(r.dport ?? 0, 10); scratch[12] = r.l4proto ?? 0;
        break;
      case FdType.IPV6_SOCK: {
        // a capture's bytes as they are; a record from text (the live /proc scan) parsed into them
        const t6 = IP6_TUPLE;
        if (!copySockBytes(r, t6, 37)) {
          putIp(t6, 0, r.sip, true); putIp(t6, 16, r.dip, true);
          t6.writeUInt16LE(r.sport ?? 0, 32); t6.writeUInt16LE(r.dport ?? 0, 34); t6[36] = r.l4proto ?? 0;
        }
        if (mappedOrAny(t6, 0) && mappedOrAny(t6, 16)) {
          // sinsp turns a v4-mapped IPv6 socket into an IPv4 one
          f.type = FdType.IPV4_SOCK;
          t6.copy(scratch, 0, 12, 16); t6.copy(scratch, 4, 28, 32);
          t6.copy(scratch, 8, 32, 37); // ports and l4 proto, same order
        } else {
          t6.copy(scratch, 0, 0, 37);
        }
        break;
      }
      case FdType.IPV4_SERVSOCK:
        if (copySockBytes(r, scratch, 7)) break;
        putIp(scratch, 0, r.sip, false); scratch.writeUInt16LE(r.sport ?? 0, 4); scratch[6] = r.l4proto ?? 0;
        break;
      case FdType.IPV6_SERVSOCK:
        if (copySockBytes(r, scratch, 19)) break;
        putIp(scratch, 0, r.sip, true); scratch.writeUInt16LE(r.sport ?? 0, 16); scratch[18] = r.l4proto ?? 0;
        break;
      case FdType.UNIX_SOCK:
        if (!copySockBytes(r, scratch, 16)) { putU64(scratch, 0, r.usrc); putU64(scratch, 8, r.udst); }
        f.role = r.name === '' ? 2 : 1;
        break;
      default:
        wrote = false;
    }
    if (wrote) {
      f.sock = Buffer.from(scratch);
      snapshot = null;
      syncView(f);
      if (f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK) {
        // ipv4tuple_to_string / ipv6tuple_to_string, whatever the protocol
        f.name = f.type === FdType.IPV4_SOCK
          ? `${f.sip}:${f.sport}->${f.dip}:${f.dport}`
          : `${ipv6Str(f.sock, 0)}:${f.sport}->${ipv6Str(f.sock, 16)}:${f.dport}`;
        f.fromProcList = true;
      } else if (f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) {
        f.name = `${f.sip}:${f.sport}`;
      }
    } else if (anyNonZero(scratch)) {
      snapshot ??= Buffer.from(scratch);
      f.sock = snapshot;
      f.sockShared = true;
    }
    fds.set(r.fd, f);
  }
}

/**
 * Process-list sockets come as local→remote. sinsp shows connections client→server, so once all
 * fd lists are in, an IPv4 socket whose local port is a listening port anywhere is turned around
 * (server role); every other one becomes a client.
 */
export function fixSocketsFromProc(threads: Iterable<ThreadInfo>, serverPorts: Set<number>): void {
  for (const t of threads) {
    if (t.mainThread() !== t && t.flags & CL.CLONE_FILES) continue; // shares its main thread's table
    if (t.pendingFds !== null) continue; // fixed when it is loaded
    fixTable(t.fds, serverPorts);
  }
}

function fixTable(fds: FdTable, serverPorts: Set<number>): void {
  for (const f of fds.values()) {
    if (f.type !== FdType.IPV4_SOCK || f.role !== 0 || f.fromProcList !== true) continue;
    if (f.sock && serverPorts.has(f.sock.readUInt16LE(8))) {
      swapAddresses(f);
      syncView(f);
      f.name = `${f.sip}:${f.sport}->${f.dip}:${f.dport}`;
      f.role = 1;
    } else {
      f.role = 2;
    }
  }
}

/** The listening ports of a list (sinsp's m_server_ports, filled as the lists come in). */
export function serverPortsOf(list: FdRecord[], ports: Set<number>): void {
  for (const r of list) if (r.type === FdType.IPV4_SERVSOCK || r.type === FdType.IPV6_SERVSOCK) ports.add(r.sport ?? 0);
}

// a table built late is fixed as the eager pass would have fixed it at the first event
setPendingFdLoader((fds: FdTable, p: PendingFds) => {
  for (const l of p.lists) loadFdList(fds, Array.isArray(l) ? l : decodeFdList(l));
  if (p.section.ready) fixTable(fds, p.section.ports);
});

