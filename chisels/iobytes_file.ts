// iobytes_file: Sum of file I/O bytes, printed every second of event time.
import { defineChisel } from '../src/chisel/api';
import { ioBytesInit, IOBYTES_FIELDS } from '../src/chisel/bodies';

export default defineChisel({
  name: 'iobytes_file',
  category: 'I/O',
  shortDescription: 'Sum of file I/O bytes',
  description: 'Counts the total bytes read from and written to files, and prints the result every second.',
  args: [],
  fields: IOBYTES_FIELDS,
  filter: 'evt.is_io=true and fd.type=file',
  init: ioBytesInit,
});
