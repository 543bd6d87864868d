/**
 * What the work-package planner decides (`planWorkPackageIntents`): the intents it hands to the
 * stores and, through them, to the engine's push. Plain data, JSON-serialisable for `--json`.
 */
import type {CanonicalIssue, CanonicalLink} from '../../core/model/canonical-issue.js';
import type {CanonicalStatus} from '../../core/model/enums.js';
import type {ExternalRef} from '../../core/model/external-ref.js';
import type {OwnershipPolicy} from '../../core/policy/ownership.js';
import type {ConnectorCapabilities} from '../../core/protocols/connector.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import type {LaneMapping} from './lanes.js';
import type {Mission} from './work-package-model.js';

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
  | 'links_not_owned'
  | 'parent_not_owned'
  | 'foreign_parent';

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

/** A work package's issue placed under its mission's issue (or moved there from another mission's). */
export interface ParentIntent {
  readonly qualified_id: string;
  readonly identity: string;
  readonly key: string | null;
  readonly parent: ExternalRef;
  /** The parent it has now (another mission's issue), or null. */
  readonly from: ExternalRef | null;
}

/**
 * The issue that stands for a mission: created as a draft when it has none (its mapping is
 * `<slug>/mission`), closed when every work package is done, reopened when one is not.
 */
export interface MissionIssueIntent {
  readonly slug: string;
  readonly title: string;
  /** The draft to create (null: the mission has its issue already). */
  readonly draft: DraftIntent | null;
  /** An existing issue carrying the mission's marker, mapped to it instead of creating one. */
  readonly adopted: {readonly identity: string; readonly key: string | null} | null;
  readonly status: {
    readonly identity: string;
    readonly key: string | null;
    readonly from: CanonicalStatus;
    readonly to: CanonicalStatus;
  } | null;
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
  /** Relations between two work packages' issues that no dependency asks for any more. */
  readonly unlinks: readonly LinkIntent[];
  /** Dependencies whose link waits until both issues exist remotely. */
  readonly deferred_links: number;
  readonly missions: readonly MissionIssueIntent[];
  readonly parents: readonly ParentIntent[];
  /** Work packages whose parent waits until their mission's issue exists remotely. */
  readonly deferred_parents: number;
  /**
   * Of the waiting links and parents, those written on an issue this push creates: the push
   * knows that issue's state (it made it), so the write costs no read of it.
   */
  readonly deferred_on_created: number;
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
  /** One issue per mission, parent of its work packages' issues (the host decides; default off). */
  readonly missionIssues?: boolean;
  /** Mints draft ids (`draft-<id>`); required when `createMissing`. */
  readonly newDraftId?: () => string;
}
