import {realSleep, systemClock, type RuntimeEvent} from '../../core/protocols/runtime.js';
import {done, retryLoop} from '../../core/retry/index.js';

type WaitEvent = Extract<RuntimeEvent, {type: 'wait'}>;
type WaitListener = (event: WaitEvent) => void;

// Kept on globalThis: a test harness may load this module twice (the test file and oclif's
// command loader) and both must report to the one listener the command set.
const LISTENER_SLOT = Symbol.for('spec-kitty.tracker.lockWaitListener');
type Slots = Record<symbol, WaitListener | undefined>;

/** Where waits for a lock are reported (the command's stderr); null stops reporting. */
export function setLockWaitListener(listener: WaitListener | null): void {
  (globalThis as unknown as Slots)[LISTENER_SLOT] = listener ?? undefined;
}

/** A lock someone else holds: `ELOCKED` from proper-lockfile. */
export function isLockedError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ELOCKED';
}

export interface LockRetryOptions {
  /** Give up after waiting this long. */
  readonly waitMs: number;
  /** First pause between tries; grows by `factor` up to `maxDelayMs`. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** What is waited for, for the one line the wait prints (`the writer lock …`). */
  readonly what: string;
  /** The error to throw once `waitMs` is spent, given the number of tries. */
  readonly gaveUp: (tries: number) => Error;
}

/**
 * Tries `take` until it stops failing with `ELOCKED`, on the shared retry loop with the real
 * clock: jittered, growing pauses (so waiting writers do not retry in lockstep), bounded by
 * `waitMs`. The first wait is reported once (`waiting up to 15 s: …`): a lock left by a killed
 * process is taken over only once stale, and a silent pause of ten seconds looks like a hang.
 */
export async function retryWhileLocked<T>(take: () => Promise<T>, options: LockRetryOptions): Promise<T> {
  const deadline = systemClock.now().getTime() + options.waitMs;
  let delay = options.firstDelayMs;
  const onWait = (wait: {attempt: number; ms: number; until: string}): void => {
    if (wait.attempt !== 1) return;
    (globalThis as unknown as Slots)[LISTENER_SLOT]?.({
      type: 'wait',
      provider: 'local',
      reason: 'lock',
      ms: options.waitMs,
      until: new Date(deadline).toISOString(),
      attempt: 1,
      detail: options.what,
    });
  };
  return retryLoop({clock: systemClock, sleep: realSleep, onWait}, async (tries) => {
    try {
      return done(await take());
    } catch (error) {
      if (!isLockedError(error)) throw error;
      const remaining = deadline - systemClock.now().getTime();
      if (remaining <= 0) throw options.gaveUp(tries);
      const pause = Math.min(remaining, delay * (0.5 + Math.random()));
      delay = Math.min(delay * options.factor, options.maxDelayMs);
      return {kind: 'wait', waitMs: pause, reason: 'lock', detail: options.what};
    }
  });
}
