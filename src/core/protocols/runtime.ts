/**
 * What the core needs from its host at run time. The core never reads the wall clock, the
 * environment or the process table itself: hosts inject these, tests inject fakes.
 */

export interface Clock {
  now(): Date;
}

/** Waits `ms` milliseconds (tests pass a fake that advances a fake clock instantly). */
export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = {now: () => new Date()};
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A clock tests can move by hand; its `sleep` advances the clock instead of waiting. */
export class ManualClock implements Clock {
  private current: number;
  readonly sleeps: number[] = [];

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  readonly sleep: Sleep = async (ms) => {
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
  };
}

/**
 * Why a run is waiting: a server's rate limit, a retry after a failure, the client pacing itself
 * to a provider's published budget, or another process holding a lock.
 */
export type WaitReason = 'rate_limit' | 'retry' | 'pacing' | 'lock';

/** Progress and waits reported by connectors and the engine, for hosts to display. */
export type RuntimeEvent =
  | {type: 'request'; provider: string; method: string; url: string; status: number | null; ms: number}
  | {
      type: 'wait';
      provider: string;
      reason: WaitReason;
      ms: number;
      until: string;
      attempt: number;
      /** What is waited for, in words (`GitHub's limit of 80 writes a minute`). */
      detail?: string;
    }
  | {type: 'page'; provider: string; page: number; items: number}
  | {type: 'progress'; phase: 'pull' | 'push'; done: number; total: number | null}
  /**
   * Something a connector had to do differently from what was asked and the user should know,
   * said once per run (e.g. dependencies written as "relates to" where the tier has no "blocks").
   */
  | {type: 'notice'; provider: string; message: string};

export type RuntimeEventListener = (event: RuntimeEvent) => void;

/** The outcome of running a local tracker executable (beads `bd`, `fp`). */
export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The process printed more than the runner's output cap and was stopped (output truncated). */
  readonly outputLimitExceeded?: boolean;
}

/**
 * Runs an executable with an argv list (never through a shell). Rejects with an error whose
 * `code` is `ENOENT` when the executable does not exist; otherwise resolves, whatever the exit.
 */
export interface ProcessRunner {
  run(
    command: string,
    args: readonly string[],
    options: {cwd: string | null; timeoutMs: number},
  ): Promise<ProcessResult>;
}
