import {ValidationError} from '../errors.js';
import {CORE_ISSUE_FIELDS, isIssueField, type IssueField} from '../model/canonical-issue.js';
import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES, LINK_TYPES, isOneOf} from '../model/enums.js';
import {compareInstants} from '../model/instant.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../model/json.js';
import {ULID_PATTERN} from '../util/ulid.js';

/**
 * The tracker log: every change to a scope's cache is one immutable event. Hosts persist these
 * (the CLI as JSONL lines), any order of arrival folds to the same state (`foldTrackerLog`).
 *
 * Field names are the wire names; issues and refs use the `issueToJson` form.
 */
export const TRACKER_EVENT_KINDS = [
  'issue_pulled',
  'issue_edited',
  'edits_settled',
  'issue_deleted',
  'draft_created',
  'remote_created',
  'conflict_recorded',
  'conflict_closed',
  'comment_added',
  'comment_sent',
  'mapping_added',
  'mapping_removed',
] as const;
export type TrackerEventKind = (typeof TRACKER_EVENT_KINDS)[number];

interface EventBase {
  /** ULID; identity of the event across clones and branches. */
  readonly event_id: string;
  /** ISO-8601 UTC instant the event was written. */
  readonly at: string;
}

/** A remote version of an issue: the new base. `settle` holds local edit values it settles. */
export interface IssuePulledEvent extends EventBase {
  readonly kind: 'issue_pulled';
  readonly issue: JsonObject;
  readonly settle?: JsonObject;
}
/**
 * Local edit values. `fields` holds each edited field's value as the writer saw it afterwards;
 * `ops` (absent in events written before it existed) holds, for list fields edited by adding or
 * removing items, the operation itself (`{add?: string[], remove?: string[]}`). The fold applies
 * an operation to the value it has at that point, so two edits adding different labels keep both
 * whichever order they fold in; readers that predate `ops` still find the value in `fields`.
 */
export interface IssueEditedEvent extends EventBase {
  readonly kind: 'issue_edited';
  readonly identity: string;
  readonly fields: JsonObject;
  readonly ops?: JsonObject;
}
/** Local edit values that are no longer pending (pushed, or the remote value won). */
export interface EditsSettledEvent extends EventBase {
  readonly kind: 'edits_settled';
  readonly identity: string;
  readonly fields: JsonObject;
}
export interface IssueDeletedEvent extends EventBase {
  readonly kind: 'issue_deleted';
  readonly identity: string;
}
export interface DraftCreatedEvent extends EventBase {
  readonly kind: 'draft_created';
  readonly issue: JsonObject;
}
/** A draft became a remote issue: recorded right after the create, so a retry never creates twice. */
export interface RemoteCreatedEvent extends EventBase {
  readonly kind: 'remote_created';
  readonly draft_identity: string;
  readonly issue: JsonObject;
}
export interface ConflictRecordedEvent extends EventBase {
  readonly kind: 'conflict_recorded';
  readonly identity: string;
  readonly field_name: string;
  readonly base_value: JsonValue;
  readonly local_value: JsonValue;
  readonly external_value: JsonValue;
  readonly resolved_value: JsonValue;
  readonly winner: 'local' | 'external';
  readonly strategy: string;
  readonly manual_review_required: boolean;
}
export interface ConflictClosedEvent extends EventBase {
  readonly kind: 'conflict_closed';
  readonly identity: string;
  readonly conflict_ids: string[];
}
export interface CommentAddedEvent extends EventBase {
  readonly kind: 'comment_added';
  readonly identity: string;
  readonly body: string;
}
export interface CommentSentEvent extends EventBase {
  readonly kind: 'comment_sent';
  readonly comment_id: string;
}
export interface MappingAddedEvent extends EventBase {
  readonly kind: 'mapping_added';
  readonly wp_id: string;
  readonly ref: JsonObject;
}
export interface MappingRemovedEvent extends EventBase {
  readonly kind: 'mapping_removed';
  readonly wp_id: string;
  readonly system: string;
}

