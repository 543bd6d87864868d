import {ConnectorRequestError} from '../errors.js';
import type {Clock, RuntimeEventListener, Sleep} from '../protocols/runtime.js';
import {
  ENGINE_RETRY_POLICY,
  backoffDelayMs,
  done,
  retryLoop,
  type RetryPolicy,
  type RetryWait,
} from '../retry/index.js';

/**
 * How the engine retries a request that failed in a retryable way (transient, rate limit) and
 * that no lower layer retried: failures of subprocess connectors (beads, fp), and creates the
 * HTTP client could not safely repeat (the engine's retry first looks for the issue by its
 * idempotency key). Requests through the HTTP client are retried there, and only there.
 */
export {ENGINE_RETRY_POLICY, type RetryPolicy};

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly provider: string;
  readonly onEvent?: RuntimeEventListener;
}

/**
 * The wait before retry number `retry` (1-based), or null when the error must not be retried:
 * not a retryable failure; one the HTTP client already retried (`retried`): retrying it here
 * too would multiply the attempts (6 HTTP attempts x 4 engine attempts = 24 for one request);
 * or a request not safe to repeat that may have reached the server (`mayHaveBeenApplied`):
 * repeating a comment whose answer was slow would post it twice. A caller that looks the write
 * up by its marker before repeating it (`looksUpFirst`) may retry that one too.
 */
export function retryDelayMs(
  error: unknown,
  retry: number,
  policy: RetryPolicy,
  options: {looksUpFirst?: boolean} = {},
): number | null {
  if (!(error instanceof ConnectorRequestError) || !error.retryable || error.retried) return null;
  if (error.mayHaveBeenApplied && options.looksUpFirst !== true) return null;
  if (retry >= policy.maxAttempts) return null;
  if (error.retryAfterSeconds !== null && error.retryAfterSeconds >= 0) {
    const ms = Math.ceil(error.retryAfterSeconds * 1000);
    return ms > policy.maxRetryAfterMs ? null : ms;
  }
  return backoffDelayMs(retry, {...policy, jitter: 'none'}, () => 1);
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
  let waitedMs = 0;
  const onWait = (wait: RetryWait): void =>
    context.onEvent?.({
      type: 'wait',
      provider: context.provider,
      reason: wait.reason,
      ms: wait.ms,
      until: wait.until,
      attempt: wait.attempt,
    });
  return retryLoop<T>({clock: context.clock, sleep: context.sleep, onWait}, async (n) => {
    try {
      return done(await attempt(n - 1));
    } catch (error) {
      const delay = retryDelayMs(error, n, context.policy);
      if (delay === null || waitedMs + delay > context.policy.maxTotalWaitMs) throw error;
      waitedMs += delay;
      const reason = (error as ConnectorRequestError).failureClass === 'rate_limit' ? 'rate_limit' : 'retry';
      return {kind: 'wait', waitMs: delay, reason};
    }
  });
}
