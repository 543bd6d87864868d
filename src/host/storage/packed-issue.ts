import type {CanonicalIssue, CanonicalLink} from '../../core/model/canonical-issue.js';
import type {ExternalRef} from '../../core/model/external-ref.js';
import type {IssueEntrySummary} from '../../core/log/tracker-state.js';
import type {IssueField} from '../../core/model/canonical-issue.js';
import type {JsonObject, JsonValue} from '../../core/model/json.js';

/**
 * Issues packed as fixed-order JSON arrays (no key names: smaller and faster to parse), shared
 * by the read cache's snapshot and the read index. Type-only imports: the read index loads this
 * module on every offline read, and nothing of the fold may come with it.
 */

/** A derived file is unusable (torn, truncated, other version, edited): ignore it and rebuild. */
export class SnapshotDamage extends Error {}

export type PackedRef = [string, string, string, string | null, string | null];
export type PackedIssue = [
  PackedRef,
  string,
  string | null,
  string,
  string,
  number | null,
  string[],
  string[],
  PackedRef | null,
  [string, PackedRef][],
  JsonObject,
  string | null,
  string | null,
];

function packRef(ref: ExternalRef): PackedRef {
  return [ref.system, ref.workspace, ref.id, ref.key, ref.url];
}

function unpackRef(value: unknown): ExternalRef {
  if (!Array.isArray(value) || value.length !== 5) throw new SnapshotDamage('bad ref');
  const [system, workspace, id, key, url] = value as unknown[];
  if (typeof system !== 'string' || typeof workspace !== 'string' || typeof id !== 'string') {
    throw new SnapshotDamage('bad ref');
  }
  if ((key !== null && typeof key !== 'string') || (url !== null && typeof url !== 'string')) {
    throw new SnapshotDamage('bad ref');
  }
  return Object.freeze({system, workspace, id, key, url});
}

/**
 * An issue as a fixed-order array (no key names: smaller and faster to parse). Only issues that
 * came out of the fold are packed, i.e. already normalised by `createIssue`; `raw` is never
 * persisted (the fold's issues come from `issueFromJson`, which has none).
 */
export function packIssue(issue: CanonicalIssue): PackedIssue {
  return [
    packRef(issue.ref),
    issue.title,
    issue.body,
    issue.status,
    issue.issue_type,
    issue.priority,
    // The model's lists are frozen and never written: no copy needed to serialise them.
    issue.assignees as string[],
    issue.labels as string[],
    issue.parent ? packRef(issue.parent) : null,
    issue.links.map((link) => [link.type, packRef(link.target)]),
    issue.custom_fields,
    issue.created_at,
    issue.updated_at,
  ];
}

/**
 * The inverse of `packIssue`: the same frozen shape `createIssue` builds, without normalising
 * again (the values were normalised before they were packed, and the record's CRC vouches for
 * the bytes). Shapes are still checked, so a foreign file cannot smuggle in a non-issue.
 */
export function unpackIssue(value: unknown): CanonicalIssue {
  if (!Array.isArray(value) || value.length !== 13) throw new SnapshotDamage('bad issue');
  const v = value as unknown[];
  const strings = (x: unknown): readonly string[] => {
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) throw new SnapshotDamage('bad set');
    return Object.freeze(x as string[]);
  };
  const links = v[9];
  if (!Array.isArray(links)) throw new SnapshotDamage('bad links');
  const customFields = v[10];
  if (typeof customFields !== 'object' || customFields === null || Array.isArray(customFields)) {
    throw new SnapshotDamage('bad custom fields');
  }
  if (typeof v[1] !== 'string' || typeof v[3] !== 'string' || typeof v[4] !== 'string') {
    throw new SnapshotDamage('bad issue');
  }
  return Object.freeze({
    ref: unpackRef(v[0]),
    title: v[1],
    body: v[2] as string | null,
    status: v[3] as CanonicalIssue['status'],
    issue_type: v[4] as CanonicalIssue['issue_type'],
    priority: v[5] as number | null,
    assignees: strings(v[6]),
    labels: strings(v[7]),
    parent: v[8] === null ? null : unpackRef(v[8]),
    links: Object.freeze(
      (links as unknown[]).map((link): CanonicalLink => {
        if (!Array.isArray(link) || link.length !== 2) throw new SnapshotDamage('bad link');
        return Object.freeze({type: link[0] as CanonicalLink['type'], target: unpackRef(link[1])});
      }),
    ),
    custom_fields: customFields as JsonObject,
    created_at: v[11] as string | null,
    updated_at: v[12] as string | null,
    raw: null,
  });
}

/**
 * The first seven fields of an entry record, as both derived caches store them (the state
 * snapshot's records and the read index's): identity, base, draft, overrides (0 for none),
 * edited at, deleted (0 or 1), created as.
 */
export type PackedEntryFields = [
  identity: string,
  base: unknown,
  draft: unknown,
  overrides: Record<string, unknown> | 0,
  editedAt: string | null,
  deleted: 0 | 1,
  createdAs: string | null,
];

/** An entry without its history, from the fields of its record. */
export function unpackEntryFields(record: readonly [...PackedEntryFields, ...unknown[]]): IssueEntrySummary {
  const overrides = new Map<IssueField, JsonValue>();
  if (record[3] !== 0) {
    if (typeof record[3] !== 'object' || record[3] === null) throw new SnapshotDamage('bad overrides');
    for (const [field, value] of Object.entries(record[3]))
      overrides.set(field as IssueField, value as JsonValue);
  }
  return {
    identity: record[0],
    base: record[1] === null ? null : unpackIssue(record[1]),
    draft: record[2] === null ? null : unpackIssue(record[2]),
    overrides,
    editedAt: record[4],
    deleted: record[5] === 1,
    createdAs: record[6],
  };
}
