/**
 * Each provider's request budgets, for the `Pacer`: those it publishes but does not report
 * (GitHub's secondary limits) and how to read those it reports in response headers.
 */
import type {PacingOverrides} from '../protocols/connector.js';
import {
  Pacer,
  type BudgetReader,
  type PacedRequest,
  type PublishedBudget,
  type ReportedBudget,
  type ResourceOf,
} from './pacer.js';
import type {Clock} from '../protocols/runtime.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
/** GitHub's search endpoints (`/search/issues`), under any API root (`/api/v3` on GHES). */
const isGithubSearch = (r: PacedRequest): boolean => /(^|\/)search\//.test(r.path);
/** A content-creating request as GitHub counts it: any write that is not a search. */
const isGithubWrite = (r: PacedRequest): boolean => WRITE_METHODS.has(r.method) && !isGithubSearch(r);

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * GitHub's secondary limits: at most 80 content-creating requests a minute and 500 an hour,
 * and search at most 30 requests a minute (its own primary budget, also in the headers). Its
 * best practices add a pause of at least a second between writes made in bulk, so the minute's
 * writes go one a second; a server with other limits (overrides) is paced to those alone.
 */
function githubPublished(overrides: Exclude<PacingOverrides, 'off'>): PublishedBudget[] {
  const perMinute = overrides.writes_per_minute ?? 80;
  const perHour = overrides.writes_per_hour ?? 500;
  const searches = overrides.searches_per_minute ?? 30;
  const writeLabel =
    overrides.writes_per_minute === undefined
      ? `GitHub's limit of ${count(perMinute)} writes a minute, a second apart`
      : `GitHub's limit of ${count(perMinute)} writes a minute`;
  return [
    {
      label: writeLabel,
      limit: perMinute,
      windowMs: MINUTE,
      minSpacingMs: overrides.writes_per_minute === undefined ? 1_000 : 0,
      applies: isGithubWrite,
    },
    {
      label: `GitHub's limit of ${count(perHour)} writes an hour`,
      limit: perHour,
      windowMs: HOUR,
      applies: isGithubWrite,
    },
    {
      label: `GitHub's limit of ${count(searches)} searches a minute`,
      limit: searches,
      windowMs: MINUTE,
      applies: isGithubSearch,
    },
  ];
}

const int = (value: string | null): number | null =>
  value !== null && /^\s*\d+\s*$/.test(value) ? Number(value) : null;

/** GitHub reports each budget (`x-ratelimit-resource`: core, search, graphql) with its reset in epoch seconds. */
const githubReported: BudgetReader = (headers) => {
  const remaining = int(headers.get('x-ratelimit-remaining'));
  const reset = int(headers.get('x-ratelimit-reset'));
  if (remaining === null || reset === null) return [];
  const limit = int(headers.get('x-ratelimit-limit'));
  const resource = headers.get('x-ratelimit-resource') ?? 'core';
  return [
    {
      resource,
      label: githubBudgetLabel(resource, limit),
      limit,
      remaining,
      resetAtMs: reset * 1000,
      costPerRequest: 1,
    },
  ];
};
/** GitHub's budgets in words: the primary budget is hourly, search's a minute. */
function githubBudgetLabel(resource: string, limit: number | null): string {
  const n = limit === null ? 'its' : count(limit);
  if (resource === 'core') return `GitHub's limit of ${n} requests an hour`;
  if (resource === 'search') return `GitHub's limit of ${n} searches a minute`;
  return `GitHub's ${resource} limit of ${n} requests`;
}

const githubResource: ResourceOf = (r) => (isGithubSearch(r) ? 'search' : 'core');

/** GitLab reports `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (epoch seconds). */
const gitlabReported: BudgetReader = (headers) => {
  const remaining = int(headers.get('ratelimit-remaining'));
  const reset = int(headers.get('ratelimit-reset'));
  if (remaining === null || reset === null) return [];
  return oneRequestBudget('GitLab', int(headers.get('ratelimit-limit')), remaining, reset * 1000);
};

/** Jira Cloud reports `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (an ISO 8601 time). */
const jiraReported: BudgetReader = (headers) => {
  const remaining = int(headers.get('x-ratelimit-remaining'));
  const resetAt = Date.parse(headers.get('x-ratelimit-reset') ?? '');
  if (remaining === null || Number.isNaN(resetAt)) return [];
  return oneRequestBudget('Jira', int(headers.get('x-ratelimit-limit')), remaining, resetAt);
};

/** A provider's single budget of requests, each costing one. */
function oneRequestBudget(
  provider: string,
  limit: number | null,
  remaining: number,
  resetAtMs: number,
): ReportedBudget[] {
  const label = `${provider}'s limit of ${limit === null ? 'its' : count(limit)} requests`;
  return [{resource: 'default', label, limit, remaining, resetAtMs, costPerRequest: 1}];
}

/**
 * Linear reports two budgets per API key, each with its reset in epoch milliseconds: requests
 * (`X-RateLimit-Requests-*`) and complexity points (`X-RateLimit-Complexity-*`); `X-Complexity`
 * is what the last query cost, the best guess of what the next one costs.
 */
const linearReported: BudgetReader = (headers) => {
  const out = [];
  for (const [kind, what] of [
    ['requests', 'requests'],
    ['complexity', 'complexity points'],
  ] as const) {
    const remaining = int(headers.get(`x-ratelimit-${kind}-remaining`));
    const reset = int(headers.get(`x-ratelimit-${kind}-reset`));
    if (remaining === null || reset === null) continue;
    const limit = int(headers.get(`x-ratelimit-${kind}-limit`));
    const cost = kind === 'complexity' ? Math.max(1, int(headers.get('x-complexity')) ?? 1) : 1;
    out.push({
      resource: kind,
      label: `Linear's limit of ${limit === null ? 'its' : count(limit)} ${what} an hour`,
      limit,
      remaining,
      resetAtMs: reset,
      costPerRequest: cost,
    });
  }
  return out;
};

/** The pacer for a provider's HTTP client (`github`, `gitlab`, `jira`, `linear`). */
export function providerPacer(provider: string, clock: Clock, overrides: PacingOverrides = {}): Pacer {
  if (overrides === 'off') return new Pacer(clock, [], null);
  switch (provider) {
    case 'github':
      return new Pacer(clock, githubPublished(overrides), githubReported, githubResource);
    case 'gitlab':
      return new Pacer(clock, [], gitlabReported);
    case 'jira':
      return new Pacer(clock, [], jiraReported);
    case 'linear':
      return new Pacer(clock, [], linearReported);
    default:
      return new Pacer(clock, [], null);
  }
}
