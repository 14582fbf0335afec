// echo_fds: print the data read and written on any fd, with a header line per I/O.
import { defineChisel, formatBytes } from '../src/chisel/api';

const RED = '\x1b[31m';
const BLUE = '\x1b[34m';
const GREEN = '\x1b[32m';
const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';

export default defineChisel({
  name: 'echo_fds',
  category: 'I/O',
  shortDescription: 'Print the data read and written by processes.',
  description:
    'Prints the data read and written on every fd (red for reads, blue for writes). Combine it with a filter to restrict what it shows. With -pc the container name and id are shown too.',
  args: [{ name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_colors' if you want to disable color output" }],
  fields: ['evt.rawarg.data', 'evt.is_io_read', 'evt.rawarg.res', 'fd.name', 'proc.name', 'container.name', 'container.id'],
  filter: 'evt.is_io=true and evt.dir=< and evt.rawres>0',
  init(api, args) {
    const color = args.disable_color !== 'disable_colors';
    const c0 = (s: string) => (color ? s : '');
    const data = api.field('evt.arg.data');
    const isRead = api.field('evt.is_io_read');
    const res = api.field('evt.rawarg.res');
    const fdname = api.field('fd.name');
    const pname = api.field('proc.name');
    const cname = api.field('container.name');
    const cid = api.field('container.id');
    const withContainer = api.printContainerData();
    return {
      onEvent(c) {
        const r = res.value(c);
        if (typeof r !== 'number' || r <= 0) return;
        const name = fdname.display(c) ?? '<NA>';
        const proc = pname.display(c) ?? '<NA>';
        let container = '';
        if (withContainer) {
          const cn = cname.display(c) ?? '<NA>';
          container = `${c0(cn === 'host' ? GREEN : CYAN)} [${cn}] [${cid.display(c) ?? '<NA>'}]`;
        }
        const col = isRead.value(c) ? RED : BLUE;
        const what = isRead.value(c) ? `Read ${formatBytes(r)} from` : `Write ${formatBytes(r)} to`;
        api.print(`${c0(col)}------ ${what} ${container} ${c0(col)} ${name} (${proc})`);
        api.print(data.display(c) ?? '<NA>');
      },
      captureEnd() {
        api.print(c0(RESET));
      },
    };
  },
});
