// Per-container packet capture with real containers: an httpd container and a wget client on the
// default bridge, `tsdig --pcap out.pcapng -M 6 -f "tcp port 80"` while the client fetches. tshark must
// read the file, find the containers named in the interface descriptions, and count exactly the
// packets and bytes per connection that tsdig reports. With the eBPF syscall capture usable, every
// connection names its processes: httpd (the server container's process) on the server end, a wget
// child of the client container's shell on the client end. Needs root, docker, cap and tshark; under
// CI it fails instead of skipping when one is missing.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { needs, haveCmd, TSDIG } from './helpers';
import { dockerSkip, HTTPD_CMD, runContainer, inspect, removeContainers } from './docker';

function capLoads(): boolean {
  try {
    require('cap');
    return true;
  } catch {
    return false;
  }
}

interface Conn {
  ifaceId: number;
  iface: string;
  containerId: string;
  containerName: string;
  proto: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  packets: number;
  bytes: number;
  syn: number;
  synAck: number;
  fin: number;
  retrans: number;
  pid: number | null;
  proc: string | null;
  container: string | null;
  side: 'src' | 'dst' | null;
  srcOwner: Owner | null;
  dstOwner: Owner | null;
}

interface Owner {
  pid: number;
  ppid: number;
  tid: number;
  proc: string;
  exe: string;
  containerId: string;
  container: string;
}

/** true when the eBPF syscall capture can run here (then --pcap must attribute connections) */
function bpfUsable(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { checkPrerequisites } = require('../src/live/native') as typeof import('../src/live/native');
    return checkPrerequisites() === null;
  } catch {
    return false;
  }
}

const canon = (a: string, ap: number, b: string, bp: number): string => {
  const x = `${a}:${ap}`;
  const y = `${b}:${bp}`;
  return x < y ? `${x}<->${y}` : `${y}<->${x}`;
};

