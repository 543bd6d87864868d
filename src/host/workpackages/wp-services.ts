import {findProvider} from '../../core/connectors/registry.js';
import type {ConnectorCapabilities} from '../../core/protocols/connector.js';
import {systemClock} from '../../core/protocols/runtime.js';
import type {PushCounts} from '../../core/sync/run-budget.js';
import {
  loadBoundProject,
  policyOf,
  type BoundContext,
  type ServiceEnvironment,
} from '../services/service-context.js';
import {guardStorage} from '../services/content-guard.js';
import {openBoundStorage} from '../services/storage-gateway.js';
import type {SyncIntent} from '../services/sync-service.js';
import {
  applySuggestions,
  suggestMappings,
  type AppliedSuggestions,
  type SuggestionReport,
} from './map-suggestions.js';
import {readMissionsSync} from './mission-reader.js';
import {formatDiagnostic, type ReaderDiagnostic} from './work-package-model.js';
import {
  applyWorkPackageIntents,
  type MissionIssueIntent,
  type WorkPackageIntentResult,
} from './wp-intents.js';

/** The services the commands call: `map suggest`, and the work-package step of `sync push`. */

export interface MapSuggestResult extends SuggestionReport {
  readonly provider: string;
  readonly workspace: string;
  readonly applied: AppliedSuggestions['applied'];
  readonly skipped: AppliedSuggestions['skipped'];
  readonly warnings: readonly string[];
}

export async function suggestProjectMappings(
  environment: ServiceEnvironment,
  options: {apply: boolean},
): Promise<MapSuggestResult> {
  const context = await loadBoundProject(environment);
  // Guarded like every other writer, although it records only ids and refs of cached issues.
  const storage = guardStorage(await openBoundStorage(context), environment.env);
  const project = readMissionsSync(context.location.root);
  // Mappings first: they fold the whole state, which the issue list then reuses (asked together,
  // the list read every cached issue a second time).
  const mappings = await storage.stores.listMappings();
  const issues = await storage.stores.listIssues({system: context.binding.provider});
  const inWorkspace = issues.filter((i) => i.ref.workspace === context.binding.workspace);
  const report = suggestMappings({
    workPackages: project.missions.flatMap((m) => [...m.work_packages]),
    mappings,
    issues: inWorkspace,
    system: context.binding.provider,
  });
  const outcome: AppliedSuggestions = options.apply
    ? await applySuggestions(storage.stores, report.suggestions, inWorkspace)
    : {applied: [], skipped: []};
  return {
    ...report,
    provider: context.binding.provider,
    workspace: context.binding.workspace,
    applied: outcome.applied,
    skipped: outcome.skipped,
    warnings: [...storage.warnings, ...readerWarnings(project.diagnostics)],
  };
}

/** Reader problems worth a line (info-level notes are left out). */
export function readerWarnings(diagnostics: readonly ReaderDiagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity !== 'info').map(formatDiagnostic);
}

/**
 * The work-package step of `sync push` as a `SyncIntent` for `runSync({intents})`:
 * - `apply` (before the engine) records lane changes and, with `createMissing`, drafts and their
 *   mappings, plus `blocks` links whose two issues already exist in the tracker;
 * - `afterPush` (after the engine created the drafts) records the links that waited for those
 *   issues and asks for one more push, so a single `sync push --create-missing` creates the
 *   issues AND links them. Idempotent: the planner compares with the issues' links, so a re-run
 *   records nothing and asks for nothing.
 * What happened is kept on `intent.result` (and `intent.followUp`) for the command to print.
 */
export interface WorkPackageSyncIntent extends SyncIntent {
  result: WorkPackageIntentResult | null;
  /** The after-push pass (links to the issues the push created), when one ran. */
  followUp: WorkPackageIntentResult | null;
  /** For the command's output: a key for the JSON report and lines for people (null: nothing ran). */
  describe(): {key: string; json: unknown; text: string[]; warnings: string[]} | null;
}

