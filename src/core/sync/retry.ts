import {ConnectorRequestError} from '../errors.js';
import type {Clock, RuntimeEventListener, Sleep} from '../protocols/runtime.js';

/**
 * How the engine retries a request that failed in a retryable way (transient, rate limit) and
 * that no lower layer retried: failures of subprocess connectors (beads, fp), and creates the
 * HTTP client could not safely repeat (the engine's retry first looks for the issue by its
 * idempotency key). Requests through the HTTP client are retried there, and only there.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (so `maxRetries + 1` attempts in all). */
  readonly maxRetries: number;
  /** First backoff when the provider did not say how long to wait; doubles each retry. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * The longest `Retry-After` honoured. A provider asking for longer (an hourly quota) makes
   * the request fail now with its message, rather than hang the command for an hour.
   */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
});

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly provider: string;
  readonly onEvent?: RuntimeEventListener;
}

/**
 * The wait before retry number `retry` (1-based), or null when the error must not be retried:
 * not a retryable failure, or one the HTTP client already retried (`retried`): retrying it here
 * too would multiply the attempts (6 HTTP attempts x 4 engine attempts = 24 for one request).
 */
export function retryDelayMs(error: unknown, retry: number, policy: RetryPolicy): number | null {
  if (!(error instanceof ConnectorRequestError) || !error.retryable || error.retried) return null;
  if (retry > policy.maxRetries) return null;
  if (error.retryAfterSeconds !== null && error.retryAfterSeconds >= 0) {
    const ms = Math.ceil(error.retryAfterSeconds * 1000);
    return ms > policy.maxRetryAfterMs ? null : ms;
  }
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}

/**
 * Runs `attempt` until it succeeds or fails in a way not worth retrying; each wait goes through
 * the injected sleep and is reported as a `wait` event. `attempt` receives the attempt number
 * (0 first) so that a retried create can look for an issue the failed attempt may have made.
 */
export async function withRetry<T>(
  context: RetryContext,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const delay = retryDelayMs(error, n + 1, context.policy);
      if (delay === null) throw error;
      const reason = (error as ConnectorRequestError).failureClass === 'rate_limit' ? 'rate_limit' : 'retry';
      context.onEvent?.({
        type: 'wait',
        provider: context.provider,
        reason,
        ms: delay,
        until: new Date(context.clock.now().getTime() + delay).toISOString(),
        attempt: n + 1,
      });
      await context.sleep(delay);
    }
  }
}
