// The dispatch table: event type → parser. Built once from the event table by name and direction.
import { EVENTS, EVENT_MAX } from '../../events/table';
import { FdType } from '../../scap/types';
import { ScapEvent } from '../../events/event';
import { ThreadInfo } from '../thread';
import type { StateEngine } from '../engine';
import * as F from './files';
import * as N from './net';
import * as P from './procs';
import { updateVm } from '../engine';

/** memory sizes belong to the process: sinsp keeps them on the main thread */
const updateVmMain = (t: ThreadInfo, e: ScapEvent) => updateVm(t.mainThread(), e, 1);

export type Handler = (s: StateEngine, e: ScapEvent, t: ThreadInfo) => void;

export const HANDLERS: Array<Handler | undefined> = new Array(EVENT_MAX);
/** exits whose thread must not be auto-created (the parser decides) */
export const LOOKUP_ONLY: boolean[] = new Array(EVENT_MAX).fill(false);

function on(names: string[], dir: 0 | 1, h: Handler): void {
  for (const ev of EVENTS) if (ev.dir === dir && names.includes(ev.name)) HANDLERS[ev.id] = h;
}

on(['open', 'openat', 'openat2', 'creat'], 1, F.onOpenExit);
on(['close'], 1, F.onCloseExit);
on(['pipe'], 1, F.onPipeExit);
on(['eventfd'], 1, F.simpleFdExit(FdType.EVENT));
on(['signalfd'], 1, F.simpleFdExit(FdType.SIGNALFD));
on(['timerfd_create'], 1, F.simpleFdExit(FdType.TIMERFD));
on(['inotify_init'], 1, F.simpleFdExit(FdType.INOTIFY));
on(['dup'], 1, F.onDupExit);
on(['fcntl'], 1, F.onFcntlExit);
on(['chdir'], 1, F.onChdirExit);
on(['fchdir'], 1, F.onFchdirExit);
on(['getcwd'], 1, F.onGetcwdExit);
on(['socket'], 1, N.onSocketExit);
on(['bind'], 1, (s, e) => N.onBindExit(s, e));
on(['connect'], 0, (s, e) => N.onConnectEnter(s, e));
on(['connect'], 1, (s, e) => N.onConnectExit(s, e));
on(['accept'], 1, N.onAcceptExit);
on(['socketpair'], 1, N.onSocketpairExit);
on(['recvfrom', 'recvmsg'], 1, N.onRecvExit);
on(['sendto', 'sendmsg'], 1, N.onSendExit);
on(['sendto'], 0, N.onSendtoEnter);
on(['clone', 'fork', 'vfork', 'clone3'], 1, (s, e) => P.onCloneExit(s, e));
on(['execve', 'execveat'], 1, P.onExecveExit);
on(['procexit'], 0, P.onProcexit);
on(['setuid'], 1, P.setIdExit('uid', 'uid'));
on(['setgid'], 1, P.setIdExit('gid', 'gid'));
on(['setresuid'], 1, P.setIdExit('uid', 'euid'));
on(['setresgid'], 1, P.setIdExit('gid', 'egid'));
on(['setsid'], 1, P.onSetsidExit);
on(['chroot'], 1, P.onChrootExit);
on(['prctl'], 1, P.onPrctlExit);
on(['container'], 0, (s, e) => P.onContainer(s, e));
on(['mmap', 'mmap2', 'munmap', 'brk'], 1, (s, e, t) => { if ((e.int(0) ?? 0) >= 0 || e.info.name === 'brk' || e.info.name.startsWith('mmap')) updateVmMain(t, e); });

/** parsers that change only fd tables or the cwd (skipped when StateEngine.fdState is off) */
export const FD_ONLY: boolean[] = new Array(EVENT_MAX).fill(false);
for (const ev of EVENTS) {
  if (['open', 'openat', 'openat2', 'creat', 'close', 'pipe', 'eventfd', 'signalfd', 'timerfd_create', 'inotify_init', 'dup',
    'fcntl', 'chdir', 'fchdir', 'getcwd', 'socket', 'bind', 'connect', 'accept', 'socketpair', 'recvfrom', 'recvmsg', 'sendto',
    'sendmsg'].includes(ev.name)) FD_ONLY[ev.id] = true;
}

for (const ev of EVENTS) if (ev.dir === 1 && ['clone', 'fork', 'vfork', 'clone3'].includes(ev.name)) LOOKUP_ONLY[ev.id] = true;

/**
 * Enter events whose bytes an exit parser reads back (sinsp's store_event list). Only these are
 * copied per event; every other enter just records its type and time.
 */
export const STORE_ENTER: boolean[] = new Array(EVENT_MAX).fill(false);
for (const ev of EVENTS) {
  if (ev.dir === 0 && ['sendto', 'sendmsg', 'open', 'creat', 'openat', 'openat2', 'socket', 'eventfd', 'chdir', 'fchdir',
    'shutdown', 'getrlimit', 'setrlimit', 'prlimit', 'sendfile', 'setresuid', 'setresgid', 'setuid', 'setgid', 'execve',
    'execveat', 'setpgid', 'fcntl'].includes(ev.name)) STORE_ENTER[ev.id] = true;
}
