import {captureOutput} from '@oclif/test';

/**
 * Output capture for commands run inside the mocha process, safe when a test ends before its
 * command does.
 *
 * @oclif/test's `captureOutput` replaces `process.stdout.write` and `process.stderr.write` and, when
 * the command ends, puts back whatever it found there. A test that times out does not stop its
 * command (nothing can cancel a running promise): mocha moves on while the command still holds
 * the capture, so every line mocha prints goes into that capture's buffer; a later in-process
 * command then captures the capture and puts it back when it ends, for good. The run went on
 * printing nothing and ended with a failure exit code and no summary line. A paced command (a
 * second between GitHub writes) outlives mocha's timeout easily, which is how this was seen.
 *
 * So: one in-process command at a time, and after each test a command still running gets the
 * real writes back at once (its remaining output shows up in the test output, which is right:
 * no test owns it) and is waited for before the next test starts, so two tests never share a
 * process's stdout, environment or fake server.
 */

const realWrites = {stdout: process.stdout.write, stderr: process.stderr.write};

/** How long the hook waits for a command that outlived its test before failing the run. */
const LEFT_RUNNING_WAIT_MS = 60_000;

interface Running {
  readonly label: string;
  readonly done: Promise<unknown>;
}

let running: Running | null = null;

function restoreRealWrites(): void {
  process.stdout.write = realWrites.stdout;
  process.stderr.write = realWrites.stderr;
}

/** Runs `command` with its output captured; refuses to start while another one runs. */
export async function captureCommand<T>(label: string, command: () => Promise<T>) {
  if (running !== null) {
    throw new Error(
      `Cannot run \`${label}\` in-process while \`${running.label}\` is still running: their output captures would overlap. Await each command before the next.`,
    );
  }
  const done = captureOutput(command);
  const mine: Running = {label, done};
  running = mine;
  try {
    return await done;
  } finally {
    if (running === mine) running = null;
  }
}

/** After each test: a command still running lost its test (a timeout or a missing await). */
async function waitForCommandLeftRunning(this: Mocha.Context): Promise<void> {
  const left = running;
  if (left === null) return;
  restoreRealWrites();
  const test = this.currentTest?.fullTitle() ?? 'a test';
  process.stderr.write(
    `\n  \`${left.label}\` was still running when its test ended (${test}); waiting for it to end before the next test.\n`,
  );
  this.timeout(LEFT_RUNNING_WAIT_MS);
  await left.done;
  restoreRealWrites();
}

// A root hook (registered outside any describe, when the first command test loads this file):
// it runs after every test of the run. Outside mocha (`afterEach` undefined) there is no test.
if (typeof afterEach === 'function') afterEach(waitForCommandLeftRunning);
