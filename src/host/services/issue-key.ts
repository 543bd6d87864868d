import {IssueNotFoundError, TrackerError} from '../../core/errors.js';
import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import {refIdentity} from '../../core/model/external-ref.js';

/**
 * Finds the issue a person means by `input`: the full identity (`github:acme/app:1234`), the
 * human key (`#12`, `PROJ-7`, case-insensitive), a bare number for `#12`, or the provider's id.
 * An input matching several issues is an error listing them, never a guess.
 */
export function resolveIssueKey(issues: readonly CanonicalIssue[], input: string): CanonicalIssue {
  const wanted = input.trim();
  if (wanted === '')
    throw new TrackerError('The issue key is empty.', {hint: 'Pass a key such as #12 or PROJ-7.'});
  const byIdentity = issues.find((issue) => refIdentity(issue.ref) === wanted);
  if (byIdentity) return byIdentity;

  const lower = wanted.toLowerCase();
  const bare = lower.replace(/^#/, '');
  const matches = issues.filter((issue) => {
    const key = issue.ref.key?.toLowerCase() ?? null;
    return (
      key === lower ||
      (key !== null && key.replace(/^#/, '') === bare && (key.startsWith('#') || lower.startsWith('#'))) ||
      issue.ref.id.toLowerCase() === bare
    );
  });
  const unique = [...new Map(matches.map((issue) => [refIdentity(issue.ref), issue])).values()];
  if (unique.length === 1) return unique[0];
  if (unique.length > 1) {
    throw new TrackerError(
      `'${wanted}' matches ${unique.length} issues: ${unique.map((i) => refIdentity(i.ref)).join(', ')}.`,
      {
        hint: 'Use the full identity (system:workspace:id) shown by `spec-kitty tracker list-tickets --json`.',
      },
    );
  }
  throw new UnknownIssueKeyError(wanted);
}

/** An issue key the cache does not know, said as a person would (the core's message is terse). */
export class UnknownIssueKeyError extends IssueNotFoundError {
  constructor(key: string) {
    super(key, {
      hint: 'Check the key with `spec-kitty tracker list-tickets`, or refresh the cache with `spec-kitty tracker sync pull`.',
    });
    this.message = `No issue ${key} in the local cache.`;
  }
}

/** A query that looks like an issue key rather than words: `#12`, `12`, `PROJ-7`. */
export function looksLikeKey(query: string): boolean {
  return /^#?\d+$/.test(query.trim()) || /^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(query.trim());
}
