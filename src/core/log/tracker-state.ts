import {isIssueField, type CanonicalIssue, type IssueField} from '../model/canonical-issue.js';
import {refIdentity, type ExternalRef} from '../model/external-ref.js';
import {issueFromJson, issueToJson} from '../model/issue-json.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../model/json.js';
import {createRef} from '../model/external-ref.js';
import type {PendingComment, StoredConflict} from '../protocols/issue-store.js';
import type {WorkPackageMapping} from '../protocols/mapping-store.js';
import {MappingTable} from './mapping-table.js';
import {jsonValuesEqual} from '../serialization/canonical-json.js';
import {LIST_OP_FIELDS, compareEvents, orderEvents, type ListOpField, type TrackerEvent} from './events.js';

/** One issue as the fold knows it. */
export interface IssueEntry {
  readonly identity: string;
  /** Last remote version (the three-way base); null for drafts. */
  base: CanonicalIssue | null;
  /** The draft as created locally; null for pulled issues. */
  draft: CanonicalIssue | null;
  /** Unsettled local edits, as JSON values keyed by field. */
  overrides: Map<IssueField, JsonValue>;
  editedAt: string | null;
  deleted: boolean;
  /** For a draft that was created remotely: the remote identity. */
  createdAs: string | null;
  /** Every event that touched this issue, for `show`'s history. */
  history: {event_id: string; at: string; kind: string}[];
}

/**
 * An entry without its history: what reads of one issue need. Durable logs may answer these
 * from a derived index without folding the whole log (`TrackerEventLog.readEntry`).
 */
export type IssueEntrySummary = Omit<IssueEntry, 'history'>;

/** Something the fold noticed that a person should look at (`doctor` reports these). */
export interface FoldDiagnostic {
  readonly code: 'mapping_conflict' | 'stale_remote_version' | 'orphan_reference';
  readonly message: string;
  readonly event_id: string;
}

/**
 * The overrides of every entry without local edits: one shared, unwritable map instead of an
 * empty Map per issue (a large pull holds tens of thousands of entries). `apply` gives an entry
 * its own map on its first edit.
 */
class NoOverrides extends Map<IssueField, JsonValue> {
  override set(): this {
    throw new Error('internal error: an entry without overrides was written to');
  }
}
const NO_OVERRIDES: Map<IssueField, JsonValue> = new NoOverrides();

/**
 * The deterministic fold of a tracker log. Apply events in `compareEvents` order (or use
 * `foldTrackerLog`); the same set of events always gives the same state, whatever the order
 * files or branches arrived in.
 *
 * Merge rules that make branches converge:
 * - a remote version replaces the base only when it is not older (`updated_at`), so a stale
 *   pull on one branch cannot roll back a newer one from another;
 * - a local edit equal to the base is not pending (both sides already agree);
 * - settling clears an edit only when the edit still holds the settled value, so a later edit
 *   made on another branch stays pending.
 */
export class TrackerState {
  private issueTable = new Map<string, IssueEntry>();
  /** draft identity -> remote identity */
  readonly createdDrafts = new Map<string, string>();
  readonly conflicts = new Map<string, StoredConflict>();
  readonly comments = new Map<string, PendingComment & {sent: boolean}>();
  /** key `${wp_id}\u0000${system}` */
  readonly mappings = new MappingTable();
  readonly diagnostics: FoldDiagnostic[] = [];
  eventCount = 0;
  last: {at: string; event_id: string} | null = null;

  get issues(): Map<string, IssueEntry> {
    return this.issueTable;
  }

  /**
   * Swaps the entry table for `entries`. A fold that hands entries out as it goes (the read
   * index's streamed build) calls it with a new table instead of deleting from this one: a
   * table that lived long enough to be tenured keeps every entry ever put in it alive through
   * the collector's minor cycles, so each would be copied to the old generation.
   */
  replaceIssues(entries: Map<string, IssueEntry>): void {
    this.issueTable = entries;
  }

  /** True when `event` sorts after everything applied so far (so it may be applied incrementally). */
  canAppend(event: Pick<TrackerEvent, 'at' | 'event_id'>): boolean {
    return this.last === null || compareEvents(this.last, event) < 0;
  }

  apply(event: TrackerEvent): void {
    this.eventCount += 1;
    this.last = {at: event.at, event_id: event.event_id};
    switch (event.kind) {
      case 'issue_pulled':
        return this.onIssuePulled(event);
      case 'issue_edited':
        return this.onIssueEdited(event);
      case 'edits_settled':
        return this.onEditsSettled(event);
      case 'issue_deleted':
        return this.onIssueDeleted(event);
      case 'draft_created':
        return this.onDraftCreated(event);
      case 'remote_created':
        return this.onRemoteCreated(event);
      case 'conflict_recorded':
        return this.onConflictRecorded(event);
      case 'conflict_closed':
        return this.onConflictClosed(event);
      case 'comment_added':
        return this.onCommentAdded(event);
      case 'comment_sent':
        return this.onCommentSent(event);
      case 'mapping_added':
        return this.onMappingAdded(event);
      case 'mapping_removed':
        this.mappings.delete(mappingKey(event.wp_id, event.system));
        return;
    }
  }

