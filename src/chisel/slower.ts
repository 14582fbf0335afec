// Shared body of fileslower / netlower: I/O slower than min_ms, one line per event.
import type { ChiselApi, ChiselArgs, ChiselHooks } from './api';

const GREEN = '\x1b[32m';
const BLUE = '\x1b[34m';

/** printf %-N.Ns */
export const col = (s: string | undefined, n: number, cut = true) => {
  const v = s ?? '<NA>';
  return (cut ? v.slice(0, n) : v).padEnd(n);
};

export function ioSlower(filter: string, skipDev: boolean): (api: ChiselApi, args: ChiselArgs) => ChiselHooks {
  return (api, args) => {
    const color = args.disable_color !== 'disable_colors' && args.disable_color !== 'disable_color';
    const dt = api.field('evt.datetime');
    const dir = api.field('evt.dir');
    const type = api.field('evt.type');
    const fname = api.field('fd.name');
    const pname = api.field('proc.name');
    const lat = api.field('evt.latency');
    const cname = api.field('container.name');
    const cid = api.field('container.id');
    const min = Number(args.min_ms);
    const pc = api.printContainerData();
    api.setFilter(filter);
    const D = (n: number) => '-'.repeat(n);
    if (pc) {
      api.print(`${col('evt.datetime', 23)} ${col('container.id', 20)} ${col('container.name', 20)} ${col('proc.name', 12)} ${col('evt.type', 8, false)} ${col('LATENCY(ms)', 12, false)} fd.name`);
      api.print(`${D(23)} ${D(20)} ${D(20)} ${D(12)} ${D(8)} ${D(12)} ${D(41)}`);
    } else {
      api.print(`${col('evt.datetime', 23)} ${col('proc.name', 12)} ${col('evt.type', 8, false)} ${col('LATENCY(ms)', 12, false)} fd.name`);
      api.print(`${D(23)} ${D(12)} ${D(8)} ${D(12)} ${D(41)}`);
    }
    return {
      onEvent(c) {
        const ms = Number(lat.value(c) ?? 0) / 1e6;
        if (dir.value(c) !== '<' || !(ms > min)) return;
        const fn = fname.display(c) ?? '<NA>';
        if (skipDev && fn.startsWith('/dev/')) return;
        const cn = cname.display(c);
        const pre = color ? (cn !== 'host' ? BLUE : GREEN) : '';
        const l = String(Math.trunc(ms)).padStart(12);
        const head = pc ? `${col(dt.display(c), 23)} ${col(cid.display(c), 20)} ${col(cn, 20)} ` : `${col(dt.display(c), 23)} `;
        api.print(`${pre}${head}${col(pname.display(c), 12)} ${col(type.display(c), 8, false)} ${l} ${fn}`);
      },
    };
  };
}
