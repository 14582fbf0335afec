// proc_exec_time: processes that ended, with how long they ran.
import { defineChisel, formatTime } from '../src/chisel/api';

const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const GREEN = '\x1b[32m';
const BLUE = '\x1b[34m';
const RESET = '\x1b[0m';
const YELLOW_NS = 3e9;
const RED_NS = 10e9;

/** printf's %-N.Ns */
const col = (s: string, n: number) => s.slice(0, n).padEnd(n);

export default defineChisel({
  name: 'proc_exec_time',
  category: 'Performance',
  shortDescription: 'Show process execution time',
  description:
    'Lists the processes that finished running with their run time; each line is coloured by that time (green or blue below the thresholds, yellow from 3 s, red from 10 s). With -pc the container id and name are shown too (blue: a process in a container, green: a host process).',
  args: [{ name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_colors' if you want to disable color output" }],
  fields: ['proc.duration', 'proc.name', 'proc.args', 'container.name', 'container.id'],
  filter: 'evt.type in (procexit, clone, clone3, fork, vfork) and not (evt.type!=procexit and evt.dir=>)',
  init(api, args) {
    const color = args.disable_color !== 'disable_colors';
    const pname = api.field('proc.name');
    const pargs = api.field('proc.args');
    const cname = api.field('container.name');
    const cid = api.field('container.id');
    const etype = api.field('evt.type');
    const res = api.field('evt.rawarg.res');
    // exact clone times (the state keeps them as doubles, ~256 ns off): tid -> ns of the first clone exit
    const cloned = new Map<number, bigint>();
    const withC = api.printContainerData();
    if (withC) {
      api.print(`${col('proc.duration', 13)} ${col('container.id', 20)} ${col('container.name', 20)} ${col('proc.name', 12)} proc.args`);
      api.print(`${'-'.repeat(13)} ${'-'.repeat(20)} ${'-'.repeat(20)} ${'-'.repeat(12)} ${'-'.repeat(20)}`);
    } else {
      api.print(`${col('proc.duration', 13)} ${col('proc.name', 12)} proc.args`);
      api.print(`${'-'.repeat(13)} ${'-'.repeat(12)} ${'-'.repeat(20)}`);
    }
    return {
      onEvent(c) {
        // sysdig's proc.duration is the time since THIS thread was cloned (the shared proc.duration
        // field measures from the main thread's clone): computed here from the thread
        const t = c.s.thread;
        if (etype.value(c) !== 'procexit') {
          const r = res.value(c);
          const tid = r === 0 ? t?.tid : typeof r === 'number' && r > 0 ? r : undefined;
          if (tid !== undefined && !cloned.has(tid)) cloned.set(tid, c.e.tsBig());
          return;
        }
        if (!t || !t.cloneTs) return;
        const exact = cloned.get(t.tid);
        cloned.delete(t.tid);
        const d = exact !== undefined && Math.abs(Number(exact) - t.cloneTs) < 4096 ? Number(c.e.tsBig() - exact) : c.e.tsNum - t.cloneTs;
        const cn = cname.display(c) ?? '<NA>';
        let k = d > RED_NS ? RED : d > YELLOW_NS ? YELLOW : cn !== 'host' ? BLUE : GREEN;
        if (!color) k = '';
        const name = pname.display(c) ?? '<NA>';
        const a = pargs.display(c) ?? '';
        if (withC) api.print(`${k}${col(formatTime(d), 13)} ${col(cid.display(c) ?? '<NA>', 20)} ${col(cn, 20)} ${col(name, 12)} ${a}`);
        else api.print(`${k}${col(formatTime(d), 13)} ${col(name, 12)} ${a}`);
      },
      captureEnd() {
        api.print(color ? RESET : '');
      },
    };
  },
});
