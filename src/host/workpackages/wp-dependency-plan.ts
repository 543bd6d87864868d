/**
 * Dependencies as relations between work packages' issues. The task files own these relations:
 * - WP02 depending on WP01 becomes a `blocks` link of WP01's issue to WP02's once both exist
 *   remotely (a link to a draft waits: `deferred_links`); a relation either issue shows already
 *   is not written again.
 * - A `blocks` (or `blocked_by`) relation between two issues of work packages of one mission
 *   that no dependency asks for any more is removed (one write, from the side that shows it).
 * Relations to issues that are not work packages' are never touched.
 */
import type {CanonicalLink} from '../../core/model/canonical-issue.js';
import {refIdentity, type ExternalRef} from '../../core/model/external-ref.js';
import {localCanWrite} from '../../core/policy/ownership.js';
import {skip, type IssueSlot, type PlanContext} from './wp-plan-context.js';
import type {SkipReason} from './wp-plan-types.js';
import type {Mission, WorkPackage} from './work-package-model.js';

function linkKey(type: string, target: Pick<ExternalRef, 'system' | 'workspace' | 'id'>): string {
  return `${type}|${refIdentity(target)}`;
}

export function planDependencies(ctx: PlanContext): void {
  const refusal = linkRefusal(ctx);
  let reported = false;
  for (const mission of ctx.input.missions) {
    for (const wp of mission.work_packages) {
      for (const dependency of wp.dependencies) {
        const outcome = planDependency(ctx, mission, wp, dependency, refusal);
        if (outcome === 'refused' && !reported && refusal !== null) {
          reported = true;
          skip(ctx, wp, refusal.reason, refusal.message);
        }
      }
    }
    if (refusal === null && mission.log_healthy) planRemovals(ctx, mission);
  }
}

/** Why no dependency may be written (reported once per push), or null. */
function linkRefusal(ctx: PlanContext): {reason: SkipReason; message: string} | null {
  const {input} = ctx;
  if (ctx.authoritativeExternal)
    return {
      reason: 'external_authoritative',
      message: 'The binding is external_authoritative: dependencies are not pushed as links.',
    };
  if (!localCanWrite(input.policy, 'links'))
    return {
      reason: 'links_not_owned',
      message: 'The binding gives links to the tracker: dependencies are not pushed as links.',
    };
  if (input.capabilities !== null && !input.capabilities.links)
    return {
      reason: 'links_not_supported',
      message: `${input.system} cannot link issues: dependencies are not pushed as links.`,
    };
  return null;
}

function planDependency(
  ctx: PlanContext,
  mission: Mission,
  wp: WorkPackage,
  dependency: string,
  refusal: {reason: SkipReason} | null,
): 'none' | 'deferred' | 'exists' | 'refused' | 'planned' {
  const blockerId = `${mission.slug}/${dependency}`;
  const blocker = ctx.issueOf.get(blockerId);
  const blocked = ctx.issueOf.get(wp.qualified_id);
  if (!blocker || !blocked) return 'none';
  if (blocker.draft || blocked.draft || blocker.issue === null || blocked.issue === null) {
    // A link that could never be written does not wait (and asks for no second pass).
    if (refusal !== null) return 'refused';
    if (mission.log_healthy) {
      ctx.out.deferred_links += 1;
      // The link is written on the blocker's issue (see below).
      if (blocker.draft) ctx.out.deferred_on_created += 1;
    }
    return 'deferred';
  }
  if (relationShown(blocker, blocked)) return 'exists';
  if (refusal !== null) return 'refused';
  if (!mission.log_healthy) return 'none';
  ctx.out.links.push({
    blocker: blockerId,
    blocked: wp.qualified_id,
    identity: refIdentity(blocker.issue.ref),
    link: {type: 'blocks', target: blocked.issue.ref},
  });
  return 'planned';
}

/** Whether either issue shows "blocker blocks blocked" already. */
function relationShown(blocker: IssueSlot, blocked: IssueSlot): boolean {
  const blocks = linkKey('blocks', blocked.ref);
  const blockedBy = linkKey('blocked_by', blocker.ref);
  return (
    (blocker.issue?.links ?? []).some((l) => linkKey(l.type, l.target) === blocks) ||
    (blocked.issue?.links ?? []).some((l) => linkKey(l.type, l.target) === blockedBy)
  );
}

/** Relations between this mission's work packages' issues that no dependency asks for. */
function planRemovals(ctx: PlanContext, mission: Mission): void {
  const wpByIdentity = new Map<string, WorkPackage>();
  for (const wp of mission.work_packages) {
    const slot = ctx.issueOf.get(wp.qualified_id);
    if (slot && !slot.draft && slot.issue !== null) wpByIdentity.set(refIdentity(slot.issue.ref), wp);
  }
  const wanted = (blocker: WorkPackage, blocked: WorkPackage) => blocked.dependencies.includes(blocker.wp_id);
  const planned = new Set<string>();
  for (const [identity, wp] of wpByIdentity) {
    const issue = ctx.issueOf.get(wp.qualified_id)!.issue!;
    for (const link of issue.links) {
      const other = wpByIdentity.get(refIdentity(link.target));
      if (other === undefined || (link.type !== 'blocks' && link.type !== 'blocked_by')) continue;
      const [blocker, blocked] = link.type === 'blocks' ? [wp, other] : [other, wp];
      const relation = `${blocker.qualified_id}>${blocked.qualified_id}`;
      if (wanted(blocker, blocked) || planned.has(relation)) continue;
      planned.add(relation);
      ctx.out.unlinks.push({blocker: blocker.qualified_id, blocked: blocked.qualified_id, identity, link});
    }
  }
}

/** The links `current` should have: without `removed`, with `added` (each once). */
export function nextLinks(
  current: readonly CanonicalLink[],
  added: readonly CanonicalLink[],
  removed: readonly CanonicalLink[],
): CanonicalLink[] {
  const gone = new Set(removed.map((l) => linkKey(l.type, l.target)));
  const kept = current.filter((l) => !gone.has(linkKey(l.type, l.target)));
  const have = new Set(kept.map((l) => linkKey(l.type, l.target)));
  return [...kept, ...added.filter((l) => !have.has(linkKey(l.type, l.target)))];
}
