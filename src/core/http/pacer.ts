import type {Clock} from '../protocols/runtime.js';

/** What the pacer needs to know of a request to say which budgets it spends. */
export interface PacedRequest {
  readonly method: string;
  /** The URL path (`/repos/o/r/issues`, `/search/issues`). */
  readonly path: string;
}

/**
 * A budget the provider publishes but does not report in headers (GitHub's secondary limits):
 * at most `limit` requests of a kind per `windowMs`. A window of a minute or less is spent
 * evenly (one request every `windowMs / limit`); a longer one is counted over a sliding window,
 * so a short run is not slowed to the hourly average but never exceeds the hourly total.
 */
export interface PublishedBudget {
  /** In words, for the wait line: `GitHub's limit of 80 writes a minute`. */
  readonly label: string;
  readonly limit: number;
  readonly windowMs: number;
  /** Never closer together than this, whatever the window allows (GitHub: a second between writes). */
  readonly minSpacingMs?: number;
  readonly applies: (request: PacedRequest) => boolean;
}

/** A budget the server reports on each response (`x-ratelimit-remaining` and its reset time). */
export interface ReportedBudget {
  /** Which requests it covers (GitHub's `x-ratelimit-resource`: `core`, `search`), or `default`. */
  readonly resource: string;
  readonly label: string;
  readonly limit: number | null;
  readonly remaining: number;
  /** When the budget is whole again (epoch ms). */
  readonly resetAtMs: number;
  /** What one request costs in this budget's units (1, or the last query's complexity). */
  readonly costPerRequest: number;
}

/** Reads the budgets a response reports; one reader per provider. */
export type BudgetReader = (headers: Headers) => ReportedBudget[];

/**
 * Which reported budgets a request spends (GitHub's search has its own); null: all of them
 * (Linear's requests and complexity points).
 */
export type ResourceOf = (request: PacedRequest) => string | null;

/** A wait the pacer asks for before a request goes out. */
export interface PacingWait {
  readonly ms: number;
  readonly label: string;
}

/**
 * Below this share of a reported budget, the rest is spread evenly until the reset; above it,
 * requests go as fast as the server answers (spacing 5,000 an hour evenly would slow every run).
 */
const REPORTED_TAIL_SHARE = 0.1;
/** A second beyond a reset time: reset instants are rounded down and clocks drift. */
const RESET_MARGIN_MS = 1_000;
/**
 * A published window is spent as if it were this much longer. The server counts requests as
 * they arrive, and the time from booking a send to its arrival varies (the first request of a
 * run opens a connection and runs cold code): sends spaced exactly `windowMs / limit` apart can
 * arrive `limit + 1` within one window, and GitHub then asks for a minute's wait.
 */
const ARRIVAL_MARGIN_MS = 1_000;

/**
 * Spends a provider's request budgets evenly, on the injected clock. Before a request,
 * `reserve` books its send time (so concurrent requests queue behind each other) and returns
 * how long to wait first; after a response, `observe` reads the budgets the server reported.
 */
export class Pacer {
  private readonly sends = new Map<PublishedBudget, number[]>();
  private readonly reported = new Map<string, ReportedBudget>();
  private readonly lastReportedSend = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly published: readonly PublishedBudget[],
    private readonly readBudgets: BudgetReader | null,
    private readonly resourceOf: ResourceOf = () => null,
  ) {}

  /** Books the request's send time; returns the wait before it (null to send now). */
  reserve(request: PacedRequest): PacingWait | null {
    const now = this.clock.now().getTime();
    let at = now;
    let label = '';
    for (const budget of this.published) {
      if (!budget.applies(request)) continue;
      const earliest = this.earliestPublished(budget, at);
      if (earliest > at) [at, label] = [earliest, budget.label];
    }
    const resource = this.resourceOf(request);
    const spent = [...this.reported.values()].filter((b) => resource === null || b.resource === resource);
    for (const reported of spent) {
      const earliest = this.earliestReported(reported, at);
      if (earliest > at) [at, label] = [earliest, reported.label];
    }
    for (const reported of spent) {
      // Counted down here too: the next answer reports the server's own count again.
      this.reported.set(reported.resource, {
        ...reported,
        remaining: reported.remaining - reported.costPerRequest,
      });
      this.lastReportedSend.set(reported.resource, at);
    }
    for (const budget of this.published) if (budget.applies(request)) this.book(budget, at);
    return at > now ? {ms: at - now, label} : null;
  }

  /** Reads the budgets the server reported with a response. */
  observe(headers: Headers): void {
    for (const budget of this.readBudgets?.(headers) ?? []) this.reported.set(budget.resource, budget);
  }

  private earliestPublished(budget: PublishedBudget, from: number): number {
    const sent = this.sends.get(budget) ?? [];
    if (sent.length === 0) return from;
    if (budget.windowMs <= 60_000) {
      const spacing = Math.max(
        Math.ceil((budget.windowMs + ARRIVAL_MARGIN_MS) / budget.limit),
        budget.minSpacingMs ?? 0,
      );
      return Math.max(from, sent[sent.length - 1] + spacing);
    }
    // Sliding window: the oldest send still inside the window must leave it first.
    const inWindow = sent.filter((t) => t > from - budget.windowMs);
    if (inWindow.length < budget.limit) return from;
    return inWindow[inWindow.length - budget.limit] + budget.windowMs + ARRIVAL_MARGIN_MS;
  }

  private earliestReported(budget: ReportedBudget, from: number): number {
    if (budget.resetAtMs <= from) return from;
    if (budget.remaining < budget.costPerRequest) return budget.resetAtMs + RESET_MARGIN_MS;
    const tail = budget.limit === null ? budget.remaining : budget.limit * REPORTED_TAIL_SHARE;
    if (budget.limit === null || budget.remaining > tail) return from;
    const requestsLeft = Math.max(1, Math.floor(budget.remaining / budget.costPerRequest));
    const spacing = (budget.resetAtMs - from) / requestsLeft;
    const last = this.lastReportedSend.get(budget.resource) ?? from - spacing;
    return Math.max(from, last + spacing);
  }

  private book(budget: PublishedBudget, at: number): void {
    const sent = this.sends.get(budget) ?? [];
    sent.push(at);
    // Only the last `limit` sends can matter to either rule.
    if (sent.length > budget.limit) sent.splice(0, sent.length - budget.limit);
    this.sends.set(budget, sent);
  }
}
