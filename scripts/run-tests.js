#!/usr/bin/env node
'use strict';
// Runs every compiled test file with node's test runner and ends with the plain
// "N passed, N failed, N skipped" line CI reads. Extra args filter test files by substring.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'dist', 'test');
const filters = process.argv.slice(2);
function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
let files = fs.existsSync(root) ? walk(root).sort() : [];
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
process.stdout.write(r.stdout || '');
const num = (k) => {
  const m = (r.stdout || '').match(new RegExp('ℹ ' + k + ' (\\d+)'));
  return m ? Number(m[1]) : 0;
};
const passed = num('pass');
const failed = num('fail') + num('cancelled');
const skipped = num('skipped') + num('todo');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
