// spy_ip / spy_port: print the payloads of network I/O that passes a filter, with a header line
// each time the direction changes (sysdig's output, including its "Read" header for writes in spy_ip).
import type { ChiselApi, ChiselHooks } from './api';
import { formatBytes } from './format';

const RED = '\x1b[31m';
const BLUE = '\x1b[34m';
const RESET = '\x1b[0m';

export function spyNet(api: ChiselApi, filter: string, color: boolean, writeWord: string): ChiselHooks {
  api.setFilter(filter);
  const data = api.field('evt.arg.data');
  const isRead = api.field('evt.is_io_read');
  const res = api.field('evt.rawarg.res');
  let dir = 0; // 1 read, 2 write
  let header: string | undefined;
  const c0 = (s: string) => (color ? s : '');
  return {
    onEvent(c) {
      const r = res.value(c);
      if (typeof r !== 'number' || r <= 0) return;
      const d = data.display(c);
      if (d === undefined) return;
      const rd = isRead.value(c) === true;
      if (rd && dir !== 1) {
        header = `${c0(RED)}------ Read ${formatBytes(r)}`;
        dir = 1;
      } else if (!rd && dir !== 2) {
        header = `${c0(BLUE)}------ ${writeWord} ${formatBytes(r)}`;
        dir = 2;
      }
      // the header is repeated for every payload; it changes only with the direction
      api.print(header ?? '');
      api.print(d);
    },
    captureEnd() {
      api.print(c0(RESET));
    },
  };
}
