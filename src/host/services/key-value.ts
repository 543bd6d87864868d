import {CORE_ISSUE_FIELDS, isIssueField} from '../../core/model/canonical-issue.js';
import {FIELD_OWNERS, isOneOf} from '../../core/model/enums.js';
import {UsageError} from '../shared/usage-error.js';

/**
 * Parses repeated `key=value` flags: split on the first `=`, both sides trimmed and non-empty;
 * later duplicates win. The error names the flag actually at fault, since the same parser serves
 * several flags.
 */
export function parseKeyValues(flag: string, entries: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const index = entry.indexOf('=');
    const key = index < 0 ? '' : entry.slice(0, index).trim();
    const value = index < 0 ? '' : entry.slice(index + 1).trim();
    if (key === '' || value === '') {
      // Never echo a credential value back, even a malformed one.
      const shown = flag === 'credential' ? (key === '' ? '<no key>' : `${key}=…`) : entry;
      throw new UsageError(`Invalid --${flag} value '${shown}'. Expected key=value.`, {
        hint: `Pass --${flag} once per pair, e.g. --${flag} ${flag === 'field-owner' ? 'title=local' : 'name=value'}.`,
      });
    }
    if (flag === 'field-owner') checkFieldOwner(entry, key, value);
    out[key] = value;
  }
  return out;
}

/** `--field-owner field=owner`: says which side of the pair is wrong and lists the valid values. */
function checkFieldOwner(entry: string, field: string, owner: string): void {
  if (!isIssueField(field)) {
    throw new UsageError(`Invalid --field-owner value '${entry}': unknown field '${field}'.`, {
      hint: `Valid fields: ${CORE_ISSUE_FIELDS.join(', ')} (e.g. --field-owner status=local).`,
    });
  }
  if (!isOneOf(FIELD_OWNERS, owner.toLowerCase())) {
    throw new UsageError(`Invalid --field-owner value '${entry}': unknown owner '${owner}'.`, {
      hint: `Valid owners: local, external, shared (e.g. --field-owner ${field}=local).`,
    });
  }
}
