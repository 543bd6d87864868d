/** Retry pacing: exponential backoff with "full jitter" (AWS architecture blog, 2015). */

export interface RetryPolicy {
  /** Attempts in total, the first one included (>= 1). */
  readonly maxAttempts: number;
  /** The backoff ceiling of the first retry; doubles per retry. */
  readonly baseDelayMs: number;
  /** No single backoff delay exceeds this. */
  readonly maxDelayMs: number;
  /** The sum of all waits of one request (backoff and rate limits) may not exceed this. */
  readonly maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxTotalWaitMs: 15 * 60_000,
});

/**
 * Delay before retry number `retry` (1 for the first retry): uniform in
 * [0, min(maxDelay, base * 2^(retry-1))). Full jitter spreads clients that failed together.
 */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling * r);
}
