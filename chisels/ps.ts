// ps: the process table at the first event, like ps.
import { defineChisel, extendString, formatBytes } from '../src/chisel/api';
import { atFirstEvent } from '../src/chisel/snapshot';

export default defineChisel({
  name: 'ps',
  category: 'System State',
  shortDescription: 'List (and optionally filter) the machine processes.',
  description:
    'Lists the processes (threads) like ps does, as the state table has them at the first event (pick another point with a global filter, e.g. evt.num=1000). The optional filter keeps the threads that have at least one fd matching it, e.g. \'fd.name contains /etc\'.',
  args: [{ name: 'filter', type: 'filter', optional: true, description: "A filter on the fds of each process, e.g. 'fd.name contains /etc' shows the processes that have files open under /etc." }],
  init(api, args) {
    const filter = args.filter === undefined ? undefined : String(args.filter);
    return atFirstEvent(api, () => {
      api.print(extendString('TID', 8) + extendString('PID', 8) + extendString('USER', 12) + extendString('VIRT', 11) + extendString('RES', 11) + extendString('FDLIMIT', 10) + extendString('CMD', 20));
      for (const { thread: t, user } of api.threadTable(filter)) {
        api.print(
          extendString(String(t.tid), 8) + extendString(String(t.pid), 8) + extendString(user, 12) +
            extendString(formatBytes(t.vmsize * 1024), 11) + extendString(formatBytes(t.vmrss * 1024), 11) +
            // the thread table gives fdlimit as uint32 (chisel_api.cpp); a thread sinsp made up has -1
            extendString(String((t.synthetic && t.fdlimit === 0 ? -1 : t.fdlimit) >>> 0), 10) + t.comm,
        );
      }
    });
  },
});
