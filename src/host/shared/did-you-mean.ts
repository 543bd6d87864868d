/**
 * The closest of `candidates` to what was typed, as `git` and `gh` suggest one for a typo: by
 * edit distance, only when close enough to be a typo (a third of the word, at least 2 edits), and
 * a candidate that starts with what was typed (an abbreviation) wins over a far one.
 */
export function closestMatch(typed: string, candidates: readonly string[]): string | null {
  const word = typed.toLowerCase();
  let best: {candidate: string; distance: number} | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate.toLowerCase());
    if (best === null || distance < best.distance) best = {candidate, distance};
  }
  if (best === null) return null;
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (best.distance <= limit) return best.candidate;
  const prefixed = candidates.filter((c) => word.length >= 2 && c.toLowerCase().startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : null;
}

/** Levenshtein distance (insertions, deletions, substitutions), two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
