/**
 * One issue per mission, the parent of its work packages' issues:
 * - found by its mapping (`<slug>/mission`), else by the marker in its body (an issue created by
 *   an earlier run whose mapping was lost is adopted, an unmapped draft reused), else drafted;
 * - closed when every work package is done, reopened when one is not any more;
 * - every work package's issue is placed under it; one under another mission's issue (the work
 *   package moved) is moved; one under an issue someone else chose keeps it (said once).
 * A parent waits (`deferred_parents`) until the mission's issue exists remotely.
 */
import {createIssue, type CanonicalIssue} from '../../core/model/canonical-issue.js';
import type {CanonicalStatus} from '../../core/model/enums.js';
import {isDraftRef, refIdentity, sameRef, type ExternalRef} from '../../core/model/external-ref.js';
import {localCanWrite} from '../../core/policy/ownership.js';
import {laneToStatus} from './lanes.js';
import {
  MISSION_ISSUE_SUFFIX,
  missionIssueBody,
  missionIssueId,
  missionIssueTitle,
  missionMarker,
} from './mission-issue-content.js';
import {createRefusal, parentsWritable, skip, type PlanContext} from './wp-plan-context.js';
import type {MissionIssueIntent} from './wp-plan-types.js';
import type {Mission} from './work-package-model.js';

/** Finds or drafts each healthy mission's issue; runs before the work packages are planned. */
export function planMissionIssues(ctx: PlanContext): void {
  if (!ctx.input.missionIssues) return;
  for (const mission of ctx.input.missions) {
    if (mission.work_packages.length === 0) continue;
    const existing = findMissionIssue(ctx, mission);
    if (existing !== null) {
      ctx.missionRefs.set(mission.slug, {ref: existing.issue.ref, draft: isDraftRef(existing.issue.ref)});
      const status = mission.log_healthy ? statusChange(ctx, mission, existing.issue) : null;
      if (existing.adopted || status !== null)
        ctx.out.missions.push({
          slug: mission.slug,
          title: existing.issue.title,
          draft: null,
          adopted: existing.adopted
            ? {identity: refIdentity(existing.issue.ref), key: existing.issue.ref.key}
            : null,
          status,
        });
    } else if (ctx.input.createMissing && mission.log_healthy) draftMissionIssue(ctx, mission);
  }
}

/** The mission's issue: mapped, else an issue or leftover draft carrying its marker. */
function findMissionIssue(
  ctx: PlanContext,
  mission: Mission,
): {issue: CanonicalIssue; adopted: boolean} | null {
  const mapping = ctx.byWp.get(missionIssueId(mission.slug))?.find((m) => m.ref.system === ctx.input.system);
  if (mapping) {
    const issue = ctx.issuesByIdentity.get(refIdentity(mapping.ref));
    return issue ? {issue, adopted: false} : null;
  }
  const marker = missionMarker(mission.slug);
  const mapped = new Set([...ctx.byWp.values()].flat().map((m) => refIdentity(m.ref)));
  const marked = ctx.input.issues.find(
    (i) =>
      i.ref.system === ctx.input.system && (i.body ?? '').includes(marker) && !mapped.has(refIdentity(i.ref)),
  );
  return marked ? {issue: marked, adopted: true} : null;
}

function draftMissionIssue(ctx: PlanContext, mission: Mission): void {
  const {input} = ctx;
  const id = missionIssueId(mission.slug);
  const refusal = createRefusal(ctx, {qualified_id: id});
  if (refusal !== null) {
    skip(ctx, {qualified_id: id}, refusal.reason, refusal.message);
    return;
  }
  if (!input.newDraftId) throw new Error('planWorkPackageIntents: newDraftId is required with createMissing');
  const status = missionStatus(ctx, mission);
  const issue = createIssue({
    ref: {system: input.system, workspace: input.workspace, id: `draft-${input.newDraftId()}`},
    title: missionIssueTitle(mission),
    body: missionIssueBody(mission),
    status: status !== null && localCanWrite(input.policy, 'status') ? status : 'todo',
    // An epic where the tracker can say so (GitHub's issue types are its organisation's own).
    issue_type: input.capabilities?.writable_fields.includes('issue_type') === false ? 'task' : 'epic',
    labels: ['spec-kitty', mission.slug.slice(0, 50)],
  });
  ctx.missionRefs.set(mission.slug, {ref: issue.ref, draft: true});
  ctx.out.missions.push({
    slug: mission.slug,
    title: issue.title,
    draft: {
      qualified_id: id,
      title: issue.title,
      status: issue.status,
      labels: issue.labels,
      issue,
      reuses: null,
    },
    adopted: null,
    status: null,
  });
}

