import {MappingConflictError} from '../../core/errors.js';
import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import {isDraftRef, refIdentity} from '../../core/model/external-ref.js';
import type {MappingStore, WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import {countBareIds, findMappingFor, indexMappings} from './wp-ids.js';
import type {WorkPackage} from './work-package-model.js';
import {workPackageMarker} from './wp-issue-content.js';

/**
 * `map suggest`: which cached issue each unmapped work package most likely is. Evidence, from
 * strongest: the marker line an issue created by `sync push --create-missing` carries (a lost
 * mapping), a `tracker_refs` entry naming the issue (`#1298`, `PROJ-12`, its URL), an exact
 * title match. A work package with several candidates, or an issue claimed by several work
 * packages, is reported and never applied: a wrong mapping pushes status to the wrong issue.
 */

export type SuggestionReason = 'marker' | 'tracker_ref' | 'title';

export interface MappingSuggestion {
  readonly qualified_id: string;
  readonly wp_title: string;
  readonly identity: string;
  readonly key: string | null;
  readonly issue_title: string;
  readonly reason: SuggestionReason;
  /** The tracker ref or title that matched. */
  readonly matched: string;
}

export interface AmbiguousSuggestion {
  readonly qualified_id: string;
  readonly reason: SuggestionReason;
  readonly candidates: readonly {identity: string; key: string | null; title: string}[];
}

export interface ContestedIssue {
  readonly identity: string;
  readonly key: string | null;
  readonly qualified_ids: readonly string[];
}

export interface SuggestionReport {
  readonly suggestions: readonly MappingSuggestion[];
  readonly ambiguous: readonly AmbiguousSuggestion[];
  readonly contested: readonly ContestedIssue[];
  /** Tracker refs that matched no cached issue: `{qualified_id, ref}`. */
  readonly unmatched_refs: readonly {qualified_id: string; ref: string}[];
}

const REASON_RANK: Record<SuggestionReason, number> = {marker: 0, tracker_ref: 1, title: 2};

/** Does the tracker reference `ref` (as written in a WP's frontmatter) name `issue`? */
export function refMatchesIssue(ref: string, issue: CanonicalIssue): boolean {
  const wanted = ref.trim();
  if (wanted === '') return false;
  if (issue.ref.url !== null && wanted === issue.ref.url) return true;
  const lower = wanted.toLowerCase();
  const key = issue.ref.key?.toLowerCase() ?? null;
  if (key !== null && key === lower) return true;
  // `owner/repo#12` names #12 of that repository.
  const qualified = /^(.+)#(\d+)$/.exec(wanted);
  if (qualified && qualified[1] !== '' && qualified[1].toLowerCase() === issue.ref.workspace.toLowerCase()) {
    return key === `#${qualified[2]}` || issue.ref.id === qualified[2];
  }
  // `#12` or `12` against a numeric id.
  const number = /^#?(\d+)$/.exec(wanted);
  if (number)
    return key === `#${number[1]}` || (key === null && issue.ref.id === number[1]) || key === number[1];
  return false;
}

function normaliseTitle(title: string): string {
  return title.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Titles a work package's issue may carry: its title, `WP01 title`, `[WP01] title`, `WP01: title`. */
function titleForms(wp: WorkPackage): Set<string> {
  const t = normaliseTitle(wp.title);
  const id = wp.wp_id.toLowerCase();
  return new Set([t, `${id} ${t}`, `[${id}] ${t}`, `${id}: ${t}`, `${id} - ${t}`]);
}

/** The strongest evidence found for one unmapped work package, with every issue it points at. */
interface BestMatch {
  readonly wp: WorkPackage;
  readonly reason: SuggestionReason;
  readonly matched: string;
  readonly issues: CanonicalIssue[];
}

/** The issues a work package may be matched to: this tracker's, published, not mapped yet. */
interface Candidates {
  readonly issues: readonly CanonicalIssue[];
  readonly byTitle: ReadonlyMap<string, CanonicalIssue[]>;
}

export function suggestMappings(options: {
  readonly workPackages: readonly WorkPackage[];
  readonly mappings: readonly WorkPackageMapping[];
  readonly issues: readonly CanonicalIssue[];
  readonly system: string;
}): SuggestionReport {
  const {system} = options;
  const byWp = indexMappings(options.mappings);
  const bare = countBareIds(options.workPackages);
  const candidates = unmappedCandidates(options.issues, options.mappings, system);
  const best: BestMatch[] = [];
  const unmatched: {qualified_id: string; ref: string}[] = [];
  for (const wp of options.workPackages) {
    if (findMappingFor(wp, system, byWp, bare) !== null) continue;
    const match = bestMatch(wp, candidates, unmatched);
    if (match) best.push(match);
  }
  const contested = contestedIssues(best);
  const {suggestions, ambiguous} = sortOut(best, new Set(contested.map((c) => c.identity)));
  const byId = (a: {qualified_id: string}, b: {qualified_id: string}) =>
    a.qualified_id < b.qualified_id ? -1 : a.qualified_id > b.qualified_id ? 1 : 0;
  return {
    suggestions: suggestions.sort(byId),
    ambiguous: ambiguous.sort(byId),
    contested: contested.sort((a, b) => (a.identity < b.identity ? -1 : 1)),
    unmatched_refs: unmatched.sort(byId),
  };
}

function unmappedCandidates(
  issues: readonly CanonicalIssue[],
  mappings: readonly WorkPackageMapping[],
  system: string,
): Candidates {
  const mappedIdentities = new Set(mappings.map((m) => refIdentity(m.ref)));
  const candidates = issues.filter(
    (issue) =>
      issue.ref.system === system && !isDraftRef(issue.ref) && !mappedIdentities.has(refIdentity(issue.ref)),
  );
  const byTitle = new Map<string, CanonicalIssue[]>();
  for (const issue of candidates) {
    const key = normaliseTitle(issue.title);
    byTitle.set(key, [...(byTitle.get(key) ?? []), issue]);
  }
  return {issues: candidates, byTitle};
}

/**
 * The strongest kind of evidence that finds anything (marker, then tracker refs, then title);
 * tracker refs that match no candidate are added to `unmatched`.
 */
function bestMatch(
  wp: WorkPackage,
  candidates: Candidates,
  unmatched: {qualified_id: string; ref: string}[],
): BestMatch | null {
  const marker = workPackageMarker(wp.qualified_id);
  const byMarker = candidates.issues.filter((issue) => (issue.body ?? '').includes(marker));
  if (byMarker.length > 0) return {wp, reason: 'marker', matched: wp.qualified_id, issues: byMarker};
  const byRef = new Map<string, {issue: CanonicalIssue; ref: string}>();
  for (const ref of wp.tracker_refs) {
    const hits = candidates.issues.filter((issue) => refMatchesIssue(ref, issue));
    if (hits.length === 0) unmatched.push({qualified_id: wp.qualified_id, ref});
    for (const issue of hits) byRef.set(refIdentity(issue.ref), {issue, ref});
  }
  if (byRef.size > 0) {
    const hits = [...byRef.values()];
    return {
      wp,
      reason: 'tracker_ref',
      matched: hits.map((h) => h.ref).join(', '),
      issues: hits.map((h) => h.issue),
    };
  }
  const byTitleHits = [...titleForms(wp)].flatMap((t) => candidates.byTitle.get(t) ?? []);
  const unique = [...new Map(byTitleHits.map((i) => [refIdentity(i.ref), i])).values()];
  return unique.length > 0 ? {wp, reason: 'title', matched: wp.title, issues: unique} : null;
}

/** An issue several work packages point at is contested: none of them gets it. */
function contestedIssues(best: readonly BestMatch[]): ContestedIssue[] {
  const claims = new Map<string, {issue: CanonicalIssue; wps: Set<string>}>();
  for (const entry of best) {
    if (entry.issues.length !== 1) continue;
    const identity = refIdentity(entry.issues[0].ref);
    const claim = claims.get(identity) ?? {issue: entry.issues[0], wps: new Set<string>()};
    claim.wps.add(entry.wp.qualified_id);
    claims.set(identity, claim);
  }
  return [...claims.entries()]
    .filter(([, c]) => c.wps.size > 1)
    .map(([identity, c]) => ({identity, key: c.issue.ref.key, qualified_ids: [...c.wps].sort()}));
}

/** A single uncontested issue is a suggestion; several issues make the work package ambiguous. */
function sortOut(
  best: BestMatch[],
  contestedIds: ReadonlySet<string>,
): {suggestions: MappingSuggestion[]; ambiguous: AmbiguousSuggestion[]} {
  const suggestions: MappingSuggestion[] = [];
  const ambiguous: AmbiguousSuggestion[] = [];
  for (const entry of best.sort((a, b) => REASON_RANK[a.reason] - REASON_RANK[b.reason])) {
    if (entry.issues.length > 1) {
      ambiguous.push({
        qualified_id: entry.wp.qualified_id,
        reason: entry.reason,
        candidates: entry.issues.map((i) => ({identity: refIdentity(i.ref), key: i.ref.key, title: i.title})),
      });
      continue;
    }
    const issue = entry.issues[0];
    if (contestedIds.has(refIdentity(issue.ref))) continue;
    suggestions.push({
      qualified_id: entry.wp.qualified_id,
      wp_title: entry.wp.title,
      identity: refIdentity(issue.ref),
      key: issue.ref.key,
      issue_title: issue.title,
      reason: entry.reason,
      matched: entry.matched,
    });
  }
  return {suggestions, ambiguous};
}

export interface AppliedSuggestions {
  readonly applied: readonly MappingSuggestion[];
  /** Suggestions not recorded, with why (one line each). */
  readonly skipped: readonly {suggestion: MappingSuggestion; reason: string}[];
}

/** Records suggestions as mappings; a conflict skips that one with a clear line. */
export async function applySuggestions(
  stores: MappingStore,
  suggestions: readonly MappingSuggestion[],
  issues: readonly CanonicalIssue[],
): Promise<AppliedSuggestions> {
  const byIdentity = new Map(issues.map((issue) => [refIdentity(issue.ref), issue]));
  const applied: MappingSuggestion[] = [];
  const skipped: {suggestion: MappingSuggestion; reason: string}[] = [];
  for (const suggestion of suggestions) {
    const issue = byIdentity.get(suggestion.identity);
    if (!issue) {
      skipped.push({suggestion, reason: `${suggestion.identity} is no longer in the cache`});
      continue;
    }
    try {
      await stores.addMapping(suggestion.qualified_id, issue.ref);
      applied.push(suggestion);
    } catch (error) {
      if (error instanceof MappingConflictError) skipped.push({suggestion, reason: error.message});
      else throw error;
    }
  }
  return {applied, skipped};
}
