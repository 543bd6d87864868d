/**
 * The work-package planner's shared state and its per-work-package step: indexes built once
 * per run, the intents collected so far, and the rules for one work package (a status edit, an
 * adoption, or a draft).
 */
import {createIssue, type CanonicalIssue} from '../../core/model/canonical-issue.js';
import type {FieldOwner} from '../../core/model/enums.js';
import {isDraftRef, refIdentity, type ExternalRef} from '../../core/model/external-ref.js';
import {localCanWrite, ownerFor} from '../../core/policy/ownership.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import {laneToStatus} from './lanes.js';
import {suggestMappings, type MappingSuggestion, type SuggestionReport} from './map-suggestions.js';
import {countBareIds, findMappingFor, indexMappings} from './wp-ids.js';
import {issueBodyFor, issueLabelsFor, issueTitleFor, workPackageMarker} from './wp-issue-content.js';
import type {
  AdoptIntent,
  DraftIntent,
  LinkIntent,
  MissionIssueIntent,
  ParentIntent,
  PlanInputs,
  SkipReason,
  SkippedIntent,
  StatusIntent,
  WorkPackagePlan,
} from './wp-plan-types.js';
import type {Mission, WorkPackage} from './work-package-model.js';

/** Where a work package's issue is (or will be, for a draft planned now). */
export interface IssueSlot {
  readonly ref: ExternalRef;
  readonly issue: CanonicalIssue | null;
  readonly draft: boolean;
}

type Mutable<T> = {-readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K]};

export interface PlanContext {
  readonly input: PlanInputs;
  readonly issuesByIdentity: ReadonlyMap<string, CanonicalIssue>;
  readonly byWp: ReadonlyMap<string, readonly WorkPackageMapping[]>;
  readonly bare: ReadonlyMap<string, number>;
  readonly authoritativeExternal: boolean;
  readonly statusOwner: FieldOwner;
  /** Unmapped drafts left by an interrupted run (draft stored, mapping not). */
  readonly orphanDrafts: readonly CanonicalIssue[];
  readonly report: SuggestionReport | null;
  /** Work packages that name their issue (tracker_refs) or whose issue carries their marker. */
  readonly namedIssue: ReadonlyMap<string, MappingSuggestion>;
  /** Work packages with a likely issue in the cache: never created (no duplicate). */
  readonly suggestionsFor: ReadonlySet<string>;
  readonly issueOf: Map<string, IssueSlot>;
  /** The mission issue's ref by mission slug, once it exists remotely (drafts get it as parent). */
  readonly missionRefs: Map<string, {ref: ExternalRef; draft: boolean}>;
  readonly out: Mutable<WorkPackagePlan>;
}

export function planContext(input: PlanInputs): PlanContext {
  const allWps = input.missions.flatMap((m) => [...m.work_packages]);
  const mappedIdentities = new Set(input.mappings.map((m) => refIdentity(m.ref)));
  const report = input.createMissing
    ? suggestMappings({
        workPackages: allWps,
        mappings: input.mappings,
        issues: input.issues,
        system: input.system,
      })
    : null;
  return {
    input,
    issuesByIdentity: new Map(input.issues.map((issue) => [refIdentity(issue.ref), issue])),
    byWp: indexMappings(input.mappings),
    bare: countBareIds(allWps),
    authoritativeExternal: input.policy.mode === 'external_authoritative',
    statusOwner: ownerFor(input.policy, 'status'),
    orphanDrafts: input.issues.filter(
      (i) => isDraftRef(i.ref) && i.ref.system === input.system && !mappedIdentities.has(refIdentity(i.ref)),
    ),
    report,
    namedIssue: new Map(
      (report?.suggestions ?? [])
        .filter((s) => s.reason === 'tracker_ref' || s.reason === 'marker')
        .map((s) => [s.qualified_id, s]),
    ),
    suggestionsFor: new Set([
      ...(report?.suggestions ?? []).map((s) => s.qualified_id),
      ...(report?.ambiguous ?? []).map((a) => a.qualified_id),
      // Several work packages name one issue: none gets it, and none gets a duplicate either.
      ...(report?.contested ?? []).flatMap((c) => c.qualified_ids),
    ]),
    issueOf: new Map(),
    missionRefs: new Map(),
    out: emptyPlan(),
  };
}

function emptyPlan(): Mutable<WorkPackagePlan> {
  return {
    edits: [] as StatusIntent[],
    drafts: [] as DraftIntent[],
    adopted: [] as AdoptIntent[],
    links: [] as LinkIntent[],
    unlinks: [] as LinkIntent[],
    deferred_links: 0,
    missions: [] as MissionIssueIntent[],
    parents: [] as ParentIntent[],
    deferred_parents: 0,
    deferred_on_created: 0,
    skipped: [] as SkippedIntent[],
    warnings: [] as string[],
  };
}

