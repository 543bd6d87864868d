/**
 * Instants as the model writes them: `toISOString` form (`2026-03-10T10:14:18.495Z`). Two such
 * strings order as their instants do, so comparing them needs no parsing; anything else (another
 * implementation's `+00:00` form) is compared through `Date.parse`.
 */
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Negative, zero or positive as instant `a` is before, at or after `b` (equal strings: 0). */
export function compareInstants(a: string, b: string): number {
  if (a === b) return 0;
  if (ISO_INSTANT.test(a) && ISO_INSTANT.test(b)) return a < b ? -1 : 1;
  return Date.parse(a) - Date.parse(b);
}
