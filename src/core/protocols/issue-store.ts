import type {CanonicalIssue, IssueField, IssuePatch} from '../model/canonical-issue.js';
import type {ExternalRef} from '../model/external-ref.js';
import type {ConflictRecord} from '../policy/conflicts.js';

/** An issue is addressed by its ref or by its identity string `system:workspace:id`. */
export type IssueKey = ExternalRef | string;

export interface IssueQuery {
  /** Only issues of this provider system. */
  system?: string;
}

/** A remote version of an issue to record as the new base, with what it settles. */
export interface RemoteUpdate {
  readonly issue: CanonicalIssue;
  /** Local edits of these fields are settled: they were pushed, or the remote value won. */
  readonly settle?: readonly IssueField[];
  /** Conflicts found while merging this issue, recorded in the same atomic write. */
  readonly conflicts?: readonly ConflictRecord[];
}

/** The two versions a three-way merge starts from (the remote version is the third). */
export interface MergeInputs {
  readonly base: CanonicalIssue | null;
  readonly local: CanonicalIssue | null;
  /** When the pending local edits were made (null: none pending, or unknown). */
  readonly edited_at?: string | null;
}

/** An issue with local changes that a push would send. */
export interface PendingChange {
  readonly identity: string;
  readonly ref: ExternalRef;
  /** True for a local draft: it does not exist remotely yet. */
  readonly draft: boolean;
  /** Fields whose local value differs from the base. */
  readonly fields: readonly IssueField[];
  /** When the latest local edit was made. */
  readonly edited_at: string | null;
}

export interface StoredConflict extends ConflictRecord {
  readonly conflict_id: string;
  readonly identity: string;
  readonly at: string;
  /** A manual-review conflict stays open until closed; others are closed when recorded. */
  readonly open: boolean;
}

export interface PendingComment {
  readonly comment_id: string;
  readonly identity: string;
  readonly body: string;
  readonly at: string;
}

/**
 * The issue cache. It keeps, per issue, the last pulled remote version (the **base** of every
 * three-way merge) and the local edits made since; the **local view** that `getIssue` and
 * `listIssues` return is the base with those edits applied.
 *
 * Writes that change nothing (a value equal to what is stored) must not write at all, and every
 * method that writes several things writes them atomically.
 */
export interface IssueStore {
  /** Local views of all known, non-deleted issues (drafts included), ordered by identity. */
  listIssues(query?: IssueQuery): Promise<CanonicalIssue[]>;
  /** The local view, or null when unknown or deleted. */
  getIssue(key: IssueKey): Promise<CanonicalIssue | null>;
  /** The last remote version recorded, or null (never pulled, or a draft). */
  getBase(key: IssueKey): Promise<CanonicalIssue | null>;
  /**
   * Base and local view of many issues from ONE consistent read: what a pulled page needs to
   * merge, without a store round trip per issue. Unknown identities map to nulls.
   */
  getMergeInputs(keys: readonly IssueKey[]): Promise<Map<string, MergeInputs>>;
  /** Locally edited values not yet settled; `{}` when none. */
  getLocalEdits(key: IssueKey): Promise<IssuePatch>;
  /** Every issue with unsettled local edits, and every draft, ordered by identity. */
  listPending(): Promise<PendingChange[]>;

  /** Records remote versions as new bases, atomically. Returns how many changed anything. */
  recordRemote(updates: readonly RemoteUpdate[]): Promise<number>;
  /** `recordRemote([{issue}])`, kept for parity with the store protocol of spec-kitty's Python tracker. */
  upsertIssue(issue: CanonicalIssue): Promise<boolean>;
  /**
   * Records a local edit of an existing issue or draft. A value equal to the base drops that
   * field's edit (the change was undone). Returns false when nothing changed.
   */
  recordLocalEdit(key: IssueKey, patch: IssuePatch): Promise<boolean>;
  /**
   * Records a local edit decided from the state read under the writer lock: values to set, and
   * items to add to or remove from list fields as operations, so that concurrent edits (other
   * processes, other branches) of the same issue keep each other's changes. Returns the fields
   * that changed (none: nothing was recorded). Stores over a tracker log have it; the edit
   * command needs it.
   */
  applyLocalEdit?(key: IssueKey, edit: LocalEdit): Promise<IssueField[]>;
  /** Forgets the local edits of these fields without a new base. */
  settleLocalEdits(key: IssueKey, fields: readonly IssueField[]): Promise<boolean>;
  /** Marks the issue deleted (remote deletion seen by a full listing, or a discarded draft). */
  deleteIssue(key: IssueKey): Promise<boolean>;

  /**
   * Stores a new local-only issue. Its ref id must start with `draft-` (see `isDraftRef`):
   * that provisional identity is also the idempotency key of its remote creation.
   */
  createDraft(issue: CanonicalIssue): Promise<CanonicalIssue>;
  /**
   * Durably links a draft to the remote issue created for it and records the remote version as
   * that issue's base, atomically. After this, the draft no longer appears in listings.
   */
  recordRemoteCreated(draft: IssueKey, remote: CanonicalIssue): Promise<void>;
  /** The remote ref a draft became, or null when it has not been created (yet). */
  resolveDraft(draft: IssueKey): Promise<ExternalRef | null>;

  recordConflicts(key: IssueKey, conflicts: readonly ConflictRecord[]): Promise<StoredConflict[]>;
  listConflicts(query?: {openOnly?: boolean; identity?: string}): Promise<StoredConflict[]>;
  /** Closes open conflicts of these fields (all fields when omitted). Returns how many closed. */
  closeConflicts(key: IssueKey, fields?: readonly IssueField[]): Promise<number>;

  /** A comment written offline, sent by the next push. */
  addPendingComment(key: IssueKey, body: string): Promise<PendingComment>;
  listPendingComments(): Promise<PendingComment[]>;
  /** The comment reached the tracker: forget it. */
  settleComment(commentId: string): Promise<void>;

  /**
   * Optional: runs `body` and records every write it makes through this store as one atomic
   * write when it returns (none when it throws). Reads inside see the writes at once. For many
   * small writes that need no durability in between (a thousand drafts, a batch of outcomes).
   */
  batch?<T>(body: () => Promise<T>): Promise<T>;

  /** Newest `updated_at` among recorded remote versions: where a pull resumes without a checkpoint. */
  highWaterMark(query?: IssueQuery): Promise<string | null>;
}

/** Items to add to, then remove from, a list field. */
export interface ListEdit {
  readonly add?: readonly string[];
  readonly remove?: readonly string[];
}

/** A local edit as asked for: values to set, and additions and removals for list fields. */
export interface LocalEdit {
  readonly set?: IssuePatch;
  readonly labels?: ListEdit;
  readonly assignees?: ListEdit;
}
