import type {CanonicalIssue, CanonicalLink, IssuePatch} from '../../core/model/canonical-issue.js';
import {createRef, refIdentity} from '../../core/model/external-ref.js';
import type {OwnershipPolicy} from '../../core/policy/ownership.js';
import type {ConnectorCapabilities} from '../../core/protocols/connector.js';
import type {IssueStore} from '../../core/protocols/issue-store.js';
import type {MappingStore} from '../../core/protocols/mapping-store.js';
import type {Clock} from '../../core/protocols/runtime.js';
import {createUlidFactory} from '../../core/util/ulid.js';
import {resolveLaneMapping} from './lanes.js';
import {missionIssueId} from './mission-issue-content.js';
import {planMissionIssues, planParents} from './mission-issue-plan.js';
import {readMissionsSync} from './mission-reader.js';
import {assertNoPre30Missions} from './pre30-layout.js';
import {nextLinks, planDependencies} from './wp-dependency-plan.js';
import {noteUnhealthyMission, planContext, planWorkPackage} from './wp-plan-context.js';
import type {PlanInputs, WorkPackagePlan} from './wp-plan-types.js';
import type {Mission, ReaderDiagnostic} from './work-package-model.js';

export type * from './wp-plan-types.js';
export {refNamesWorkspace} from './wp-plan-context.js';

/**
 * Work-package state -> local intents for the sync engine. Nothing here talks to a tracker: the
 * planner (`planWorkPackageIntents`, pure) decides, `applyWorkPackageIntents` records the result in
 * the issue and mapping stores, and the engine's push sends it through the provider's workflow
 * (transitions, creates, links) with its usual ownership checks, three-way merge and bulk guard.
 *
 * Rules:
 * - A mapped work package whose lane maps to a status other than its issue's (local view) gets a
 *   local edit of `status` when the repository may decide the status: the binding gives `status`
 *   to spec-kitty (`local`), or the field is `shared` and the lane moved after the issue was last
 *   changed (so a status someone set in the tracker since is not reverted). Under
 *   `external_authoritative`, or with `status` owned by the tracker, nothing is recorded.
 * - With `createMissing`, an unmapped work package becomes a draft issue mapped to it; when the
 *   engine creates the issue, the mapping follows the draft to the remote issue (`remote_created`).
 *   A work package with a likely match in the cache (see `map suggest`) is not created twice.
 * - A dependency (WP02 depends on WP01) becomes a `blocks` link from WP01's issue to WP02's once
 *   both exist remotely; links to a draft wait for the next pass (`deferred_links`). A relation
 *   between two work packages' issues of a mission that no dependency asks for is removed.
 * - With `missionIssues`, each mission gets an issue, the parent of its work packages' issues,
 *   closed when all of them are done (`mission-issue-plan.ts`).
 * Re-running changes nothing once the tracker agrees: every intent compares with what is there.
 */

/**
 * The plan, in named steps: the missions' issues first (a work package's draft is created under
 * its mission's issue when that exists), then each work package, then the parents of the
 * existing issues, then the dependencies.
 */
export function planWorkPackageIntents(input: PlanInputs): WorkPackagePlan {
  const ctx = planContext(input);
  planMissionIssues(ctx);
  for (const mission of input.missions) {
    if (!mission.log_healthy) noteUnhealthyMission(ctx, mission);
    else for (const wp of mission.work_packages) planWorkPackage(ctx, mission, wp);
  }
  planParents(ctx);
  planDependencies(ctx);
  const {out} = ctx;
  if (ctx.authoritativeExternal && (out.skipped.length > 0 || out.edits.length > 0)) {
    out.warnings.push(
      'The binding is external_authoritative: the tracker owns every field, so work-package changes are not pushed.',
    );
  }
  return out;
}

export interface ApplyWorkPackageOptions {
  /** Project root (missions are read from it unless `missions` is given). */
  readonly root: string;
  readonly missions?: readonly Mission[];
  /** Only these mission slugs. */
  readonly onlyMissions?: readonly string[];
  readonly stores: IssueStore & MappingStore;
  /** The bound provider (the `system` of refs) and workspace. */
  readonly provider: string;
  readonly workspace: string;
  readonly capabilities?: ConnectorCapabilities | null;
  readonly policy: OwnershipPolicy;
  /** `tracker.lanes` of the binding (merged over the default mapping). */
  readonly lanes?: Readonly<Record<string, string>>;
  readonly createMissing?: boolean;
  /** One issue per mission, parent of its work packages' issues (default off). */
  readonly missionIssues?: boolean;
  readonly dryRun?: boolean;
  readonly clock: Clock;
  /** Mints draft ids (tests inject a deterministic one). Default: ULIDs from `clock`. */
  readonly newId?: () => string;
}

export interface WorkPackageIntentResult extends WorkPackagePlan {
  readonly dry_run: boolean;
  /** Reader diagnostics (bad lines, unknown lanes...), for the command to show. */
  readonly diagnostics: readonly ReaderDiagnostic[];
  /** Counts of what was recorded (or, for a dry run, would be). */
  readonly counts: IntentCounts;
}

export interface IntentCounts {
  /** Status changes (of work packages' and missions' issues). */
  readonly edits: number;
  /** Drafts created (mission issues included). */
  readonly drafts: number;
  readonly mappings: number;
  readonly links: number;
  readonly unlinks: number;
  readonly parents: number;
}

/**
 * Reads the missions and the cache, plans, and records the intents (unless `dryRun`). Call it
 * before the engine's push; see `runWorkPackagePush` for the whole sequence.
 */