export type TrackerEvent =
  | IssuePulledEvent
  | IssueEditedEvent
  | EditsSettledEvent
  | IssueDeletedEvent
  | DraftCreatedEvent
  | RemoteCreatedEvent
  | ConflictRecordedEvent
  | ConflictClosedEvent
  | CommentAddedEvent
  | CommentSentEvent
  | MappingAddedEvent
  | MappingRemovedEvent;

/** Distributes Omit over the union, so a payload keeps its kind's fields. */
export type TrackerEventPayload = TrackerEvent extends infer E
  ? E extends TrackerEvent
    ? Omit<E, 'event_id' | 'at'>
    : never
  : never;

const REQUIRED_STRINGS: Record<TrackerEventKind, readonly string[]> = {
  issue_pulled: [],
  issue_edited: ['identity'],
  edits_settled: ['identity'],
  issue_deleted: ['identity'],
  draft_created: [],
  remote_created: ['draft_identity'],
  conflict_recorded: ['identity', 'field_name', 'winner', 'strategy'],
  conflict_closed: ['identity'],
  comment_added: ['identity', 'body'],
  comment_sent: ['comment_id'],
  mapping_added: ['wp_id'],
  mapping_removed: ['wp_id', 'system'],
};

const REQUIRED_OBJECTS: Record<TrackerEventKind, readonly string[]> = {
  issue_pulled: ['issue'],
  issue_edited: ['fields'],
  edits_settled: ['fields'],
  issue_deleted: [],
  draft_created: ['issue'],
  remote_created: ['issue'],
  conflict_recorded: [],
  conflict_closed: [],
  comment_added: [],
  comment_sent: [],
  mapping_added: ['ref'],
  mapping_removed: [],
};

/**
 * Checks the structure of a parsed log line. Unknown kinds fail loudly (a newer writer's log
 * must not be half-understood); the message says what is wrong, the caller adds file:line.
 */
export function parseTrackerEvent(value: unknown): TrackerEvent {
  if (!isJsonObject(value)) throw new ValidationError('event', 'expected a JSON object');
  const {event_id: eventId, at, kind} = value;
  if (typeof eventId !== 'string' || !ULID_PATTERN.test(eventId)) {
    throw new ValidationError('event_id', `expected a ULID, got ${JSON.stringify(eventId)}`);
  }
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
    throw new ValidationError('at', `expected an ISO-8601 timestamp, got ${JSON.stringify(at)}`);
  }
  if (typeof kind !== 'string' || !(TRACKER_EVENT_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError('kind', `unknown event kind ${JSON.stringify(kind)}`, {
      hint: 'The log may have been written by a newer version of the plugin; upgrade it.',
    });
  }
  const typedKind = kind as TrackerEventKind;
  for (const key of REQUIRED_STRINGS[typedKind]) {
    if (typeof value[key] !== 'string' || value[key] === '') {
      throw new ValidationError(key, `a ${kind} event needs a non-empty string`);
    }
  }
  for (const key of REQUIRED_OBJECTS[typedKind]) {
    if (!isJsonObject(value[key])) throw new ValidationError(key, `a ${kind} event needs an object`);
  }
  if (typedKind === 'conflict_closed' && !Array.isArray(value.conflict_ids)) {
    throw new ValidationError('conflict_ids', 'a conflict_closed event needs a list');
  }
  if (typedKind === 'issue_edited' || typedKind === 'edits_settled') {
    checkFieldValues(value.fields as JsonObject, 'fields');
  }
  if (typedKind === 'issue_edited' && value.ops !== undefined) checkListOps(value.ops);
  if (typedKind === 'issue_pulled' || typedKind === 'draft_created' || typedKind === 'remote_created') {
    checkIssueJson(value.issue as JsonObject, 'issue');
  }
  if (typedKind === 'issue_pulled' && value.settle !== undefined) {
    if (!isJsonObject(value.settle)) throw new ValidationError('settle', 'must be an object when present');
    checkFieldValues(value.settle, 'settle');
  }
  if (typedKind === 'mapping_added') checkRefJson(value.ref, 'ref');
  if (typedKind === 'conflict_recorded' && value.winner !== 'local' && value.winner !== 'external') {
    throw new ValidationError('winner', `expected "local" or "external", got ${shown(value.winner)}`);
  }
  return value as unknown as TrackerEvent;
}

