/**
 * Closed vocabularies of the canonical model. Values are the wire strings spec-kitty's Python
 * tracker (`spec_kitty_tracker`) uses too, so events and config either one writes, the other reads.
 */

export const CANONICAL_STATUSES = [
  'todo',
  'in_progress',
  'in_review',
  'blocked',
  'done',
  'canceled',
] as const;
export type CanonicalStatus = (typeof CANONICAL_STATUSES)[number];

export const CANONICAL_ISSUE_TYPES = ['epic', 'story', 'task', 'bug', 'chore', 'subtask'] as const;
export type CanonicalIssueType = (typeof CANONICAL_ISSUE_TYPES)[number];

export const LINK_TYPES = [
  'blocks',
  'blocked_by',
  'relates_to',
  'duplicates',
  'parent_of',
  'child_of',
] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export const OWNERSHIP_MODES = [
  'external_authoritative',
  'split_ownership',
  'spec_kitty_authoritative',
] as const;
export type OwnershipMode = (typeof OWNERSHIP_MODES)[number];

export const FIELD_OWNERS = ['external', 'local', 'shared'] as const;
export type FieldOwner = (typeof FIELD_OWNERS)[number];

export const CONFLICT_STRATEGIES = [
  'external_wins',
  'local_wins',
  'newer_timestamp',
  'manual_review',
] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

export const FAILURE_CLASSES = [
  'transient',
  'rate_limit',
  'authentication',
  'permission',
  'not_found',
  'validation',
  'non_retryable',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Statuses after which an issue is closed on every provider. */
export const TERMINAL_STATUSES: readonly CanonicalStatus[] = ['done', 'canceled'];

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}
