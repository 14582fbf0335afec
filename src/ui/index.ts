// Entry points of the full-screen UI. Kept light: blessed is loaded only when the UI really opens.
import { CliOptions, UsageError } from '../cli/options';
import { isTerminal } from '../util/terminal';

/** --ui, or no output option while both stdin and stdout are terminals. */
export function wantsUi(o: CliOptions): boolean {
  if (o.ui === true) return true;
  if (o.ui === false) return false;
  const output = o.print !== undefined || o.containerFormat || o.json || o.write !== undefined || o.chisels.length > 0 || o.quiet
    || o.pcap !== undefined || o.forcePrint || o.summary || o.list || o.listEvents;
  // not process.stdout: its getter builds the stream (and loads node:net for a pipe) that a replay never uses
  return !output && isTerminal(1) && isTerminal(0);
}

export async function runUi(o: CliOptions): Promise<number> {
  if (!process.stdout.isTTY) throw new UsageError('--ui needs a terminal on stdout (use --snapshot VIEW for text output)');
  if (o.view !== undefined && !(await import('../views')).findView(o.view)) throw new UsageError(`unknown view '${o.view}': use one of ${(await import('../views')).viewIds().join(', ')}`);
  if (o.read.length === 0 && !o.remote) {
    // live: say why not before the screen opens (not root, no BPF, no addon...)
    const why = (await import('../live/messages')).liveUnavailable();
    if (why) {
      process.stderr.write(why);
      return 1;
    }
  }
  const views = await import('../views');
  views.showWireColumns(o.read.length === 0 && o.pcapStats && !o.remote);
  // captures of several hosts: rows per host, HOST columns
  if (o.read.length > 1) views.showHostColumns(new Set(await (await import('../scap/merge')).captureHosts(o.read)).size > 1);
  const { UiApp } = await import('./app');
  // live metrics beside the UI (--metrics/--otlp): the server is up before the screen opens
  const metrics = o.read.length === 0 && !o.remote ? await (await import('../metrics')).startMetrics(o) : null;
  try {
    return await new UiApp(o).run();
  } finally {
    await metrics?.stop();
  }
}