export async function applyWorkPackageIntents(
  options: ApplyWorkPackageOptions,
): Promise<WorkPackageIntentResult> {
  const project = options.missions
    ? {missions: options.missions, diagnostics: [] as ReaderDiagnostic[]}
    : readMissionsSync(options.root, {only: options.onlyMissions});
  assertNoPre30Missions(project.diagnostics);
  const missions =
    options.onlyMissions && options.missions
      ? project.missions.filter((m) => options.onlyMissions!.includes(m.slug))
      : project.missions;
  const {mapping: lanes, warnings: laneWarnings} = resolveLaneMapping(options.lanes ?? {});
  // Mappings first: they need the whole folded state, which the log then keeps, and the issue
  // list is answered from it. Asked together, the list read the read cache's records once more
  // on its own (a second copy of every issue body while both were held).
  const mappings = await options.stores.listMappings();
  const issues = await options.stores.listIssues({system: options.provider});
  const plan = planWorkPackageIntents({
    missions,
    mappings,
    issues: issues.filter((i) => i.ref.workspace === options.workspace),
    lanes,
    system: options.provider,
    workspace: options.workspace,
    policy: options.policy,
    capabilities: options.capabilities ?? null,
    createMissing: options.createMissing ?? false,
    missionIssues: options.missionIssues ?? false,
    newDraftId: options.newId ?? createUlidFactory(options.clock),
  });
  const dryRun = options.dryRun ?? false;
  const counts = dryRun ? plannedCounts(plan) : await recordPlan(options.stores, plan, issues);
  return {
    ...plan,
    warnings: [...laneWarnings, ...plan.warnings],
    dry_run: dryRun,
    diagnostics: project.diagnostics,
    counts,
  };
}

/** What a dry run would record. */
function plannedCounts(plan: WorkPackagePlan): IntentCounts {
  const missionDrafts = plan.missions.filter((m) => m.draft !== null);
  return {
    edits: plan.edits.length + plan.missions.filter((m) => m.status !== null).length,
    drafts: plan.drafts.filter((d) => d.reuses === null).length + missionDrafts.length,
    mappings:
      plan.drafts.length +
      plan.adopted.length +
      missionDrafts.length +
      plan.missions.filter((m) => m.adopted).length,
    links: plan.links.length,
    unlinks: plan.unlinks.length,
    parents: plan.parents.length,
  };
}

/** Records the plan in the stores: edits, mappings and drafts first, then relations per issue. */
async function recordPlan(
  stores: IssueStore & MappingStore,
  plan: WorkPackagePlan,
  issues: readonly CanonicalIssue[],
): Promise<IntentCounts> {
  let edits = 0;
  let drafts = 0;
  let mapped = 0;
  for (const edit of [...plan.edits, ...plan.missions.flatMap((m) => (m.status ? [m.status] : []))]) {
    if (await stores.recordLocalEdit(edit.identity, {status: edit.to})) edits += 1;
  }
  const views = new Map(issues.map((i) => [refIdentity(i.ref), i]));
  const adoptions = [
    ...plan.adopted.map((a) => ({id: a.qualified_id, identity: a.identity})),
    ...plan.missions.flatMap((m) =>
      m.adopted ? [{id: missionIssueId(m.slug), identity: m.adopted.identity}] : [],
    ),
  ];
  for (const adoption of adoptions) {
    const issue = views.get(adoption.identity);
    if (issue) await stores.addMapping(adoption.id, createRef(issue.ref));
    mapped += 1;
  }
  // Work packages' drafts first: content refused (a token in a title) stops the run before
  // anything of it is recorded, as it did before missions had issues.
  for (const draft of [...plan.drafts, ...plan.missions.flatMap((m) => (m.draft ? [m.draft] : []))]) {
    if (draft.reuses === null) {
      await stores.createDraft(draft.issue);
      drafts += 1;
    }
    // The mapping follows the draft to the remote issue when the engine creates it.
    await stores.addMapping(draft.qualified_id, createRef(draft.issue.ref));
    mapped += 1;
  }
  const relations = await recordRelations(stores, plan, views);
  return {edits, drafts, mappings: mapped, ...relations};
}

/** One edit per issue for its links (added and removed together) and one for its parent. */
async function recordRelations(
  stores: IssueStore,
  plan: WorkPackagePlan,
  views: ReadonlyMap<string, CanonicalIssue>,
): Promise<{links: number; unlinks: number; parents: number}> {
  const changes = new Map<string, {added: CanonicalLink[]; removed: CanonicalLink[]}>();
  const changeOf = (identity: string) => {
    const change = changes.get(identity) ?? {added: [], removed: []};
    changes.set(identity, change);
    return change;
  };
  for (const link of plan.links) changeOf(link.identity).added.push(link.link);
  for (const link of plan.unlinks) changeOf(link.identity).removed.push(link.link);
  let links = 0;
  let unlinks = 0;
  for (const [identity, change] of changes) {
    const current = views.get(identity);
    if (!current) continue;
    const patch: IssuePatch = {links: nextLinks(current.links, change.added, change.removed)};
    if (await stores.recordLocalEdit(identity, patch)) {
      links += change.added.length;
      unlinks += change.removed.length;
    }
  }
  let parents = 0;
  for (const parent of plan.parents)
    if (await stores.recordLocalEdit(parent.identity, {parent: createRef(parent.parent)})) parents += 1;
  return {links, unlinks, parents};
}
