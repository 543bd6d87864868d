import {ValidationError} from '../errors.js';
import {
  CANONICAL_ISSUE_TYPES,
  CANONICAL_STATUSES,
  LINK_TYPES,
  isOneOf,
  type CanonicalIssueType,
  type CanonicalStatus,
  type LinkType,
} from './enums.js';
import {createRef, refIdentity, type ExternalRef, type ExternalRefInput} from './external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from './json.js';

export interface CanonicalLink {
  readonly type: LinkType;
  readonly target: ExternalRef;
}

/**
 * The provider-neutral issue. Property names are the snake_case names of the stored and wire
 * JSON, which spec-kitty's Python tracker (`spec_kitty_tracker`) reads and writes too, so an
 * issue serialises to the same JSON whichever implementation wrote it.
 *
 * Sets (`assignees`, `labels`, `links`) are kept deduplicated and sorted: their order carries no
 * meaning on any provider, and a canonical order makes comparisons and log lines deterministic.
 */
export interface CanonicalIssue {
  readonly ref: ExternalRef;
  readonly title: string;
  readonly body: string | null;
  readonly status: CanonicalStatus;
  readonly issue_type: CanonicalIssueType;
  /** 0 (highest) .. 4 (lowest), or null when unset. */
  readonly priority: number | null;
  readonly assignees: readonly string[];
  readonly labels: readonly string[];
  readonly parent: ExternalRef | null;
  readonly links: readonly CanonicalLink[];
  readonly custom_fields: JsonObject;
  /** ISO-8601 UTC (`toISOString()` form) or null. */
  readonly created_at: string | null;
  readonly updated_at: string | null;
  /** The provider's own payload, for connectors' use; never persisted by durable stores. */
  readonly raw: JsonObject | null;
}

/** The fields sync reasons about, one by one (ownership, three-way merge, patches). */
export const CORE_ISSUE_FIELDS = [
  'title',
  'body',
  'status',
  'issue_type',
  'priority',
  'assignees',
  'labels',
  'parent',
  'links',
  'custom_fields',
] as const;
export type IssueField = (typeof CORE_ISSUE_FIELDS)[number];

export type IssueFieldValues = {-readonly [F in IssueField]: CanonicalIssue[F]};

/** The value each field has on an issue nobody set it on (an empty draft, a probe issue). */
export const NEUTRAL_FIELD_VALUES: Readonly<IssueFieldValues> = Object.freeze({
  title: '',
  body: null,
  status: 'todo',
  issue_type: 'task',
  priority: null,
  assignees: [],
  labels: [],
  parent: null,
  links: [],
  custom_fields: {},
});
export type IssuePatch = Partial<IssueFieldValues>;

export interface CanonicalIssueInput {
  ref: ExternalRef | ExternalRefInput;
  title: string;
  body?: string | null;
  status?: CanonicalStatus | string;
  issue_type?: CanonicalIssueType | string;
  priority?: number | null;
  assignees?: readonly string[];
  labels?: readonly string[];
  parent?: ExternalRef | ExternalRefInput | null;
  links?: readonly {type: LinkType | string; target: ExternalRef | ExternalRefInput}[];
  custom_fields?: JsonObject;
  created_at?: string | Date | null;
  updated_at?: string | Date | null;
  raw?: JsonObject | null;
}

export function isIssueField(value: unknown): value is IssueField {
  return isOneOf(CORE_ISSUE_FIELDS, value);
}

/** Validates and normalises an issue; every error names the field at fault. */
export function createIssue(input: CanonicalIssueInput): CanonicalIssue {
  const ref = createRef(input.ref, 'ref');
  const title = typeof input.title === 'string' ? input.title.trim() : '';
  if (title === '') throw new ValidationError('title', 'must not be blank');
  const status = input.status ?? 'todo';
  if (!isOneOf(CANONICAL_STATUSES, status)) {
    throw new ValidationError(
      'status',
      `unknown status '${String(status)}'; expected one of ${CANONICAL_STATUSES.join(', ')}`,
    );
  }
  const issueType = input.issue_type ?? 'task';
  if (!isOneOf(CANONICAL_ISSUE_TYPES, issueType)) {
    throw new ValidationError(
      'issue_type',
      `unknown issue type '${String(issueType)}'; expected one of ${CANONICAL_ISSUE_TYPES.join(', ')}`,
    );
  }
  return Object.freeze({
    ref,
    title,
    body: normaliseBody(input.body),
    status,
    issue_type: issueType,
    priority: normalisePriority(input.priority),
    assignees: normaliseSet(input.assignees, 'assignees'),
    labels: normaliseSet(input.labels, 'labels'),
    parent: input.parent ? createRef(input.parent, 'parent') : null,
    links: normaliseLinks(input.links ?? []),
    custom_fields: normaliseCustomFields(input.custom_fields),
    created_at: normaliseTimestamp(input.created_at, 'created_at'),
    updated_at: normaliseTimestamp(input.updated_at, 'updated_at'),
    raw: input.raw ?? null,
  });
}

/** A copy of `issue` with `patch` applied and re-validated. */
export function applyPatch(issue: CanonicalIssue, patch: IssuePatch): CanonicalIssue {
  return createIssue({...issue, ...patch});
}

export function withRef(issue: CanonicalIssue, ref: ExternalRef): CanonicalIssue {
  return createIssue({...issue, ref});
}