  private onIssuePulled(event: Extract<TrackerEvent, {kind: 'issue_pulled'}>): void {
    const issue = issueFromJson(event.issue);
    const entry = this.entry(refIdentity(issue.ref));
    this.touch(entry, event);
    if (entry.base === null || !isOlder(issue, entry.base)) {
      entry.base = issue;
    } else {
      this.diagnostics.push({
        code: 'stale_remote_version',
        message: `${entry.identity}: ignored a remote version older than the one already stored`,
        event_id: event.event_id,
      });
    }
    entry.deleted = false;
    if (event.settle) this.settle(entry, event.settle);
    this.dropConverged(entry);
  }

  private onIssueEdited(event: Extract<TrackerEvent, {kind: 'issue_edited'}>): void {
    const entry = this.entry(event.identity);
    this.touch(entry, event);
    for (const [field, value] of Object.entries(event.fields)) {
      if (!isIssueField(field) || isJsonObject(event.ops?.[field])) continue;
      if (entry.overrides === NO_OVERRIDES) entry.overrides = new Map();
      entry.overrides.set(field, value);
    }
    for (const [field, op] of Object.entries(event.ops ?? {})) {
      if (!isListOpField(field) || !isJsonObject(op)) continue;
      const next = applyListOp(currentList(entry, field), op);
      if (entry.overrides === NO_OVERRIDES) entry.overrides = new Map();
      entry.overrides.set(field, next);
    }
    entry.editedAt = event.at;
    this.dropConverged(entry);
  }

  private onEditsSettled(event: Extract<TrackerEvent, {kind: 'edits_settled'}>): void {
    const entry = this.entry(event.identity);
    this.touch(entry, event);
    this.settle(entry, event.fields);
  }

  private onIssueDeleted(event: Extract<TrackerEvent, {kind: 'issue_deleted'}>): void {
    const entry = this.entry(event.identity);
    this.touch(entry, event);
    entry.deleted = true;
  }

  private onDraftCreated(event: Extract<TrackerEvent, {kind: 'draft_created'}>): void {
    const issue = issueFromJson(event.issue);
    const entry = this.entry(refIdentity(issue.ref));
    this.touch(entry, event);
    entry.draft = issue;
    entry.deleted = false;
  }

  private onRemoteCreated(event: Extract<TrackerEvent, {kind: 'remote_created'}>): void {
    const issue = issueFromJson(event.issue);
    const remoteIdentity = refIdentity(issue.ref);
    const draft = this.entry(event.draft_identity);
    this.touch(draft, event);
    draft.createdAs = remoteIdentity;
    this.createdDrafts.set(event.draft_identity, remoteIdentity);
    const entry = this.entry(remoteIdentity);
    this.touch(entry, event);
    if (entry.base === null || !isOlder(issue, entry.base)) entry.base = issue;
    entry.deleted = false;
    // Mappings and comments made against the draft follow it to the remote issue.
    for (const key of this.mappings.keysFor(event.draft_identity)) {
      const mapping = this.mappings.get(key)!;
      this.mappings.set(key, {...mapping, ref: issue.ref, updated_at: event.at});
    }
    this.dropConverged(entry);
  }

  private onConflictRecorded(event: Extract<TrackerEvent, {kind: 'conflict_recorded'}>): void {
    this.conflicts.set(event.event_id, {
      conflict_id: event.event_id,
      identity: event.identity,
      at: event.at,
      field_name: event.field_name as IssueField,
      base_value: event.base_value,
      local_value: event.local_value,
      external_value: event.external_value,
      resolved_value: event.resolved_value,
      winner: event.winner,
      strategy: event.strategy as StoredConflict['strategy'],
      manual_review_required: event.manual_review_required,
      open: event.manual_review_required,
    });
    const entry = this.issues.get(event.identity);
    if (entry) this.touch(entry, event);
  }

  private onConflictClosed(event: Extract<TrackerEvent, {kind: 'conflict_closed'}>): void {
    for (const id of event.conflict_ids) {
      const conflict = this.conflicts.get(id);
      if (conflict) this.conflicts.set(id, {...conflict, open: false});
    }
  }

  private onCommentAdded(event: Extract<TrackerEvent, {kind: 'comment_added'}>): void {
    this.comments.set(event.event_id, {
      comment_id: event.event_id,
      identity: event.identity,
      body: event.body,
      at: event.at,
      sent: false,
    });
    const entry = this.issues.get(event.identity);
    if (entry) this.touch(entry, event);
  }

  private onCommentSent(event: Extract<TrackerEvent, {kind: 'comment_sent'}>): void {
    const comment = this.comments.get(event.comment_id);
    if (comment) comment.sent = true;
  }

