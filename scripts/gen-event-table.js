#!/usr/bin/env node
'use strict';
// Regenerates src/events/data/*.json from the reference tables in ../shared/data
// (sysdig 0.29.3's event_table.c, flags_table.c and syscall names, exported as JSON).
// The output is committed: the project ships its own table and never reads ../shared at run time.
// Usage: node scripts/gen-event-table.js [path/to/shared/data]
const fs = require('node:fs');
const path = require('node:path');

const src = process.argv[2] || path.join(__dirname, '..', '..', 'shared', 'data');
const out = path.join(__dirname, '..', 'src', 'events', 'data');
fs.mkdirSync(out, { recursive: true });

const table = JSON.parse(fs.readFileSync(path.join(src, 'scap-event-table.json'), 'utf8'));
const fmt = { PF_NA: 0, PF_DEC: 1, PF_HEX: 2, PF_OCT: 3, PF_10_PADDED_DEC: 4, PF_ID: 5, PF_DIR: 6 };
const events = table.events.map((e, i) => {
  if (e.id !== i) throw new Error(`event ${i} out of order`);
  return {
    name: e.name,
    dir: e.dir === 'enter' ? 0 : 1,
    category: e.category.replace(/^EC_/, ''),
    flags: e.flags.filter((f) => f !== 'EF_NONE').map((f) => f.replace(/^EF_/, '')),
    nparams: e.nparams,
    params: e.params.slice(0, e.nparams).map((p) => {
      const t = table.pt[p.type];
      if (t === undefined) throw new Error(`unknown param type ${p.type}`);
      let info = p.info;
      const m = /^DIRFD_PARAM\((\d+)\)$/.exec(info || '');
      return [p.name, t, fmt[p.fmt] ?? 0, m ? Number(m[1]) : info];
    }),
  };
});
fs.writeFileSync(path.join(out, 'event-table.json'),
  '[\n' + events.map((e) => JSON.stringify(e)).join(',\n') + '\n]\n');
const flags = JSON.parse(fs.readFileSync(path.join(src, 'scap-flags-tables.json'), 'utf8'));
fs.writeFileSync(path.join(out, 'flag-tables.json'),
  '{\n' + Object.entries(flags).map(([k, v]) => JSON.stringify(k) + ': ' + JSON.stringify(v)).join(',\n') + '\n}\n');
const sc = JSON.parse(fs.readFileSync(path.join(src, 'scap-syscall-names.json'), 'utf8'));
fs.writeFileSync(path.join(out, 'syscall-names.json'), JSON.stringify(sc) + '\n');
console.log(`wrote ${events.length} events, ${Object.keys(flags).length} flag tables, ${Object.keys(sc).length} syscall names to ${out}`);
