/**
 * How long and how often a failed operation is tried again. One type serves every layer that
 * retries: the HTTP client, the sync engine (subprocess connectors), the writer lock and the
 * credentials file lock; each has its own constant below.
 */
export interface RetryPolicy {
  /** Attempts in total, the first one included (>= 1). */
  readonly maxAttempts: number;
  /** The backoff of the first retry (its ceiling, with jitter); doubles per retry. */
  readonly baseDelayMs: number;
  /** No single backoff delay exceeds this. */
  readonly maxDelayMs: number;
  /** The sum of all waits of one operation (backoff and rate limits) may not exceed this. */
  readonly maxTotalWaitMs: number;
  /**
   * The longest wait a server may ask for (`Retry-After`, a quota reset). Asking for longer
   * makes the operation fail now with the server's message instead of hanging the command.
   */
  readonly maxRetryAfterMs: number;
  /** `full`: uniform in [0, ceiling) so clients that failed together spread out; `none`: the ceiling. */
  readonly jitter: 'full' | 'none';
}

/** The HTTP client: six attempts, full jitter, at most 15 minutes of waiting per request. */
export const HTTP_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxTotalWaitMs: 15 * 60_000,
  maxRetryAfterMs: 15 * 60_000,
  jitter: 'full',
});

/**
 * The engine, for failures no lower layer retried (subprocess connectors): four attempts,
 * 1 s, 2 s, 4 s apart; a provider asking for more than two minutes fails the run instead.
 */
export const ENGINE_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 10 * 60_000,
  maxRetryAfterMs: 120_000,
  jitter: 'none',
});

/**
 * A connection refused or a host that does not resolve will not fix itself in seconds: two
 * quick retries (a server restarting, a DNS hiccup), then a message naming the server.
 */
export const UNREACHABLE_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 500,
  maxTotalWaitMs: 1_000,
  maxRetryAfterMs: 0,
  jitter: 'none',
});

/**
 * Delay before retry number `retry` (1 for the first retry): the ceiling
 * min(maxDelay, base * 2^(retry-1)), or with full jitter uniform in [0, ceiling).
 */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> & {readonly jitter?: RetryPolicy['jitter']},
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  if (policy.jitter === 'none') return ceiling;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling * r);
}
