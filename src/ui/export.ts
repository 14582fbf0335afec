// `x`: writes the shown interval of the current view (rows in the shown order) to a new file in
// the current directory: tsdig-VIEW-INTERVAL.csv / .json (a -N suffix when the name is taken).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Snapshot, SnapRow } from '../snapshot/types';
import { ExportInfo, snapshotCsv, snapshotJson } from '../snapshot/export';

export function exportView(kind: 'csv' | 'json', snap: Snapshot, rows: readonly SnapRow[], info: ExportInfo, dir = process.cwd()): string {
  const data = kind === 'csv' ? snapshotCsv(snap, rows) : JSON.stringify(snapshotJson(snap, info, rows), null, 1) + '\n';
  const base = `tsdig-${info.viewId}-${snap.index + 1}`;
  for (let n = 0; n < 1000; n++) {
    const file = path.join(dir, `${base}${n ? '-' + n : ''}.${kind}`);
    try {
      fs.writeFileSync(file, data, { flag: 'wx', mode: 0o644 });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`too many ${base}-N.${kind} files in ${dir}`);
}
