// tsdig's entry point: parse flags, pick the job (list, replay, live, write, UI), report errors
// as one clear line and a non-zero exit code — never a stack trace for bad input.
import { parseArgs, UsageError, CliOptions } from './options';
import { runReplay } from './replay';
import { listFields, listEvents } from './listings';
import { ScapError } from '../scap/types';
import { PipeClosed } from '../output/writer';
import { FilterError, formatFilterError } from '../filter/errors';

export async function main(argv: string[]): Promise<void> {
  let code = 0;
  try {
    const opts = parseArgs(argv);
    if (!opts) return; // --help printed
    code = await dispatch(opts);
  } catch (e) {
    code = reportError(e);
  }
  process.exitCode = code;
}

async function dispatch(o: CliOptions): Promise<number> {
  if (o.list) {
    listFields(o.listVerbose);
    return 0;
  }
  if (o.listEvents) {
    listEvents();
    return 0;
  }
  // the chisel, snapshot and UI stacks load only when asked for: replay starts faster without them
  if (o.listChisels || o.chiselInfo !== undefined || o.chisels.length > 0) return (await import('../chisel/run')).runChisels(o);
  if (o.snapshot) return (await import('../snapshot/run')).runSnapshot(o);
  if (o.pcap) return (await import('../net/run')).runPcap(o);
  if (o.write !== undefined) return (await import('./write')).runWrite(o);
  // on a terminal with no output option the UI opens (live or on the -r files); else events print
  const ui = await import('../ui');
  if (o.read.length === 0 && o.ui !== true && !ui.wantsUi(o)) return (await import('../live/run')).runLive(o);
  if (ui.wantsUi(o)) return ui.runUi(o);
  if (o.read.length > 0) return runReplay(o);
  throw new UsageError('live capture is not available yet in this build: use -r FILE to replay a capture');
}

export function reportError(e: unknown): number {
  if (e instanceof PipeClosed) return 0;
  if (e instanceof UsageError) {
    process.stderr.write(`tsdig: ${e.message}\nTry 'tsdig --help' for more information.\n`);
    return 2;
  }
  if (e instanceof ScapError) {
    process.stderr.write(`tsdig: ${e.file}: ${e.message} (at byte offset ${e.offset})\n`);
    return 1;
  }
  if (e instanceof FilterError) {
    process.stderr.write(`tsdig: ${formatFilterError(e)}\n`);
    return 2;
  }
  if (process.env.TSDIG_DEBUG) process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
  process.stderr.write(`tsdig: ${(e as Error)?.message ?? String(e)}\n`);
  return 1;
}
