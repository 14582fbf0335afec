// lscontainers: the containers known at the first event.
import { defineChisel, extendString } from '../src/chisel/api';
import { atFirstEvent } from '../src/chisel/snapshot';

/** sysdig 0.29.3's chisel container table has no name for podman's type: it lists them as unknown */
const listedType = (type: string): string => (type === 'podman' ? 'unknown' : type);

export default defineChisel({
  name: 'lscontainers',
  category: 'System State',
  shortDescription: 'List the running containers',
  description:
    "Lists the containers (type, image, name, id) that the state has at the first event. With the argument 'desc' every container is printed as a data structure instead.",
  args: [{ name: 'desc', type: 'string', optional: true, description: 'Prints the result set as a data structure' }],
  init(api, args) {
    const desc = args.desc === 'desc';
    return atFirstEvent(
      api,
      () => {
        const list = [...api.state.containers.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        if (desc) {
          // the layout of sysdig's Lua table dump
          const q = (v: string) => '"' + v.replace(/[\\"]/g, (m) => '\\' + m).replace(/\n/g, '\\n') + '"';
          api.print('{');
          list.forEach((c, i) => {
            api.print(` ${i + 1} = {`);
            for (const [k, v] of [['id', c.id], ['type', listedType(c.type)], ['name', c.name], ['image', c.image]] as const) api.print(`  ${k} = ${q(v)},`);
            api.print(' },');
          });
          api.print('}');
          return;
        }
        api.print(extendString('container.type', 15) + extendString('container.image', 16) + extendString('container.name', 20) + extendString('container.id', 13));
        api.print(extendString('-'.repeat(15), 15) + extendString('-'.repeat(16), 16) + extendString('-'.repeat(20), 20) + extendString('-'.repeat(13), 13));
        for (const c of list) api.print(extendString(listedType(c.type), 15) + extendString(c.image, 16) + extendString(c.name, 20) + extendString(c.id, 13));
      },
      'always',
    );
  },
});
