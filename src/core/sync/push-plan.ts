import {
  createIssue,
  fieldValuesEqual,
  NEUTRAL_FIELD_VALUES,
  type CanonicalIssue,
  type CanonicalLink,
  type IssueField,
} from '../model/canonical-issue.js';
import {refIdentity} from '../model/external-ref.js';
import type {CanonicalStatus} from '../model/enums.js';
import type {JsonValue} from '../model/json.js';
import {localCanWrite, type OwnershipPolicy} from '../policy/ownership.js';
import type {ConnectorCapabilities} from '../protocols/connector.js';
import type {PendingChange} from '../protocols/issue-store.js';
import type {ConflictRecord} from '../policy/conflicts.js';

/** Why a local change is not sent. */
export type SkipReason =
  /** The binding is `external_authoritative`: the tracker owns everything, nothing is written. */
  | 'external_authoritative'
  /** The field's owner is the tracker (`split_ownership`). */
  | 'owned_by_external'
  /** An open manual-review conflict holds the field until someone decides. */
  | 'manual_review_open'
  /** A draft whose title the tracker owns cannot be created from here. */
  | 'create_not_allowed'
  /** The draft is not created yet, so its comments wait. */
  | 'draft_not_created';

/** Why a change cannot be sent by this connector. */
export type UnsupportedReason =
  | 'field_not_writable'
  | 'create_not_supported'
  | 'comments_not_supported'
  | 'links_not_supported'
  | 'link_removal_not_supported';

export interface PlannedCreate {
  readonly draft_identity: string;
  readonly title: string;
  /** The remote issue an earlier, interrupted run already created for this draft (adopted, not created). */
  readonly adopt: string | null;
  /** Fields of the draft sent with the create. */
  readonly fields: IssueField[];
}

export interface PlannedFieldChange {
  readonly field: IssueField;
  readonly from: JsonValue;
  readonly to: JsonValue;
}

export interface PlannedUpdate {
  readonly identity: string;
  readonly key: string | null;
  readonly changes: PlannedFieldChange[];
}

export interface PlannedTransition {
  readonly identity: string;
  readonly key: string | null;
  readonly from: CanonicalStatus;
  readonly to: CanonicalStatus;
}

export interface PlannedLink {
  readonly identity: string;
  readonly link: JsonValue;
}

export interface PlannedComment {
  readonly comment_id: string;
  readonly identity: string;
}

export interface SkippedChange {
  readonly identity: string;
  readonly fields: IssueField[];
  readonly reason: SkipReason;
}

export interface UnsupportedChange {
  readonly identity: string;
  readonly field: IssueField | null;
  readonly reason: UnsupportedReason;
  /** The connector's own words, when it refused the write itself (what it lacks, what to do). */
  readonly detail?: string;
}

export interface PlannedPull {
  /** Issues listed (after de-duplication). */
  listed: number;
  created: string[];
  updated: {identity: string; fields: IssueField[]}[];
  /** Local issues a full listing no longer returned. */
  deleted: string[];
}

/**
 * The whole plan of a sync: what the pull brings in and what the push sends. JSON-serialisable
 * as is (for `--dry-run --json`); `summarisePlan` gives the counts.
 */
export interface SyncPlan {
  pull: PlannedPull | null;
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  transitions: PlannedTransition[];
  links: PlannedLink[];
  /** Relations removed remotely (a dependency dropped from a task file), one write each. */
  unlinks: PlannedLink[];
  comments: PlannedComment[];
  conflicts: ReportedConflict[];
  unsupported: UnsupportedChange[];
  skipped: SkippedChange[];
}

export interface PlanSummary {
  readonly pulled: number;
  readonly pull_creates: number;
  readonly pull_updates: number;
  readonly pull_deletes: number;
  readonly creates: number;
  /** Issues updated remotely (field updates and/or transitions). */
  readonly updates: number;
  readonly field_updates: number;
  readonly transitions: number;
  readonly links: number;
  readonly unlinks: number;
  readonly comments: number;
  readonly conflicts: number;
  readonly unsupported: number;
  readonly skipped: number;
  /** Remote writes the plan makes. */
  readonly writes: number;
}

export const emptyPlan = (): SyncPlan => ({
  pull: null,
  creates: [],
  updates: [],
  transitions: [],
  links: [],
  unlinks: [],
  comments: [],
  conflicts: [],
  unsupported: [],
  skipped: [],
});

export function summarisePlan(plan: SyncPlan): PlanSummary {
  const updated = new Set([
    ...plan.updates.map((u) => u.identity),
    ...plan.transitions.map((t) => t.identity),
    ...plan.links.map((l) => l.identity),
    ...plan.unlinks.map((l) => l.identity),
  ]);
  const creates = plan.creates.filter((c) => c.adopt === null).length;
  return {
    pulled: plan.pull?.listed ?? 0,
    pull_creates: plan.pull?.created.length ?? 0,
    pull_updates: plan.pull?.updated.length ?? 0,
    pull_deletes: plan.pull?.deleted.length ?? 0,
    creates,
    updates: updated.size,
    field_updates: plan.updates.length,
    transitions: plan.transitions.length,
    links: plan.links.length,
    unlinks: plan.unlinks.length,
    comments: plan.comments.length,
    conflicts: plan.conflicts.length,
    unsupported: plan.unsupported.length,
    skipped: plan.skipped.length,
    writes:
      creates +
      plan.updates.length +
      plan.transitions.length +
      plan.links.length +
      plan.unlinks.length +
      plan.comments.length,
  };
}

