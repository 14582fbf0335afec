// topcontainers_wire: containers by traffic on the wire, from packet capture (api.packets()).
// Live only (as root with libpcap): packets are not part of a .scap capture.
import { defineChisel, formatBytes, extendString } from '../src/chisel/api';
import type { NetSnapshot } from '../src/chisel/api';

export default defineChisel({
  name: 'topcontainers_wire',
  category: 'Net',
  shortDescription: 'Top containers by bytes on the wire (packet capture)',
  description:
    'Every second, the containers (and the host) whose interfaces carried the most bytes, from packet capture: bytes received and sent per second, packets per second and TCP retransmissions. Live only, as root with libpcap (packets are not in .scap files).',
  args: [],
  packets: true,
  init(api) {
    if (api.isLive()) api.setIntervalMs(1000);
    const prev = new Map<string, { rx: number; tx: number; pk: number; rt: number }>();
    let noted = false;
    const show = (deltaNs: number): void => {
      const s: NetSnapshot | null = api.packets();
      if (!s) {
        if (!noted) api.print('topcontainers_wire: no packet counters (live capture as root with libpcap only)');
        noted = true;
        return;
      }
      const secs = Math.max(1e-3, deltaNs / 1e9);
      const rows = s.containers.map((c) => {
        const key = c.id || 'host';
        const p = prev.get(key) ?? { rx: 0, tx: 0, pk: 0, rt: 0 };
        prev.set(key, { rx: c.rxBytes, tx: c.txBytes, pk: c.packets, rt: c.tcpRetrans });
        return { name: c.name, rx: (c.rxBytes - p.rx) / secs, tx: (c.txBytes - p.tx) / secs, pps: (c.packets - p.pk) / secs, rt: c.tcpRetrans - p.rt };
      });
      rows.sort((a, b) => b.rx + b.tx - (a.rx + a.tx));
      api.print(`${extendString('Rx/s', 10)}${extendString('Tx/s', 10)}${extendString('Pkts/s', 10)}${extendString('Retrans', 9)}Container`);
      api.print('-'.repeat(60));
      for (const r of rows.slice(0, 10)) {
        api.print(`${extendString(formatBytes(r.rx), 10)}${extendString(formatBytes(r.tx), 10)}${extendString(r.pps.toFixed(1), 10)}${extendString(String(r.rt), 9)}${r.name}`);
      }
    };
    return {
      onInterval(_ts, deltaNs) {
        show(deltaNs);
      },
      captureEnd(_ts, durationNs) {
        if (!api.isLive()) api.print('topcontainers_wire: packets are only captured live (as root); a capture file has none');
        else if (prev.size === 0) show(durationNs);
      },
    };
  },
});
