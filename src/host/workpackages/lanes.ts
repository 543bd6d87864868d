import {CANONICAL_STATUSES, isOneOf, type CanonicalStatus} from '../../core/model/enums.js';

/**
 * spec-kitty's lanes (its `Lane` enum, display lanes only) and how they map to the tracker's
 * canonical statuses. The mapping is configurable per project (`tracker.lanes` in
 * `.kittify/config.yaml`); this default is what a project without one gets.
 */
export const KNOWN_LANES = [
  'planned',
  'claimed',
  'in_progress',
  'for_review',
  'in_review',
  'approved',
  'done',
  'blocked',
  'canceled',
] as const;
export type KnownLane = (typeof KNOWN_LANES)[number];

/** Legacy lane names still found in old frontmatter and logs (spec-kitty's `_LANE_ALIASES`). */
export const LANE_ALIASES: Readonly<Record<string, KnownLane>> = Object.freeze({doing: 'in_progress'});

export const DEFAULT_LANE_STATUS: Readonly<Record<KnownLane, CanonicalStatus>> = Object.freeze({
  planned: 'todo',
  claimed: 'in_progress',
  in_progress: 'in_progress',
  for_review: 'in_review',
  in_review: 'in_review',
  approved: 'in_review',
  done: 'done',
  blocked: 'blocked',
  canceled: 'canceled',
});

export type LaneMapping = Readonly<Record<string, CanonicalStatus>>;

/** Trims, lower-cases and resolves aliases; null for blank or non-string input. */
export function normaliseLane(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const lane = raw.trim().toLowerCase();
  if (lane === '') return null;
  return LANE_ALIASES[lane] ?? lane;
}

export function isKnownLane(lane: string): lane is KnownLane {
  return isOneOf(KNOWN_LANES, lane);
}

/**
 * The effective mapping: the binding's `tracker.lanes` entries over the default. An entry whose
 * status is not canonical is ignored and reported (the default for that lane stays), so a typo
 * never silently pushes a wrong status. Extra lanes (a custom lane) may be mapped too.
 */
export function resolveLaneMapping(overrides: Readonly<Record<string, string>> = {}): {
  mapping: LaneMapping;
  warnings: string[];
} {
  const mapping: Record<string, CanonicalStatus> = {...DEFAULT_LANE_STATUS};
  const warnings: string[] = [];
  for (const [rawLane, rawStatus] of Object.entries(overrides)) {
    const lane = normaliseLane(rawLane);
    const status = typeof rawStatus === 'string' ? rawStatus.trim().toLowerCase() : '';
    if (lane === null) continue;
    if (!isOneOf(CANONICAL_STATUSES, status)) {
      warnings.push(
        `tracker.lanes.${rawLane}: '${String(rawStatus)}' is not a status (expected one of ${CANONICAL_STATUSES.join(', ')}); using ${
          mapping[lane] ?? 'no status'
        } for lane ${lane}.`,
      );
      continue;
    }
    mapping[lane] = status;
  }
  return {mapping: Object.freeze(mapping), warnings};
}

/** The canonical status a lane maps to, or null for a lane the mapping does not know. */
export function laneToStatus(
  lane: string | null,
  mapping: LaneMapping = DEFAULT_LANE_STATUS,
): CanonicalStatus | null {
  if (lane === null) return null;
  return mapping[lane] ?? null;
}
