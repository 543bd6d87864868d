/**
 * Whether the HTTP client tries a failed request again, and after how long. A request that is
 * not safe to repeat (a POST, or anything marked `idempotent: false`) is repeated only when it
 * provably never reached the server (connection refused, unknown host) or the server refused it
 * before acting (a rate limit): a timeout or a reset after sending may have posted it already.
 */
import {UNREACHABLE_RETRY_POLICY, backoffDelayMs, type RetryPolicy} from '../retry/index.js';

/** A failed attempt, as far as the retry decision cares. */
export type AttemptFailure =
  | {readonly kind: 'unreachable'}
  | {readonly kind: 'network'}
  /** A response whose body was cut short or not JSON: the server did answer, so it acted. */
  | {readonly kind: 'bad_body'}
  | {readonly kind: 'transient_status'; readonly status: number}
  | {readonly kind: 'rate_limit'; readonly waitMs: number};

export interface RetryState {
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  /** Time already waited for this request. */
  readonly waitedMs: number;
}

/** Statuses after which a write may have been applied (a gateway gave up while it ran). */
const MAYBE_APPLIED_STATUSES: ReadonlySet<number> = new Set([500, 502, 504]);

/**
 * Whether a failure of a request that is not safe to repeat may have changed something on the
 * server; such a failure is never retried by any layer.
 */
export function mayHaveBeenApplied(failure: AttemptFailure, idempotent: boolean): boolean {
  if (idempotent) return false;
  switch (failure.kind) {
    case 'network':
    case 'bad_body':
      return true;
    case 'transient_status':
      return MAYBE_APPLIED_STATUSES.has(failure.status);
    default:
      return false;
  }
}

/** Whether the request may be sent again at all, whatever the wait. */
export function isRepeatable(failure: AttemptFailure, idempotent: boolean): boolean {
  return idempotent || failure.kind === 'unreachable' || failure.kind === 'rate_limit';
}

/** The wait before the next attempt, or null to give up now. */
export function retryWaitMs(
  failure: AttemptFailure,
  idempotent: boolean,
  state: RetryState,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  if (!isRepeatable(failure, idempotent)) return null;
  // An unreachable server gets two quick retries (a restart, a DNS hiccup), not minutes of backoff.
  const effective = failure.kind === 'unreachable' ? tighter(policy, UNREACHABLE_RETRY_POLICY) : policy;
  if (state.attempt >= effective.maxAttempts) return null;
  const waitMs =
    failure.kind === 'rate_limit' ? failure.waitMs : backoffDelayMs(state.attempt, effective, random);
  if (failure.kind === 'rate_limit' && waitMs > effective.maxRetryAfterMs) return null;
  return state.waitedMs + waitMs <= effective.maxTotalWaitMs ? waitMs : null;
}

function tighter(policy: RetryPolicy, cap: RetryPolicy): RetryPolicy {
  return {
    ...cap,
    maxAttempts: Math.min(policy.maxAttempts, cap.maxAttempts),
    maxTotalWaitMs: Math.min(policy.maxTotalWaitMs, cap.maxTotalWaitMs),
  };
}
