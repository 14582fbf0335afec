// spy_file: echo every read/write to files (or to one file).
import { defineChisel, formatBytes } from '../src/chisel/api';

export default defineChisel({
  name: 'spy_file',
  category: 'I/O',
  shortDescription:
    'Echo any read/write made by any process to all files. Optionally, you can provide the name of one file to only intercept reads/writes to that file.',
  description:
    'Prints every successful read and write on files (terminals excluded), or only those on one file: time, process(pid), R or W, bytes, file name and the data (as text, like -A, unless another buffer format was chosen).',
  args: [
    { name: 'read_or_write', type: 'string', optional: true, description: "'R' for reads only, 'W' for writes only, 'RW' (default) for both." },
    { name: 'spy_on_file_name', type: 'string', optional: true, description: 'The name of the file to spy on (default: all files).' },
  ],
  fields: ['evt.time', 'proc.name', 'proc.pid', 'evt.is_io_write', 'evt.rawarg.res', 'fd.name', 'evt.arg.data'],
  init(api, args) {
    const file = args.spy_on_file_name === undefined ? '' : String(args.spy_on_file_name);
    const rw = String(args.read_or_write ?? '').toUpperCase();
    let filter = file ? `(fd.name=${file}) and ` : '(not fd.name contains /dev/pt and not fd.name contains /dev/tty) and ';
    filter += rw === 'R' ? 'evt.is_io_read=true and ' : rw === 'W' ? 'evt.is_io_write=true and ' : 'evt.is_io=true and ';
    filter += 'fd.type=file and evt.dir=< and evt.failed=false';
    api.setFilter(filter);
    const ts = api.field('evt.time');
    const pname = api.field('proc.name');
    const pid = api.field('proc.pid');
    const isW = api.field('evt.is_io_write');
    const res = api.field('evt.rawarg.res');
    const fdname = api.field('fd.name');
    const data = api.field('evt.arg.data');
    // the data is shown as text unless the user picked a buffer format (-x, -X, -b)
    const ascii = api.bufFormat() === 'normal';
    return {
      onEvent(c) {
        const r = c.render;
        const saved = r.bufFormat;
        if (ascii) r.bufFormat = 'ascii';
        let d: string;
        try {
          d = data.display(c) ?? '';
        } finally {
          r.bufFormat = saved;
        }
        const n = res.value(c);
        api.print(
          `${ts.display(c) ?? '<NA>'} ${pname.display(c) ?? '<NA>'}(${pid.display(c) ?? '<NA>'}) ${isW.value(c) === true ? 'W' : 'R'} ` +
            `${formatBytes(typeof n === 'number' ? n : 0)} ${fdname.display(c) ?? ''} ${d}`,
        );
      },
    };
  },
});
