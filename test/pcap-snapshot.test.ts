// Packet counters in the snapshots the UI and --snapshot render: a live `tsdig --snapshot VIEW -j`
// (one interval of live events, packets counted in the background) while a wget container fetches
// from an httpd container. The Connections view's row for the client's connection and the
// Containers Net / Containers views' rows for both containers show non-zero wire bytes and packets.
// Without CAP_NET_RAW the snapshot still comes, syscalls only, with one line saying why.
// Needs root (eBPF and CAP_NET_RAW), docker and cap; under CI it fails instead of skipping.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

type Row = Record<string, number | string | null>;

function snapshot(args: string[], pre: string[] = []): { code: number | null; json: { source: string; rows: Row[] } | null; stderr: string } {
  const cmd = pre.length ? pre[0]! : process.execPath;
  const argv = [...pre.slice(1), ...(pre.length ? [process.execPath] : []), TSDIG, '--snapshot', ...args, '-j', '-M', '30'];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26 });
  let json = null;
  try {
    json = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    /* reported by the caller */
  }
  return { code: r.status, json, stderr: r.stderr };
}

test('live --snapshot: wire bytes per connection and per container next to the syscall bytes', { timeout: 180_000 }, async (t) => {
  const root = process.getuid?.() === 0;
  const pre = root ? checkPrerequisites() : null;
  const skip =
    needs('root (CAP_NET_RAW, BPF)', root) ??
    needs(`live syscall capture (${pre?.message ?? ''})`, pre === null) ??
    needs('the cap module (libpcap)', capLoads()) ??
    (await dockerSkip());
  if (skip) return t.skip(skip);
  const tag = `${process.pid}`;
  const srv = `tsdig-ws-srv-${tag}`;
  const cli = `tsdig-ws-cli-${tag}`;
  try {
    runContainer(srv, HTTPD_CMD);
    const ip = inspect(srv, '{{.NetworkSettings.IPAddress}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    // bounded: at most 400 fetches (the container is removed when the test ends)
    const cliId = runContainer(cli, `for i in $(seq 1 400); do wget -q -O /dev/null http://${ip}/; sleep 0.1; done`);
    const srvId = inspect(srv, '{{.Id}}');

    // Connections, the client container's sockets: its connection to the server carried bytes both ways
    const c = snapshot(['connections', '-d', '2000', `container.name=${cli}`]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(c.json, `JSON frame: ${c.stderr}`);
    assert.match(c.json!.source, /wire counters on/);
    const toSrv = c.json!.rows.filter((r) => r.RIP === ip && r.RPORT === 80);
    assert.ok(toSrv.length > 0, `a connection row to ${ip}:80: ${JSON.stringify(c.json!.rows)}`);
    const wired = toSrv.filter((r) => (r['WIRE IN'] as number) > 0 && (r['WIRE OUT'] as number) > 0 && (r['PKT IN'] as number) > 0 && (r['PKT OUT'] as number) > 0);
    assert.ok(wired.length > 0, `wire bytes and packets both ways on the client's connections: ${JSON.stringify(toSrv)}`);
    for (const r of wired) assert.equal(r.RETR, 0, 'no retransmissions on an idle bridge');
    // headers and handshake: the wire carries more than the sockets' payload
    assert.ok(wired.some((r) => (r['WIRE IN'] as number) > (r['BPS IN'] as number)), JSON.stringify(wired));
    t.diagnostic(`connection row: ${JSON.stringify(wired[0])}`);

    // Containers Net and Containers: both containers' interfaces carried traffic in the interval
    for (const view of ['container_net', 'containers']) {
      const s = snapshot([view, '-d', '2000']);
      assert.equal(s.code, 0, s.stderr);
      assert.ok(s.json, `${view}: JSON frame: ${s.stderr}`);
      for (const [name, id] of [[cli, cliId], [srv, srvId]] as const) {
        const row = s.json!.rows.find((r) => r.ID === id.slice(0, 12));
        assert.ok(row, `${view}: a row for ${name}: ${JSON.stringify(s.json!.rows)}`);
        assert.ok((row['WIRE IN'] as number) > 0 && (row['WIRE OUT'] as number) > 0, `${view}: wire bytes of ${name}: ${JSON.stringify(row)}`);
        if (view === 'container_net') assert.ok((row['PKT IN'] as number) > 0 && (row['PKT OUT'] as number) > 0, JSON.stringify(row));
      }
      t.diagnostic(`${view}: ${JSON.stringify(s.json!.rows.find((r) => r.ID === cliId.slice(0, 12)))}`);
    }

    // --no-pcap-stats: syscalls only, and the wire columns are not shown at all
    const off = snapshot(['container_net', '-d', '1000', '--no-pcap-stats']);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.json!.source, /wire counters off \(--no-pcap-stats\)/);
    for (const r of off.json!.rows) assert.ok(!('WIRE IN' in r), JSON.stringify(r));

    // without CAP_NET_RAW: one line says why, the syscall snapshot still comes
    if (haveCmd('setpriv')) {
      const np = snapshot(['container_net', '-d', '1000'], ['setpriv', '--inh-caps=-all', '--bounding-set=-net_raw', '--']);
      assert.equal(np.code, 0, np.stderr);
      const lines = np.stderr.split('\n').filter((l) => /wire counters off/.test(l));
      assert.equal(lines.length, 1, np.stderr);
      assert.match(lines[0]!, /^tsdig: wire counters off: packet capture needs CAP_NET_RAW.*; syscall capture goes on$/);
      assert.ok(np.json!.rows.length > 0, 'syscall rows still there');
    } else {
      assert.ok(!process.env.CI, 'setpriv (util-linux) is required in CI');
    }
  } finally {
    removeContainers([srv, cli]);
  }
});
