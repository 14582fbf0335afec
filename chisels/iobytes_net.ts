// iobytes_net: Show total network I/O bytes, printed every second of event time.
import { defineChisel } from '../src/chisel/api';
import { ioBytesInit, IOBYTES_FIELDS } from '../src/chisel/bodies';

export default defineChisel({
  name: 'iobytes_net',
  category: 'Net',
  shortDescription: 'Show total network I/O bytes',
  description: 'Counts the total bytes read from and written to the network, and prints the result every second.',
  args: [],
  fields: IOBYTES_FIELDS,
  filter: 'evt.is_io=true and (fd.type=ipv4 or fd.type=ipv6)',
  init: ioBytesInit,
});
