// CPU usage from procinfo events (sysdig's thread.cpu as the top*_cpu chisels read it): each
// procinfo carries a thread's total user+system CPU ticks; the usage of one event is the increase
// since the thread's previous procinfo (0 for the first one, at most 100 ticks). A tick is 10 ms,
// so the table value is ticks × 10^7 ns, shown as a percentage of the covered time ('timepct').
import type { ChiselApi, ChiselHooks, EventCtx, ThreadInfo } from './api';
import { keyText } from './table';

const PROCINFO = 234;

/** Per-thread tick counter (keyed by the thread object: a thread that is re-created starts over, as in sinsp). */
export class CpuTicks {
  private last = new WeakMap<ThreadInfo, number>();

  /** CPU ticks used by the event's thread since its last procinfo; undefined for other events. */
  delta(c: EventCtx): number | undefined {
    const e = c.e;
    const t = c.s.thread;
    if (e.type !== PROCINFO || !t) return undefined;
    const tot = (e.uint(0) ?? 0) + (e.uint(1) ?? 0);
    const prev = this.last.get(t) ?? 0;
    this.last.set(t, tot);
    if (prev === 0) return 0;
    const d = tot - prev;
    // unsigned arithmetic in sinsp: a counter that went back wraps around, then is capped
    return d < 0 || d > 100 ? 100 : d;
  }
}

export interface CpuTableSpec {
  keys: string[];
  keyDescs: string[];
  top: number;
}

/** init() of a "top X by CPU%" chisel: group procinfo CPU usage by the key fields. */
export function cpuTable(spec: (api: ChiselApi) => CpuTableSpec): (api: ChiselApi) => ChiselHooks {
  return (api) => {
    const sp = spec(api);
    const keys = sp.keys.map((k) => api.field(k));
    const ticks = new CpuTicks();
    api.setFilter('evt.type=procinfo');
    let acc = new Map<string, number>();
    const emit = (ts: bigint, delta: number) => {
      const rows = [...acc.entries()].sort((a, b) => b[1] - a[1]).slice(0, sp.top > 0 ? sp.top : undefined);
      api.out.table({
        ts,
        deltaNs: delta,
        value: { name: 'CPU%', units: 'timepct' },
        keys: sp.keyDescs,
        rows: rows.map(([k, v]) => [v, ...k.split('\u0001\u0001')] as [number, ...string[]]),
      });
    };
    if (api.isLive()) api.setIntervalMs(1000);
    return {
      onEvent(c) {
        let key = '';
        for (let i = 0; i < keys.length; i++) {
          const k = keyText(keys[i]!, c);
          if (k === undefined) return;
          key = i === 0 ? k : key + '\u0001\u0001' + k;
        }
        const d = ticks.delta(c);
        if (d === undefined) return;
        acc.set(key, (acc.get(key) ?? 0) + d * 1e7);
      },
      onInterval(ts, delta) {
        emit(ts, delta);
        acc = new Map();
      },
      captureEnd(ts, duration) {
        emit(ts, duration);
      },
    };
  };
}
