// The registry with every field class.
import { Registry } from './registry';
import { EVT_FIELDS } from './evt';
import { PROC_FIELDS } from './proc';
import { FD_FIELDS } from './fd';
import { EXTRA_FIELDS } from './extra';
import { K8S_FIELDS } from './k8s';

let reg: Registry | null = null;

export function fieldRegistry(): Registry {
  if (!reg) {
    reg = new Registry();
    reg.add(...EVT_FIELDS, ...PROC_FIELDS, ...FD_FIELDS, ...EXTRA_FIELDS, ...K8S_FIELDS);
  }
  return reg;
}

/**
 * Fields whose values come from the event and the thread table alone, never from fd tables or
 * the cwd: a filter reading only these lets a `-q` replay skip fd state (StateEngine.fdState).
 */
export const FD_FREE_FIELDS: ReadonlySet<string> = new Set([
  'evt.type', 'evt.dir', 'evt.num', 'evt.cpu', 'proc.name', 'proc.pid', 'proc.exe', 'proc.ppid', 'thread.tid', 'user.name',
]);

export { EventCtx } from './context';
