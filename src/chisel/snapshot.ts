// The "System State" chisels (ps, lsof, netstat, lscontainers) print the state tables at one point
// in time: right after the first event that passes the global filter (by default evt.num=1, so the
// state of the capture's process list), then they end the capture.
import type { ChiselApi, ChiselHooks } from './api';

/** `ifEmpty`: 'message' prints sysdig's "empty capture" line when no event matched, 'always' prints the state anyway. */
export function atFirstEvent(api: ChiselApi, print: () => void, ifEmpty: 'message' | 'always' = 'message'): ChiselHooks {
  let match = false;
  return {
    onEvent() {
      match = true;
      return false;
    },
    captureEnd() {
      if (!match && ifEmpty === 'message') {
        api.print('empty capture or no event matching the filter');
        return;
      }
      print();
    },
  };
}
