// Shared bodies of near-identical chisels (iobytes*, stdout/stderr): each chisel file keeps its own
// name, description and filter, and points its init here.
// iobytes: bytes read and written by the events passing the chisel filter, one sample per second.
import type { ChiselApi, ChiselHooks } from './api';

export function ioBytesInit(api: ChiselApi): ChiselHooks {
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
    onInterval(ts, _delta, c) {
      const tot = tin + tout;
      // a time-series point: the CLI prints its text, a TUI can chart the values
      api.out.sample({ ts, values: { in: tin, out: tout, tot }, text: `${time.display(c)} in:${tin} out:${tout} tot:${tot}` });
      tin = 0;
      tout = 0;
    },
  };
}

export const IOBYTES_FIELDS = ['evt.rawarg.res', 'evt.is_io_read', 'evt.time.s'];

/** Shared body of stdout/stderr: print the buffers the chisel's filter lets through. */
export function echoBuffersInit(api: ChiselApi): ChiselHooks {
  const data = api.field('evt.buffer');
  return {
    onEvent(c) {
      const b = data.value(c);
      if (b === undefined) return;
      api.print(Buffer.isBuffer(b) ? b.toString('latin1') : String(b));
    },
  };
}
