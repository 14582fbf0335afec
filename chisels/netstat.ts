// netstat: the network connections at the first event, like netstat.
import { defineChisel, extendString } from '../src/chisel/api';
import type { FdInfo } from '../src/chisel/api';
import { atFirstEvent } from '../src/chisel/snapshot';
import { FdType } from '../src/scap/types';

function l4Name(p: number): string {
  switch (p) {
    case 2: return 'tcp';
    case 3: return 'udp';
    case 4: return 'icmp';
    case 5: return 'raw';
    default: return 'unknown';
  }
}

function isServer(f: FdInfo): boolean {
  return f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK;
}

export default defineChisel({
  name: 'netstat',
  category: 'System State',
  shortDescription: 'List (and optionally filter) network connections.',
  description:
    'Prints the network connections and listening sockets, like netstat, as the state table has them at the first event (pick another point with a global filter). The optional filter narrows the sockets, e.g. \'proc.name=foo and fd.port=80\'.',
  args: [{ name: 'filter', type: 'filter', optional: true, description: "A filter on the sockets, e.g. 'proc.name=foo and fd.port=80'." }],
  init(api, args) {
    let filter = '(fd.type=ipv4 or fd.type=ipv6)';
    if (args.filter !== undefined && String(args.filter).trim()) filter += ` and (${String(args.filter)})`;
    return atFirstEvent(api, () => {
      api.print(extendString('Proto', 6) + extendString('Server Address', 25) + extendString('Client Address', 25) + extendString('State', 15) + 'TID/PID/Program Name');
      for (const { thread: t, fds } of api.threadTable(filter)) {
        for (const [, f] of fds) {
          const srv = isServer(f);
          // a connection is shown server side first: the tuple is client -> server
          const server = srv ? `${f.sip}:${f.sport}` : `${f.dip}:${f.dport}`;
          const client = srv ? '0.0.0.0:*' : `${f.sip}:${f.sport}`;
          api.print(extendString(l4Name(f.l4proto), 6) + extendString(server, 25) + extendString(client, 25) + extendString(srv ? 'LISTEN' : 'ESTABLISHED', 15) + `${t.tid}/${t.pid}/${t.comm}`);
        }
      }
    });
  },
});