export function workPackageSyncIntent(options: {createMissing: boolean}): WorkPackageSyncIntent {
  const record = async (
    context: BoundContext,
    storage: {stores: WorkPackageStores},
    pass: {createMissing: boolean; dryRun: boolean},
  ) => {
    const capabilities = (await findProvider(context.binding.provider)?.load())?.capabilities ?? null;
    const apply = () =>
      applyWorkPackageIntents({
        root: context.location.root,
        stores: storage.stores,
        provider: context.binding.provider,
        workspace: context.binding.workspace,
        capabilities,
        policy: policyOf(context),
        lanes: context.binding.lanes,
        createMissing: pass.createMissing,
        missionIssues: missionIssuesWanted(context, capabilities),
        dryRun: pass.dryRun,
        clock: systemClock,
      });
    // Every draft, mapping and edit of the pass in one write (all or nothing) instead of one
    // fsynced file each: nothing leaves the machine until the engine runs.
    const {stores} = storage;
    return pass.dryRun || !stores.batch ? apply() : stores.batch(apply);
  };
  const intent: WorkPackageSyncIntent = {
    name: 'work-packages',
    result: null,
    followUp: null,
    describe() {
      const first = intent.result;
      if (first === null) return null;
      const result = intent.followUp === null ? first : mergePasses(first, intent.followUp);
      const quiet =
        result.edits.length +
          result.drafts.length +
          result.adopted.length +
          result.links.length +
          result.unlinks.length +
          result.missions.length +
          result.parents.length +
          result.skipped.length +
          result.deferred_links +
          result.deferred_parents ===
        0;
      return {
        key: 'work_packages',
        json: result,
        text: quiet ? [] : intentText(result),
        warnings: [...result.warnings, ...readerWarnings(result.diagnostics)],
      };
    },
    async apply({context, storage, dryRun}) {
      intent.result = await record(context, storage, {createMissing: options.createMissing, dryRun});
    },
    wouldRecord() {
      const r = intent.result;
      if (r === null || !r.dry_run) return {creates: 0, updates: 0};
      return pushCountsOf(r);
    },
    async afterPush({context, storage, result}) {
      // Only links to issues this push created can have become possible since `apply`.
      const first = intent.result;
      const waiting = first === null ? 0 : first.deferred_links + first.deferred_parents;
      if (first === null || first.dry_run || waiting === 0 || result.stats.pushed_created === 0) return false;
      // No drafts in this pass: every work package that needed one got it in `apply`.
      intent.followUp = await record(context, storage, {createMissing: false, dryRun: false});
      const {counts} = intent.followUp;
      return counts.links + counts.unlinks + counts.parents + counts.edits > 0;
    },
  };
  return intent;
}

type WorkPackageStores = Parameters<typeof applyWorkPackageIntents>[0]['stores'];

/**
 * The two passes of one push as one report: drafts and edits of the first, links of both, and
 * the links still waiting (from the second pass, which saw the created issues).
 */
export function mergePasses(
  first: WorkPackageIntentResult,
  second: WorkPackageIntentResult,
): WorkPackageIntentResult {
  const skipped = [...first.skipped];
  for (const s of second.skipped)
    if (!skipped.some((k) => k.qualified_id === s.qualified_id && k.reason === s.reason)) skipped.push(s);
  return {
    ...first,
    edits: [...first.edits, ...second.edits],
    links: [...first.links, ...second.links],
    unlinks: [...first.unlinks, ...second.unlinks],
    parents: [...first.parents, ...second.parents],
    missions: [...first.missions, ...second.missions.filter((m) => m.status !== null || m.adopted !== null)],
    deferred_links: second.deferred_links,
    deferred_parents: second.deferred_parents,
    deferred_on_created: second.deferred_on_created,
    skipped,
    warnings: [...new Set([...first.warnings, ...second.warnings])],
    counts: {
      edits: first.counts.edits + second.counts.edits,
      drafts: first.counts.drafts + second.counts.drafts,
      mappings: first.counts.mappings + second.counts.mappings,
      links: first.counts.links + second.counts.links,
      unlinks: first.counts.unlinks + second.counts.unlinks,
      parents: first.counts.parents + second.counts.parents,
    },
  };
}

