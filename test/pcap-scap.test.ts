// `tsdig --pcap out.pcapng -w out.scap` in one run: syscalls to the .scap (sysdig reads it), packets
// to the pcapng (tshark reads it), on one time base (ns since the epoch in both). Real containers: an
// httpd server and a wget client on the default bridge, three fetches started once tsdig captures.
// For each fetch the client's connect() and the server's accept() (from sysdig -r) and the SYN
// packets (from tshark, one per veth) lie within a second of each other, the SYNs lie inside the
// scap's first..last event time, and the connection's ends in tsdig's packet report name the same
// processes and containers as the scap's connect/accept events. Needs root, docker, cap, tshark and
// sysdig; under CI it fails instead of skipping when one is missing.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { needs, haveCmd, TSDIG } from './helpers';
import { dockerSkip, HTTPD_CMD, runContainer, inspect, removeContainers } from './docker';
import { checkPrerequisites } from '../src/live/native';

function capLoads(): boolean {
  try {
    require('cap');
    return true;
  } catch {
    return false;
  }
}

interface Owner {
  pid: number;
  proc: string;
  containerId: string;
  container: string;
}

interface Conn {
  iface: string;
  containerName: string;
  proto: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  srcOwner: Owner | null;
  dstOwner: Owner | null;
}

