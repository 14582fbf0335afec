// spy_users: the commands users run from shells and the directories they visit, as a tree under
// each login shell.
import { defineChisel, extendString } from '../src/chisel/api';

const GREEN = '\x1b[32m';
const BLUE = '\x1b[34m';
const RESET = '\x1b[0m';
/** ancestors looked at to find the shell a command comes from */
const MAX_ANCESTORS = 16;

export default defineChisel({
  name: 'spy_users',
  category: 'Security',
  shortDescription: 'Display interactive user activity',
  description:
    'Lists every command that users launch interactively (e.g. from bash) and every directory they visit, indented by depth under the shell they come from and prefixed with that shell\'s pid. With -pc the container name is shown too (blue: a process in a container, green: a host process).',
  args: [
    { name: 'max_depth', type: 'int', optional: true, description: 'the maximum depth to show in the hierarchy of processes' },
    { name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_color' if you want to disable color output" },
  ],
  fields: ['evt.type', 'proc.exe', 'proc.args', 'evt.arg.path', 'user.name', 'evt.time.s', 'proc.pid', 'proc.ppid', 'container.name', 'proc.aname[N]', 'proc.apid[N]'],
  filter:
    '((evt.type=execve and evt.dir=<) or (evt.type=chdir and evt.dir=< and proc.name contains sh and not proc.name contains sshd)) and evt.failed=false',
  init(api, args) {
    const maxDepth = args.max_depth === undefined ? -1 : Number(args.max_depth);
    // sysdig's spy_users takes only 'disable_color' (its other chisels want 'disable_colors')
    const color = args.disable_color !== 'disable_color';
    const etype = api.field('evt.type');
    const exe = api.field('proc.exe');
    const pargs = api.field('proc.args');
    const dir = api.field('evt.arg.path');
    const user = api.field('user.name');
    const time = api.field('evt.time.s');
    const pid = api.field('proc.pid');
    const ppid = api.field('proc.ppid');
    const cname = api.field('container.name');
    const anames = Array.from({ length: MAX_ANCESTORS + 1 }, (_, j) => api.field(`proc.aname[${j}]`));
    const apids = Array.from({ length: MAX_ANCESTORS + 1 }, (_, j) => api.field(`proc.apid[${j}]`));
    const withC = api.printContainerData();
    /** pid -> [depth below its shell, pid of that shell]; depth -1: not under a shell */
    const tree = new Map<number, [number, number]>();
    return {
      onEvent(c) {
        const isChdir = etype.value(c) === 'chdir';
        const p = Number(pid.value(c) ?? -1);
        // a cd is the shell's own action: it is placed as a child of the shell itself
        const parent = isChdir ? p : Number(ppid.value(c) ?? -1);
        const shift = isChdir ? 1 : 0;
        if (!tree.has(parent)) {
          let entry: [number, number] = [-1, 0];
          for (let j = 1; j <= MAX_ANCESTORS; j++) {
            const k = j - shift;
            const an = anames[k]!.value(c);
            if (an === undefined) {
              if (apids[k]!.value(c) === undefined) break;
              continue;
            }
            const name = String(an);
            if (name.length >= 2 && name.endsWith('sh')) {
              // the oldest shell ancestor wins
              const ap = Number(apids[k]!.value(c));
              entry = tree.has(ap) ? [j - 1, ap] : [0, ap];
            }
          }
          tree.set(parent, entry);
        }
        const pe = tree.get(parent)!;
        if (pe[0] === -1) return;
        if (!tree.has(p)) tree.set(p, [pe[0] + 1, pe[1]]);
        const [depth, shell] = tree.get(p)!;
        const level = isChdir ? depth : depth - 1;
        if (maxDepth !== -1 && level > maxDepth) return;
        const u = (user.display(c) ?? '<NA>');
        const t = time.display(c) ?? '';
        let k = '';
        let who = u;
        if (withC) {
          const cn = cname.display(c) ?? '<NA>';
          k = color ? (cn !== 'host' ? BLUE : GREEN) : '';
          who = `${u}@${cn}`;
        }
        const indent = extendString('', (withC || isChdir ? 4 : 3) * level);
        const what = isChdir ? `cd ${dir.display(c) ?? ''}` : `${exe.display(c) ?? ''} ${pargs.display(c) ?? ''}`;
        api.print(`${k}${indent}${shell} ${t} ${who}) ${what}`);
      },
      captureEnd() {
        api.print(color ? RESET : '');
      },
    };
  },
});
