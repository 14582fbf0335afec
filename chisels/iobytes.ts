// iobytes: Sum of I/O bytes on any type of FD, printed every second of event time.
import { defineChisel } from '../src/chisel/api';
import { ioBytesInit, IOBYTES_FIELDS } from '../src/chisel/bodies';

export default defineChisel({
  name: 'iobytes',
  category: 'I/O',
  shortDescription: 'Sum of I/O bytes on any type of FD',
  description: 'Counts the total bytes read from and written to any type of FD (disk, socket, pipe...) and prints the result every second.',
  args: [],
  fields: IOBYTES_FIELDS,
  filter: 'evt.is_io=true',
  init: ioBytesInit,
});
