import {ValidationError} from '../errors.js';
import {CORE_ISSUE_FIELDS, isIssueField, type IssueField} from '../model/canonical-issue.js';
import {FIELD_OWNERS, OWNERSHIP_MODES, isOneOf, type FieldOwner, type OwnershipMode} from '../model/enums.js';

/**
 * Who may write which field. In `split_ownership` each field has an owner (default `shared`);
 * the two other modes give every field to one side.
 */
export interface OwnershipPolicy {
  readonly mode: OwnershipMode;
  readonly fieldOwners: Readonly<Partial<Record<IssueField, FieldOwner>>>;
  readonly defaultOwner: FieldOwner;
}

export function createOwnershipPolicy(
  mode: OwnershipMode | string,
  fieldOwners: Readonly<Record<string, string>> = {},
  defaultOwner: FieldOwner = 'shared',
): OwnershipPolicy {
  const normalisedMode = typeof mode === 'string' ? mode.trim().toLowerCase() : mode;
  if (!isOneOf(OWNERSHIP_MODES, normalisedMode)) {
    throw new ValidationError(
      'doctrine.mode',
      `invalid doctrine mode '${String(mode)}'; expected one of ${OWNERSHIP_MODES.join(', ')}`,
    );
  }
  const owners: Partial<Record<IssueField, FieldOwner>> = {};
  for (const [field, owner] of Object.entries(fieldOwners)) {
    if (!isIssueField(field)) {
      throw new ValidationError(
        `doctrine.field_owners.${field}`,
        `unknown field '${field}'; expected one of ${CORE_ISSUE_FIELDS.join(', ')}`,
      );
    }
    const normalisedOwner = owner.trim().toLowerCase();
    if (!isOneOf(FIELD_OWNERS, normalisedOwner)) {
      throw new ValidationError(
        `doctrine.field_owners.${field}`,
        `unknown owner '${owner}'; expected one of ${FIELD_OWNERS.join(', ')}`,
      );
    }
    owners[field] = normalisedOwner;
  }
  return Object.freeze({mode: normalisedMode, fieldOwners: Object.freeze(owners), defaultOwner});
}

export const externalAuthoritative = (): OwnershipPolicy => createOwnershipPolicy('external_authoritative');
export const specKittyAuthoritative = (): OwnershipPolicy =>
  createOwnershipPolicy('spec_kitty_authoritative');

export function ownerFor(policy: OwnershipPolicy, field: IssueField): FieldOwner {
  if (policy.mode === 'external_authoritative') return 'external';
  if (policy.mode === 'spec_kitty_authoritative') return 'local';
  return policy.fieldOwners[field] ?? policy.defaultOwner;
}

export function localCanWrite(policy: OwnershipPolicy, field: IssueField): boolean {
  const owner = ownerFor(policy, field);
  return owner === 'local' || owner === 'shared';
}

export function externalCanWrite(policy: OwnershipPolicy, field: IssueField): boolean {
  const owner = ownerFor(policy, field);
  return owner === 'external' || owner === 'shared';
}
