import {spawn, type ChildProcess} from 'node:child_process';
import {stat} from 'node:fs/promises';

import type {ProcessResult, ProcessRunner} from '../../core/index.js';

/** Default cap on what one run may print (stdout and stderr each): a large beads list fits. */
export const DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
/** How long a process gets after SIGTERM (on timeout or output overflow) before SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 1000;

export interface ProcessRunnerOptions {
  /** Cap on stdout and on stderr, each; beyond it the process is stopped and the result flagged. */
  readonly maxOutputBytes?: number;
  readonly killGraceMs?: number;
  /** Environment for the child; defaults to this process's environment (PATH, HOME...). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Rejection of `run` when the process could not be started at all. `code` is Node's errno code. */
export class ProcessStartError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly command: string,
    options: {cause?: unknown} = {},
  ) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'ProcessStartError';
  }
}

/**
 * The real `ProcessRunner`: runs an executable with an argv list through `spawn` with
 * `shell: false`, so arguments (titles, bodies) reach the tool literally, whatever quotes,
 * spaces or `$(...)` they contain. It never throws for a non-zero exit: the connector decides
 * what an exit means. It rejects only when the process cannot start (missing executable,
 * not executable, missing working directory) with a `ProcessStartError` carrying the errno code.
 */
export function createProcessRunner(options: ProcessRunnerOptions = {}): ProcessRunner {
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  return {
    async run(command, args, runOptions) {
      if (runOptions.cwd !== null) await requireDirectory(runOptions.cwd, command);
      return runProcess(command, args, {
        cwd: runOptions.cwd,
        timeoutMs: runOptions.timeoutMs,
        maxOutputBytes,
        killGraceMs,
        env: options.env ?? process.env,
      });
    },
  };
}

async function requireDirectory(cwd: string, command: string): Promise<void> {
  // spawn reports a missing cwd as "spawn <cmd> ENOENT", which would blame the executable.
  let isDirectory = false;
  try {
    isDirectory = (await stat(cwd)).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new ProcessStartError(`working directory not found: ${cwd}`, 'ENOTDIR', command);
  }
}

interface RunSettings {
  cwd: string | null;
  timeoutMs: number;
  maxOutputBytes: number;
  killGraceMs: number;
  env: NodeJS.ProcessEnv;
}

function runProcess(command: string, args: readonly string[], settings: RunSettings): Promise<ProcessResult> {
  return new Promise<ProcessResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, [...args], {
        cwd: settings.cwd ?? undefined,
        env: settings.env,
        shell: false,
        windowsHide: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      // Synchronous failures: e.g. an argument containing a NUL byte.
      reject(startError(command, error));
      return;
    }
    new RunWatch(child, settings, resolve, (error) => reject(startError(command, error))).start();
  });
}

/**
 * Watches one started process until it settles: collects its output up to the cap, stops it on
 * timeout or overflow (SIGTERM, then SIGKILL after the grace), and settles exactly once.
 */
class RunWatch {
  private readonly stdout: OutputBuffer;
  private readonly stderr: OutputBuffer;
  private timedOut = false;
  private outputLimitExceeded = false;
  private settled = false;
  private timeout: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly settings: RunSettings,
    private readonly resolve: (result: ProcessResult) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.stdout = new OutputBuffer(settings.maxOutputBytes);
    this.stderr = new OutputBuffer(settings.maxOutputBytes);
  }

  start(): void {
    const {child} = this;
    this.timeout = setTimeout(
      () => {
        this.timedOut = true;
        this.stop();
      },
      Math.max(1, this.settings.timeoutMs),
    );
    child.stdout?.on('data', this.onData(this.stdout));
    child.stderr?.on('data', this.onData(this.stderr));
    child.on('error', (error) => this.fail(error));
    // 'close' waits for the pipes; a grandchild that inherited them could hold them open after
    // the tool itself exited, so after 'exit' we give the pipes a moment, then stop waiting.
    child.on('exit', (code, signal) => {
      this.drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        this.finish(code, signal);
      }, 200);
      this.drainTimer.unref();
    });
    child.on('close', (code, signal) => this.finish(code, signal));
  }

  private onData(buffer: OutputBuffer): (chunk: Buffer) => void {
    return (chunk) => {
      if (!buffer.push(chunk) && !this.outputLimitExceeded) {
        this.outputLimitExceeded = true;
        this.stop();
      }
    };
  }

  private stop(): void {
    const {child} = this;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    this.killTimer ??= setTimeout(() => child.kill('SIGKILL'), this.settings.killGraceMs);
    this.killTimer.unref();
  }

  private finish(exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timeout);
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.resolve({
      exitCode,
      signal,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      timedOut: this.timedOut,
      outputLimitExceeded: this.outputLimitExceeded,
    });
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timeout);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.reject(error);
  }
}

function startError(command: string, error: unknown): ProcessStartError {
  const code =
    typeof (error as {code?: unknown})?.code === 'string' ? (error as {code: string}).code : 'EUNKNOWN';
  const reason =
    code === 'ENOENT'
      ? `executable not found: ${command}`
      : code === 'EACCES'
        ? `not allowed to run ${command} (is it executable?)`
        : `could not start ${command}: ${error instanceof Error ? error.message : String(error)}`;
  return new ProcessStartError(reason, code, command, {cause: error});
}

/** Collects output up to a byte cap; `push` returns false once the cap is exceeded. */
class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): boolean {
    const room = this.max - this.size;
    if (room <= 0) return chunk.length === 0;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
    return chunk.length <= room;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
