/**
 * Jira Cloud's documented rate-limit answers, for the fake Jira (from Atlassian's "Rate limiting"
 * page for the Jira Cloud platform). Atlassian does not publish its budgets ("REST API rate
 * limits are not published because the computation logic is evolving"), so the fake has none by
 * default; a test sets one (`requestsPerMinute`, on the clock it passes) and gets what Jira sends:
 *
 * - 429 with `Retry-After` (seconds) and `X-RateLimit-Reset` (the time the limit resets, ISO 8601
 *   `yyyy-MM-ddTHH:mmZ`), `X-RateLimit-Limit`, `X-RateLimit-Remaining`, and `RateLimit-Reason`
 *   (`jira-quota-based` for an API rate limit);
 * - `X-RateLimit-NearLimit: true` on answers while less than 20% of the budget remains.
 */
import type {FakeResponse} from '../fake-http-server.js';
import {RequestWindow} from '../request-window.js';

export interface JiraLimitOptions {
  readonly requestsPerMinute: number;
  /** The clock the budget counts on (default: the wall clock). */
  readonly now?: () => Date;
}

const MINUTE = 60_000;

/** `yyyy-MM-ddTHH:mmZ`, as Jira writes `X-RateLimit-Reset` (rounded up to the minute). */
function resetStamp(ms: number): string {
  const minute = Math.ceil(ms / MINUTE) * MINUTE;
  return new Date(minute).toISOString().slice(0, 16) + 'Z';
}

export class JiraLimits {
  refused = 0;
  private readonly window: RequestWindow | null;
  private readonly now: () => Date;

  constructor(options: JiraLimitOptions | undefined) {
    this.window = options ? new RequestWindow(options.requestsPerMinute, MINUTE) : null;
    this.now = options?.now ?? (() => new Date());
  }

  /** The 429 Jira would send instead of serving the request, or null (and counts it). */
  admit(): FakeResponse | null {
    if (this.window === null) return null;
    const now = this.now().getTime();
    if (!this.window.full(now)) {
      this.window.add(now);
      return null;
    }
    this.refused += 1;
    const reset = this.window.resetAt(now);
    return {
      status: 429,
      headers: {
        ...this.headers(),
        'retry-after': String(Math.max(1, Math.ceil((reset - now) / 1000))),
        'ratelimit-reason': 'jira-quota-based',
      },
      json: {errorMessages: ['Rate limit exceeded.']},
    };
  }

  /** The budget's headers on every answer. */
  headers(): Record<string, string> {
    if (this.window === null) return {};
    const now = this.now().getTime();
    const remaining = this.window.remaining(now);
    return {
      'x-ratelimit-limit': String(this.window.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': resetStamp(this.window.resetAt(now)),
      ...(remaining < this.window.limit * 0.2 ? {'x-ratelimit-nearlimit': 'true'} : {}),
    };
  }
}