/** A mission whose log is unreadable: nothing is pushed, but its issues still count as there. */
export function noteUnhealthyMission(ctx: PlanContext, mission: Mission): void {
  ctx.out.warnings.push(
    `${mission.dir}/status.events.jsonl has unreadable lines: nothing is pushed for mission ${mission.slug} until it is repaired.`,
  );
  for (const wp of mission.work_packages) {
    const mapping = findMappingFor(wp, ctx.input.system, ctx.byWp, ctx.bare);
    if (mapping)
      ctx.issueOf.set(wp.qualified_id, {
        ref: mapping.ref,
        issue: ctx.issuesByIdentity.get(refIdentity(mapping.ref)) ?? null,
        draft: isDraftRef(mapping.ref),
      });
  }
}

/** One work package of a healthy mission: a status edit of its issue, or a draft for it. */
export function planWorkPackage(ctx: PlanContext, mission: Mission, wp: WorkPackage): void {
  const mapping = findMappingFor(wp, ctx.input.system, ctx.byWp, ctx.bare) ?? adopt(ctx, wp);
  if (mapping) planMapped(ctx, wp, mapping);
  else if (ctx.input.createMissing) planDraft(ctx, mission, wp);
}

function planMapped(ctx: PlanContext, wp: WorkPackage, mapping: WorkPackageMapping): void {
  const status = laneToStatus(wp.lane, ctx.input.lanes);
  const identity = refIdentity(mapping.ref);
  const issue = ctx.issuesByIdentity.get(identity) ?? null;
  ctx.issueOf.set(wp.qualified_id, {ref: issue?.ref ?? mapping.ref, issue, draft: isDraftRef(mapping.ref)});
  if (issue === null) {
    skip(
      ctx,
      wp,
      'not_in_cache',
      `${wp.qualified_id} is mapped to ${mapping.ref.key ?? mapping.ref.id}, which is not in the cache: run \`spec-kitty tracker sync pull\` first.`,
    );
    return;
  }
  if (status === null) {
    skip(
      ctx,
      wp,
      'unknown_lane',
      `${wp.qualified_id}: lane '${wp.lane}' maps to no status; add it under tracker.lanes in .kittify/config.yaml.`,
    );
    return;
  }
  if (issue.status === status) return;
  const decision = mayPushStatus(ctx, wp, issue, isDraftRef(issue.ref));
  if (decision !== null) {
    skip(ctx, wp, decision.reason, decision.message);
    return;
  }
  ctx.out.edits.push({
    qualified_id: wp.qualified_id,
    identity,
    key: issue.ref.key,
    lane: wp.lane,
    from: issue.status,
    to: status,
  });
}

function planDraft(ctx: PlanContext, mission: Mission, wp: WorkPackage): void {
  const {input} = ctx;
  const refusal = createRefusal(ctx, wp);
  if (refusal !== null) {
    skip(ctx, wp, refusal.reason, refusal.message);
    return;
  }
  const status = laneToStatus(wp.lane, input.lanes);
  const title = issueTitleFor(wp);
  const labels = issueLabelsFor(wp);
  const marker = workPackageMarker(wp.qualified_id);
  const leftover = ctx.orphanDrafts.find((d) => (d.body ?? '').includes(marker));
  let issue: CanonicalIssue;
  if (leftover) issue = leftover;
  else {
    if (!input.newDraftId)
      throw new Error('planWorkPackageIntents: newDraftId is required with createMissing');
    // Created under its mission's issue when that exists remotely (else parented on a later pass).
    const missionRef = ctx.missionRefs.get(mission.slug);
    issue = createIssue({
      ref: {system: input.system, workspace: input.workspace, id: `draft-${input.newDraftId()}`},
      title,
      body: issueBodyFor(wp, mission),
      status: status !== null && localCanWrite(input.policy, 'status') ? status : 'todo',
      issue_type: 'task',
      labels,
      parent: missionRef && !missionRef.draft && parentsWritable(ctx) ? missionRef.ref : null,
    });
  }
  ctx.out.drafts.push({
    qualified_id: wp.qualified_id,
    title,
    status: issue.status,
    labels,
    issue,
    reuses: leftover ? refIdentity(leftover.ref) : null,
  });
  ctx.issueOf.set(wp.qualified_id, {ref: issue.ref, issue, draft: true});
}

/** Whether parents may be written: the binding leaves them to spec-kitty and the tracker can. */
export function parentsWritable(ctx: PlanContext): boolean {
  const capabilities = ctx.input.capabilities;
  return (
    !ctx.authoritativeExternal &&
    localCanWrite(ctx.input.policy, 'parent') &&
    (capabilities === null || (capabilities.hierarchy && capabilities.writable_fields.includes('parent')))
  );
}

export function skip(
  ctx: PlanContext,
  wp: Pick<WorkPackage, 'qualified_id'>,
  reason: SkipReason,
  message: string,
): void {
  ctx.out.skipped.push({qualified_id: wp.qualified_id, reason, message});
}

