// spy_ip: the payloads exchanged with one IP address.
import { defineChisel } from '../src/chisel/api';
import { spyNet } from '../src/chisel/spy';

export default defineChisel({
  name: 'spy_ip',
  category: 'Net',
  shortDescription: 'Show the data exchanged with the given IP address',
  description:
    'Shows the network payloads exchanged with an IP end-point. Combine it with -x, -X or -A to choose how the data is shown. (As in sysdig, the header line says "Read" for writes too.)',
  args: [
    { name: 'host_ip', type: 'ipv4', description: 'The remote host IP address' },
    { name: 'disable_color', type: 'string', optional: true, description: "Set to 'disable_colors' if you want to disable color output" },
  ],
  fields: ['evt.arg.data', 'evt.is_io_read', 'evt.rawarg.res'],
  init(api, args) {
    return spyNet(api, `evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6) and fd.ip=${String(args.host_ip)}`, args.disable_color !== 'disable_colors', 'Read');
  },
});
