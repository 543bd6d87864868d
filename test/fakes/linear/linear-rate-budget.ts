/**
 * Linear's per-API-key hourly budgets: one for requests, one for complexity points. Linear
 * uses leaky buckets: a bucket holds at most LIMIT tokens and refills at a constant
 * LIMIT / PERIOD, so spending is allowed as long as the bucket holds what the request costs.
 * Every answer reports both buckets in `X-RateLimit-Requests-*` / `X-RateLimit-Complexity-*`
 * (limit, remaining, reset as UTC epoch milliseconds when the bucket is full again) and the
 * request's score in `X-Complexity`.
 *
 * Published figures disagree (5,000 or 2,500 requests, 3,000,000 or 250,000 points an hour
 * for an API key), so the defaults take the lower of each; tests scale them down further.
 */

export const LINEAR_HOUR_MS = 3_600_000;

export interface LinearBudgetOptions {
  readonly requestsPerHour?: number;
  readonly complexityPerHour?: number;
  /** The refill period (an hour at Linear); tests may shorten it. */
  readonly periodMs?: number;
}

class LeakyBucket {
  private level: number;
  private at: number;

  constructor(
    readonly limit: number,
    private readonly periodMs: number,
    nowMs: number,
  ) {
    this.level = limit;
    this.at = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.at)
      this.level = Math.min(this.limit, this.level + ((nowMs - this.at) * this.limit) / this.periodMs);
    this.at = Math.max(this.at, nowMs);
  }

  holds(amount: number, nowMs: number): boolean {
    this.refill(nowMs);
    return this.level >= amount;
  }

  spend(amount: number, nowMs: number): void {
    this.refill(nowMs);
    this.level -= amount;
  }

  remaining(nowMs: number): number {
    this.refill(nowMs);
    return Math.max(0, Math.floor(this.level));
  }

  /** When the bucket is full again. */
  resetAt(nowMs: number): number {
    this.refill(nowMs);
    return Math.ceil(nowMs + ((this.limit - this.level) * this.periodMs) / this.limit);
  }
}

interface KeyBudget {
  readonly requests: LeakyBucket;
  readonly complexity: LeakyBucket;
}

export class LinearRateBudget {
  readonly requestsPerHour: number;
  readonly complexityPerHour: number;
  private readonly periodMs: number;
  private readonly keys = new Map<string, KeyBudget>();

  constructor(options: LinearBudgetOptions = {}) {
    this.requestsPerHour = options.requestsPerHour ?? 2_500;
    this.complexityPerHour = options.complexityPerHour ?? 250_000;
    this.periodMs = options.periodMs ?? LINEAR_HOUR_MS;
  }

  private of(key: string, nowMs: number): KeyBudget {
    let budget = this.keys.get(key);
    if (!budget) {
      budget = {
        requests: new LeakyBucket(this.requestsPerHour, this.periodMs, nowMs),
        complexity: new LeakyBucket(this.complexityPerHour, this.periodMs, nowMs),
      };
      this.keys.set(key, budget);
    }
    return budget;
  }

  /** Spends one request and `points` when both buckets hold them; false (nothing spent) otherwise. */
  trySpend(key: string, points: number, nowMs: number): boolean {
    const budget = this.of(key, nowMs);
    if (!budget.requests.holds(1, nowMs) || !budget.complexity.holds(points, nowMs)) return false;
    budget.requests.spend(1, nowMs);
    budget.complexity.spend(points, nowMs);
    return true;
  }

  headers(key: string, points: number, nowMs: number): Record<string, string> {
    const budget = this.of(key, nowMs);
    return {
      'x-complexity': String(points),
      'x-ratelimit-requests-limit': String(this.requestsPerHour),
      'x-ratelimit-requests-remaining': String(budget.requests.remaining(nowMs)),
      'x-ratelimit-requests-reset': String(budget.requests.resetAt(nowMs)),
      'x-ratelimit-complexity-limit': String(this.complexityPerHour),
      'x-ratelimit-complexity-remaining': String(budget.complexity.remaining(nowMs)),
      'x-ratelimit-complexity-reset': String(budget.complexity.resetAt(nowMs)),
    };
  }
}