function runTsdig(args: string[], onStarted: () => void, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [TSDIG, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    p.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (!started && /capturing on .*syscalls to/.test(stderr)) {
        started = true;
        onStarted();
      }
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** seconds.nanoseconds text → ns as a bigint (exact) */
function nsOf(text: string): bigint {
  const [s, f = ''] = text.trim().split('.');
  return BigInt(s!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
}

test('tsdig --pcap with -w: one run, scap and pcapng on one time base, same processes', { timeout: 180_000 }, async (t) => {
  const root = process.getuid?.() === 0;
  const pre = root ? checkPrerequisites() : null;
  const skip =
    needs('root (CAP_NET_RAW, BPF)', root) ??
    needs(`live syscall capture (${pre?.message ?? ''})`, pre === null) ??
    needs('tshark', haveCmd('tshark')) ??
    needs('sysdig', haveCmd('sysdig')) ??
    needs('the cap module (libpcap)', capLoads()) ??
    (await dockerSkip());
  if (skip) return t.skip(skip);

  const tag = `${process.pid}`;
  const srv = `tsdig-pw-srv-${tag}`;
  const cli = `tsdig-pw-cli-${tag}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-pcapw-'));
  const pcap = path.join(dir, 'out.pcapng');
  const scap = path.join(dir, 'out.scap');
  try {
    const srvId = runContainer(srv, HTTPD_CMD);
    const ip = inspect(srv, '{{.NetworkSettings.IPAddress}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, 'server container has an IP on the default bridge');
    let cliId = '';
    const r = await runTsdig(
      ['--pcap', pcap, '-w', scap, '-M', '7', '-q', '-f', 'tcp port 80'],
      () => {
        cliId = runContainer(cli, `sleep 1; for i in 1 2 3; do wget -q -O /dev/null http://${ip}/; sleep 0.3; done`);
      },
      90_000,
    );
    assert.equal(r.code, 0, `tsdig failed: ${r.stderr}`);
    assert.ok(cliId, `tsdig never reported capturing: ${r.stderr}`);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { packets: number; scap: string; stats: { connections: Conn[] }; attribution: { enabled: boolean } };
    assert.equal(report.scap, scap);
    assert.ok(report.attribution.enabled, 'the -w capture attributes connections');

    // the scap: sysdig reads it; its time span, and the test's connect/accept exits
    const all = spawnSync('sysdig', ['-r', scap, '-p', '%evt.rawtime'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(all.status, 0, `sysdig -r failed: ${all.stderr}`);
    const times = all.stdout.trim().split('\n').filter(Boolean).map((l) => BigInt(l));
    assert.ok(times.length > 100, `sysdig reads events (${times.length})`);
    const first = times[0]!;
    let last = first;
    for (const x of times) if (x > last) last = x;
    // the connect/accept exits as tsdig reads the file: it applies the prctl(PR_SET_NAME) renames the
    // capture carries (busybox's applets), which sysdig 0.29.3 skips (there they stay `exe`)
    const sys = spawnSync(process.execPath, [TSDIG, '-r', scap, '-p', '%evt.rawtime\t%evt.type\t%proc.pid\t%proc.name\t%container.id\t%container.name\t%fd.name', `evt.type in (connect, accept, accept4) and evt.dir=< and fd.name contains "->${ip}:80"`], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    assert.equal(sys.status, 0, sys.stderr);
    interface SysEv { ns: bigint; pid: number; proc: string; cid: string; cname: string }
    const connects = new Map<number, SysEv>(); // by client port
    const accepts = new Map<number, SysEv>();
    for (const line of sys.stdout.trim().split('\n').filter(Boolean)) {
      const [ts, type, pid, proc, cid, cname, name] = line.split('\t');
      const m = /:(\d+)->[\d.]+:80$/.exec(name!);
      if (!m) continue;
      const ev = { ns: BigInt(ts!), pid: Number(pid), proc: proc!, cid: cid!, cname: cname! };
      (type === 'connect' ? connects : accepts).set(Number(m[1]), ev);
    }
    const ports = [...connects.keys()].filter((p) => accepts.has(p));
    assert.equal(ports.length, 3, `three fetches connect and are accepted in the scap:\n${sys.stdout}`);

    // the pcapng: tshark reads it; the SYN of each fetch, once per veth
    const tr = spawnSync('tshark', ['-r', pcap, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.time_epoch', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'frame.interface_description'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    assert.equal(tr.status, 0, `tshark failed: ${tr.stderr}`);
    const rows = tr.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
    assert.equal(rows.length, report.packets, 'tshark sees every packet tsdig wrote');
    const isSet = (v: string | undefined): boolean => v === '1' || v === 'True';
    const syns = new Map<number, Array<{ ns: bigint; desc: string }>>();
    for (const [time, syn, ack, sport, dport, desc] of rows) {
      if (!isSet(syn) || isSet(ack) || dport !== '80') continue;
      const l = syns.get(Number(sport)) ?? [];
      l.push({ ns: nsOf(time!), desc: desc! });
      syns.set(Number(sport), l);
    }
    const conns = report.stats.connections.filter((c) => c.proto === 'tcp');
    const WINDOW = 1_000_000_000n;
    const abs = (x: bigint): bigint => (x < 0n ? -x : x);
    for (const port of ports) {
      const c = connects.get(port)!;
      const a = accepts.get(port)!;
      const s = syns.get(port) ?? [];
      assert.equal(s.length, 2, `the SYN of port ${port} on the client's and the server's veth: ${JSON.stringify(s.map((x) => x.desc))}`);
      assert.ok(s.some((x) => x.desc.includes(cli)) && s.some((x) => x.desc.includes(srv)), 'interface descriptions name both containers');
      for (const x of s) {
        assert.ok(x.ns >= first && x.ns <= last, `SYN at ${x.ns} lies within the scap's ${first}..${last}`);
        assert.ok(abs(x.ns - c.ns) < WINDOW, `SYN ${x.ns} vs connect() exit ${c.ns}: ${Number(x.ns - c.ns) / 1e6} ms`);
        assert.ok(abs(x.ns - a.ns) < WINDOW, `SYN ${x.ns} vs accept() exit ${a.ns}: ${Number(x.ns - a.ns) / 1e6} ms`);
      }
      t.diagnostic(`port ${port}: SYN − connect() = ${s.map((x) => (Number(x.ns - c.ns) / 1e6).toFixed(3)).join(', ')} ms; accept() − SYN = ${s.map((x) => (Number(a.ns - x.ns) / 1e6).toFixed(3)).join(', ')} ms`);

      // the same processes and containers as the scap's events, on both veths
      assert.equal(c.cname, cli, 'connect() in the client container');
      assert.equal(a.cname, srv, 'accept() in the server container');
      assert.equal(c.cid, cliId.slice(0, 12));
      assert.equal(a.cid, srvId.slice(0, 12));
      const mine = conns.filter((x) => x.sport === port && x.dport === 80);
      assert.equal(mine.length, 2, `the connection on both veths in tsdig's report (port ${port})`);
      for (const x of mine) {
        const show = JSON.stringify(x);
        assert.ok(x.srcOwner && x.dstOwner, `both ends attributed: ${show}`);
        assert.deepEqual([x.srcOwner.pid, x.srcOwner.proc, x.srcOwner.container, x.srcOwner.containerId], [c.pid, c.proc, c.cname, c.cid], `client end = the scap's connect(): ${show}`);
        assert.deepEqual([x.dstOwner.pid, x.dstOwner.proc, x.dstOwner.container, x.dstOwner.containerId], [a.pid, a.proc, a.cname, a.cid], `server end = the scap's accept(): ${show}`);
      }
    }
  } finally {
    removeContainers([srv, cli]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
