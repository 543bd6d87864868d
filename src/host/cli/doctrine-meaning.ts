/** What each doctrine mode means, in one line, for `bind` (people choose it there). */
const MEANINGS: Record<string, string> = {
  external_authoritative:
    'the tracker owns every field: pulls bring its changes in, and push writes nothing to it (not even work-package progress)',
  split_ownership:
    'each field has an owner (--field-owner field=local|external|shared, default shared): push sends local and shared fields, the tracker keeps its own',
  spec_kitty_authoritative:
    'the repository owns every field: push sends local edits and work-package progress, and its value wins a conflict',
};

export function doctrineMeaning(mode: string): string {
  return MEANINGS[mode] ?? 'an unknown doctrine mode';
}