  private onMappingAdded(event: Extract<TrackerEvent, {kind: 'mapping_added'}>): void {
    const ref = createRef(event.ref as never);
    const identity = refIdentity(ref);
    for (const key of this.mappings.keysFor(identity)) {
      const mapping = this.mappings.get(key)!;
      if (mapping.wp_id !== event.wp_id) {
        this.mappings.delete(key);
        this.diagnostics.push({
          code: 'mapping_conflict',
          message: `${identity} was mapped to ${mapping.wp_id} and to ${event.wp_id}; kept the later mapping (${event.wp_id})`,
          event_id: event.event_id,
        });
      }
    }
    const key = mappingKey(event.wp_id, ref.system);
    const previous = this.mappings.get(key);
    this.mappings.set(key, {
      wp_id: event.wp_id,
      ref,
      created_at: previous && refIdentity(previous.ref) === identity ? previous.created_at : event.at,
      updated_at: event.at,
    });
  }

  /** The local view of an entry: base (or draft) with unsettled edits applied. */
  localView(entry: IssueEntrySummary): CanonicalIssue | null {
    return localViewOf(entry);
  }

  /** Live entries: known, not deleted, and not a draft that has already become a remote issue. */
  liveEntries(): IssueEntry[] {
    return [...this.issues.values()]
      .filter(isLiveEntry)
      .sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  }

  /** Fields whose local value differs from the base. */
  pendingFields(entry: IssueEntry): IssueField[] {
    return [...entry.overrides.keys()].sort();
  }

  /** The mappings to the issue of this identity (one, unless the log holds a conflict). */
  mappingsOf(identity: string): WorkPackageMapping[] {
    return this.mappings.keysFor(identity).map((key) => this.mappings.get(key)!);
  }

  mappingFor(wpId: string, system: string): WorkPackageMapping | undefined {
    return this.mappings.get(mappingKey(wpId, system));
  }

  private entry(identity: string): IssueEntry {
    let entry = this.issues.get(identity);
    if (!entry) {
      entry = {
        identity,
        base: null,
        draft: null,
        overrides: NO_OVERRIDES,
        editedAt: null,
        deleted: false,
        createdAs: null,
        history: [],
      };
      this.issues.set(identity, entry);
    }
    return entry;
  }

  private touch(entry: IssueEntry, event: TrackerEvent): void {
    entry.history.push({event_id: event.event_id, at: event.at, kind: event.kind});
  }

  private settle(entry: IssueEntry, fields: JsonObject): void {
    for (const [field, value] of Object.entries(fields)) {
      if (!isIssueField(field)) continue;
      const current = entry.overrides.get(field);
      if (current !== undefined && jsonValuesEqual(current, value)) entry.overrides.delete(field);
    }
  }

  private dropConverged(entry: IssueEntry): void {
    const start = entry.base ?? entry.draft;
    if (start === null || entry.overrides.size === 0) return;
    const json = issueToJson(start);
    for (const [field, value] of entry.overrides) {
      if (jsonValuesEqual(json[field], value)) entry.overrides.delete(field);
    }
  }
}

/** The local view of an entry: base (or draft) with unsettled edits applied. */
export function localViewOf(entry: IssueEntrySummary): CanonicalIssue | null {
  const start = entry.base ?? entry.draft;
  if (start === null) return null;
  if (entry.overrides.size === 0) return start;
  const json = issueToJson(start);
  for (const [field, value] of entry.overrides) json[field] = value;
  return issueFromJson({...json, updated_at: laterOf(start.updated_at, entry.editedAt)});
}

function isListOpField(field: string): field is ListOpField {
  return (LIST_OP_FIELDS as readonly string[]).includes(field);
}

/** A list field's value at this point of the fold: the unsettled edit, else the base's (or draft's). */
function currentList(entry: IssueEntrySummary, field: ListOpField): readonly string[] {
  const edited = entry.overrides.get(field);
  if (Array.isArray(edited)) return edited.filter((item): item is string => typeof item === 'string');
  return (entry.base ?? entry.draft)?.[field] ?? [];
}

/**
 * Adds, then removes, items of a list field, sorted as the edit writes it. Applied to the value
 * at its place in the fold, so edits adding or removing different items commute.
 */
export function applyListOp(current: readonly string[], op: JsonObject): string[] {
  const items = new Set(current);
  const strings = (value: JsonValue | undefined) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  for (const item of strings(op.add)) items.add(item);
  for (const item of strings(op.remove)) items.delete(item);
  return [...items].sort();
}

/** Known, not deleted, and not a draft that has already become a remote issue. */
export function isLiveEntry(entry: IssueEntrySummary): boolean {
  return !entry.deleted && entry.createdAs === null && (entry.base !== null || entry.draft !== null);
}

export function mappingKey(wpId: string, system: string): string {
  return `${wpId}\u0000${system}`;
}

/** Folds events in any order into a state: dedupe by event_id, order by (at, event_id). */
export function foldTrackerLog(events: Iterable<TrackerEvent>): TrackerState {
  const state = new TrackerState();
  for (const event of orderEvents(events)) state.apply(event);
  return state;
}

function isOlder(candidate: CanonicalIssue, current: CanonicalIssue): boolean {
  if (candidate.updated_at === null || current.updated_at === null) return false;
  return Date.parse(candidate.updated_at) < Date.parse(current.updated_at);
}

function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

export function refFromIdentityOrRef(key: ExternalRef | string): string {
  return typeof key === 'string' ? key : refIdentity(key);
}
