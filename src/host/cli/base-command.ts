import {Command, Errors, Flags, type Interfaces} from '@oclif/core';

import {writeStableJson} from './json-output.js';
import {streamWriter} from './streamed-output.js';
import {reportError} from './error-report.js';
import {ProgressDisplay} from './progress-display.js';
import {redactSecrets} from '../shared/secret-mask.js';
import {inertText} from '../shared/terminal-text.js';
import {WaitLines} from './wait-lines.js';
import {setLockWaitListener} from '../fs/lock-retry.js';
import {guardUnfinishedExit} from './unfinished-exit.js';

/** oclif's `FlagOutput` and `ArgOutput` (not exported by name): parsed flags or args. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- oclif declares them with `any`
type Parsed = {[name: string]: any};

/**
 * `--json` as an ordinary flag that we handle ourselves, not oclif's `enableJsonFlag`: oclif's
 * rendering is insertion-ordered, colourised on a terminal, and collapses exit codes to 1.
 */
export const jsonFlag = {
  json: Flags.boolean({
    description: 'Print the result as stable JSON (sorted keys, 2-space indent) on stdout',
  }),
};

/** What a reporting command produces: one value for `--json`, lines for people. */
export interface CommandReport {
  readonly json: unknown;
  readonly text: readonly string[];
}

/**
 * Base of every `spec-kitty tracker` command. It owns the output policy:
 * - stdout carries the result only (stable JSON with `--json`, text otherwise);
 * - errors are one or two lines on stderr (what went wrong; what to do), never a stack trace
 *   unless `DEBUG` is set, with secrets masked;
 * - exit codes: 0 success, 1 error, 2 usage error (oclif's parse errors keep their 2).
 */
export abstract class TrackerCommand extends Command {
  /** `--json` was given: set here once the flags are parsed; decides progress display and output form. */
  protected jsonMode = false;

  /** Ends the watch for the process running out of work before this command finished. */
  private releaseExitGuard: () => void = () => undefined;

  /** Parses as oclif does, and takes the output form from `--json` for every command at once. */
  protected override async parse<F extends Parsed, B extends Parsed, A extends Parsed>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    this.jsonMode = (parsed.flags as {json?: unknown}).json === true;
    return parsed;
  }

  /**
   * Prints a report as JSON or as text, according to `--json`. JSON goes out in chunks, each
   * after the pipe took the last: a report can be tens of megabytes (a dry run's plan with every
   * new issue's body), and a pipe's writes otherwise queue in memory until the process ends.
   */
  protected async emit(report: CommandReport): Promise<void> {
    if (this.jsonMode) {
      await writeStableJson(report.json, streamWriter(process.stdout));
      return;
    }
    // Text may carry a tracker's titles, bodies and names: made inert here, where it is printed.
    for (const line of report.text) this.log(inertText(redactSecrets(line)));
  }

  /** Non-fatal problems (a skipped torn line...) on stderr; with `--json` they are in the JSON instead. */
  protected showWarnings(warnings: readonly string[]): void {
    if (this.jsonMode) return;
    for (const warning of warnings) process.stderr.write(`Warning: ${inertText(redactSecrets(warning))}\n`);
  }

  /** A progress display on stderr: live on a terminal, silent otherwise and with `--json`. */
  protected progress(): ProgressDisplay {
    return new ProgressDisplay(process.stderr, {json: this.jsonMode});
  }

  /** The services' view of where the command runs. */
  protected runContext(): {cwd: string; env: NodeJS.ProcessEnv} {
    return {cwd: process.cwd(), env: process.env};
  }

  /**
   * Starts collecting the storage runs this command opens (see `finally`), and says on stderr
   * when it waits for another process's lock (up to 15 s when that process died).
   */
  override async init(): Promise<void> {
    (globalThis as unknown as Record<symbol, unknown>)[COMMAND_RUNS_SLOT] = new Set();
    this.releaseExitGuard = guardUnfinishedExit(
      process,
      `spec-kitty ${(this.id ?? 'tracker').replaceAll(':', ' ')}`,
    );
    await super.init();
    const lines = new WaitLines(process.stderr);
    setLockWaitListener((event) => lines.onWait(event));
  }

  /**
   * Seals what the command recorded into one committed segment per scope: the storage adds each
   * log it writes to to the Set `init` put on a global slot. A failure to seal loses nothing: the
   * records stay in open segments, which the next writer seals.
   */
  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.releaseExitGuard();
    const slots = globalThis as unknown as Record<symbol, unknown>;
    const runs = slots[COMMAND_RUNS_SLOT];
    delete slots[COMMAND_RUNS_SLOT];
    if (runs instanceof Set) {
      try {
        for (const log of runs as Set<{endRun(): Promise<void>}>) await log.endRun();
      } catch (sealError) {
        if (error === undefined) await this.catch(sealError as Error);
        process.stderr.write(`Warning: ${redactSecrets((sealError as Error).message)}\n`);
      }
    }
    return super.finally(error);
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw quiet(error);
    const debug = Boolean(process.env.DEBUG);
    const knownFlags = Object.keys(this.ctor.flags ?? {});
    const report = reportError(error, {debug, knownFlags});
    const colour = process.stderr.isTTY === true && !process.env.NO_COLOR;
    // An error may quote a tracker's response or a file: inert before our own colour goes on.
    report.lines.map(inertText).forEach((line, index) => {
      const shown = index === 0 && colour ? `\u001B[31m${line}\u001B[39m` : line;
      process.stderr.write(`${shown}\n`);
    });
    // ExitError is printed by nobody (oclif's handler skips it) and carries our exit code.
    throw quiet(new Errors.ExitError(report.exitCode));
  }
}

/** Where a command collects the storage runs it opens (the storage's `open-segment.ts` adds to it). */
const COMMAND_RUNS_SLOT = Symbol.for('spec-kitty.tracker.commandRuns');

/**
 * oclif's error handler recognises an ExitError by its class, and a host CLI's @oclif/core is not
 * the copy in our bundle: the flag tells any copy not to print "Error: EEXIT: 1" for it.
 */
function quiet(error: Errors.ExitError): Errors.ExitError {
  return Object.assign(error, {skipOclifErrorHandling: true});
}
