// Packet capture throughput benchmark (not a test). Needs root and the cap module.
//   npm run build && node dist/bench/pcap.js [--n 200000] [--runs 3] [--rates 20000,50000,100000] [--write] [--attrib]
// A child Node process sends N 64-byte UDP datagrams to 127.0.0.1:<port> (a bound sink socket in the
// same child never reads them); tsdig's capture path (one cap child on `lo` with the filter
// "udp and dst port <port>", the parent decoding each frame and counting it in NetStats, and with
// --write also writing pcapng) counts what it sees. First unpaced floods, then paced runs at --rates.
// Reports sent, captured, loss, pps (captured ÷ capture span) and parent CPU per packet.
// --attrib also runs the eBPF syscall capture in the parent (as `--pcap` does, src/net/owners.ts)
// and joins the flood's connection with the sender's socket: the attribution column names it.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureManager } from '../src/net/capture';
import { decodePacket, PacketInfo } from '../src/net/decode';
import { NetStats } from '../src/net/stats';
import { PcapngWriter } from '../src/net/pcapng';
import { checkPcapPrerequisites } from '../src/net/run';
import { startOwnerTracker, OwnerTracker } from '../src/net/owners';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1]! : dflt;
}
const N = Number(arg('n', '200000'));
const RUNS = Number(arg('runs', '3'));
const RATES = arg('rates', '20000,50000,100000').split(',').filter(Boolean).map(Number);
const WRITE = process.argv.includes('--write');
const ATTRIB = process.argv.includes('--attrib');
let owners: OwnerTracker | undefined;
const BUF_MB = Number(arg('bufmb', '128')); // kernel ring per interface: lo's 64 KiB MTU makes every ring slot ~64 KiB
const PORT = 39000 + (process.pid % 1000);

// sender: paced when rate > 0, else as fast as dgram allows (batches of 256 in flight)
const SENDER = String.raw`
const dgram = require('node:dgram');
const [n, port, rate] = process.argv.slice(1).map(Number);
const sink = dgram.createSocket('udp4');
sink.bind(port, '127.0.0.1', async () => {
  const s = dgram.createSocket('udp4');
  const msg = Buffer.alloc(64, 0x61);
  let sent = 0, errors = 0;
  const t0 = process.hrtime.bigint();
  const batch = (k) => new Promise((res) => {
    let left = k;
    for (let i = 0; i < k; i++) s.send(msg, port, '127.0.0.1', (e) => { if (e) errors++; else sent++; if (--left === 0) res(); });
  });
  let issued = 0;
  while (issued < n) {
    let k = Math.min(256, n - issued);
    if (rate > 0) {
      const due = Math.floor(Number(process.hrtime.bigint() - t0) / 1e9 * rate);
      k = Math.min(k, due - issued);
      if (k <= 0) { await new Promise((r) => setImmediate(r)); continue; }
    }
    await batch(k);
    issued += k;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ sent, errors, secs }) + '\n');
  s.close(); sink.close();
});
`;

