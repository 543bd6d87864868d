import {ValidationError} from '../errors.js';
import {createIssue, type CanonicalIssue} from './canonical-issue.js';
import type {ExternalRef} from './external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from './json.js';

/**
 * The persisted JSON form of an issue: the snake_case field names the Python tracker also
 * reads and writes, without `raw` (a provider
 * payload is large, provider-specific and may carry data nobody asked us to keep).
 */
export function issueToJson(issue: CanonicalIssue, options: {includeRaw?: boolean} = {}): JsonObject {
  // Keys in sorted order: canonical serialisation then has nothing to sort (it runs per event).
  const out: JsonObject = {
    assignees: [...issue.assignees],
    body: issue.body,
    created_at: issue.created_at,
    custom_fields: issue.custom_fields,
    issue_type: issue.issue_type,
    labels: [...issue.labels],
    links: issue.links.map((link) => ({target: refToJson(link.target), type: link.type})),
    parent: issue.parent ? refToJson(issue.parent) : null,
    priority: issue.priority,
    ref: refToJson(issue.ref),
    status: issue.status,
    title: issue.title,
    updated_at: issue.updated_at,
  };
  if (options.includeRaw) out.raw = issue.raw;
  return out;
}

export function refToJson(ref: ExternalRef): JsonObject {
  return {id: ref.id, key: ref.key, system: ref.system, url: ref.url, workspace: ref.workspace};
}

/** Frozen JSON made by `issueToFrozenJson` -> the issue it was made from (without `raw`). */
const frozenSources = new WeakMap<object, CanonicalIssue>();

/**
 * `issueToJson`, deeply frozen, remembering its source: `issueFromJson` of this very object
 * returns that issue instead of validating and normalising it again. A pull folds every issue
 * it writes into its in-memory state, and the round trip cost as much as the write. Frozen, so
 * what `issueFromJson` returns always matches the object's content.
 */
export function issueToFrozenJson(issue: CanonicalIssue): JsonObject {
  // `issueToJson`'s shape, built frozen: lists the model already froze are shared, not copied
  // (a pull makes one of these per issue it stores).
  const json = Object.freeze<JsonObject>({
    assignees: frozenList(issue.assignees),
    body: issue.body,
    created_at: issue.created_at,
    custom_fields: deepFreeze(issue.custom_fields),
    issue_type: issue.issue_type,
    labels: frozenList(issue.labels),
    links:
      issue.links.length === 0
        ? NO_LINKS
        : (Object.freeze(
            issue.links.map((link) => Object.freeze({target: frozenRefJson(link.target), type: link.type})),
          ) as unknown as JsonValue[]),
    parent: issue.parent ? frozenRefJson(issue.parent) : null,
    priority: issue.priority,
    ref: frozenRefJson(issue.ref),
    status: issue.status,
    title: issue.title,
    updated_at: issue.updated_at,
  });
  frozenSources.set(json, issue.raw === null ? issue : Object.freeze({...issue, raw: null}));
  return json;
}

const NO_LINKS: JsonValue[] = Object.freeze([]) as unknown as JsonValue[];

function frozenList(values: readonly string[]): JsonValue[] {
  return (Object.isFrozen(values) ? values : Object.freeze([...values])) as JsonValue[];
}

function frozenRefJson(ref: ExternalRef): JsonObject {
  return Object.freeze(refToJson(ref));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** Parses the persisted form back; throws a ValidationError naming the field when it is malformed. */
export function issueFromJson(value: JsonValue | unknown): CanonicalIssue {
  const known = typeof value === 'object' && value !== null ? frozenSources.get(value) : undefined;
  if (known !== undefined) return known;
  if (!isJsonObject(value)) throw new ValidationError('issue', 'must be a JSON object');
  const v = value as Record<string, unknown>;
  return createIssue({
    ref: v.ref as never,
    title: v.title as string,
    body: v.body as string | null,
    status: v.status as string,
    issue_type: v.issue_type as string,
    priority: v.priority as number | null,
    assignees: (v.assignees ?? []) as string[],
    labels: (v.labels ?? []) as string[],
    parent: (v.parent ?? null) as never,
    links: (v.links ?? []) as never,
    custom_fields: (v.custom_fields ?? {}) as JsonObject,
    created_at: (v.created_at ?? null) as string | null,
    updated_at: (v.updated_at ?? null) as string | null,
    raw: (v.raw ?? null) as JsonObject | null,
  });
}
