// F8 / a: actions on the selected row. Processes get signals (process.kill, never a shell);
// containers get `docker stop|restart ID` run with an argv array. Names shown in prompts are
// escaped and never take part in any command: only the numeric pid or the hex container id do.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { ViewDef } from '../views/types';
import { SnapRow } from '../snapshot/types';
import { safeText } from '../snapshot/format';

export type ActionTarget =
  | { kind: 'process'; pid: number; label: string }
  | { kind: 'container'; id: string; label: string };

const NAME_FIELDS = ['proc.name', 'proc.exeline', 'proc.cmdline', 'thread.comm', 'proc.exe', 'container.name'];

/** What an action would act on, or why there is nothing. */
export function actionTarget(v: ViewDef, row: SnapRow | undefined): ActionTarget | string {
  if (!row) return 'no row selected';
  if (v.type === 'list') return 'no actions on list views';
  const field = v.drillField ?? v.groupBy ?? v.key;
  let label = '';
  for (const f of NAME_FIELDS) {
    const i = v.columns.findIndex((c) => c.field === f);
    const cell = i >= 0 ? row.cells[i] : undefined;
    if (cell !== undefined && cell !== '') {
      label = safeText(String(cell)).slice(0, 40);
      break;
    }
  }
  if (field === 'proc.pid' || field === 'thread.tid') {
    const pid = Number(row.key);
    if (!Number.isInteger(pid) || pid <= 1 || !/^\d+$/.test(row.key)) return `no process to act on (pid ${safeText(row.key)})`;
    if (pid === process.pid) return 'refusing to signal tsdig itself';
    return { kind: 'process', pid, label };
  }
  if (field === 'container.id') {
    const id = row.key;
    if (!/^[0-9a-f]{6,64}$/i.test(id)) return `no container to act on (id ${safeText(id)})`;
    return { kind: 'container', id, label };
  }
  return 'no actions for the rows of this view (processes and containers only)';
}

/** The name the pid has now (it may have been reused since the capture), escaped. */
export function currentComm(pid: number): string | null {
  try {
    return safeText(fs.readFileSync(`/proc/${pid}/comm`, 'latin1').replace(/\n$/, '')).slice(0, 40);
  } catch {
    return null;
  }
}

export function killProcess(pid: number, sig: 'SIGTERM' | 'SIGKILL'): string {
  try {
    process.kill(pid, sig);
    return `sent ${sig} to pid ${pid}`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `kill ${sig} ${pid} failed: ${code === 'ESRCH' ? 'no such process' : code === 'EPERM' ? 'permission denied' : safeText(String(code ?? e))}`;
  }
}

/** Runs `docker stop|restart ID` (argv, no shell); reports one escaped line when it ends. */
export function dockerAction(verb: 'stop' | 'restart', id: string, done: (msg: string) => void): void {
  let err = '';
  let finished = false;
  const end = (msg: string) => {
    if (finished) return;
    finished = true;
    done(msg);
  };
  let p;
  try {
    p = spawn('docker', [verb, id], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    return end(`docker ${verb} failed: ${safeText((e as Error).message)}`);
  }
  const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
  p.stderr!.on('data', (d: Buffer) => {
    if (err.length < 500) err += d.toString('latin1');
  });
  p.on('error', (e) => {
    clearTimeout(timer);
    end(`docker ${verb} failed: ${safeText(e.message)}`);
  });
  p.on('close', (code) => {
    clearTimeout(timer);
    end(code === 0 ? `docker ${verb} ${id.slice(0, 12)}: done` : `docker ${verb} ${id.slice(0, 12)} failed (exit ${code}): ${safeText(err.trim().split('\n')[0] ?? '')}`);
  });
}