// ---- payload checks ------------------------------------------------------------------------
//
// The fold turns these payloads into issues (`issueFromJson`, `createRef`, `applyPatch`); a
// payload those would choke on must be refused here, where the host still knows file and line.
// The checks mirror what the model accepts (`createIssue` in ../model/canonical-issue.ts, on the
// persisted form of `issueToJson`) and use its vocabularies; they are plain type checks, so a
// cold read of a large log pays little for them.

/** A value for a message: JSON, cut short (a body can be long). */
function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isBlankString(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/** `{system, workspace, id, key?, url?}` as `refToJson` writes it. */
function checkRefJson(value: unknown, path: string): void {
  if (!isJsonObject(value)) throw new ValidationError(path, `must be an object, got ${shown(value)}`);
  for (const part of ['system', 'workspace', 'id'] as const) {
    if (isBlankString(value[part])) {
      throw new ValidationError(`${path}.${part}`, `must be a non-empty string, got ${shown(value[part])}`);
    }
  }
  for (const part of ['key', 'url'] as const) {
    const v = value[part];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new ValidationError(`${path}.${part}`, `must be a string or null, got ${shown(v)}`);
    }
  }
}

function checkStringList(value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new ValidationError(path, `must be a list of strings, got ${shown(value)}`);
  }
}

function checkTimestamp(value: unknown, path: string): void {
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'string' || Number.isNaN(new Date(value).getTime())) {
    throw new ValidationError(path, `must be an ISO-8601 timestamp or null, got ${shown(value)}`);
  }
}

/** One issue field's persisted value (in an issue, an edit or a settle). */
function checkFieldValue(field: IssueField, value: unknown, path: string): void {
  switch (field) {
    case 'title':
      if (isBlankString(value))
        throw new ValidationError(path, `must be a non-empty string, got ${shown(value)}`);
      return;
    case 'body':
      if (value !== null && value !== undefined && typeof value !== 'string')
        throw new ValidationError(path, `must be a string or null, got ${shown(value)}`);
      return;
    case 'status':
      if (value !== null && value !== undefined && !isOneOf(CANONICAL_STATUSES, value))
        throw new ValidationError(
          path,
          `must be one of ${CANONICAL_STATUSES.join(', ')}, got ${shown(value)}`,
        );
      return;
    case 'issue_type':
      if (value !== null && value !== undefined && !isOneOf(CANONICAL_ISSUE_TYPES, value))
        throw new ValidationError(
          path,
          `must be one of ${CANONICAL_ISSUE_TYPES.join(', ')}, got ${shown(value)}`,
        );
      return;
    case 'priority':
      if (
        value !== null &&
        value !== undefined &&
        !(typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4)
      )
        throw new ValidationError(path, `must be an integer from 0 to 4 or null, got ${shown(value)}`);
      return;
    case 'assignees':
    case 'labels':
      checkStringList(value, path);
      return;
    case 'parent':
      if (value !== null && value !== undefined) checkRefJson(value, path);
      return;
    case 'links':
      if (value === null || value === undefined) return;
      if (!Array.isArray(value)) throw new ValidationError(path, `must be a list, got ${shown(value)}`);
      value.forEach((link: unknown, index) => {
        const at = `${path}[${index}]`;
        if (!isJsonObject(link)) throw new ValidationError(at, `must be an object, got ${shown(link)}`);
        if (!isOneOf(LINK_TYPES, link.type))
          throw new ValidationError(
            `${at}.type`,
            `must be one of ${LINK_TYPES.join(', ')}, got ${shown(link.type)}`,
          );
        checkRefJson(link.target, `${at}.target`);
      });
      return;
    case 'custom_fields':
      if (value !== null && value !== undefined && !isJsonObject(value))
        throw new ValidationError(path, `must be an object, got ${shown(value)}`);
      return;
  }
}

