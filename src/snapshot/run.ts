// `tsdig -r FILE --snapshot VIEW [-d ms] [-j] [filter]`: one frame of a view as plain text (-j: JSON).
// Without -d the frame covers the whole trace (as csysdig --raw on a file); with -d it is the
// first interval of that length. Deterministic: event time only, never wall-clock time.
import * as path from 'node:path';
import { CliOptions, UsageError } from '../cli/options';
import { findView, showHostColumns, showWireColumns, VIEWS } from '../views';
import { captureHosts } from '../scap/merge';
import { collectSnapshots } from './collect';
import { renderFrame } from './format';
import { snapshotJson } from './export';
import { Snapshot } from './types';

/** True when -d/--delay was given on the command line (CliOptions has only the value). */
function delayGiven(argv: readonly string[]): boolean {
  return argv.some((a) => a === '-d' || a === '--delay' || /^--delay=/.test(a) || /^-d\d/.test(a));
}

export async function runSnapshot(o: CliOptions, argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  showWireColumns(o.read.length === 0 && o.pcapStats);
  // captures of several hosts: rows per host, HOST columns
  if (o.read.length > 1) showHostColumns(new Set(await captureHosts(o.read)).size > 1);
  const view = findView(o.snapshot ?? '');
  if (!view) throw new UsageError(`unknown view '${o.snapshot}': use one of ${VIEWS.map((v) => v.id).join(', ')}`);
  // live (no -r): one interval of live events, with the wire counters when packets can be captured
  if (o.read.length === 0) return (await import('./live')).runLiveSnapshot(o, view);
  const interval = delayGiven(argv) ? Math.max(100, o.delayMs) * 1e6 : 0;
  let first: Snapshot | null = null;
  const abort = { aborted: false };
  const r = await collectSnapshots(o.read, {
    view,
    userFilter: o.filter,
    drill: [],
    intervalNs: interval,
    onSnapshot: (s) => {
      if (!first) {
        first = s;
        if (interval > 0) abort.aborted = true;
      }
    },
  }, abort);
  if (!first) {
    r.agg.finish(r.lastCtx);
  }
  const snap = first as Snapshot | null;
  if (!snap) return 1;
  const source = o.read.map((f) => path.basename(f)).join(', ');
  if (o.json) {
    const j = snapshotJson(snap, { viewId: view.id, viewName: view.name, path: '', filter: r.agg.filterText, source });
    process.stdout.write(JSON.stringify({ ...j, captured: r.captured }) + '\n');
    return 0;
  }
  process.stdout.write(renderFrame(snap, { viewName: view.name, path: '', source: `${source} (${r.captured} evts)`, filter: r.agg.filterText }));
  return 0;
}
