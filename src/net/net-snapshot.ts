// What NetStats.snapshot() returns: per connection, owner, container and interface, plus the
// wire totals the syscall views show beside their own counters (src/net/stats.ts).

export interface ConnSnapshot {
  ifaceId: number;
  iface: string;
  containerId: string;
  containerName: string;
  proto: string;
  family: number;
  /** client (SYN sender) when known, otherwise the lower address:port */
  src: string;
  sport: number;
  dst: string;
  dport: number;
  packets: number;
  bytes: number;
  pktsOut: number; // src → dst
  bytesOut: number;
  pktsIn: number;
  bytesIn: number;
  payloadOut: number;
  payloadIn: number;
  syn: number;
  synAck: number;
  fin: number;
  rst: number;
  retrans: number;
  firstMs: number;
  lastMs: number;
  pps: number; // since the previous snapshot
  bps: number; // bytes per second
  /**
   * The process holding the socket of the end inside this interface's container (on a host
   * interface: the src end when it is local, else the dst end); null when not attributed.
   */
  pid: number | null;
  proc: string | null;
  /** container name of that process ('host' for host processes) */
  container: string | null;
  /** which end pid/proc/container describe */
  side: 'src' | 'dst' | null;
  /** both ends, each when it is a local socket the syscall capture saw */
  srcOwner: OwnerSnapshot | null;
  dstOwner: OwnerSnapshot | null;
}

/** Wire totals of one end, a container or the host: in = received, out = sent. */
export interface WireTotals {
  bytesIn: number;
  bytesOut: number;
  pktsIn: number;
  pktsOut: number;
  /** TCP segments sent again */
  retrans: number;
}

export interface WireEnd extends WireTotals {
  /** the connection (identity only: the same object for as long as it is tracked) */
  conn: object;
  /** which side of conn the end is (a loopback connection has both ends on one conn) */
  localIsA: boolean;
}

export interface OwnerSnapshot {
  pid: number;
  ppid: number;
  tid: number;
  proc: string;
  exe: string;
  containerId: string; // short id, '' for the host
  container: string; // name, 'host' for the host
}

export interface GroupSnapshot {
  packets: number;
  bytes: number;
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  tcpRetrans: number;
  pps: number;
  bps: number;
  /** averages over the whole run, and the highest one-second rates (when sample() runs every second) */
  avgPps: number;
  avgBps: number;
  peakPps: number;
  peakBps: number;
}

export interface ContainerSnapshot extends GroupSnapshot {
  id: string; // '' for the host
  name: string;
  ifaces: string[];
  connections: number;
}

export interface IfaceSnapshot extends GroupSnapshot {
  id: number;
  name: string;
  containerId: string;
  containerName: string;
  nonIp: number;
}

export interface NetSnapshot {
  timeMs: number;
  intervalMs: number;
  packets: number;
  bytes: number;
  interfaces: IfaceSnapshot[];
  containers: ContainerSnapshot[];
  connections: ConnSnapshot[];
}
