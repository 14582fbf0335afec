// Bounded fuzzing in CI (fixed seeds): the .scap reader and the replay pipeline behind it, the
// filter language and the -p format parser may only fail with typed errors; pcapng files written by
// PcapngWriter read back exactly and damaged ones give only PcapngError (test/fuzz/pcapng.ts). Longer runs:
// `node dist/bench/fuzz.js --seconds 600`. Inputs that once crashed live in test/fuzz/regressions.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixtureList } from './helpers';
import { fuzzFilters, fuzzFormats, fuzzScap, loadScapSeeds, replayBytes } from './fuzz/harness';
import { ScapError } from '../src/scap/types';
import { fuzzPcapngReader, fuzzPcapngRoundTrip } from './fuzz/pcapng';

const files = fixtureList();
const REGRESSIONS = path.join(__dirname, '..', '..', 'test', 'fuzz', 'regressions');

test('fuzz: scap reader and replay pipeline (seeded, bounded)', { skip: files.length === 0 ? 'skipped: ../shared/fixtures/scap is absent' : undefined }, () => {
  const seeds = loadScapSeeds(files);
  const st = fuzzScap(seeds, 20261125, 4000, 90_000);
  console.log(`# ${st.target}: ${st.execs} execs in ${st.ms} ms, ${st.ok} read fully, ${st.typedErrors} typed errors, ${st.findings.length} findings`);
  assert.equal(st.findings.length, 0, st.findings.map((f) => `iteration ${f.iteration}: ${f.error}`).join('\n'));
});

test('fuzz: filter parser and compiler', () => {
  const st = fuzzFilters(7, 20000);
  console.log(`# ${st.target}: ${st.execs} execs in ${st.ms} ms, ${st.ok} compiled, ${st.typedErrors} typed errors, ${st.findings.length} findings`);
  assert.equal(st.findings.length, 0, st.findings.slice(0, 5).map((f) => `${JSON.stringify(f.input.toString('latin1'))}: ${f.error}`).join('\n'));
});

test('fuzz: -p format parser', () => {
  const st = fuzzFormats(11, 20000);
  console.log(`# ${st.target}: ${st.execs} execs in ${st.ms} ms, ${st.ok} compiled, ${st.typedErrors} typed errors, ${st.findings.length} findings`);
  assert.equal(st.findings.length, 0, st.findings.slice(0, 5).map((f) => `${JSON.stringify(f.input.toString('latin1'))}: ${f.error}`).join('\n'));
});

test('fuzz: pcapng writer round trip and reader (seeded, bounded)', () => {
  const seeds: Buffer[] = [];
  const rt = fuzzPcapngRoundTrip(20261126, 300, 60_000, seeds);
  console.log(`# ${rt.target}: ${rt.execs} execs in ${rt.ms} ms, ${rt.ok} exact, ${rt.findings.length} findings`);
  assert.equal(rt.findings.length, 0, rt.findings.slice(0, 5).map((f) => `iteration ${f.iteration}: ${f.error}`).join('\n'));
  assert.ok(seeds.length > 0, 'round trip produced seeds');
  const st = fuzzPcapngReader(seeds, 20261127, 20000, 60_000);
  console.log(`# ${st.target}: ${st.execs} execs in ${st.ms} ms, ${st.ok} read fully, ${st.typedErrors} typed errors, ${st.findings.length} findings`);
  assert.equal(st.findings.length, 0, st.findings.slice(0, 5).map((f) => `iteration ${f.iteration}: ${f.error}`).join('\n'));
  assert.ok(st.typedErrors > 0 && st.ok > 0, 'mutations reach both outcomes');
});

test('fuzz regressions stay fixed', () => {
  const list = fs.existsSync(REGRESSIONS) ? fs.readdirSync(REGRESSIONS).filter((f) => f.endsWith('.scap')) : [];
  for (const f of list) {
    try {
      replayBytes(fs.readFileSync(path.join(REGRESSIONS, f)), 4096);
    } catch (e) {
      assert.ok(e instanceof ScapError, `${f}: ${(e as Error).stack}`);
    }
  }
});
