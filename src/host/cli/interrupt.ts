import type {SyncMode} from '../services/sync-service.js';

/** What Ctrl-C leaves behind, and how to continue, per sync mode. */
const KEPT: Record<SyncMode, string[]> = {
  pull: [
    'Interrupted: the pull stopped. What it had stored is kept, with its checkpoint (nothing is half-written).',
    'Run `spec-kitty tracker sync pull` again to resume where it stopped (at most the last batch is fetched again).',
  ],
  push: [
    'Interrupted: the push stopped. Every change already sent is recorded as sent; the others stay pending (`spec-kitty tracker status` counts them).',
    'Run `spec-kitty tracker sync push` again to send the rest (an issue created just before the interruption is found, not created twice).',
  ],
  run: [
    'Interrupted: the sync stopped. What was pulled is kept with its checkpoint; changes already sent are recorded as sent, the others stay pending.',
    'Run `spec-kitty tracker sync run` again to continue where it stopped.',
  ],
};

/** The parts of `process` an interrupt handler needs (tests pass a fake). */
export interface InterruptHost {
  once(signal: 'SIGINT', listener: () => void): unknown;
  removeListener(signal: 'SIGINT', listener: () => void): unknown;
  exit(code: number): never | void;
}

/**
 * Ctrl-C during a sync, as git does it: clear the progress line, say what was kept and how to
 * resume, exit 130 (128 + SIGINT). Everything written so far is already durable (segments are
 * written whole, the checkpoint never runs ahead of the data), so stopping here is safe; the
 * writer lock is released by its own exit handler. Returns the function that uninstalls it.
 */
export function installInterruptHandler(options: {
  mode: SyncMode;
  clearProgress: () => void;
  write: (text: string) => void;
  host?: InterruptHost;
}): () => void {
  const host: InterruptHost = options.host ?? process;
  const onInterrupt = (): void => {
    options.clearProgress();
    options.write(`\n${KEPT[options.mode].join('\n')}\n`);
    host.exit(130);
  };
  host.once('SIGINT', onInterrupt);
  return () => {
    host.removeListener('SIGINT', onInterrupt);
  };
}
