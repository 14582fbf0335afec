// spy_port: the payloads exchanged on one port.
import { defineChisel } from '../src/chisel/api';
import { spyNet } from '../src/chisel/spy';

export default defineChisel({
  name: 'spy_port',
  category: 'Net',
  shortDescription: 'Show the data exchanged using the given IP port number',
  description: 'Shows the network payloads exchanged using a given IP port number. Combine it with -x, -X or -A to choose how the data is shown.',
  args: [
    { name: 'host_port', type: 'int', description: 'The remote host IP port number' },
    { name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_colors' if you want to disable color output" },
  ],
  fields: ['evt.arg.data', 'evt.is_io_read', 'evt.rawarg.res'],
  init(api, args) {
    return spyNet(api, `evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6) and fd.port=${Number(args.host_port)}`, args.disable_color !== 'disable_colors', 'Write');
  },
});
