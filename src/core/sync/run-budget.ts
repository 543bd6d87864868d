import {providerPacer} from '../http/provider-pacing.js';
import type {PacingOverrides} from '../protocols/connector.js';
import {ManualClock} from '../protocols/runtime.js';
import type {SyncPlan} from './push-plan.js';
import type {RequestCounts} from './sync-result.js';

/** What a run will cost on the tracker: requests, and how long they take within its limits. */
export interface RunBudget {
  readonly requests: number;
  /** Content-creating requests (creates, updates, transitions, links, comments). */
  readonly writes: number;
  /** Search requests (GitHub's search has its own, smaller budget). */
  readonly searches: number;
  /** Seconds the run will take: the provider's pacing, with a typical answer time per request where it does not fit in the pacing gaps. */
  readonly eta_seconds: number;
}

/** Above this estimate a run asks for `--yes` first. */
export const LONG_RUN_SECONDS = 10 * 60;

/** A typical answer time of a hosted tracker's API, per request (none for local executables). */
const HOSTED_LATENCY_MS = 250;
const HOSTED = new Set(['github', 'gitlab', 'jira', 'linear']);

/** One request of the run, in the order the engine makes them: what pacing sees. */
interface PlannedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
}

const READ: PlannedRequest = {method: 'GET', path: '/issues'};
const SEARCH: PlannedRequest = {method: 'GET', path: '/search/issues'};
const WRITE: PlannedRequest = {method: 'POST', path: '/issues'};
/**
 * A lookup for an issue an earlier, unfinished attempt may have created (only a create whose
 * intent was left by an interrupted run looks): a read of the most recently created issues.
 * Search is used only when the intent has no time, so it is not counted.
 */
const LOOKUP: readonly PlannedRequest[] = [READ];

/**
 * The requests of a run, from a dry run of it: the reads the dry run made (it lists, looks up
 * and fetches exactly as the run will) and the writes its plan holds, each connector call one
 * request. Creates are interleaved with their lookups, as the engine makes them.
 */
export function plannedRequests(requests: RequestCounts, plan: SyncPlan): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const repeat = (n: number, request: PlannedRequest): void => {
    for (let i = 0; i < n; i++) out.push(request);
  };
  repeat(requests.listIssues ?? 0, READ);
  const creates = plan.creates.filter((c) => c.adopt === null).length;
  const finds = requests.findByIdempotencyKey ?? 0;
  for (let i = 0; i < Math.max(creates, finds); i++) {
    if (i < finds) out.push(...LOOKUP);
    if (i < creates) out.push(WRITE);
  }
  repeat(requests.getIssue ?? 0, READ);
  repeat(plan.updates.length + plan.transitions.length + plan.links.length + plan.unlinks.length, WRITE);
  // After changing links the engine reads the issue back once.
  repeat(new Set([...plan.links, ...plan.unlinks].map((l) => l.identity)).size, READ);
  repeat(plan.comments.length, WRITE);
  return out;
}

/** Writes a push will send, counted from local data alone (before any request). */
export interface PushCounts {
  readonly creates: number;
  /** Updates of issues that exist before the push (each a read of the issue, then a write). */
  readonly updates: number;
  /** Links added or removed on issues that exist before the push (each a write, then a read). */
  readonly links?: number;
  /**
   * Writes on issues the push itself creates (closing one created closed, its parent, its
   * links): the push knows such an issue's state from its own writes, so each is one request.
   */
  readonly writesOnCreated?: number;
}

/**
 * The requests of a push from local counts alone: each create is one write (a draft never
 * attempted cannot exist, so nothing is looked up first), and so is each later write on an
 * issue the push created; each update of an older issue reads it, then writes; each link on
 * one writes, then reads the issue back.
 */
export function pushRequestsUpperBound(counts: PushCounts): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  for (let i = 0; i < counts.creates; i++) out.push(WRITE);
  for (let i = 0; i < (counts.writesOnCreated ?? 0); i++) out.push(WRITE);
  for (let i = 0; i < counts.updates; i++) out.push(READ, WRITE);
  for (let i = 0; i < (counts.links ?? 0); i++) out.push(WRITE, READ);
  return out;
}

/**
 * The budget of a list of requests: counted, and timed by running the provider's own pacer
 * over them on a simulated clock (the same budgets the HTTP client keeps to), with a typical
 * answer time per request. As in the client, the pacer spaces the starts of requests and a
 * request is booked once the previous one was answered: an answer shorter than the pacing gap
 * is spent inside it, so n paced requests take about max(n x spacing, n x answer time), not
 * their sum.
 */
export function estimateBudget(
  provider: string,
  requests: readonly PlannedRequest[],
  pacing?: PacingOverrides,
): RunBudget {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const start = clock.now().getTime();
  const pacer = providerPacer(provider, clock, pacing);
  const answerMs = typeof pacing === 'object' ? pacing.answer_ms : undefined;
  const latency = answerMs ?? (HOSTED.has(provider) ? HOSTED_LATENCY_MS : 0);
  for (const request of requests) {
    const wait = pacer.reserve(request);
    if (wait) clock.advance(wait.ms);
    clock.advance(latency);
  }
  return {
    requests: requests.length,
    writes: requests.filter((r) => r.method !== 'GET').length,
    searches: requests.filter((r) => r === SEARCH).length,
    eta_seconds: Math.ceil((clock.now().getTime() - start) / 1000),
  };
}
