/**
 * Node ends a process when nothing keeps its event loop alive, even while a promise is still
 * pending. A command awaiting something that can no longer happen (a timer someone unref'd, a
 * promise nobody settles) would therefore end with exit code 0, its work unfinished, saying
 * nothing: a push with edits unsent would look like a success. This turns that case into an
 * error anyone sees: a line on stderr and exit code 1.
 */

/** The part of `process` the guard uses (tests pass their own). */
export interface ExitingProcess {
  on(event: 'beforeExit', listener: () => void): unknown;
  off(event: 'beforeExit', listener: () => void): unknown;
  exitCode?: number | string | null | undefined;
  readonly stderr: {write(text: string): unknown};
}

/**
 * Watches for the process running out of work while `command` has not finished; returns the
 * function to call when it has. Node emits `beforeExit` only when the event loop is empty, so a
 * command that is merely slow (a pacing wait, a request in flight) never sets it off.
 */
export function guardUnfinishedExit(target: ExitingProcess, command: string): () => void {
  const onBeforeExit = (): void => {
    target.off('beforeExit', onBeforeExit);
    target.stderr.write(
      `${command} stopped before it finished: it was waiting for something that can no longer happen (a bug in spec-kitty tracker).\n` +
        'What it recorded so far is kept; run the command again, and report this with the output of the same command run with DEBUG=1.\n',
    );
    target.exitCode = 1;
  };
  target.on('beforeExit', onBeforeExit);
  return () => target.off('beforeExit', onBeforeExit);
}
