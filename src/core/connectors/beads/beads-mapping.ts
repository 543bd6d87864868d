/**
 * Translation between beads (`bd --json`) issue objects and canonical issues, the same mapping as
 * spec-kitty's Python tracker, so both read one beads database alike.
 */
import {createIssue, type CanonicalIssue, type CanonicalLink} from '../../model/canonical-issue.js';
import type {CanonicalIssueType, CanonicalStatus, LinkType} from '../../model/enums.js';
import {createRef, type ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import {asPayloadError, payloadError} from '../local-cli/output-parsing.js';

export const BEADS_PROVIDER = 'beads';

/** Prefix of the `external_ref` value the connector writes on create as its idempotency marker. */
export const BEADS_MARKER_PREFIX = 'spec-kitty:';

export function beadsMarker(idempotencyKey: string): string {
  return `${BEADS_MARKER_PREFIX}${idempotencyKey}`;
}

const STATUS_FROM_BEADS: Readonly<Record<string, CanonicalStatus>> = {
  open: 'todo',
  in_progress: 'in_progress',
  blocked: 'blocked',
  deferred: 'todo',
  closed: 'done',
  pinned: 'in_progress',
  tombstone: 'canceled',
};

const STATUS_TO_BEADS: Readonly<Record<CanonicalStatus, string>> = {
  todo: 'open',
  in_progress: 'in_progress',
  in_review: 'in_progress',
  blocked: 'blocked',
  done: 'closed',
  canceled: 'closed',
};

const TYPE_FROM_BEADS: Readonly<Record<string, CanonicalIssueType>> = {
  epic: 'epic',
  feature: 'story',
  task: 'task',
  bug: 'bug',
  chore: 'chore',
  decision: 'chore',
};

const TYPE_TO_BEADS: Readonly<Record<CanonicalIssueType, string>> = {
  epic: 'epic',
  story: 'feature',
  task: 'task',
  bug: 'bug',
  chore: 'chore',
  subtask: 'task',
};

const LINK_FROM_BEADS_DEPENDENCY: Readonly<Record<string, LinkType>> = {
  blocks: 'blocked_by',
  related: 'relates_to',
  relates_to: 'relates_to',
  relates: 'relates_to',
  duplicates: 'duplicates',
  'discovered-from': 'relates_to',
  // parent-child is the issue's `parent` (bd computes `parent` from it), not a link as well.
};

export function statusToBeads(status: CanonicalStatus): string {
  return STATUS_TO_BEADS[status];
}

export function typeToBeads(issueType: CanonicalIssueType): string {
  return TYPE_TO_BEADS[issueType];
}

/** Statuses a new beads issue starts in; any other status costs one `update --status` after create. */
export function isInitialBeadsStatus(status: CanonicalStatus): boolean {
  return status === 'todo';
}

/**
 * The `bd dep add <issue> <depends-on> --type <t>` arguments that express `link` from `ref`.
 * beads stores a dependency on the dependent issue, so `blocks` and `parent_of` are written on
 * the target.
 */
export function dependencyForLink(
  ref: ExternalRef,
  link: CanonicalLink,
): {issue: string; dependsOn: string; type: string} {
  switch (link.type) {
    case 'blocks':
      return {issue: link.target.id, dependsOn: ref.id, type: 'blocks'};
    case 'blocked_by':
      return {issue: ref.id, dependsOn: link.target.id, type: 'blocks'};
    case 'relates_to':
      return {issue: ref.id, dependsOn: link.target.id, type: 'related'};
    case 'duplicates':
      return {issue: ref.id, dependsOn: link.target.id, type: 'duplicates'};
    case 'child_of':
      return {issue: ref.id, dependsOn: link.target.id, type: 'parent-child'};
    case 'parent_of':
      return {issue: link.target.id, dependsOn: ref.id, type: 'parent-child'};
  }
}

/**
 * Link types that read back as written from the issue's own dependencies, so an update of the
 * `links` field converges (`blocks` lives on the other issue; parent/child is the `parent` field).
 */
export const ROUND_TRIP_LINK_TYPES: readonly LinkType[] = ['blocked_by', 'relates_to', 'duplicates'];

export interface BeadsReadContext {
  readonly workspace: string;
  /** Names the command whose output is read, for error messages (e.g. "`bd list`"). */
  readonly what: string;
  /** Where in the output the item is (e.g. "item 3", "the issue"). */
  readonly where: string;
}

/** Maps one `bd --json` issue object (plus `show` details, when given) to a canonical issue. */
export function beadsIssueFromJson(
  item: JsonValue,
  context: BeadsReadContext,
  details?: JsonObject,
): CanonicalIssue {
  const {workspace, what, where} = context;
  const fail = (expected: string, got?: unknown) => payloadError(BEADS_PROVIDER, what, where, expected, got);
  if (!isJsonObject(item)) throw fail('an issue object', item);

  const id = item.id;
  if (typeof id !== 'string' || id.trim() === '') throw fail('a non-empty string `id`', id);
  const title = item.title;
  if (typeof title !== 'string' || title.trim() === '')
    throw fail(`a non-empty string \`title\` (issue ${id})`, title);

  const rawStatus = item.status ?? 'open';
  const status =
    typeof rawStatus === 'string' ? STATUS_FROM_BEADS[rawStatus.trim().toLowerCase()] : undefined;
  if (status === undefined) {
    throw fail(
      `\`status\` of issue ${id} to be one of ${Object.keys(STATUS_FROM_BEADS).join(', ')}`,
      rawStatus,
    );
  }
  const rawType = item.issue_type;
  // beads grows new issue types (message, gate, agent...): unknown ones read as tasks, and the
  // original stays in `raw`, rather than failing a whole pull over one issue.
  const issueType =
    (typeof rawType === 'string' ? TYPE_FROM_BEADS[rawType.trim().toLowerCase()] : undefined) ?? 'task';

  const externalRef = typeof item.external_ref === 'string' ? item.external_ref.trim() : '';
  const ref = createRef({
    system: BEADS_PROVIDER,
    workspace,
    id: id.trim(),
    key: id.trim(),
    url: externalRef !== '' && !externalRef.startsWith(BEADS_MARKER_PREFIX) ? externalRef : null,
  });

  const customFields: JsonObject = {};
  if (item.metadata !== undefined && item.metadata !== null) customFields.metadata = item.metadata;

  const raw: JsonObject = details ? {...item, details} : {...item};
  try {
    return createIssue({
      ref,
      title,
      body: typeof item.description === 'string' ? item.description : null,
      status,
      issue_type: issueType,
      priority: clampPriority(item.priority),
      assignees: typeof item.assignee === 'string' && item.assignee.trim() !== '' ? [item.assignee] : [],
      labels: Array.isArray(item.labels)
        ? item.labels.filter((label): label is string => typeof label === 'string')
        : [],
      parent:
        typeof item.parent === 'string' && item.parent.trim() !== ''
          ? {system: BEADS_PROVIDER, workspace, id: item.parent}
          : null,
      links: linksFrom(details?.dependencies ?? item.dependencies, workspace),
      custom_fields: customFields,
      created_at: timestamp(item.created_at),
      updated_at: timestamp(item.updated_at),
      raw,
    });
  } catch (error) {
    throw asPayloadError(BEADS_PROVIDER, what, `${where} (issue ${id})`, error);
  }
}

/** The idempotency key a created issue carries in `external_ref`, if any. */
export function markerOf(item: JsonValue): string | null {
  if (!isJsonObject(item) || typeof item.external_ref !== 'string') return null;
  const value = item.external_ref.trim();
  return value.startsWith(BEADS_MARKER_PREFIX) ? value.slice(BEADS_MARKER_PREFIX.length) : null;
}

function linksFrom(dependencies: JsonValue | undefined, workspace: string): CanonicalLink[] {
  if (!Array.isArray(dependencies)) return [];
  const links: CanonicalLink[] = [];
  for (const dependency of dependencies) {
    if (!isJsonObject(dependency)) continue;
    const target = [dependency.id, dependency.depends_on_id, dependency.dependsOnId].find(
      (value): value is string => typeof value === 'string' && value.trim() !== '',
    );
    if (target === undefined) continue;
    const rawType = dependency.dependency_type ?? dependency.type ?? 'blocks';
    const type =
      typeof rawType === 'string' ? LINK_FROM_BEADS_DEPENDENCY[rawType.trim().toLowerCase()] : undefined;
    // Dependency kinds with no canonical meaning stay in `raw` only.
    if (type === undefined) continue;
    links.push({type, target: createRef({system: BEADS_PROVIDER, workspace, id: target})});
  }
  return links;
}

function clampPriority(value: JsonValue | undefined): number | null {
  const parsed =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!Number.isFinite(parsed)) return null;
  return Math.max(0, Math.min(4, Math.trunc(parsed)));
}

function timestamp(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
