/**
 * GitLab's documented request limits, enforced by the fake GitLab (from GitLab's docs, "GitLab.com
 * rate limits", "Rate limits on issue and epic creation", "Rate limits on note creation"):
 *
 * - Authenticated API traffic: 2,000 requests a minute per user.
 * - Issue creation: 300 a minute per project and user; note (comment) creation: 300 a minute.
 *   "Access to the endpoint is available after one minute."
 * - Over a limit: 429 with `Retry-After` and the `RateLimit-Limit`, `RateLimit-Observed`,
 *   `RateLimit-Remaining`, `RateLimit-Reset` (epoch seconds) and `RateLimit-ResetTime` headers;
 *   every answer carries the `RateLimit-*` headers of the API budget.
 *
 * Limits count on the fake's clock and can be scaled down (or lifted) for tests.
 */
import type {FakeResponse} from '../fake-http-server.js';
import {RequestWindow} from '../request-window.js';

export interface GitLabLimitOptions {
  readonly requestsPerMinute?: number;
  readonly issueCreatesPerMinute?: number;
  readonly noteCreatesPerMinute?: number;
}

const MINUTE = 60_000;

export class GitLabLimits {
  /** Requests refused with a 429. */
  refused = 0;
  private readonly api: RequestWindow;
  private readonly issueCreates: RequestWindow;
  private readonly noteCreates: RequestWindow;

  constructor(
    options: GitLabLimitOptions | 'off',
    private readonly now: () => Date,
  ) {
    const o = options === 'off' ? {} : options;
    const off = options === 'off';
    this.api = new RequestWindow(off ? Infinity : (o.requestsPerMinute ?? 2_000), MINUTE);
    this.issueCreates = new RequestWindow(off ? Infinity : (o.issueCreatesPerMinute ?? 300), MINUTE);
    this.noteCreates = new RequestWindow(off ? Infinity : (o.noteCreatesPerMinute ?? 300), MINUTE);
  }

  /** The 429 GitLab would send instead of serving this request, or null (and counts it). */
  admit(method: string, path: string): FakeResponse | null {
    const now = this.now().getTime();
    const endpoint =
      method === 'POST' && /\/issues$/.test(path)
        ? this.issueCreates
        : method === 'POST' && /\/issues\/\d+\/notes$/.test(path)
          ? this.noteCreates
          : null;
    for (const window of [this.api, endpoint]) {
      if (window && window.full(now)) {
        this.refused += 1;
        const retryAfter = Math.max(1, Math.ceil((window.resetAt(now) - now) / 1000));
        return {
          status: 429,
          headers: {...this.headersOf(window, now), 'retry-after': String(retryAfter)},
          text: 'Retry later\n',
        };
      }
    }
    this.api.add(now);
    endpoint?.add(now);
    return null;
  }

  /** The API budget's `RateLimit-*` headers, sent on every answer. */
  headers(): Record<string, string> {
    return this.headersOf(this.api, this.now().getTime());
  }

  private headersOf(window: RequestWindow, now: number): Record<string, string> {
    if (!Number.isFinite(window.limit)) return {};
    const reset = window.resetAt(now);
    return {
      'ratelimit-limit': String(window.limit),
      'ratelimit-observed': String(window.used(now)),
      'ratelimit-remaining': String(window.remaining(now)),
      'ratelimit-reset': String(Math.ceil(reset / 1000)),
      'ratelimit-resettime': new Date(reset).toUTCString(),
    };
  }
}
