// A real terminal for the UI tests: a private tmux server per instance (never the user's tmux, no
// reuse races between tests), keys in with send-keys, the screen out with capture-pane.
import { spawnSync } from 'node:child_process';

let tmuxN = 0;

export class Tmux {
  readonly sock = `tsdig-uitest-${process.pid}-${++tmuxN}`;
  readonly session = 'ui';

  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.sock, ...args], { encoding: 'utf8' });
    return r.stdout ?? '';
  }

  start(cmd: string, width = 80, height = 24): void {
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(width), '-y', String(height), cmd);
  }

  keys(...k: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...k);
  }

  literal(s: string): void {
    this.tmux('send-keys', '-t', this.session, '-l', s);
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  async waitFor(re: RegExp, what: string, timeoutMs = 8000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = this.capture();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 60));
    }
    throw new Error(`timed out waiting for ${what} (${re}); screen was:\n${last}`);
  }

  /**
   * Waits for `re`, then until two captures 250 ms apart are the same (the screen has settled) and
   * nothing on it is still being collected.
   */
  async settled(re: RegExp, what: string, timeoutMs = 10000): Promise<string> {
    const end = Date.now() + timeoutMs;
    const busy = /Collecting data\.\.\.|\bloading\.\.\./;
    let s = await this.waitFor(re, what, timeoutMs);
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      const again = this.capture();
      if (again === s && re.test(s) && !busy.test(s)) return s;
      s = again;
    }
    throw new Error(`the screen did not settle for ${what}; last:\n${s}`);
  }

  kill(): void {
    this.tmux('kill-server');
  }
}