/** The mapping to the issue `wp` names, recorded as an adoption (null: it names none). */
function adopt(ctx: PlanContext, wp: WorkPackage): WorkPackageMapping | null {
  const named = ctx.namedIssue.get(wp.qualified_id);
  const issue = named ? ctx.issuesByIdentity.get(named.identity) : undefined;
  if (!named || !issue || ctx.authoritativeExternal) return null;
  ctx.out.adopted.push({
    qualified_id: wp.qualified_id,
    identity: named.identity,
    key: named.key,
    reason: named.reason as AdoptIntent['reason'],
    matched: named.matched,
  });
  return {wp_id: wp.qualified_id, ref: issue.ref, created_at: '', updated_at: ''};
}

function mayPushStatus(
  ctx: PlanContext,
  wp: WorkPackage,
  issue: CanonicalIssue,
  draft: boolean,
): {reason: SkipReason; message: string} | null {
  const target = `${wp.qualified_id} (${wp.lane}) vs ${issue.ref.key ?? issue.ref.id} (${issue.status})`;
  if (ctx.authoritativeExternal) {
    return {
      reason: 'external_authoritative',
      message: `${target}: not pushed, the binding is external_authoritative.`,
    };
  }
  if (ctx.statusOwner === 'external') {
    return {
      reason: 'status_owned_by_external',
      message: `${target}: not pushed, the binding gives status to the tracker.`,
    };
  }
  if (ctx.statusOwner === 'local' || draft) return null;
  // Shared: the newer side wins, so a status set in the tracker after the lane moved stays.
  if (wp.lane_at === null) {
    return {
      reason: 'lane_time_unknown',
      message: `${target}: not pushed, the lane has no timestamp (${wp.lane_source}) to compare with the tracker's change. Move the lane, or set doctrine field_owners.status: local.`,
    };
  }
  const laneTime = Date.parse(wp.lane_at);
  const issueTime = issue.updated_at === null ? Number.NaN : Date.parse(issue.updated_at);
  if (!Number.isNaN(laneTime) && !Number.isNaN(issueTime) && issueTime > laneTime) {
    return {
      reason: 'tracker_newer',
      message: `${target}: not pushed, the issue changed in the tracker (${issue.updated_at}) after the lane moved (${wp.lane_at}).`,
    };
  }
  return null;
}

/** Why an issue may not be created here (a refusal of the binding, the tracker or the cache). */
export function createRefusal(
  ctx: PlanContext,
  wp: Pick<WorkPackage, 'qualified_id'>,
): {reason: SkipReason; message: string} | null {
  const {input} = ctx;
  if (ctx.authoritativeExternal) {
    return {
      reason: 'external_authoritative',
      message: `${wp.qualified_id}: not created, the binding is external_authoritative.`,
    };
  }
  if (!localCanWrite(input.policy, 'title')) {
    return {
      reason: 'create_not_allowed',
      message: `${wp.qualified_id}: not created, the binding gives titles to the tracker.`,
    };
  }
  if (input.capabilities !== null && !input.capabilities.create) {
    return {
      reason: 'create_not_supported',
      message: `${wp.qualified_id}: not created, ${input.system} does not support creating issues here.`,
    };
  }
  const named = (ctx.report?.unmatched_refs ?? []).find(
    (u) => u.qualified_id === wp.qualified_id && refNamesWorkspace(u.ref, input.system, input.workspace),
  );
  if (named) {
    return {
      reason: 'not_in_cache',
      message: `${wp.qualified_id}: not created, its tracker_refs names ${named.ref}, which is not in the cache: run \`spec-kitty tracker sync pull\` (or remove the ref to create a new issue).`,
    };
  }
  if (ctx.suggestionsFor.has(wp.qualified_id)) {
    return {
      reason: 'match_in_cache',
      message: `${wp.qualified_id}: not created, an existing issue looks like it; see \`spec-kitty tracker map suggest\`.`,
    };
  }
  return null;
}

/**
 * Does a `tracker_refs` entry name an issue of this tracker and workspace (`#12`, `owner/repo#12`,
 * its URL, `PROJ-7` for project PROJ)? Such a ref that matches no cached issue means the cache is
 * behind: creating an issue would duplicate the one it names. Refs to other trackers do not count.
 */
export function refNamesWorkspace(ref: string, system: string, workspace: string): boolean {
  const wanted = ref.trim();
  const lower = wanted.toLowerCase();
  const space = workspace.toLowerCase();
  if (/^https?:\/\//.test(lower)) return lower.includes(`/${space}/`);
  if (system === 'github' || system === 'gitlab')
    return /^#?\d+$/.test(wanted) || lower.startsWith(`${space}#`);
  if (system === 'jira' || system === 'linear')
    return new RegExp(`^${escapeRegExp(space)}-\\d+$`).test(lower);
  return false;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
