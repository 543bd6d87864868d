import {UsageError} from '../cli/usage-error.js';

/**
 * Parses repeated `key=value` flags: split on the first `=`, both sides trimmed and non-empty;
 * later duplicates win. The error names the flag actually at fault (the incumbent always said
 * `--credential`).
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
    out[key] = value;
  }
  return out;
}
