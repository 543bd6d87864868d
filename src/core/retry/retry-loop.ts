import type {Clock, Sleep, WaitReason} from '../protocols/runtime.js';

/** What one attempt came to: a value, or a request to wait and try again. */
export type RetryStep<T> =
  | {readonly kind: 'done'; readonly value: T}
  | {readonly kind: 'wait'; readonly waitMs: number; readonly reason: WaitReason; readonly detail?: string};

/** A wait about to happen, for the caller to show (a progress line, a line on stderr). */
export interface RetryWait {
  readonly ms: number;
  /** When the wait ends, on the injected clock (ISO 8601). */
  readonly until: string;
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly reason: WaitReason;
  readonly detail?: string;
}

export interface RetryLoopContext {
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly onWait?: (wait: RetryWait) => void;
}

export const done = <T>(value: T): RetryStep<T> => ({kind: 'done', value});

/**
 * The one retry loop: runs `attempt` (numbered from 1) until it returns a value or throws; when
 * it asks to wait, reports the wait and sleeps on the injected clock. Each caller decides what
 * is worth another attempt and how long to wait (its own `RetryPolicy`), and bounds the count:
 * the loop itself never decides to retry.
 */
export async function retryLoop<T>(
  context: RetryLoopContext,
  attempt: (attemptNumber: number) => Promise<RetryStep<T>>,
): Promise<T> {
  for (let n = 1; ; n++) {
    const step = await attempt(n);
    if (step.kind === 'done') return step.value;
    const ms = Math.max(0, Math.ceil(step.waitMs));
    const until = new Date(context.clock.now().getTime() + ms).toISOString();
    context.onWait?.({ms, until, attempt: n, reason: step.reason, detail: step.detail});
    await context.sleep(ms);
  }
}
