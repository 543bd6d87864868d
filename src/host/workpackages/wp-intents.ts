import {createIssue, type CanonicalIssue, type CanonicalLink} from '../../core/model/canonical-issue.js';
import type {CanonicalStatus} from '../../core/model/enums.js';
import {createRef, isDraftRef, refIdentity, type ExternalRef} from '../../core/model/external-ref.js';
import {localCanWrite, ownerFor, type OwnershipPolicy} from '../../core/policy/ownership.js';
import type {ConnectorCapabilities} from '../../core/protocols/connector.js';
import type {IssueStore} from '../../core/protocols/issue-store.js';
import type {MappingStore, WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import type {Clock} from '../../core/protocols/runtime.js';
import {createUlidFactory} from '../../core/util/ulid.js';
import {laneToStatus, resolveLaneMapping, type LaneMapping} from './lanes.js';
import {suggestMappings} from './map-suggestions.js';
import {readMissionsSync} from './mission-reader.js';
import {assertNoPre30Missions} from './pre30-layout.js';
import {countBareIds, findMappingFor, indexMappings} from './wp-ids.js';
import {issueBodyFor, issueLabelsFor, issueTitleFor, workPackageMarker} from './wp-issue-content.js';
import type {Mission, ReaderDiagnostic, WorkPackage} from './work-package-model.js';

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
 *   both exist remotely; links to a draft wait for the next pass (`deferred_links`).
 * Re-running changes nothing once the tracker agrees: every intent compares with what is there.
 */

export type SkipReason =
  | 'external_authoritative'
  | 'status_owned_by_external'
  | 'tracker_newer'
  | 'lane_time_unknown'
  | 'unknown_lane'
  | 'log_unhealthy'
  | 'not_in_cache'
  | 'match_in_cache'
  | 'create_not_allowed'
  | 'create_not_supported'
  | 'links_not_supported'
  | 'links_not_owned';

export interface StatusIntent {
  readonly qualified_id: string;
  readonly identity: string;
  readonly key: string | null;
  readonly lane: string;
  readonly from: CanonicalStatus;
  readonly to: CanonicalStatus;
}

export interface DraftIntent {
  readonly qualified_id: string;
  readonly title: string;
  readonly status: CanonicalStatus;
  readonly labels: readonly string[];
  /** The issue to store as a draft (its ref id is `draft-<ULID>`). */
  readonly issue: CanonicalIssue;
  /** An unmapped draft from an interrupted earlier run, reused instead of a new one. */
  readonly reuses: string | null;
}

export interface LinkIntent {
  /** The work package that must finish first (its issue gets the link). */
  readonly blocker: string;
  readonly blocked: string;
  /** Identity of the blocker's issue. */
  readonly identity: string;
  readonly link: CanonicalLink;
}

export interface SkippedIntent {
  readonly qualified_id: string;
  readonly reason: SkipReason;
  readonly message: string;
}

/**
 * An unmapped work package whose frontmatter names a cached issue (`tracker_refs: ['#3']`, a
 * key, a URL) or whose issue carries its marker: mapped to that issue instead of creating one.
 */
export interface AdoptIntent {
  readonly qualified_id: string;
  readonly identity: string;
  readonly key: string | null;
  readonly reason: 'tracker_ref' | 'marker';
  readonly matched: string;
}

export interface WorkPackagePlan {
  readonly edits: readonly StatusIntent[];
  readonly drafts: readonly DraftIntent[];
  /** With `createMissing`: mappings to existing issues the work packages name. */
  readonly adopted: readonly AdoptIntent[];
  readonly links: readonly LinkIntent[];
  /** Dependencies whose link waits until both issues exist remotely. */
  readonly deferred_links: number;
  readonly skipped: readonly SkippedIntent[];
  readonly warnings: readonly string[];
}

export interface PlanInputs {
  readonly missions: readonly Mission[];
  readonly mappings: readonly WorkPackageMapping[];
  /** Local views of the cached issues (`IssueStore.listIssues()`), drafts included. */
  readonly issues: readonly CanonicalIssue[];
  readonly lanes: LaneMapping;
  readonly system: string;
  readonly workspace: string;
  readonly policy: OwnershipPolicy;
  /** The connector's capabilities; null when unknown (everything assumed possible). */
  readonly capabilities: ConnectorCapabilities | null;
  readonly createMissing: boolean;
  /** Mints draft ids (`draft-<id>`); required when `createMissing`. */
  readonly newDraftId?: () => string;
}

function linkKey(type: string, target: Pick<ExternalRef, 'system' | 'workspace' | 'id'>): string {
  return `${type}|${refIdentity(target)}`;
}

export function planWorkPackageIntents(input: PlanInputs): WorkPackagePlan {
  const {policy, system, workspace, lanes} = input;
  const edits: StatusIntent[] = [];
  const drafts: DraftIntent[] = [];
  const adopted: AdoptIntent[] = [];
  const links: LinkIntent[] = [];
  const skipped: SkippedIntent[] = [];
  const warnings: string[] = [];
  let deferred = 0;

  const issuesByIdentity = new Map(input.issues.map((issue) => [refIdentity(issue.ref), issue]));
  const allWps = input.missions.flatMap((m) => [...m.work_packages]);
  const byWp = indexMappings(input.mappings);
  const bare = countBareIds(allWps);
  const authoritativeExternal = policy.mode === 'external_authoritative';
  const statusOwner = ownerFor(policy, 'status');

  // Unmapped drafts left by an interrupted run (draft stored, mapping not), by marker.
  const mappedIdentities = new Set(input.mappings.map((m) => refIdentity(m.ref)));
  const orphanDrafts = input.issues.filter(
    (i) => isDraftRef(i.ref) && i.ref.system === system && !mappedIdentities.has(refIdentity(i.ref)),
  );

  const report = input.createMissing
    ? suggestMappings({workPackages: allWps, mappings: input.mappings, issues: input.issues, system})
    : null;
  // A work package that names its issue (tracker_refs) or whose issue carries its marker is
  // mapped to it; a title match or an ambiguous one only stops a duplicate from being created.
  const namedIssue = new Map(
    (report?.suggestions ?? [])
      .filter((s) => s.reason === 'tracker_ref' || s.reason === 'marker')
      .map((s) => [s.qualified_id, s]),
  );
  const suggestionsFor = new Set([
    ...(report?.suggestions ?? []).map((s) => s.qualified_id),
    ...(report?.ambiguous ?? []).map((a) => a.qualified_id),
    // Several work packages name one issue: none gets it, and none gets a duplicate either.
    ...(report?.contested ?? []).flatMap((c) => c.qualified_ids),
  ]);

  /** Where each work package's issue is (or will be, for a draft planned now). */
  const issueOf = new Map<string, {ref: ExternalRef; issue: CanonicalIssue | null; draft: boolean}>();

  for (const mission of input.missions) {
    if (!mission.log_healthy) {
      warnings.push(
        `${mission.dir}/status.events.jsonl has unreadable lines: nothing is pushed for mission ${mission.slug} until it is repaired.`,
      );
      for (const wp of mission.work_packages) {
        const mapping = findMappingFor(wp, system, byWp, bare);
        if (mapping)
          issueOf.set(wp.qualified_id, {
            ref: mapping.ref,
            issue: issuesByIdentity.get(refIdentity(mapping.ref)) ?? null,
            draft: isDraftRef(mapping.ref),
          });
      }
      continue;
    }
    for (const wp of mission.work_packages) {
      const mapping = findMappingFor(wp, system, byWp, bare) ?? adopt(wp);
      const status = laneToStatus(wp.lane, lanes);
      if (mapping) {
        const identity = refIdentity(mapping.ref);
        const issue = issuesByIdentity.get(identity) ?? null;
        issueOf.set(wp.qualified_id, {ref: issue?.ref ?? mapping.ref, issue, draft: isDraftRef(mapping.ref)});
        if (issue === null) {
          skipped.push({
            qualified_id: wp.qualified_id,
            reason: 'not_in_cache',
            message: `${wp.qualified_id} is mapped to ${mapping.ref.key ?? mapping.ref.id}, which is not in the cache: run \`spec-kitty tracker sync pull\` first.`,
          });
          continue;
        }
        if (status === null) {
          skipped.push({
            qualified_id: wp.qualified_id,
            reason: 'unknown_lane',
            message: `${wp.qualified_id}: lane '${wp.lane}' maps to no status; add it under tracker.lanes in .kittify/config.yaml.`,
          });
          continue;
        }
        if (issue.status === status) continue;
        const decision = mayPushStatus(wp, issue, isDraftRef(issue.ref));
        if (decision !== null) {
          skipped.push({qualified_id: wp.qualified_id, reason: decision.reason, message: decision.message});
          continue;
        }
        edits.push({
          qualified_id: wp.qualified_id,
          identity,
          key: issue.ref.key,
          lane: wp.lane,
          from: issue.status,
          to: status,
        });
        continue;
      }
      if (!input.createMissing) continue;
      const refusal = createRefusal(wp);
      if (refusal !== null) {
        skipped.push({qualified_id: wp.qualified_id, ...refusal});
        continue;
      }
      const title = issueTitleFor(wp);
      const labels = issueLabelsFor(wp);
      const draftStatus = status !== null && localCanWrite(policy, 'status') ? status : 'todo';
      const marker = workPackageMarker(wp.qualified_id);
      const leftover = orphanDrafts.find((d) => (d.body ?? '').includes(marker));
      let issue: CanonicalIssue;
      if (leftover) issue = leftover;
      else {
        if (!input.newDraftId)
          throw new Error('planWorkPackageIntents: newDraftId is required with createMissing');
        issue = createIssue({
          ref: {system, workspace, id: `draft-${input.newDraftId()}`},
          title,
          body: issueBodyFor(wp, mission),
          status: draftStatus,
          issue_type: 'task',
          labels,
        });
      }
      drafts.push({
        qualified_id: wp.qualified_id,
        title,
        status: issue.status,
        labels,
        issue,
        reuses: leftover ? refIdentity(leftover.ref) : null,
      });
      issueOf.set(wp.qualified_id, {ref: issue.ref, issue, draft: true});
    }
  }

  // Dependencies as `blocks` links, once both ends exist remotely.
  const linksSupported = input.capabilities === null || input.capabilities.links;
  const linksOwned = localCanWrite(policy, 'links');
  let linkRefusalReported = false;
  for (const mission of input.missions) {
    for (const wp of mission.work_packages) {
      for (const dependency of wp.dependencies) {
        const blockerId = `${mission.slug}/${dependency}`;
        const blocker = issueOf.get(blockerId);
        const blocked = issueOf.get(wp.qualified_id);
        if (!blocker || !blocked) continue;
        if (blocker.draft || blocked.draft || blocker.issue === null || blocked.issue === null) {
          if (!authoritativeExternal && mission.log_healthy) deferred += 1;
          continue;
        }
        const has = new Set(blocker.issue.links.map((l) => linkKey(l.type, l.target)));
        const reverse = new Set(blocked.issue.links.map((l) => linkKey(l.type, l.target)));
        if (has.has(linkKey('blocks', blocked.ref)) || reverse.has(linkKey('blocked_by', blocker.ref)))
          continue;
        if (authoritativeExternal || !linksOwned || !linksSupported) {
          if (!linkRefusalReported) {
            linkRefusalReported = true;
            const reason: SkipReason = authoritativeExternal
              ? 'external_authoritative'
              : !linksOwned
                ? 'links_not_owned'
                : 'links_not_supported';
            skipped.push({
              qualified_id: wp.qualified_id,
              reason,
              message:
                reason === 'links_not_supported'
                  ? `${system} cannot link issues: dependencies are not pushed as links.`
                  : reason === 'links_not_owned'
                    ? 'The binding gives links to the tracker: dependencies are not pushed as links.'
                    : 'The binding is external_authoritative: dependencies are not pushed as links.',
            });
          }
          continue;
        }
        if (!mission.log_healthy) continue;
        links.push({
          blocker: blockerId,
          blocked: wp.qualified_id,
          identity: refIdentity(blocker.issue.ref),
          link: {type: 'blocks', target: blocked.issue.ref},
        });
      }
    }
  }
  if (authoritativeExternal && (skipped.length > 0 || edits.length > 0)) {
    warnings.push(
      'The binding is external_authoritative: the tracker owns every field, so work-package changes are not pushed.',
    );
  }
  return {edits, drafts, adopted, links, deferred_links: deferred, skipped, warnings};

  /** The mapping to the issue `wp` names, recorded as an adoption (null: it names none). */
  function adopt(wp: WorkPackage): WorkPackageMapping | null {
    const named = namedIssue.get(wp.qualified_id);
    const issue = named ? issuesByIdentity.get(named.identity) : undefined;
    if (!named || !issue || authoritativeExternal) return null;
    adopted.push({
      qualified_id: wp.qualified_id,
      identity: named.identity,
      key: named.key,
      reason: named.reason as AdoptIntent['reason'],
      matched: named.matched,
    });
    return {wp_id: wp.qualified_id, ref: issue.ref, created_at: '', updated_at: ''};
  }

  function mayPushStatus(
    wp: WorkPackage,
    issue: CanonicalIssue,
    draft: boolean,
  ): {reason: SkipReason; message: string} | null {
    const target = `${wp.qualified_id} (${wp.lane}) vs ${issue.ref.key ?? issue.ref.id} (${issue.status})`;
    if (authoritativeExternal) {
      return {
        reason: 'external_authoritative',
        message: `${target}: not pushed, the binding is external_authoritative.`,
      };
    }
    if (statusOwner === 'external') {
      return {
        reason: 'status_owned_by_external',
        message: `${target}: not pushed, the binding gives status to the tracker.`,
      };
    }
    if (statusOwner === 'local' || draft) return null;
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

  function createRefusal(wp: WorkPackage): {reason: SkipReason; message: string} | null {
    if (authoritativeExternal) {
      return {
        reason: 'external_authoritative',
        message: `${wp.qualified_id}: not created, the binding is external_authoritative.`,
      };
    }
    if (!localCanWrite(policy, 'title')) {
      return {
        reason: 'create_not_allowed',
        message: `${wp.qualified_id}: not created, the binding gives titles to the tracker.`,
      };
    }
    if (input.capabilities !== null && !input.capabilities.create) {
      return {
        reason: 'create_not_supported',
        message: `${wp.qualified_id}: not created, ${system} does not support creating issues here.`,
      };
    }
    const named = (report?.unmatched_refs ?? []).find(
      (u) => u.qualified_id === wp.qualified_id && refNamesWorkspace(u.ref, system, workspace),
    );
    if (named) {
      return {
        reason: 'not_in_cache',
        message: `${wp.qualified_id}: not created, its tracker_refs names ${named.ref}, which is not in the cache: run \`spec-kitty tracker sync pull\` (or remove the ref to create a new issue).`,
      };
    }
    if (suggestionsFor.has(wp.qualified_id)) {
      return {
        reason: 'match_in_cache',
        message: `${wp.qualified_id}: not created, an existing issue looks like it; see \`spec-kitty tracker map suggest\`.`,
      };
    }
    return null;
  }
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
  readonly counts: {
    readonly edits: number;
    readonly drafts: number;
    readonly mappings: number;
    readonly links: number;
  };
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
  const [issues, mappings] = await Promise.all([
    options.stores.listIssues({system: options.provider}),
    options.stores.listMappings(),
  ]);
  const ulid = options.newId ?? createUlidFactory(options.clock);
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
    newDraftId: ulid,
  });
  const dryRun = options.dryRun ?? false;
  let edits = 0;
  let drafts = 0;
  let mapped = 0;
  let linkEdits = 0;
  if (!dryRun) {
    for (const edit of plan.edits) {
      if (await options.stores.recordLocalEdit(edit.identity, {status: edit.to})) edits += 1;
    }
    for (const adoption of plan.adopted) {
      const issue = issues.find((i) => refIdentity(i.ref) === adoption.identity);
      if (issue) await options.stores.addMapping(adoption.qualified_id, createRef(issue.ref));
      mapped += 1;
    }
    for (const draft of plan.drafts) {
      if (draft.reuses === null) {
        await options.stores.createDraft(draft.issue);
        drafts += 1;
      }
      // The mapping follows the draft to the remote issue when the engine creates it.
      await options.stores.addMapping(draft.qualified_id, createRef(draft.issue.ref));
      mapped += 1;
    }
    // One edit per blocking issue: its links plus the new ones (the engine adds what is missing).
    const byIdentity = new Map<string, CanonicalLink[]>();
    for (const link of plan.links)
      byIdentity.set(link.identity, [...(byIdentity.get(link.identity) ?? []), link.link]);
    const views = new Map(issues.map((i) => [refIdentity(i.ref), i]));
    for (const [identity, added] of byIdentity) {
      const current = views.get(identity);
      if (!current) continue;
      if (await options.stores.recordLocalEdit(identity, {links: [...current.links, ...added]}))
        linkEdits += added.length;
    }
  } else {
    edits = plan.edits.length;
    drafts = plan.drafts.filter((d) => d.reuses === null).length;
    mapped = plan.drafts.length + plan.adopted.length;
    linkEdits = plan.links.length;
  }
  return {
    ...plan,
    warnings: [...laneWarnings, ...plan.warnings],
    dry_run: dryRun,
    diagnostics: project.diagnostics,
    counts: {edits, drafts, mappings: mapped, links: linkEdits},
  };
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