/** Lines for people about what the work-package step did. */
export function intentText(result: WorkPackageIntentResult): string[] {
  const verb = result.dry_run ? 'would record' : 'recorded';
  const adopted =
    result.adopted.length > 0 ? `, ${result.adopted.length} mapping(s) to issues they name` : '';
  const lines = [
    `Work packages: ${verb} ${result.counts.edits} status change(s), ${result.counts.drafts} new issue draft(s), ${result.counts.links} link(s)${result.counts.unlinks > 0 ? `, ${result.counts.unlinks} link removal(s)` : ''}${result.counts.parents > 0 ? `, ${result.counts.parents} parent(s)` : ''}${adopted}`,
  ];
  for (const adoption of result.adopted)
    lines.push(
      `  ${adoption.qualified_id}: mapped to ${adoption.key ?? adoption.identity} (${adoption.reason === 'tracker_ref' ? `tracker_refs ${adoption.matched}` : 'its marker'}), not created`,
    );
  for (const edit of result.edits)
    lines.push(
      `  ${edit.qualified_id}: ${edit.key ?? edit.identity} ${edit.from} -> ${edit.to} (lane ${edit.lane})`,
    );
  for (const draft of result.drafts)
    lines.push(`  ${draft.qualified_id}: new issue "${draft.title}" (${draft.status})`);
  for (const mission of result.missions) lines.push(...missionLines(mission));
  for (const parent of result.parents)
    lines.push(
      `  ${parent.qualified_id}: ${parent.key ?? parent.identity} placed under its mission's issue ${parent.parent.key ?? parent.parent.id}${parent.from ? ` (moved from ${parent.from.key ?? parent.from.id})` : ''}`,
    );
  for (const link of result.links) lines.push(`  ${link.blocker} blocks ${link.blocked}`);
  for (const link of result.unlinks)
    lines.push(`  ${link.blocker} no longer blocks ${link.blocked}: the relation is removed`);
  if (result.deferred_links > 0)
    lines.push(`  ${result.deferred_links} dependency link(s) wait until both issues exist in the tracker`);
  if (result.deferred_parents > 0)
    lines.push(
      `  ${result.deferred_parents} issue(s) go under their mission's issue once it exists in the tracker`,
    );
  for (const skip of result.skipped) lines.push(`  skipped: ${skip.message}`);
  return lines;
}

/** An issue per mission where the tracker has a hierarchy, unless the binding turns it off. */
function missionIssuesWanted(context: BoundContext, capabilities: ConnectorCapabilities | null): boolean {
  return context.binding.options.mission_issues !== false && capabilities !== null && capabilities.hierarchy;
}

function missionLines(mission: MissionIssueIntent): string[] {
  const lines: string[] = [];
  if (mission.draft)
    lines.push(`  ${mission.slug}: new mission issue "${mission.title}" (${mission.draft.status})`);
  if (mission.adopted)
    lines.push(
      `  ${mission.slug}: mapped to its mission issue ${mission.adopted.key ?? mission.adopted.identity} (its marker)`,
    );
  if (mission.status)
    lines.push(
      `  ${mission.slug}: mission issue ${mission.status.key ?? mission.status.identity} ${mission.status.from} -> ${mission.status.to}`,
    );
  return lines;
}

/**
 * What a dry run of the work-package step would have the push send: each draft a create (one
 * created closed is then closed: a write more), each status edit and parent an update, each
 * relation (a dependency added or removed, a parent set once its mission's issue exists) a
 * write; only writes on issues that exist before the push read them.
 */
export function pushCountsOf(r: WorkPackageIntentResult): Required<PushCounts> {
  const closed = (status: string) => status === 'done' || status === 'canceled';
  const closedDrafts =
    r.drafts.filter((d) => d.reuses === null && closed(d.status)).length +
    r.missions.filter((m) => m.draft !== null && closed(m.draft.status)).length;
  return {
    creates: r.counts.drafts,
    updates: r.counts.edits + r.counts.parents,
    links: r.counts.links + r.counts.unlinks + r.deferred_links + r.deferred_parents - r.deferred_on_created,
    // A closed draft is created, then closed; both steps know the issue they made.
    writesOnCreated: closedDrafts + r.deferred_on_created,
  };
}
