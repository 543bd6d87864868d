import {ValidationError} from '../errors.js';
import {createIssue, type CanonicalIssue} from './canonical-issue.js';
import type {ExternalRef} from './external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from './json.js';

/**
 * The persisted JSON form of an issue: the incumbent's field names, without `raw` (a provider
 * payload is large, provider-specific and may carry data nobody asked us to keep).
 */
export function issueToJson(issue: CanonicalIssue, options: {includeRaw?: boolean} = {}): JsonObject {
  const out: JsonObject = {
    ref: refToJson(issue.ref),
    title: issue.title,
    body: issue.body,
    status: issue.status,
    issue_type: issue.issue_type,
    priority: issue.priority,
    assignees: [...issue.assignees],
    labels: [...issue.labels],
    parent: issue.parent ? refToJson(issue.parent) : null,
    links: issue.links.map((link) => ({type: link.type, target: refToJson(link.target)})),
    custom_fields: issue.custom_fields,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
  };
  if (options.includeRaw) out.raw = issue.raw;
  return out;
}

export function refToJson(ref: ExternalRef): JsonObject {
  return {system: ref.system, workspace: ref.workspace, id: ref.id, key: ref.key, url: ref.url};
}

/** Parses the persisted form back; throws a ValidationError naming the field when it is malformed. */
export function issueFromJson(value: JsonValue | unknown): CanonicalIssue {
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
