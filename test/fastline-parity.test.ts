// The default line has its own writer (src/output/fastline.ts) beside the generic formatter: both
// must print the same bytes. Checked on a synthetic capture with an enter and an exit of every
// event type (the build's warm-up capture: every param kind, relative and absolute paths, 64-bit
// hex values, thread-less events) and, where ../shared is present, on every public fixture, with
// -D (container events) and -A/-v buffers.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixtureList, tsdig } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { capture } = require(path.join(__dirname, '..', '..', 'scripts', 'warm-capture.js')) as { capture(): Buffer };

const GENERIC = { env: { ...process.env, TSDIG_GENERIC_FORMAT: '1', TSDIG_THREADS: '1' } };
const FAST = { env: { ...process.env, TSDIG_THREADS: '1' } };

function same(file: string, args: string[], printsSomething = false): void {
  const fast = tsdig(['-r', file, ...args], FAST);
  const generic = tsdig(['-r', file, ...args], GENERIC);
  if (printsSomething) assert.ok(fast.stdout.length > 0, `${path.basename(file)} ${args.join(' ')}: nothing printed`);
  assert.equal(fast.status, generic.status);
  assert.ok(Buffer.compare(fast.stdout, generic.stdout) === 0, `${path.basename(file)} ${args.join(' ')}: the fast line differs from the generic formatter`);
}

test('fast default line = generic formatter: every event type (synthetic capture)', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-fastline-')), 'all-types.scap');
  fs.writeFileSync(file, capture());
  for (const args of [[], ['-D'], ['-v'], ['-A'], ['-t', 'r']]) same(file, args, true);
});

const files = fixtureList();
test('fast default line = generic formatter: every fixture', { skip: files.length === 0 ? 'skipped: ../shared/fixtures/scap is absent (the public captures live beside the project)' : undefined }, () => {
  for (const f of files) for (const args of [[], ['-D']]) same(f, args);
});
