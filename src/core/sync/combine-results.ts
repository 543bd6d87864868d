import {summarisePlan, type SyncPlan} from './push-plan.js';
import type {SyncRunResult} from './sync-engine.js';
import {addStats, type RequestCounts} from './sync-result.js';

/**
 * One result for two engine calls made by one command (e.g. `sync push --create-missing`, whose
 * second push sends the links to the issues the first one created): counters and request counts
 * add up, lists are concatenated in order, the plan summary is recomputed from the merged plan.
 * The guard reported is the first call's (the one the user's confirmation was about), unless only
 * the second one counted anything.
 */
export function combineRunResults(first: SyncRunResult, second: SyncRunResult): SyncRunResult {
  const plan: SyncPlan = {
    pull: first.plan.pull ?? second.plan.pull,
    creates: [...first.plan.creates, ...second.plan.creates],
    updates: [...first.plan.updates, ...second.plan.updates],
    transitions: [...first.plan.transitions, ...second.plan.transitions],
    links: [...first.plan.links, ...second.plan.links],
    unlinks: [...first.plan.unlinks, ...second.plan.unlinks],
    comments: [...first.plan.comments, ...second.plan.comments],
    conflicts: [...first.plan.conflicts, ...second.plan.conflicts],
    unsupported: [...first.plan.unsupported, ...second.plan.unsupported],
    skipped: [...first.plan.skipped, ...second.plan.skipped],
  };
  const failures = [...first.failures, ...second.failures];
  return {
    provider: first.provider,
    workspace: first.workspace,
    dry_run: first.dry_run,
    stats: addStats(first.stats, second.stats),
    conflicts: [...first.conflicts, ...second.conflicts],
    failures,
    errors: [...first.errors, ...second.errors],
    requests: addRequestCounts(first.requests, second.requests),
    plan,
    summary: summarisePlan(plan),
    checkpoint: second.checkpoint ?? first.checkpoint,
    guard: first.guard ?? second.guard,
    ok: first.ok && second.ok,
  };
}

export function addRequestCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  const out: RequestCounts = {...a};
  for (const [method, count] of Object.entries(b)) out[method] = (out[method] ?? 0) + count;
  return out;
}
