/**
 * A sliding window of request times, for the fakes' rate limits: at most `limit` requests in
 * any `windowMs`, counted on the fake's clock. Shared by the fakes only (never by a connector).
 */
export class RequestWindow {
  private readonly at: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  used(now: number): number {
    while (this.at.length > 0 && this.at[0] <= now - this.windowMs) this.at.shift();
    return this.at.length;
  }

  remaining(now: number): number {
    return Math.max(0, this.limit - this.used(now));
  }

  full(now: number): boolean {
    return this.used(now) >= this.limit;
  }

  /** When the oldest counted request leaves the window (now, when none is counted). */
  resetAt(now: number): number {
    this.used(now);
    return (this.at[0] ?? now - this.windowMs) + this.windowMs;
  }

  add(now: number): void {
    if (Number.isFinite(this.limit)) this.at.push(now);
  }
}
