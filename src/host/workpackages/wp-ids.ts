import {TrackerError} from '../../core/errors.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';

/**
 * Work-package ids in mappings. A work package is `WP01` inside its mission, so mappings use the
 * qualified form `<mission-slug>/WP01`, which stays unique across missions. A bare `WP01` (what
 * a person types, and what older mappings hold) is accepted wherever exactly one mission has it.
 */

export function qualifyWpId(missionSlug: string, wpId: string): string {
  return `${missionSlug}/${wpId}`;
}

/** `{mission, wp}` of a qualified id; `mission` is null for a bare id. */
export function splitWpId(id: string): {mission: string | null; wp: string} {
  const slash = id.lastIndexOf('/');
  if (slash === -1) return {mission: null, wp: id};
  return {mission: id.slice(0, slash), wp: id.slice(slash + 1)};
}

/** Natural order: WP2 before WP10. */
export function compareWpIds(a: string, b: string): number {
  const na = Number(/\d+/.exec(a)?.[0] ?? Number.NaN);
  const nb = Number(/\d+/.exec(b)?.[0] ?? Number.NaN);
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface WorkPackageIdentity {
  readonly mission_slug: string;
  readonly wp_id: string;
  readonly qualified_id: string;
}

/**
 * The qualified id a person means by `input` (`<slug>/WP01`, or a bare `WP01` that only one
 * mission has). Errors list the candidates, never guess.
 */
export function resolveWorkPackageId(workPackages: readonly WorkPackageIdentity[], input: string): string {
  const wanted = input.trim();
  const {mission, wp} = splitWpId(wanted);
  const wpUpper = wp.toUpperCase();
  if (mission !== null) {
    const found = workPackages.find((w) => w.mission_slug === mission && w.wp_id === wpUpper);
    if (found) return found.qualified_id;
    throw new TrackerError(`No work package ${wpUpper} in mission ${mission}.`, {
      hint: 'List them with `spec-kitty tracker status`; ids look like <mission-slug>/WP01.',
    });
  }
  const matches = workPackages.filter((w) => w.wp_id === wpUpper);
  if (matches.length === 1) return matches[0].qualified_id;
  if (matches.length === 0) {
    throw new TrackerError(`No mission has a work package ${wpUpper}.`, {
      hint: 'Check the id in kitty-specs/<mission>/tasks/, or qualify it: <mission-slug>/WP01.',
    });
  }
  throw new TrackerError(
    `${wpUpper} exists in ${matches.length} missions: ${matches.map((m) => m.mission_slug).join(', ')}.`,
    {
      hint: `Qualify it, e.g. ${matches[0].qualified_id}.`,
    },
  );
}

/**
 * Finds a work package's mapping for one system: by qualified id, else by its bare id when that
 * bare id is unique in the project (`bareIdCounts` counts work packages per bare id).
 */
export function findMappingFor(
  wp: WorkPackageIdentity,
  system: string,
  byWpId: ReadonlyMap<string, readonly WorkPackageMapping[]>,
  bareIdCounts: ReadonlyMap<string, number>,
): WorkPackageMapping | null {
  const pick = (id: string) => byWpId.get(id)?.find((m) => m.ref.system === system) ?? null;
  const qualified = pick(wp.qualified_id);
  if (qualified) return qualified;
  if ((bareIdCounts.get(wp.wp_id) ?? 0) === 1) return pick(wp.wp_id);
  return null;
}

/** Helpers to build the two lookup maps once per run. */
export function indexMappings(mappings: readonly WorkPackageMapping[]): Map<string, WorkPackageMapping[]> {
  const out = new Map<string, WorkPackageMapping[]>();
  for (const mapping of mappings) {
    const list = out.get(mapping.wp_id) ?? [];
    list.push(mapping);
    out.set(mapping.wp_id, list);
  }
  return out;
}

export function countBareIds(workPackages: readonly {wp_id: string}[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const wp of workPackages) out.set(wp.wp_id, (out.get(wp.wp_id) ?? 0) + 1);
  return out;
}
