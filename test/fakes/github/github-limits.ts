/**
 * GitHub's documented request limits, enforced by the fake GitHub (written from GitHub's docs,
 * "Rate limits for the REST API" and "Best practices", not from our connector):
 *
 * - Secondary limit on content-creating requests (POST, PATCH, PUT, DELETE): no more than 80 a
 *   minute and 500 an hour. Over it GitHub answers 403 (or 429) with a message naming the
 *   secondary rate limit, with or without `retry-after`.
 * - Primary limit: 5,000 requests an hour (search apart), reported on every answer in
 *   `x-ratelimit-limit/remaining/used/reset`; over it, 403 "API rate limit exceeded" with
 *   `x-ratelimit-remaining: 0`.
 * - Search: 30 requests a minute, its own primary budget (`x-ratelimit-resource: search`); over
 *   it, 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0` and the reset time.
 * - The search index lags: an issue created or edited moments ago is not found by search yet.
 *
 * Limits count on the fake's clock and can be scaled down (or lifted) for tests and the bench.
 */
import type {FakeResponse} from '../fake-http-server.js';
import {RequestWindow as Window} from '../request-window.js';

export interface GitHubLimitOptions {
  readonly requestsPerHour?: number;
  readonly writesPerMinute?: number;
  readonly writesPerHour?: number;
  readonly searchesPerMinute?: number;
  /** How long a created or edited issue stays invisible to search (default 5 s). */
  readonly searchLagMs?: number;
  /** The status of a secondary-limit answer (GitHub uses both). */
  readonly secondaryStatus?: 403 | 429;
  /** Seconds sent in `retry-after` on a secondary-limit answer; null sends none (default). */
  readonly secondaryRetryAfterSeconds?: number | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export class GitHubLimits {
  readonly searchLagMs: number;
  /** Requests refused for a limit, by kind. */
  readonly refused = {secondary: 0, search: 0, primary: 0};
  private readonly core: Window;
  private readonly writesMinute: Window;
  private readonly writesHour: Window;
  private readonly searches: Window;

  constructor(
    private readonly options: GitHubLimitOptions | 'off',
    private readonly now: () => Date,
  ) {
    const o = options === 'off' ? {} : options;
    const off = options === 'off';
    this.core = new Window(off ? Infinity : (o.requestsPerHour ?? 5_000), HOUR);
    this.writesMinute = new Window(off ? Infinity : (o.writesPerMinute ?? 80), MINUTE);
    this.writesHour = new Window(off ? Infinity : (o.writesPerHour ?? 500), HOUR);
    this.searches = new Window(off ? Infinity : (o.searchesPerMinute ?? 30), MINUTE);
    this.searchLagMs = off ? 0 : (o.searchLagMs ?? 5_000);
  }

  get refusals(): number {
    return this.refused.secondary + this.refused.search + this.refused.primary;
  }

  /** The refusal GitHub would send instead of serving this request, or null (and counts it). */
  admit(method: string, path: string): FakeResponse | null {
    const now = this.now().getTime();
    if (method === 'GET' && path === '/search/issues') {
      if (this.searches.full(now)) {
        this.refused.search += 1;
        return this.searchRefusal(now);
      }
      this.searches.add(now);
      return null;
    }
    if (this.core.full(now)) {
      this.refused.primary += 1;
      return this.primaryRefusal();
    }
    if (WRITES.has(method)) {
      if (this.writesMinute.full(now) || this.writesHour.full(now)) {
        this.refused.secondary += 1;
        return this.secondaryRefusal();
      }
      this.writesMinute.add(now);
      this.writesHour.add(now);
    }
    this.core.add(now);
    return null;
  }

  /** The primary budget's headers, sent on every answer (GitHub's 5,000 an hour when lifted). */
  coreHeaders(): Record<string, string> {
    const now = this.now().getTime();
    const limited = Number.isFinite(this.core.limit);
    const limit = limited ? this.core.limit : 5_000;
    const used = limited ? this.core.used(now) : 0;
    const reset = limited ? this.core.resetAt(now) : now + HOUR;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - used)),
      'x-ratelimit-used': String(used),
      'x-ratelimit-reset': String(Math.ceil(reset / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  private primaryRefusal(): FakeResponse {
    return {
      status: 403,
      headers: {...this.coreHeaders(), 'x-ratelimit-remaining': '0'},
      json: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: `${DOCS}#about-primary-rate-limits`,
        status: '403',
      },
    };
  }

  /** The search budget's headers, sent on every search answer. */
  searchHeaders(): Record<string, string> {
    const now = this.now().getTime();
    const limit = this.searches.limit;
    if (!Number.isFinite(limit)) return {};
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - this.searches.used(now))),
      'x-ratelimit-reset': String(Math.ceil(this.searches.resetAt(now) / 1000)),
      'x-ratelimit-resource': 'search',
    };
  }

  private searchRefusal(now: number): FakeResponse {
    return {
      status: 403,
      headers: {
        ...this.searchHeaders(),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(this.searches.resetAt(now) / 1000)),
      },
      json: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: `${DOCS}#about-primary-rate-limits`,
        status: '403',
      },
    };
  }

  private secondaryRefusal(): FakeResponse {
    const o = this.options === 'off' ? {} : this.options;
    const status = o.secondaryStatus ?? 403;
    const retryAfter = o.secondaryRetryAfterSeconds ?? null;
    return {
      status,
      headers: retryAfter === null ? {} : {'retry-after': String(retryAfter)},
      json: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: `${DOCS}#about-secondary-rate-limits`,
        status: String(status),
      },
    };
  }
}
