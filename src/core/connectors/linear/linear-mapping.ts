import type {CanonicalStatus} from '../../model/enums.js';

/**
 * Linear <-> canonical vocabularies.
 *
 * Workflow states are read by `state.type` (an open string set; schema `WorkflowState.type:
 * String!`): backlog, unstarted and triage -> todo; started -> in_progress, except states named
 * like the configured review / blocked state names (Linear has no such types); completed ->
 * done; canceled -> canceled; anything new -> todo.
 *
 * Priority (schema: "0 = No priority, 1 = Urgent, 2 = High, 3 = Normal, 4 = Low") against
 * canonical 0 (highest) .. 4 (lowest): none -> null, urgent -> 0, high -> 1, normal -> 2,
 * low -> 3. Writing maps back the same way; canonical 4 (lowest) has no Linear level of its
 * own and is written as Low (4), so it reads back as 3.
 */

export interface LinearState {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly position?: number;
}

export interface StateNames {
  /** Names of `started` states that mean in_review (lower-cased). */
  readonly inReview: ReadonlySet<string>;
  /** Names of `started`/`unstarted` states that mean blocked (lower-cased). */
  readonly blocked: ReadonlySet<string>;
}

export function linearStateToCanonical(state: LinearState | null, names: StateNames): CanonicalStatus {
  if (state === null) return 'todo';
  const name = state.name.trim().toLowerCase();
  switch (state.type) {
    case 'started':
      if (names.inReview.has(name)) return 'in_review';
      if (names.blocked.has(name)) return 'blocked';
      return 'in_progress';
    case 'unstarted':
    case 'backlog':
    case 'triage':
      return names.blocked.has(name) ? 'blocked' : 'todo';
    case 'completed':
      return 'done';
    case 'canceled':
      return 'canceled';
    default:
      return 'todo';
  }
}

/**
 * The team state to move an issue to for a canonical status: a state that reads back as that
 * status, preferring the usual state type and then the lowest position (the column order in
 * Linear). Null when the team has none (e.g. no review state): the caller falls back.
 */
export function pickState(
  states: readonly LinearState[],
  status: CanonicalStatus,
  names: StateNames,
): LinearState | null {
  const preferredTypes: Record<CanonicalStatus, readonly string[]> = {
    todo: ['unstarted', 'backlog', 'triage'],
    in_progress: ['started'],
    in_review: ['started'],
    blocked: ['started', 'unstarted'],
    done: ['completed'],
    canceled: ['canceled'],
  };
  const matching = states.filter((s) => linearStateToCanonical(s, names) === status);
  const rank = (s: LinearState): number => {
    const index = preferredTypes[status].indexOf(s.type);
    return index < 0 ? preferredTypes[status].length : index;
  };
  const sorted = [...matching].sort(
    (a, b) => rank(a) - rank(b) || (a.position ?? 0) - (b.position ?? 0) || (a.name < b.name ? -1 : 1),
  );
  return sorted[0] ?? null;
}

/** Fallbacks when a team has no state for the wanted status. */
export const LINEAR_STATUS_FALLBACKS: Readonly<Record<CanonicalStatus, readonly CanonicalStatus[]>> =
  Object.freeze({
    todo: [],
    in_progress: [],
    in_review: ['in_progress'],
    blocked: ['in_progress'],
    done: [],
    canceled: ['done'],
  });

export function linearPriorityToCanonical(priority: number | null | undefined): number | null {
  if (typeof priority !== 'number' || priority <= 0 || priority > 4) return null;
  return Math.round(priority) - 1;
}

export function canonicalPriorityToLinear(priority: number | null): number {
  if (priority === null) return 0;
  return Math.min(priority + 1, 4);
}
