import type {JiraStatus} from './jira-mapping.js';

/**
 * Finding a route through a Jira workflow. Jira changes status only by transitions, and the
 * API lists only the transitions available from the issue's *current* status; reaching "Done"
 * from "To Do" may need several. The finder runs a breadth-first search (fewest hops) where
 * expanding a status asks `transitionsFrom`, which may answer `null` when the transitions out
 * of that status cannot be learned without moving an issue. Nothing is moved while searching:
 * the caller executes the path only once it is complete.
 */

export interface JiraTransition {
  readonly id: string;
  readonly name: string;
  readonly to: JiraStatus;
}

export type TransitionsFrom = (status: JiraStatus) => Promise<readonly JiraTransition[] | null>;

export type TransitionPlan =
  | {readonly kind: 'already'}
  | {readonly kind: 'path'; readonly transitions: readonly JiraTransition[]}
  | {
      readonly kind: 'none';
      /** Statuses reached from the start (start included), in search order. */
      readonly explored: readonly JiraStatus[];
      /** Reached statuses whose outgoing transitions could not be learned. */
      readonly unknown: readonly JiraStatus[];
    };

/** At most this many hops: real workflows need 1-3; the bound keeps a cyclic graph finite. */
export const MAX_TRANSITION_HOPS = 8;

export async function findTransitionPath(
  start: JiraStatus,
  isTarget: (status: JiraStatus) => boolean,
  transitionsFrom: TransitionsFrom,
  maxHops = MAX_TRANSITION_HOPS,
): Promise<TransitionPlan> {
  if (isTarget(start)) return {kind: 'already'};
  const cameFrom = new Map<string, {via: JiraTransition; from: string} | null>([[start.id, null]]);
  const explored: JiraStatus[] = [start];
  const unknown: JiraStatus[] = [];
  let frontier: JiraStatus[] = [start];
  for (let hop = 0; hop < maxHops && frontier.length > 0; hop++) {
    const next: JiraStatus[] = [];
    for (const status of frontier) {
      const transitions = await transitionsFrom(status);
      if (transitions === null) {
        unknown.push(status);
        continue;
      }
      // Sorted by id so that equally short paths are chosen the same way every run.
      for (const transition of [...transitions].sort((a, b) => compareIds(a.id, b.id))) {
        if (cameFrom.has(transition.to.id)) continue;
        cameFrom.set(transition.to.id, {via: transition, from: status.id});
        if (isTarget(transition.to)) return {kind: 'path', transitions: unwind(cameFrom, transition.to.id)};
        explored.push(transition.to);
        next.push(transition.to);
      }
    }
    frontier = next;
  }
  return {kind: 'none', explored, unknown};
}

function unwind(
  cameFrom: Map<string, {via: JiraTransition; from: string} | null>,
  end: string,
): JiraTransition[] {
  const path: JiraTransition[] = [];
  let current = cameFrom.get(end) ?? null;
  while (current !== null) {
    path.unshift(current.via);
    current = cameFrom.get(current.from) ?? null;
  }
  return path;
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
