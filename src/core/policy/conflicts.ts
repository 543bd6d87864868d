import {fieldValuesEqual, type IssueField} from '../model/canonical-issue.js';
import type {ConflictStrategy, FieldOwner} from '../model/enums.js';

/** One field changed on both sides to different values, and how it was settled. */
export interface ConflictRecord {
  readonly field_name: IssueField;
  readonly base_value: unknown;
  readonly local_value: unknown;
  readonly external_value: unknown;
  readonly resolved_value: unknown;
  readonly winner: 'local' | 'external';
  /** The strategy that decided; `owner` when the field's owner decided (not shared). */
  readonly strategy: ConflictStrategy | 'owner';
  readonly manual_review_required: boolean;
}

export interface FieldResolutionInput {
  field: IssueField;
  owner: FieldOwner;
  base: unknown;
  local: unknown;
  external: unknown;
  localUpdatedAt: string | null;
  externalUpdatedAt: string | null;
  strategy: ConflictStrategy;
}

export interface FieldResolution {
  readonly value: unknown;
  readonly source: 'unchanged' | 'local' | 'external';
  readonly conflict: ConflictRecord | null;
}

/**
 * Three-way merge of one field. The base is the last pulled remote value: a side whose value
 * equals the base did not change the field. Only a field both sides changed, to different
 * values, is a conflict; its owner decides, or for a shared field, the strategy.
 */
export function resolveField(input: FieldResolutionInput): FieldResolution {
  const {base, local, external} = input;
  if (fieldValuesEqual(local, external)) return {value: local, source: 'unchanged', conflict: null};
  const localChanged = !fieldValuesEqual(local, base);
  const externalChanged = !fieldValuesEqual(external, base);
  if (localChanged && !externalChanged) return {value: local, source: 'local', conflict: null};
  if (externalChanged && !localChanged) return {value: external, source: 'external', conflict: null};

  // Both changed to different values (or there is no base and they differ).
  let winner: 'local' | 'external';
  let strategy: ConflictStrategy | 'owner' = input.strategy;
  let manual = false;
  if (input.owner === 'local' || input.owner === 'external') {
    winner = input.owner;
    strategy = 'owner';
  } else {
    switch (input.strategy) {
      case 'external_wins':
        winner = 'external';
        break;
      case 'local_wins':
        winner = 'local';
        break;
      case 'manual_review':
        winner = 'local';
        manual = true;
        break;
      case 'newer_timestamp':
        winner = newerSide(input.localUpdatedAt, input.externalUpdatedAt);
        break;
    }
  }
  const value = winner === 'local' ? local : external;
  return {
    value,
    source: winner,
    conflict: {
      field_name: input.field,
      base_value: base,
      local_value: local,
      external_value: external,
      resolved_value: value,
      winner,
      strategy,
      manual_review_required: manual,
    },
  };
}

/**
 * The tracker is the copy other people see and edit, so a local value replaces it only when it is
 * known to be newer: external wins ties and an unknown local time, local wins when strictly newer
 * or when the external time is unknown. The Python tracker decides the same way, so both
 * implementations pick the same winner from the same log.
 */
function newerSide(localAt: string | null, externalAt: string | null): 'local' | 'external' {
  if (localAt === null) return 'external';
  if (externalAt === null) return 'local';
  return Date.parse(externalAt) >= Date.parse(localAt) ? 'external' : 'local';
}
