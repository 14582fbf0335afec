// iobytes: Sum of I/O bytes on any type of FD, printed every second of event time.
import { defineChisel } from '../src/chisel/api';

export default defineChisel({
  name: 'iobytes',
  category: 'I/O',
  shortDescription: 'Sum of I/O bytes on any type of FD',
  description: 'Counts the total bytes read from and written to any type of FD (disk, socket, pipe...) and prints the result every second.',
  args: [],
  fields: ['evt.rawarg.res', 'evt.is_io_read', 'evt.time.s'],
  filter: 'evt.is_io=true',
  init(api) {
    const res = api.field('evt.rawarg.res');
    const isRead = api.field('evt.is_io_read');
    const time = api.field('evt.time.s');
    let tin = 0;
    let tout = 0;
    api.setIntervalMs(1000);
    return {
      onEvent(c) {
        const v = res.value(c);
        if (typeof v !== 'number' || v <= 0) return;
        if (isRead.value(c)) tin += v;
        else tout += v;
      },
      onInterval(_ts, _delta, c) {
        const tot = tin + tout;
        // a time-series point: the CLI prints its text, a TUI can chart the values
        api.out.sample({ ts: _ts, values: { in: tin, out: tout, tot }, text: `${time.display(c)} in:${tin} out:${tout} tot:${tot}` });
        tin = 0;
        tout = 0;
      },
    };
  },
});
