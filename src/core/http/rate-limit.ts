/**
 * Reading rate-limit signals from responses. Each provider signals "slow down" differently;
 * an interpreter turns a response into how long to wait, or null when it is not a rate limit
 * (the response is then classified by status like any other failure).
 */

/** Everything an interpreter may look at; `bodyText` is the raw body (may be empty). */
export interface RateLimitResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bodyText: string;
}

export interface RateLimitSignal {
  /** How long to wait before the next attempt. */
  readonly waitMs: number;
  /**
   * `retry_after`: the server said how long; `primary`: a quota reset time; `secondary`: GitHub's
   * abuse limits; `fallback`: a rate limit without usable headers, paced by backoff.
   */
  readonly kind: 'retry_after' | 'primary' | 'secondary' | 'fallback';
  /** What the server asked for, in seconds, when it said (for `ConnectorRequestError`). */
  readonly retryAfterSeconds: number | null;
}

export interface RateLimitContext {
  readonly now: Date;
  /** The jittered backoff delay for this retry, for signals without a server-given wait. */
  readonly backoffMs: number;
}

export type RateLimitInterpreter = (
  response: RateLimitResponse,
  context: RateLimitContext,
) => RateLimitSignal | null;

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Returns milliseconds from
 * `now` (>= 0), or null when absent or unparseable.
 */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

/** Milliseconds from `now` until an epoch-seconds reset time (>= 0), or null. */
export function msUntilEpochSeconds(value: string | null, now: Date): number | null {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return null;
  return Math.max(0, Math.round(Number(value) * 1000) - now.getTime());
}

const seconds = (ms: number): number => Math.ceil(ms / 1000);

function retryAfterSignal(response: RateLimitResponse, now: Date): RateLimitSignal | null {
  const ms = parseRetryAfter(response.headers.get('retry-after'), now);
  return ms === null ? null : {waitMs: ms, kind: 'retry_after', retryAfterSeconds: seconds(ms)};
}

/** Any provider: `Retry-After` on 429/503; a bare 429 is paced by backoff. */
export const genericRateLimit: RateLimitInterpreter = (response, {now, backoffMs}) => {
  if (response.status !== 429 && response.status !== 503) return null;
  const told = retryAfterSignal(response, now);
  if (told) return told;
  return response.status === 429 ? {waitMs: backoffMs, kind: 'fallback', retryAfterSeconds: null} : null;
};

/** One minute: GitHub's advice for a secondary limit without `retry-after`. */
export const GITHUB_SECONDARY_MIN_WAIT_MS = 60_000;

/**
 * GitHub ("Rate limits for the REST API"; "Best practices"): on 403/429, `retry-after` wins;
 * else `x-ratelimit-remaining: 0` means the primary quota is spent until `x-ratelimit-reset`
 * (epoch seconds); else a 429, or a 403 whose message mentions a secondary/abuse rate limit,
 * is a secondary limit: wait at least a minute, then back off. A plain 403 is a permission error.
 */
export const githubRateLimit: RateLimitInterpreter = (response, {now, backoffMs}) => {
  if (response.status !== 403 && response.status !== 429) return genericRateLimit(response, {now, backoffMs});
  const told = retryAfterSignal(response, now);
  if (told)
    return {...told, kind: response.headers.get('x-ratelimit-remaining') === '0' ? 'primary' : 'secondary'};
  if (response.headers.get('x-ratelimit-remaining') === '0') {
    const ms = msUntilEpochSeconds(response.headers.get('x-ratelimit-reset'), now);
    if (ms !== null) {
      // One extra second: the reset instant is rounded down and clocks drift.
      const wait = ms + 1000;
      return {waitMs: wait, kind: 'primary', retryAfterSeconds: seconds(wait)};
    }
  }
  const mentionsLimit = /rate limit|abuse/i.test(response.bodyText);
  if (response.status === 429 || mentionsLimit) {
    return {
      waitMs: Math.max(GITHUB_SECONDARY_MIN_WAIT_MS, backoffMs),
      kind: 'secondary',
      retryAfterSeconds: null,
    };
  }
  return null;
};

/**
 * GitLab ("Rate limits"): 429 with `Retry-After` and/or `RateLimit-Reset` (epoch seconds).
 * GitLab's own tracker documents 429s without any of these, so a bare 429 falls back to backoff.
 */
export const gitlabRateLimit: RateLimitInterpreter = (response, {now, backoffMs}) => {
  if (response.status !== 429) return genericRateLimit(response, {now, backoffMs});
  const told = retryAfterSignal(response, now);
  if (told) return told;
  const ms = msUntilEpochSeconds(response.headers.get('ratelimit-reset'), now);
  if (ms !== null) return {waitMs: ms + 1000, kind: 'primary', retryAfterSeconds: seconds(ms + 1000)};
  return {waitMs: backoffMs, kind: 'fallback', retryAfterSeconds: null};
};