function runTsdig(args: string[], onStarted: () => void, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [TSDIG, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    p.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (!started && stderr.includes('capturing on')) {
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

test('tsdig --pcap captures two containers per veth; tshark agrees on every connection', { timeout: 120_000 }, async (t) => {
  const root = process.getuid?.() === 0;
  const skip =
    needs('root (CAP_NET_RAW)', root) ??
    needs('tshark', haveCmd('tshark')) ??
    needs('the cap module (libpcap)', capLoads()) ??
    (await dockerSkip());
  if (skip) return t.skip(skip);

  const tag = `${process.pid}`;
  const srv = `tsdig-pcap-srv-${tag}`;
  const cli = `tsdig-pcap-cli-${tag}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-pcap-'));
  const out = path.join(dir, 'out.pcapng');
  try {
    const srvId = runContainer(srv, HTTPD_CMD);
    const ip = inspect(srv, '{{.NetworkSettings.IPAddress}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, 'server container has an IP on the default bridge');
    const srvPid = Number(inspect(srv, '{{.State.Pid}}'));
    assert.ok(srvPid > 0, 'server container has a pid');
    let cliId = '';
    let cliPid = 0;
    // the client starts once tsdig captures, so its veth is picked up while running; it exits before
    // tsdig stops (its veth disappears mid-capture), after a bounded number of fetches
    const r = await runTsdig(
      ['--pcap', out, '-M', '6', '-f', 'tcp port 80'],
      () => {
        cliId = runContainer(cli, `sleep 1.2; for i in $(seq 1 12); do wget -q -O /dev/null http://${ip}/; sleep 0.15; done`);
        cliPid = Number(inspect(cli, '{{.State.Pid}}')); // the shell running the wget loop
      },
      60_000,
    );
    assert.equal(r.code, 0, `tsdig failed: ${r.stderr}`);
    assert.ok(cliId, `tsdig never reported capturing: ${r.stderr}`);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      packets: number;
      stats: { connections: Conn[]; containers: Array<{ id: string; name: string; packets: number; bytes: number; avgPps: number; peakPps: number; avgBps: number; peakBps: number }> };
      attribution: { enabled: boolean; note?: string; attributed: number; connections: number };
    };
    const conns = report.stats.connections.filter((c) => c.proto === 'tcp');

    // tshark reads the whole file
    const tr = spawnSync('tshark', ['-r', out, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.interface_id', '-e', 'frame.len', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'frame.interface_description', '-e', 'frame.interface_name'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(tr.status, 0, `tshark failed: ${tr.stderr}`);
    const rows = tr.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
    assert.equal(rows.length, report.packets, 'tshark sees as many frames as tsdig wrote');
    assert.ok(rows.length >= 12 * 5, `at least 5 packets per fetch captured (got ${rows.length})`);

    // per (interface, connection) packets and bytes: identical
    const mine = new Map<string, { packets: number; bytes: number }>();
    for (const c of conns) mine.set(`${c.ifaceId} ${canon(c.src, c.sport, c.dst, c.dport)}`, { packets: c.packets, bytes: c.bytes });
    const theirs = new Map<string, { packets: number; bytes: number }>();
    for (const [ifId, len, s, sp, d, dp] of rows) {
      const k = `${ifId} ${canon(s!, Number(sp), d!, Number(dp))}`;
      const e = theirs.get(k) ?? { packets: 0, bytes: 0 };
      e.packets++;
      e.bytes += Number(len);
      theirs.set(k, e);
    }
    assert.deepEqual(Object.fromEntries([...mine].sort()), Object.fromEntries([...theirs].sort()), 'per-interface connection counters match tshark');

    // per conversation over all interfaces, as tshark's conv,tcp table counts them
    const conv = spawnSync('tshark', ['-r', out, '-q', '-z', 'conv,tcp'], { encoding: 'utf8' });
    assert.equal(conv.status, 0, conv.stderr);
    const convs = new Map<string, { packets: number; bytes: number }>();
    for (const line of conv.stdout.split('\n')) {
      const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+\d+\s+[\d,]+\s+\S+\s+\d+\s+[\d,]+\s+\S+\s+(\d+)\s+([\d,]+)\s+(bytes|kB|MB)/.exec(line);
      if (!m || m[7] !== 'bytes') continue; // only exact byte figures are compared
      convs.set(canon(m[1]!, Number(m[2]), m[3]!, Number(m[4])), { packets: Number(m[5]), bytes: Number(m[6]!.replace(/,/g, '')) });
    }
    assert.ok(convs.size >= 12, `tshark lists the fetches as conversations (${convs.size})`);
    const summed = new Map<string, { packets: number; bytes: number }>();
    for (const c of conns) {
      const k = canon(c.src, c.sport, c.dst, c.dport);
      const e = summed.get(k) ?? { packets: 0, bytes: 0 };
      e.packets += c.packets;
      e.bytes += c.bytes;
      summed.set(k, e);
    }
    for (const [k, v] of convs) assert.deepEqual(summed.get(k), v, `conversation ${k}`);

    // interfaces are named after the containers (name and short id) in the IDBs
    const descs = new Set(rows.map((r) => r[6]!));
    const srvDesc = [...descs].find((d) => d.includes(srv));
    const cliDesc = [...descs].find((d) => d.includes(cli));
    assert.ok(srvDesc && srvDesc.includes(srvId.slice(0, 12)), `server interface description names it: ${[...descs].join(' | ')}`);
    assert.ok(cliDesc && cliDesc.includes(cliId.slice(0, 12)), `client interface description names it: ${[...descs].join(' | ')}`);

    // each fetch is a full TCP connection seen from both containers' veths
    const onSrv = conns.filter((c) => c.containerName === srv);
    const onCli = conns.filter((c) => c.containerName === cli);
    assert.ok(onSrv.length >= 12 && onCli.length >= 12, `connections per container: srv ${onSrv.length}, cli ${onCli.length}`);
    for (const c of onSrv) {
      assert.equal(c.dst, ip, 'client → server direction from the SYN');
      assert.equal(c.dport, 80);
    }
    const complete = onSrv.filter((c) => c.syn === 1 && c.synAck === 1 && c.fin >= 2);
    assert.ok(complete.length >= 10, `complete handshakes and teardowns seen (${complete.length})`);
    assert.equal(onSrv.reduce((n, c) => n + c.retrans, 0), 0, 'no retransmissions on an idle bridge');
    const ct = report.stats.containers.find((c) => c.name === srv)!;
    assert.equal(ct.packets, onSrv.reduce((n, c) => n + c.packets, 0), 'container counter = sum of its connections');
    assert.ok(ct.avgPps > 0 && ct.peakPps >= ct.avgPps && ct.peakBps > 0, `per-container rates: ${JSON.stringify(ct)}`);

    // process attribution from the syscall capture (socket tuples joined with the packets' 5-tuples)
    if (!report.attribution.enabled) {
      assert.ok(!bpfUsable(), `the syscall capture is usable here but --pcap did not attribute: ${report.attribution.note}`);
      assert.match(r.stderr, /packets are not attributed to processes/);
      t.diagnostic(`no process attribution: ${report.attribution.note}`);
      return;
    }
    assert.ok(cliPid > 0, 'client container pid read while it ran');
    const isSrvProc = (o: Owner | null): boolean => !!o && (o.proc === 'httpd' || o.proc === 'exe') && (o.pid === srvPid || o.ppid === srvPid);
    const isCliProc = (o: Owner | null): boolean => !!o && (o.proc === 'wget' || o.proc === 'exe') && o.ppid === cliPid;
    const show = (c: Conn): string => `${c.iface} ${c.src}:${c.sport}->${c.dst}:${c.dport} src=${JSON.stringify(c.srcOwner)} dst=${JSON.stringify(c.dstOwner)}`;
    for (const c of onSrv) {
      // on the server's veth the connection is the server container's: httpd (pid = the container's process or its child)
      assert.equal(c.side, 'dst', show(c));
      assert.equal(c.container, srv, show(c));
      assert.ok(isSrvProc(c.dstOwner) && c.pid === c.dstOwner!.pid && c.proc === c.dstOwner!.proc, `server end is httpd in ${srv} (pid ${srvPid}): ${show(c)}`);
      assert.equal(c.dstOwner!.containerId, srvId.slice(0, 12));
      // both ends are local: the client end names wget in the client container
      assert.ok(isCliProc(c.srcOwner) && c.srcOwner!.container === cli, `client end is wget in ${cli} (child of ${cliPid}): ${show(c)}`);
    }
    for (const c of onCli) {
      assert.equal(c.side, 'src', show(c));
      assert.equal(c.container, cli, show(c));
      assert.ok(isCliProc(c.srcOwner) && c.pid === c.srcOwner!.pid, `client end is wget in ${cli}: ${show(c)}`);
      assert.equal(c.srcOwner!.containerId, cliId.slice(0, 12));
      assert.ok(isSrvProc(c.dstOwner) && c.dstOwner!.container === srv, `server end is httpd in ${srv}: ${show(c)}`);
    }
    // each fetch is a different wget process
    assert.ok(new Set(onCli.map((c) => c.pid)).size >= 12, 'one wget process per fetch');
    assert.equal(report.attribution.attributed, report.attribution.connections, 'every connection attributed');
    const s0 = onSrv[0]!;
    t.diagnostic(`attributed: server end ${s0.dstOwner!.proc}[${s0.dstOwner!.pid}] (container pid ${srvPid}), client end ${s0.srcOwner!.proc}[${s0.srcOwner!.pid}] (parent ${cliPid})`);
  } finally {
    removeContainers([srv, cli]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tsdig --pcap without CAP_NET_RAW: one clear line, exit 1', (t) => {
  const setpriv = haveCmd('setpriv');
  const skip = needs('setpriv (util-linux) as root', setpriv && process.getuid?.() === 0);
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-pcap-'));
  try {
    const r = spawnSync('setpriv', ['--inh-caps=-all', '--bounding-set=-net_raw', '--', process.execPath, TSDIG, '--pcap', path.join(dir, 'x.pcapng'), '-M', '1'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^tsdig: packet capture needs CAP_NET_RAW/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tsdig --pcap without BPF rights: packets still counted, no attribution, one note line', { timeout: 60_000 }, async (t) => {
  const root = process.getuid?.() === 0;
  const skip = needs('setpriv (util-linux) as root', haveCmd('setpriv') && root) ?? needs('the cap module (libpcap)', capLoads());
  if (skip) return t.skip(skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-pcap-'));
  const port = 41000 + (process.pid % 1000);
  try {
    // 5 bounded HTTP exchanges on loopback, started once tsdig captures
    const client = String.raw`
      const http = require('node:http');
      const s = http.createServer((q, r) => r.end('x')).listen(${port}, '127.0.0.1', () => {
        let n = 0;
        const go = () => { if (n++ >= 5) return s.close(); http.get({ host: '127.0.0.1', port: ${port}, agent: false }, (r) => { r.resume(); r.on('end', () => setTimeout(go, 50)); }); };
        go();
      });`;
    let traffic: Promise<void> | undefined;
    const p = spawn('setpriv', ['--inh-caps=-all', '--bounding-set=-bpf,-perfmon,-sys_admin', '--', process.execPath, TSDIG, '--pcap', path.join(dir, 'x.pcapng'), '-M', '3', '-f', `tcp port ${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (!traffic && stderr.includes('capturing on')) {
        traffic = new Promise((res) => spawn(process.execPath, ['-e', client], { stdio: 'ignore' }).on('close', () => res()));
      }
    });
    const killer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((res) => p.on('close', res));
    clearTimeout(killer);
    await traffic;
    assert.equal(code, 0, stderr);
    const notes = stderr.split('\n').filter((l) => /not attributed to processes/.test(l));
    assert.equal(notes.length, 1, stderr);
    assert.match(notes[0]!, /^tsdig: packets are not attributed to processes \(syscall capture unavailable: .*\)$/);
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as { packets: number; stats: { connections: Conn[] }; attribution: { enabled: boolean; note?: string } };
    assert.equal(report.attribution.enabled, false);
    assert.ok(report.attribution.note);
    const conns = report.stats.connections.filter((c) => c.proto === 'tcp' && (c.sport === port || c.dport === port));
    assert.equal(conns.length, 5, `5 loopback connections: ${stderr}`);
    for (const c of conns) {
      assert.ok(c.packets >= 6, 'handshake, request, response and teardown counted');
      assert.equal(c.srcOwner, null);
      assert.equal(c.dstOwner, null);
      assert.equal(c.pid, null);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