interface Result {
  mode: string;
  sent: number;
  captured: number;
  loss: number;
  lossPct: number;
  senderPps: number;
  pps: number;
  cpuUsPerPkt: number;
  owner: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function once(rate: number, file: string): Promise<Result> {
  const stats = new NetStats();
  stats.resolver = owners?.index;
  const p = new PacketInfo();
  const writer = WRITE ? new PcapngWriter(file) : undefined;
  let linktype = 1;
  let captured = 0;
  let first = 0;
  let last = 0;
  let opened!: () => void;
  let failed!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    opened = res;
    failed = rej;
  });
  const mgr = new CaptureManager(
    {
      onOpen(_dev, lt, err) {
        if (lt < 0) return failed(new Error(`cannot capture on lo: ${err}`));
        linktype = lt;
        writer?.addInterface({ linktype: lt, snaplen: 65535, name: 'lo', description: 'host lo' });
        stats.addInterface({ id: 0, name: 'lo', ifindex: 1, containerId: '', containerName: 'host' });
        opened();
      },
      onPacket(_dev, buf, off, len, _tr, sec, nsec) {
        decodePacket(buf, off, len, linktype, p);
        stats.account(0, buf, p, len, sec * 1000 + nsec / 1e6);
        writer?.writePacket(0, sec, nsec, buf, off, len, len);
        if (p.proto === 17 && p.dport === PORT) {
          const t = sec * 1000 + nsec / 1e6;
          if (captured === 0) first = t;
          last = t;
          captured++;
        }
      },
      onExit() {},
    },
    `udp and dst port ${PORT}`,
    BUF_MB << 20,
  );
  mgr.open('lo');
  await ready;
  await sleep(200);
  const cpu0 = process.cpuUsage();
  // async: the parent must keep reading the capture child while the sender runs
  const out = await new Promise<string>((res, rej) => {
    cp.execFile(process.execPath, ['-e', SENDER, String(N), String(PORT), String(rate)], { encoding: 'utf8' }, (e, stdout) => (e ? rej(e) : res(stdout)));
  });
  const sender = JSON.parse(out.trim()) as { sent: number; errors: number; secs: number };
  // drain: wait until nothing more arrives for 300 ms, then let the child flush
  for (let prev = -1; prev !== captured; ) {
    prev = captured;
    await sleep(300);
  }
  await mgr.closeAll();
  const cpu = process.cpuUsage(cpu0);
  writer?.close();
  const span = Math.max(1e-3, (last - first) / 1000);
  const flood = stats.snapshot().connections.find((c) => c.dport === PORT || c.sport === PORT);
  // the sender's end (ephemeral port) and the sink's (PORT); sendmmsg carries no tuple in the event
  // table, so a dgram sender is found only when it also used sendto/sendmsg
  const ow = (o: { proc: string; pid: number } | null | undefined): string => (o ? `${o.proc}[${o.pid}]` : 'none');
  const [snd, snk] = flood ? (flood.dport === PORT ? [flood.srcOwner, flood.dstOwner] : [flood.dstOwner, flood.srcOwner]) : [null, null];
  return {
    owner: owners ? `${ow(snd)} -> ${ow(snk)}` : '-',
    mode: rate > 0 ? `paced ${rate}/s` : 'flood',
    sent: sender.sent,
    captured,
    loss: sender.sent - captured,
    lossPct: (100 * (sender.sent - captured)) / Math.max(1, sender.sent),
    senderPps: sender.sent / sender.secs,
    pps: captured / span,
    cpuUsPerPkt: (cpu.user + cpu.system) / Math.max(1, captured),
  };
}

async function main(): Promise<void> {
  checkPcapPrerequisites();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-bench-pcap-'));
  const file = path.join(dir, 'bench.pcapng');
  console.log(`# ${N} x 64-byte UDP to 127.0.0.1:${PORT}, ${RUNS} runs per mode, pcapng ${WRITE ? 'written' : 'not written'}, ring ${BUF_MB} MiB; ${os.cpus().length} CPUs, node ${process.version}`);
  if (ATTRIB) {
    const o = await startOwnerTracker();
    if (typeof o === 'string') throw new Error(`--attrib: syscall capture unavailable: ${o}`);
    owners = o;
  }
  console.log(`# process attribution (eBPF syscall capture in the parent): ${ATTRIB ? 'on' : 'off'}`);
  console.log('mode              sent    captured    loss   loss%   sender_pps   captured_pps   parent_cpu_us/pkt   sender -> sink');
  try {
    for (const rate of [0, ...RATES]) {
      const rs: Result[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await once(rate, file);
        rs.push(r);
        console.log(
          `${r.mode.padEnd(16)} ${String(r.sent).padStart(7)} ${String(r.captured).padStart(10)} ${String(r.loss).padStart(7)} ${r.lossPct.toFixed(2).padStart(6)} ${r.senderPps.toFixed(0).padStart(12)} ${r.pps.toFixed(0).padStart(14)} ${r.cpuUsPerPkt.toFixed(2).padStart(10)}   ${r.owner}`,
        );
      }
      console.log(
        `${('median ' + rs[0]!.mode).padEnd(23)} loss ${median(rs.map((r) => r.loss))} (${median(rs.map((r) => r.lossPct)).toFixed(2)}%), ${median(rs.map((r) => r.pps)).toFixed(0)} pps captured, ${median(rs.map((r) => r.cpuUsPerPkt)).toFixed(2)} us CPU/pkt`,
      );
    }
  } finally {
    if (owners) {
      const st = owners.stats();
      console.log(`# syscall capture: ${st.events} events (${st.kept} used), ${st.drops} dropped by the ring buffer`);
      owners.stop();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/pcap: ${(e as Error).message}`);
  process.exit(1);
});
