import {
  CORE_ISSUE_FIELDS,
  fieldValuesEqual,
  type CanonicalIssue,
  type CanonicalLink,
  type IssueField,
  type IssueFieldValues,
} from '../model/canonical-issue.js';
import type {ConflictStrategy} from '../model/enums.js';
import {resolveField, type ConflictRecord} from '../policy/conflicts.js';
import {ownerFor, type OwnershipPolicy} from '../policy/ownership.js';

export interface ThreeWayMergeInput {
  /** The last pulled remote version (null: never pulled, e.g. a draft). */
  readonly base: CanonicalIssue | null;
  /** The local view: base with unsettled local edits applied (null: not known locally). */
  readonly local: CanonicalIssue | null;
  /** The remote version now. */
  readonly remote: CanonicalIssue;
  readonly policy: OwnershipPolicy;
  readonly strategy: ConflictStrategy;
  /** When the latest local edit was made (for `newer_timestamp`). */
  readonly localEditedAt: string | null;
}

export interface ThreeWayMergeResult {
  /** The value each field should have after the merge. */
  readonly merged: IssueFieldValues;
  /** Fields where the merged value is the local one and differs from remote: they go out on push. */
  readonly toPush: IssueField[];
  /** Local edits that are settled by the remote value (it won, or both sides already agree). */
  readonly settle: IssueField[];
  /** Fields whose remote value replaces the local one. */
  readonly incoming: IssueField[];
  /** Fields changed on both sides to different values, with how each was decided. */
  readonly conflicts: ConflictRecord[];
}

/**
 * Field-by-field three-way merge of one issue. A field changed on one side only takes that
 * side's value; changed on both to different values, its owner decides, or for a shared field
 * the strategy (see `resolveField`). Pure: the engine feeds it what the stores and the
 * connector returned and acts on the result.
 */
export function mergeIssue(input: ThreeWayMergeInput): ThreeWayMergeResult {
  const {base, local, remote} = input;
  const merged = {} as Record<IssueField, unknown>;
  const toPush: IssueField[] = [];
  const settle: IssueField[] = [];
  const incoming: IssueField[] = [];
  const conflicts: ConflictRecord[] = [];

  for (const field of CORE_ISSUE_FIELDS) {
    if (local === null) {
      merged[field] = remote[field];
      continue;
    }
    const baseValue = base === null ? local[field] : base[field];
    const localEdited = !fieldValuesEqual(local[field], baseValue);
    if (field === 'links' && ownerFor(input.policy, field) !== 'external') {
      // Links are a set: each side's additions and removals apply, element by element. A
      // relation written from the other issue (GitHub shows "A blocks B" on both) is no conflict.
      const value = mergeLinkSets(baseValue as CanonicalLink[], local.links, remote.links);
      merged[field] = value;
      const takesRemote = fieldValuesEqual(value, remote.links);
      if (!takesRemote) toPush.push(field);
      if (takesRemote && localEdited) settle.push(field);
      if (takesRemote && !fieldValuesEqual(local.links, remote.links)) incoming.push(field);
      continue;
    }
    const resolution = resolveField({
      field,
      owner: ownerFor(input.policy, field),
      base: baseValue,
      local: local[field],
      external: remote[field],
      localUpdatedAt: input.localEditedAt,
      externalUpdatedAt: remote.updated_at,
      strategy: input.strategy,
    });
    merged[field] = resolution.value;
    if (resolution.conflict) conflicts.push(resolution.conflict);
    const takesRemote = fieldValuesEqual(resolution.value, remote[field]);
    if (!takesRemote) toPush.push(field);
    if (takesRemote && localEdited) settle.push(field);
    if (takesRemote && !fieldValuesEqual(local[field], remote[field])) incoming.push(field);
  }
  return {merged: merged as IssueFieldValues, toPush, settle, incoming, conflicts};
}

/** `remote`, plus what `local` added to `base`, minus what `local` removed from it. */
export function mergeLinkSets(
  base: readonly CanonicalLink[],
  local: readonly CanonicalLink[],
  remote: readonly CanonicalLink[],
): CanonicalLink[] {
  const key = (l: CanonicalLink) => `${l.type}|${l.target.system}:${l.target.workspace}:${l.target.id}`;
  const baseKeys = new Set(base.map(key));
  const localKeys = new Set(local.map(key));
  const removed = new Set([...baseKeys].filter((k) => !localKeys.has(k)));
  const out = remote.filter((l) => !removed.has(key(l)));
  const have = new Set(out.map(key));
  for (const link of local) if (!baseKeys.has(key(link)) && !have.has(key(link))) out.push(link);
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
