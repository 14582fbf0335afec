// The quick reader of plain replay command lines (src/cli/quick-args.ts) must give exactly what
// yargs gives for every command it accepts, and leave every other command to yargs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, parseArgsWithYargs } from '../src/cli/options';
import { quickArgs } from '../src/cli/quick-args';

const TAKEN: string[][] = [
  ['-r', 'a.scap'],
  ['-r', 'a.scap', '-q'],
  ['--read', 'a.scap', '-v', '-S'],
  ['-r', 'a.scap', 'evt.type=open'],
  ['-r', 'a.scap', 'evt.type=open or proc.name=nginx'],
  ['-r', 'a.scap', 'evt.type=open', 'and', 'fd.num=3'],
  ['-q', '-r', 'a.scap', '-r', 'b.scap.gz', 'proc.name=x'],
  ['--readfile', '123', '--quiet', '--verbose', '--summary', 'not', 'evt.dir=<'],
  ['-r', 'dir/with space.scap', '(proc.name=a)'],
];

const LEFT: string[][] = [
  [],
  ['-q'],
  ['-r'],
  ['-r', '-q'],
  ['-r', ''],
  ['-r=a.scap'],
  ['-qr', 'a.scap'],
  ['-r', 'a.scap', '-p', '%evt.num'],
  ['-r', 'a.scap', '--', 'evt.num=1'],
  ['-r', 'a.scap', '3'],
  ['-r', 'a.scap', '0x10'],
  ['-r', 'a.scap', '.5'],
  ['-r', 'a.scap', '-q', 'true'],
  ['-r', 'a.scap', ''],
  ['-r', 'a.scap', '-'],
  ['-r', 'a.scap', '-n', '10'],
  ['-r', 'a.scap', '--help'],
];

test('quick args: the same options as yargs for the plain replays it takes', () => {
  for (const argv of TAKEN) {
    assert.ok(quickArgs(argv) !== null, `taken: ${JSON.stringify(argv)}`);
    assert.deepEqual(parseArgs(argv), parseArgsWithYargs(argv), JSON.stringify(argv));
  }
});

test('quick args: anything else is left to yargs', () => {
  for (const argv of LEFT) assert.equal(quickArgs(argv), null, JSON.stringify(argv));
});
