// Differential tests: tsdig's replay output against the real sysdig 0.29.3 on every fixture, in
// the default format and in a set of -p formats, filters and -j. Prints the match rate.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { fixtureList, haveCmd, needs, sysdig, tsdig, firstDiff } from './helpers';

const files = fixtureList();
const skipShared = files.length === 0 ? 'skipped: ../shared/fixtures/scap is absent (the public captures live beside the project)' : undefined;
const skipSysdig = skipShared ?? needs('sysdig (Debian package, the reference oracle)', haveCmd('sysdig'));

/** Files sysdig 0.29.3 cannot open (the spec documents why); tsdig reads them as a bonus. */
const UNREADABLE_BY_SYSDIG = new Set(['libs__curl_google_comments.scap']);

/**
 * Each case lists how many fixtures must be byte-identical to sysdig (a floor that only goes up).
 * The rest differ where sinsp quirks are not reproduced yet (see the printed differences: under a
 * filter, an exit sinsp filters out keeps its stored enter event alive, so a later fcntl can copy
 * an fd); the test prints each difference so progress stays visible.
 */
interface Case { name: string; args: string[]; files?: (f: string) => boolean; floor: number }

const CASES: Case[] = [
  { name: 'default output', floor: 45, args: [] },
  { name: '-p with widths and args', floor: 45, args: ['-p', '%evt.num %12proc.name %6evt.type %fd.name %evt.arg[0] %evt.arg.fd'] },
  { name: 'filter on proc and fd', floor: 45, args: ['-p', '*%evt.num %proc.name %fd.name %fd.type %fd.typechar', 'evt.dir=< and fd.type in (file, ipv4, ipv6, unix) and not proc.name=sshd'] },
  { name: '-j', floor: 45, args: ['-j'] },
  { name: '-t r and a', floor: 45, args: ['-t', 'r', 'evt.type in (open, openat, connect, accept, execve)'] },
  { name: 'process fields', floor: 45, args: ['-p', '*%evt.num %proc.pid %proc.ppid %proc.pname %proc.cmdline %user.uid %user.name %proc.cwd', 'evt.type in (execve, clone, open, openat)'] },
  { name: 'container format', floor: 45, args: ['-pc', 'container.id!=host or evt.type=execve'] },
  { name: '-X hex and ASCII buffers', floor: 44, args: ['-X', 'evt.is_io=true'] },
  { name: '-A and -b buffers', floor: 45, args: ['-A', '-n', '3000'] },
  { name: '-n event limit with a filter', floor: 45, args: ['-n', '200', 'evt.dir=<'] },
  { name: 'fdlist, syslog and memory fields', floor: 45, args: ['-p', '%evt.num %fdlist.nums %fdlist.names %fdlist.cips %fdlist.sports %syslog.severity.str %syslog.facility.str %syslog.message %proc.vmswap %thread.pfminor'] },
  { name: 'time fields', floor: 45, args: ['-p', '*%evt.num %evt.rawtime %evt.reltime %evt.deltatime %evt.time.s %evt.datetime %evt.time.iso8601 %evt.rawtime.s %evt.rawtime.ns %evt.reltime.s %evt.reltime.ns'] },
  { name: 'more process fields', floor: 45, args: ['-p', '*%evt.num %proc.exe %proc.exepath %proc.args %proc.nthreads %proc.sid %proc.sname %proc.tty %proc.vpgid %thread.ismain'] },
  { name: 'fd fields', floor: 45, args: ['-p', '*%evt.num %fd.num %fd.name %fd.type %fd.typechar %fd.l4proto %fd.cip %fd.sip %fd.cport %fd.sport %fd.is_server'] },
  { name: 'results and latency', floor: 45, args: ['-p', '%evt.num %evt.res %evt.rawres %evt.failed %evt.latency %evt.is_io %evt.is_io_read %evt.is_io_write %evt.io_dir', 'evt.dir=<'] },
];

for (const c of CASES) {
  test(`sysdig parity: ${c.name}`, { skip: skipSysdig }, () => {
    let same = 0;
    let total = 0;
    const failures: string[] = [];
    for (const f of files) {
      const base = path.basename(f);
      if (UNREADABLE_BY_SYSDIG.has(base) || (c.files && !c.files(f))) continue;
      total++;
      const want = sysdig(['-r', f, ...c.args]);
      const got = tsdig(['-r', f, ...c.args]);
      if (got.status === 0 && Buffer.compare(want.stdout, got.stdout) === 0) same++;
      else failures.push(`${base} (exit ${got.status}): ${firstDiff(want.stdout, got.stdout)}${got.stderr.length ? '\n  stderr: ' + got.stderr.toString().slice(0, 300) : ''}`);
    }
    console.log(`# ${c.name}: ${same}/${total} fixtures identical to sysdig (${((100 * same) / Math.max(1, total)).toFixed(1)}%)`);
    for (const f of failures) console.log('#   differs: ' + f.split('\n').slice(0, 3).join(' | '));
    assert.ok(same >= c.floor, `only ${same} fixtures identical (floor ${c.floor}):\n${failures.join('\n')}`);
  });
}
