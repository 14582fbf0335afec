// Whether an fd is a terminal, without loading node:tty where fstat already says it cannot be one.
// node:tty pulls in net and its stream stack (a few ms of every replay's start, and a replay to a
// file, a pipe or /dev/null never needs them): files, pipes and sockets are not terminals, nor are
// the memory devices (/dev/null, /dev/zero…: character devices of major 1). Any other character
// device is asked of tty.isatty.
import * as fs from 'node:fs';

const MEM_MAJOR = 1;

export function isTerminal(fd: number): boolean {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch {
    return false; // closed or invalid, as tty.isatty answers
  }
  if (!st.isCharacterDevice()) return false;
  // Linux dev_t: major in bits 8-19 and 32-43; a major of 1 has no high bits
  if (st.rdev < 2 ** 32 && ((st.rdev >>> 8) & 0xfff) === MEM_MAJOR) return false;
  try {
    return (require('node:tty') as typeof import('node:tty')).isatty(fd);
  } catch {
    return false;
  }
}