export function pickFields(
  issue: CanonicalIssue,
  fields: readonly IssueField[] = CORE_ISSUE_FIELDS,
): IssuePatch {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = issue[field];
  return out as IssuePatch;
}

/**
 * Structural equality of one field's values (sets are already canonical, so order is fixed).
 * The same value, or two different strings, need no JSON: a push compares every body several
 * times, and each JSON of a body (two bytes a character once it holds any non-ASCII) was a copy.
 */
export function fieldValuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return false;
  return stableKey(a) === stableKey(b);
}

/** Fields whose values differ between two issues. */
export function changedFields(from: CanonicalIssue, to: CanonicalIssue): IssueField[] {
  return CORE_ISSUE_FIELDS.filter((field) => !fieldValuesEqual(from[field], to[field]));
}

export function issuesEqual(a: CanonicalIssue, b: CanonicalIssue): boolean {
  return (
    refIdentity(a.ref) === refIdentity(b.ref) &&
    a.ref.key === b.ref.key &&
    a.ref.url === b.ref.url &&
    changedFields(a, b).length === 0 &&
    a.created_at === b.created_at &&
    a.updated_at === b.updated_at
  );
}

/** Validates a patch (field names and values) without needing an issue to apply it to. */
export function validatePatch(patch: Record<string, unknown>): IssuePatch {
  for (const key of Object.keys(patch)) {
    if (!isIssueField(key))
      throw new ValidationError(
        key,
        `is not an issue field; expected one of ${CORE_ISSUE_FIELDS.join(', ')}`,
      );
  }
  const probe = createIssue({
    ref: {system: 'x', workspace: 'x', id: 'x'},
    title: 'probe',
    ...(patch as IssuePatch),
  });
  return pickFields(probe, Object.keys(patch) as IssueField[]);
}

function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (isJsonObject(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, v[k]]),
      );
    }
    return v;
  });
}

function normaliseBody(body: string | null | undefined): string | null {
  if (typeof body !== 'string') return null;
  return body === '' ? null : body;
}

function normalisePriority(priority: number | null | undefined): number | null {
  if (priority === null || priority === undefined) return null;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 4) {
    throw new ValidationError(
      'priority',
      `must be an integer from 0 to 4 or null, got ${JSON.stringify(priority)}`,
    );
  }
  return priority;
}

/** One frozen empty list shared by every issue without labels, assignees or links. */
const NONE: readonly never[] = Object.freeze([]);

function normaliseSet(values: readonly string[] | undefined, field: string): readonly string[] {
  if (values === undefined) return NONE;
  if (!Array.isArray(values)) throw new ValidationError(field, 'must be a list of strings');
  if (values.length === 0) return NONE;
  if (values.length === 1) {
    // The usual list (one label, one assignee): no set, no sort.
    const value = values[0];
    if (typeof value !== 'string')
      throw new ValidationError(field, `must be a list of strings, got ${JSON.stringify(value)}`);
    const trimmed = value.trim();
    return trimmed === '' ? NONE : Object.freeze([trimmed]);
  }
  const out = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string')
      throw new ValidationError(field, `must be a list of strings, got ${JSON.stringify(value)}`);
    const trimmed = value.trim();
    if (trimmed !== '') out.add(trimmed);
  }
  return Object.freeze([...out].sort());
}

function normaliseLinks(
  links: readonly {type: string; target: ExternalRef | ExternalRefInput}[],
): readonly CanonicalLink[] {
  if (links.length === 0) return NONE;
  const byKey = new Map<string, CanonicalLink>();
  links.forEach((link, index) => {
    if (!isOneOf(LINK_TYPES, link.type)) {
      throw new ValidationError(
        `links[${index}].type`,
        `unknown link type '${String(link.type)}'; expected one of ${LINK_TYPES.join(', ')}`,
      );
    }
    const target = createRef(link.target, `links[${index}].target`);
    byKey.set(`${link.type}|${refIdentity(target)}`, Object.freeze({type: link.type, target}));
  });
  return Object.freeze(
    [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, link]) => link),
  );
}

function normaliseCustomFields(fields: JsonObject | undefined): JsonObject {
  if (fields === undefined || fields === null) return NO_CUSTOM_FIELDS;
  if (!isJsonObject(fields)) throw new ValidationError('custom_fields', 'must be an object');
  for (const _ in fields) return fields as {[key: string]: JsonValue};
  return NO_CUSTOM_FIELDS;
}

/**
 * Most issues have no custom fields: they all share this one frozen object (a store keeps
 * every issue in memory, and an object per issue is one more for the garbage collector).
 */
const NO_CUSTOM_FIELDS: JsonObject = Object.freeze({}) as JsonObject;

/**
 * A UTC timestamp whose calendar fields are valid in every month (days up to 28): already in
 * `toISOString` form, or that form without milliseconds (GitHub's, GitLab's). Anything else goes
 * through `Date`, which also rolls over impossible days the way `toISOString` would print them.
 */
const PLAIN_UTC =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3})?Z$/;

function normaliseTimestamp(value: string | Date | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  // Fast path for the common forms (runs twice per pulled issue); same result as below.
  if (typeof value === 'string' && PLAIN_UTC.test(value)) {
    // Joined into one flat string: the issue keeps it (a concatenation would keep three pieces).
    return value.length === 20 ? [value.slice(0, 19), '.000Z'].join('') : value;
  }
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ValidationError(field, `is not a valid timestamp: ${JSON.stringify(value)}`);
  return date.toISOString();
}
