// scallslower: system calls slower than a threshold.
import { defineChisel } from '../src/chisel/api';
import { col } from '../src/chisel/slower';

export default defineChisel({
  name: 'scallslower',
  category: 'Performance',
  shortDescription: 'Trace slow syscalls',
  description: 'Lists every system call slower than a threshold in milliseconds.',
  args: [
    { name: 'min_ms', type: 'int', description: 'Minimum millisecond threshold for showing syscalls' },
    { name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_colors' if you want to disable color output" },
  ],
  fields: ['evt.datetime', 'evt.type', 'proc.name', 'evt.latency', 'container.name', 'container.id'],
  init(api, args) {
    const color = args.disable_color !== 'disable_colors' && args.disable_color !== 'disable_color';
    const dt = api.field('evt.datetime');
    const type = api.field('evt.type');
    const pname = api.field('proc.name');
    const lat = api.field('evt.latency');
    const cname = api.field('container.name');
    const cid = api.field('container.id');
    const min = Number(args.min_ms);
    const pc = api.printContainerData();
    const D = (n: number) => '-'.repeat(n);
    if (pc) {
      api.print(`${col('evt.datetime', 23)} ${col('container.id', 20)}  ${col('container.name', 20)} ${col('proc.name', 23)} ${col('LATENCY(ms)', 20, false)} evt.type`);
      api.print(`${D(23)} ${D(20)} ${D(20)} ${D(23)} ${D(20)} ${D(20)}`);
    } else {
      api.print(`${col('evt.datetime', 23)} ${col('proc.name', 23)} ${col('LATENCY(ms)', 20, false)} evt.type`);
      api.print(`${D(23)} ${D(23)} ${D(20)} ${D(20)}`);
    }
    return {
      onEvent(c) {
        const v = lat.value(c);
        if (v === undefined) return;
        const ms = Number(v) / 1e6;
        if (!(ms > min)) return;
        const cn = cname.display(c);
        const pre = color ? (cn !== 'host' ? '\x1b[34m' : '\x1b[32m') : '';
        const l = String(Number(ms.toPrecision(14))).padEnd(20);
        const head = pc ? `${col(dt.display(c), 23)} ${col(cid.display(c), 20)} ${col(cn, 20)} ` : `${col(dt.display(c), 23)} `;
        api.print(`${pre}${head}${col(pname.display(c), 23)} ${l} ${type.display(c)}`);
      },
    };
  },
});