/** The fields of an `issue_edited`, `edits_settled` or `settle` payload: issue fields only, well typed. */
function checkFieldValues(fields: JsonObject, path: string): void {
  for (const [field, value] of Object.entries(fields)) {
    if (!isIssueField(field)) throw new ValidationError(`${path}.${field}`, 'is not an issue field');
    checkFieldValue(field, value, `${path}.${field}`);
  }
}

/** The fields an edit may change by adding or removing items (see `IssueEditedEvent.ops`). */
export const LIST_OP_FIELDS = ['labels', 'assignees'] as const;
export type ListOpField = (typeof LIST_OP_FIELDS)[number];

/** An `issue_edited` event's `ops`: `{labels|assignees: {add?: string[], remove?: string[]}}`. */
function checkListOps(ops: unknown): void {
  if (!isJsonObject(ops)) throw new ValidationError('ops', `must be an object, got ${shown(ops)}`);
  for (const [field, op] of Object.entries(ops)) {
    if (!(LIST_OP_FIELDS as readonly string[]).includes(field))
      throw new ValidationError(`ops.${field}`, `only ${LIST_OP_FIELDS.join(' and ')} take operations`);
    if (!isJsonObject(op)) throw new ValidationError(`ops.${field}`, `must be an object, got ${shown(op)}`);
    for (const [name, items] of Object.entries(op)) {
      if (name !== 'add' && name !== 'remove')
        throw new ValidationError(`ops.${field}.${name}`, 'expected only "add" and "remove"');
      checkStringList(items, `ops.${field}.${name}`);
    }
  }
}

/** An issue in the persisted form of `issueToJson`. */
function checkIssueJson(issue: JsonObject, path: string): void {
  checkRefJson(issue.ref, `${path}.ref`);
  checkFieldValue('title', issue.title, `${path}.title`);
  for (const field of CORE_ISSUE_FIELDS) {
    if (field !== 'title') checkFieldValue(field, issue[field], `${path}.${field}`);
  }
  checkTimestamp(issue.created_at, `${path}.created_at`);
  checkTimestamp(issue.updated_at, `${path}.updated_at`);
  if (issue.raw !== undefined && issue.raw !== null && !isJsonObject(issue.raw))
    throw new ValidationError(`${path}.raw`, `must be an object or null, got ${shown(issue.raw)}`);
}

/** Total order of the fold: by `at`, then `event_id`. */
export function compareEvents(
  a: Pick<TrackerEvent, 'at' | 'event_id'>,
  b: Pick<TrackerEvent, 'at' | 'event_id'>,
): number {
  if (a.at !== b.at) {
    // The same instant written two ways still has one order: by the text.
    const byTime = compareInstants(a.at, b.at);
    if (byTime !== 0) return byTime;
    return a.at < b.at ? -1 : 1;
  }
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

/** Dedupes by event_id (first seen wins) and sorts into fold order. */
export function orderEvents<E extends TrackerEvent>(events: Iterable<E>): E[] {
  const seen = new Map<string, E>();
  for (const event of events) if (!seen.has(event.event_id)) seen.set(event.event_id, event);
  const out = [...seen.values()];
  // Already in order (one writer's batch, one segment): nothing to sort.
  for (let i = 1; i < out.length; i++)
    if (compareEvents(out[i - 1]!, out[i]!) > 0) return out.sort(compareEvents);
  return out;
}

export type FieldsJson = Partial<Record<IssueField, JsonValue>>;
