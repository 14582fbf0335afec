// SIGINT/SIGTERM/SIGHUP during start-up. The jobs that stop cleanly on a signal (live capture,
// -w, re-writes) install their handlers only after their modules load and, for live capture, after
// the slow BPF load; a signal before that used to kill tsdig with the default action, leaving a -w
// file half-written or a terminal untouched but the user's request lost. main() therefore installs
// a placeholder handler first thing, which only remembers the signal. A job then either
//  - claims the signals (claimSignals(), right where it installs its own handlers) and honours a
//    signal that already arrived, or
//  - releases them (releaseSignals()) because it keeps the default behaviour (replay, listings,
//    the UI, which restores the terminal itself): a remembered signal is then re-raised, so the
//    process dies of it exactly as it would have without the placeholder.
// A second signal before any job claimed them exits at once (128 + signal number), as the jobs'
// own handlers do on a second signal.

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const NUM: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

let pending: NodeJS.Signals | null = null;
let installed = false;

function onEarly(sig: NodeJS.Signals): void {
  if (pending !== null) process.exit(128 + (NUM[sig] ?? 0));
  pending = sig;
}

/** Remembers SIGINT/SIGTERM/SIGHUP until a job claims or releases them. Call first thing. */
export function installEarlySignals(): void {
  if (installed) return;
  installed = true;
  pending = null;
  for (const s of SIGNALS) process.on(s, onEarly);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onEarly);
}

/**
 * For a job that handles the signals itself: call in the same tick as its own process.on(...)
 * (no await between). Returns the signal that arrived before, if any, which the job must act on.
 */
export function claimSignals(): NodeJS.Signals | null {
  const p = pending;
  pending = null;
  uninstall();
  return p;
}

/** For a job with the default behaviour: drops the placeholder and re-raises a remembered signal. */
export async function releaseSignals(): Promise<void> {
  // a signal libuv caught but has not handed to JS yet would be lost with the listener: one turn
  // of the event loop (its poll phase) delivers it first
  await new Promise((r) => setImmediate(r));
  const p = pending;
  pending = null;
  uninstall();
  if (p !== null && process.listenerCount(p) === 0) process.kill(process.pid, p);
}

/**
 * For a job taking its own handlers off while it still finishes (closing a file, printing its
 * summary): call in the same tick. Until main() ends, a signal is remembered instead of killing the
 * process half-way through that work; the run then ends with its own exit code.
 */
export function holdSignals(): void {
  installEarlySignals();
}

/** At the end of main(): drops the placeholder without acting on anything (the job is over). */
export function dropSignals(): void {
  pending = null;
  uninstall();
}
