import {ConnectorConfigError, ConnectorRequestError} from '../../errors.js';
import type {FailureClass} from '../../model/enums.js';
import type {ConnectorConfig} from '../../protocols/connector.js';
import type {Clock, ProcessRunner, RuntimeEventListener} from '../../protocols/runtime.js';

/** How long one run of a local tracker tool may take before it is stopped. */
export const DEFAULT_LOCAL_CLI_TIMEOUT_MS = 60_000;

/** How much of a failing tool's stderr goes into an error message. */
const STDERR_MAX_LINES = 5;
const STDERR_MAX_LINE_CHARS = 300;

export interface LocalCliSettings {
  /** Provider name (`beads`, `fp`), used in messages and events. */
  readonly provider: string;
  /** The executable as configured (`credentials.command`), or the default. */
  readonly command: string;
  readonly defaultCommand: string;
  readonly cwd: string | null;
  readonly timeoutMs: number;
}

/**
 * One local tracker executable (beads `bd`, `fp`) as the connectors see it: runs an argv list
 * through the injected `ProcessRunner` (never a shell) and turns every way a run can go wrong
 * into a typed error that says what ran, what happened and what to do.
 */
export class LocalCliInvoker {
  readonly settings: LocalCliSettings;
  private readonly runner: ProcessRunner;
  private readonly clock: Clock;
  private readonly onEvent: RuntimeEventListener | undefined;

  constructor(
    settings: LocalCliSettings,
    runtime: {runner: ProcessRunner; clock: Clock; onEvent?: RuntimeEventListener},
  ) {
    this.settings = settings;
    this.runner = runtime.runner;
    this.clock = runtime.clock;
    this.onEvent = runtime.onEvent;
  }

  /**
   * Runs the tool with `args` and returns its stdout. `label` names the operation in messages
   * (e.g. `list`, `show bd-1`): messages never quote titles or bodies from the argv.
   */
  async run(args: readonly string[], label: string): Promise<string> {
    const {provider, command, cwd, timeoutMs} = this.settings;
    const what = `\`${command} ${label}\``;
    const started = this.clock.now().getTime();
    let result;
    try {
      result = await this.runner.run(command, args, {cwd, timeoutMs});
    } catch (error) {
      throw this.startFailure(error);
    }
    this.onEvent?.({
      type: 'request',
      provider,
      method: 'exec',
      url: `${command} ${label}`,
      status: result.exitCode,
      ms: Math.max(0, this.clock.now().getTime() - started),
    });

    if (result.timedOut) {
      throw new ConnectorRequestError(
        `${provider}: ${what} did not finish within ${formatMs(timeoutMs)} and was stopped`,
        {
          provider,
          failureClass: 'transient',
          hint: `Check that ${command} is not waiting for input or a lock; raise the limit with --credential timeout_ms=<ms>.`,
        },
      );
    }
    if (result.outputLimitExceeded) {
      throw new ConnectorRequestError(
        `${provider}: ${what} printed more output than the runner accepts and was stopped`,
        {
          provider,
          failureClass: 'non_retryable',
        },
      );
    }
    if (result.exitCode !== 0) {
      const excerpt = excerptOf(result.stderr) || excerptOf(result.stdout);
      const how =
        result.exitCode === null
          ? `was killed by ${result.signal ?? 'a signal'}`
          : `exited with code ${result.exitCode}`;
      throw new ConnectorRequestError(
        `${provider}: ${what} ${how}${excerpt ? `: ${excerpt}` : ' (no error output)'}`,
        {
          provider,
          failureClass: classifyToolFailure(`${result.stderr}\n${result.stdout}`),
          statusCode: result.exitCode,
        },
      );
    }
    return result.stdout;
  }

  private startFailure(error: unknown): Error {
    const {provider, command, defaultCommand, cwd} = this.settings;
    const code = typeof (error as {code?: unknown})?.code === 'string' ? (error as {code: string}).code : '';
    const setCommand = `spec-kitty tracker bind --provider ${provider} --workspace <name> --credential command=/path/to/${defaultCommand}`;
    if (code === 'ENOENT') {
      return new ConnectorConfigError(`${provider}: executable not found: ${command}`, {
        cause: error,
        hint: `Install ${defaultCommand} or name it explicitly (set it with --credential command=/path/to/${defaultCommand}): ${setCommand}`,
      });
    }
    if (code === 'EACCES') {
      return new ConnectorConfigError(
        `${provider}: ${command} exists but cannot be run (permission denied)`,
        {
          cause: error,
          hint: `Make it executable (chmod +x ${command}) or point to the right file with --credential command=/path/to/${defaultCommand}.`,
        },
      );
    }
    if (code === 'ENOTDIR') {
      return new ConnectorConfigError(`${provider}: working directory not found: ${cwd ?? '(none)'}`, {
        cause: error,
        hint: `Set an existing directory with --credential cwd=/path/to/project.`,
      });
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new ConnectorRequestError(`${provider}: could not run ${command}: ${reason}`, {
      provider,
      failureClass: 'non_retryable',
      cause: error,
    });
  }
}

/** Builds the invoker from a connector config: `credentials.command` / `.cwd` / `.timeout_ms`. */
export function createLocalCliInvoker(
  provider: string,
  defaultCommand: string,
  config: ConnectorConfig,
): LocalCliInvoker {
  const runner = config.runtime.runner;
  if (!runner) {
    throw new ConnectorConfigError(`${provider}: no process runner was provided to run ${defaultCommand}`, {
      hint: 'The host must pass runtime.runner for local tracker connectors.',
    });
  }
  const command = nonBlank(config.credentials.command) ?? defaultCommand;
  const cwd = nonBlank(config.credentials.cwd);
  const timeoutMs = parseTimeout(provider, config.credentials.timeout_ms ?? config.options.timeout_ms);
  return new LocalCliInvoker(
    {provider, command, defaultCommand, cwd, timeoutMs},
    {runner, clock: config.runtime.clock, onEvent: config.runtime.onEvent},
  );
}

function nonBlank(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function parseTimeout(provider: string, value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_LOCAL_CLI_TIMEOUT_MS;
  const parsed = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new ConnectorConfigError(
      `${provider}: timeout_ms must be a positive whole number of milliseconds, got ${JSON.stringify(value)}`,
      {
        hint: 'For example --credential timeout_ms=120000.',
      },
    );
  }
  return parsed;
}

/** Failure class from what the tool printed (the tools have no status codes beyond exit 1). */
export function classifyToolFailure(output: string): FailureClass {
  if (/\b(not found|no issue found|no such issue|does not exist|unknown issue)\b/i.test(output))
    return 'not_found';
  if (/database is locked|resource temporarily unavailable|\bbusy\b|try again/i.test(output))
    return 'transient';
  if (/\b(invalid|unknown (flag|command|shorthand flag)|required flag|is required)\b/i.test(output))
    return 'validation';
  return 'non_retryable';
}

/** The first few non-empty lines of a tool's output, trimmed, without terminal colours. */
export function excerptOf(text: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  const lines = plain
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const kept = lines
    .slice(0, STDERR_MAX_LINES)
    .map((line) => (line.length > STDERR_MAX_LINE_CHARS ? `${line.slice(0, STDERR_MAX_LINE_CHARS)}…` : line));
  if (lines.length > STDERR_MAX_LINES) kept.push(`(${lines.length - STDERR_MAX_LINES} more lines)`);
  return kept.join(' | ');
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
