// lsof: the open fds of every process at the first event, like lsof.
import { defineChisel, extendString } from '../src/chisel/api';
import { atFirstEvent } from '../src/chisel/snapshot';
import { fdTypeName } from '../src/state/fdinfo';

export default defineChisel({
  name: 'lsof',
  category: 'System State',
  shortDescription: 'List (and optionally filter) the open file descriptors.',
  description:
    'Prints the open fds of every process, like lsof, as the state table has them at the first event (pick another point with a global filter). The optional filter keeps the matching fds, e.g. \'proc.name=foo and fd.name contains /etc\'.',
  args: [{ name: 'filter', type: 'filter', optional: true, description: "A filter on the fds, e.g. 'proc.name=foo and fd.name contains /etc'." }],
  init(api, args) {
    const filter = args.filter === undefined ? undefined : String(args.filter);
    return atFirstEvent(api, () => {
      api.print(extendString('COMMAND', 20) + extendString('PID', 8) + extendString('TID', 8) + extendString('USER', 8) + extendString('FD', 8) + extendString('TYPE', 12) + 'NAME');
      for (const { thread: t, user, fds } of api.threadTable(filter)) {
        const head = extendString(t.comm, 20) + extendString(String(t.pid), 8) + extendString(String(t.tid), 8) + extendString(user, 8);
        for (const [n, f] of fds) api.print(head + extendString(String(n), 8) + extendString(fdTypeName(f.type), 12) + f.name);
      }
    });
  },
});