/** `done` when every work package is done, else `todo`; null when a lane maps to no status. */
function missionStatus(ctx: PlanContext, mission: Mission): CanonicalStatus | null {
  const statuses = mission.work_packages.map((wp) => laneToStatus(wp.lane, ctx.input.lanes));
  if (statuses.some((s) => s === null)) return null;
  return statuses.every((s) => s === 'done' || s === 'canceled') && statuses.some((s) => s === 'done')
    ? 'done'
    : 'todo';
}

/** Closes the mission's issue when all is done, reopens it when something is not. */
function statusChange(
  ctx: PlanContext,
  mission: Mission,
  issue: CanonicalIssue,
): MissionIssueIntent['status'] {
  if (ctx.authoritativeExternal || ctx.statusOwner === 'external' || isDraftRef(issue.ref)) return null;
  const wanted = missionStatus(ctx, mission);
  const closed = issue.status === 'done' || issue.status === 'canceled';
  if (wanted === 'done' && !closed)
    return {identity: refIdentity(issue.ref), key: issue.ref.key, from: issue.status, to: 'done'};
  if (wanted === 'todo' && issue.status === 'done')
    return {identity: refIdentity(issue.ref), key: issue.ref.key, from: issue.status, to: 'todo'};
  return null;
}

/**
 * Places every existing work package issue of a healthy mission under the mission's issue. Runs
 * after the work packages are planned (it needs where each one's issue is).
 */
export function planParents(ctx: PlanContext): void {
  if (!ctx.input.missionIssues) return;
  const writable = parentsWritable(ctx);
  // Mission issues of every mission (a work package may have moved from one not read this run).
  const ours = new Set([
    ...[...ctx.missionRefs.values()].map((m) => refIdentity(m.ref)),
    ...[...ctx.byWp.entries()]
      .filter(([id]) => id.endsWith(MISSION_ISSUE_SUFFIX))
      .flatMap(([, mappings]) => mappings.map((m) => refIdentity(m.ref))),
  ]);
  const foreign: string[] = [];
  for (const mission of ctx.input.missions) {
    const parent = ctx.missionRefs.get(mission.slug);
    if (!parent || !mission.log_healthy) continue;
    for (const wp of mission.work_packages) {
      const slot = ctx.issueOf.get(wp.qualified_id);
      if (!slot || slot.issue === null) continue;
      if (sameRef(slot.issue.parent, parent.ref)) continue;
      if (slot.draft || parent.draft) {
        // A draft created under its mission's issue carries the parent already.
        if (!(slot.draft && slot.issue.parent !== null) && writable) {
          ctx.out.deferred_parents += 1;
          // The parent is written on the work package's issue.
          if (slot.draft) ctx.out.deferred_on_created += 1;
        }
        continue;
      }
      const from: ExternalRef | null = slot.issue.parent;
      if (from !== null && !ours.has(refIdentity(from))) {
        foreign.push(`${slot.issue.ref.key ?? slot.issue.ref.id} (under ${from.key ?? from.id})`);
        continue;
      }
      if (!writable) continue;
      ctx.out.parents.push({
        qualified_id: wp.qualified_id,
        identity: refIdentity(slot.issue.ref),
        key: slot.issue.ref.key,
        parent: parent.ref,
        from,
      });
    }
  }
  if (foreign.length > 0)
    ctx.out.warnings.push(
      `${foreign.length} work package issue(s) keep the parent someone set in the tracker and are not placed under their mission's issue: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}.`,
    );
}