/** What may be sent of one pending change, decided from local data only (no request). */
export interface PendingTriage {
  readonly change: PendingChange;
  /** Fields that may go out (subject to the three-way check against the current remote). */
  readonly sendable: IssueField[];
  readonly skipped: SkippedChange[];
  readonly unsupported: UnsupportedChange[];
  /** For a draft: whether it may be created at all. */
  readonly creatable: boolean;
}

/**
 * Sorts a pending change's fields into sendable, skipped (ownership, open manual review) and
 * unsupported (the connector cannot write them). Pure, so the bulk guard can count the
 * would-be writes before any request.
 */
export function triagePending(
  change: PendingChange,
  policy: OwnershipPolicy,
  capabilities: ConnectorCapabilities,
  openManualFields: ReadonlySet<IssueField>,
): PendingTriage {
  const skipped: SkippedChange[] = [];
  const unsupported: UnsupportedChange[] = [];
  if (policy.mode === 'external_authoritative') {
    skipped.push({identity: change.identity, fields: [...change.fields], reason: 'external_authoritative'});
    return {change, sendable: [], skipped, unsupported, creatable: false};
  }
  if (change.draft) {
    if (!capabilities.create) {
      unsupported.push({identity: change.identity, field: null, reason: 'create_not_supported'});
      return {change, sendable: [], skipped, unsupported, creatable: false};
    }
    if (!localCanWrite(policy, 'title')) {
      skipped.push({identity: change.identity, fields: ['title'], reason: 'create_not_allowed'});
      return {change, sendable: [], skipped, unsupported, creatable: false};
    }
    // A draft's fields are judged on their values when it is prepared (see `prepareDraft`).
    return {change, sendable: [], skipped, unsupported, creatable: true};
  }
  const notOwned: IssueField[] = [];
  const held: IssueField[] = [];
  const sendable: IssueField[] = [];
  for (const field of change.fields) {
    if (!localCanWrite(policy, field)) notOwned.push(field);
    else if (openManualFields.has(field)) held.push(field);
    else if (!isWritable(field, capabilities)) {
      unsupported.push({
        identity: change.identity,
        field,
        reason: field === 'links' ? 'links_not_supported' : 'field_not_writable',
      });
    } else sendable.push(field);
  }
  if (notOwned.length > 0)
    skipped.push({identity: change.identity, fields: notOwned, reason: 'owned_by_external'});
  if (held.length > 0) skipped.push({identity: change.identity, fields: held, reason: 'manual_review_open'});
  return {change, sendable, skipped, unsupported, creatable: false};
}

export function isWritable(field: IssueField, capabilities: ConnectorCapabilities): boolean {
  if (field === 'links') return capabilities.links && capabilities.writable_fields.includes('links');
  return capabilities.writable_fields.includes(field);
}

/** Links in `wanted` that `current` lacks, and those `current` has that `wanted` dropped. */
export function diffLinks(
  current: readonly CanonicalLink[],
  wanted: readonly CanonicalLink[],
): {added: CanonicalLink[]; removed: CanonicalLink[]} {
  const key = (l: CanonicalLink) => `${l.type}|${l.target.system}:${l.target.workspace}:${l.target.id}`;
  const have = new Set(current.map(key));
  const want = new Set(wanted.map(key));
  return {added: wanted.filter((l) => !have.has(key(l))), removed: current.filter((l) => !want.has(key(l)))};
}

/** The value a field has on an issue nobody set it on. */
const NEUTRAL_VALUES: {readonly [F in IssueField]: unknown} = NEUTRAL_FIELD_VALUES;

export interface PreparedDraft {
  /** The issue to send to `createIssue`. */
  readonly issue: CanonicalIssue;
  /** Fields set on the draft that the create sends. */
  readonly fields: IssueField[];
  readonly skipped: SkippedChange[];
  readonly unsupported: UnsupportedChange[];
}

/**
 * What a draft's create sends. Fields the tracker owns are left unset (reported as skipped);
 * set fields the connector cannot write are reported as unsupported rather than silently lost.
 */
export function prepareDraft(
  draft: CanonicalIssue,
  policy: OwnershipPolicy,
  capabilities: ConnectorCapabilities,
): PreparedDraft {
  const identity = refIdentity(draft.ref);
  const reset: Record<string, unknown> = {};
  const notOwned: IssueField[] = [];
  const unsupported: UnsupportedChange[] = [];
  const fields: IssueField[] = [];
  for (const field of Object.keys(NEUTRAL_VALUES) as IssueField[]) {
    if (field === 'title' || fieldValuesEqual(draft[field], NEUTRAL_VALUES[field])) continue;
    if (!localCanWrite(policy, field)) {
      notOwned.push(field);
      reset[field] = NEUTRAL_VALUES[field];
    } else if (!isWritable(field, capabilities)) {
      unsupported.push({
        identity,
        field,
        reason: field === 'links' ? 'links_not_supported' : 'field_not_writable',
      });
    } else fields.push(field);
  }
  const skipped: SkippedChange[] =
    notOwned.length > 0 ? [{identity, fields: notOwned, reason: 'owned_by_external'}] : [];
  const issue = Object.keys(reset).length > 0 ? createIssue({...draft, ...(reset as object)}) : draft;
  return {issue, fields: ['title', ...fields], skipped, unsupported};
}

/** A conflict the run found, with the issue it is about. */
export interface ReportedConflict extends ConflictRecord {
  readonly identity: string;
  /** False when the identical open conflict was already stored (not recorded again). */
  readonly recorded: boolean;
}
