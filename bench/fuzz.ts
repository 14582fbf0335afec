// Long fuzzing runs on demand (not a test): `node dist/bench/fuzz.js [--seconds 600] [--seed N]`.
// Runs the same targets as test/fuzz.test.ts (scap, filters, formats, pcapng round trip + reader) for the given time, prints executions and findings
// per target, and saves crashing inputs under test/fuzz/findings/ for triage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fuzzFilters, fuzzFormats, fuzzScap, loadScapSeeds, FuzzStats } from '../test/fuzz/harness';
import { fixtureList } from '../test/helpers';
import { fuzzPcapngReader, fuzzPcapngRoundTrip } from '../test/fuzz/pcapng';

const arg = (n: string, d: number) => {
  const i = process.argv.indexOf('--' + n);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const seconds = arg('seconds', 60);
let seed = arg('seed', Date.now() % 1e9);
const out = path.join(__dirname, '..', '..', 'test', 'fuzz', 'findings');
const seeds = loadScapSeeds(fixtureList());
const totals = new Map<string, FuzzStats>();
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const pcapSeeds: Buffer[] = []; // fresh writer outputs every round
  const rt = fuzzPcapngRoundTrip(seed, 200, 30_000, pcapSeeds);
  for (const st of [fuzzScap(seeds, seed, 2000, 30_000), fuzzFilters(seed, 20000), fuzzFormats(seed, 20000), rt, fuzzPcapngReader(pcapSeeds, seed, 20000, 30_000)]) {
    const t = totals.get(st.target) ?? { ...st, execs: 0, ok: 0, typedErrors: 0, findings: [], ms: 0 };
    t.execs += st.execs; t.ok += st.ok; t.typedErrors += st.typedErrors; t.ms += st.ms; t.findings.push(...st.findings);
    totals.set(st.target, t);
    for (const f of st.findings) {
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, `${f.target}-${f.seed}-${f.iteration}.bin`), f.input);
    }
  }
  seed++;
}
for (const t of totals.values()) {
  console.log(`${t.target}: ${t.execs} execs (${Math.round((t.execs * 1000) / Math.max(1, t.ms))}/s), ${t.ok} ok, ${t.typedErrors} typed errors, ${t.findings.length} findings`);
  for (const f of t.findings.slice(0, 5)) console.log(`  seed ${f.seed} iteration ${f.iteration}: ${f.error}`);
}
