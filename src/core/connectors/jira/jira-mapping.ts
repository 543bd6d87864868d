import type {CanonicalIssueType, CanonicalStatus} from '../../model/enums.js';

/**
 * Jira <-> canonical vocabularies: status (by status category, with name overrides), issue type
 * and priority. Pure functions; the connector passes the user's overrides from the binding.
 */

/** A Jira status as the REST API returns it (`fields.status`, `transitions[].to`). */
export interface JiraStatus {
  readonly id: string;
  readonly name: string;
  /** `statusCategory.key`: `new`, `indeterminate`, `done` (or `undefined` on odd instances). */
  readonly category: string;
}

/**
 * Status names whose category says too little: Jira puts "In Review" and "Blocked" in
 * `indeterminate` and "Won't Do" in `done`. Matched case-insensitively; the binding's
 * `status_map` option adds to and overrides these.
 */
export const DEFAULT_STATUS_OVERRIDES: Readonly<Record<string, CanonicalStatus>> = Object.freeze({
  'in review': 'in_review',
  'code review': 'in_review',
  review: 'in_review',
  blocked: 'blocked',
  "won't do": 'canceled',
  "won't fix": 'canceled',
  canceled: 'canceled',
  cancelled: 'canceled',
  declined: 'canceled',
  rejected: 'canceled',
});

export type StatusOverrides = ReadonlyMap<string, CanonicalStatus>;

export function buildStatusOverrides(extra: Readonly<Record<string, CanonicalStatus>> = {}): StatusOverrides {
  const map = new Map<string, CanonicalStatus>();
  for (const [name, status] of Object.entries(DEFAULT_STATUS_OVERRIDES)) map.set(normaliseName(name), status);
  for (const [name, status] of Object.entries(extra)) map.set(normaliseName(name), status);
  return map;
}

/** Status category -> canonical: new -> todo, indeterminate -> in_progress, done -> done. */
export function jiraStatusToCanonical(status: JiraStatus, overrides: StatusOverrides): CanonicalStatus {
  const byName = overrides.get(normaliseName(status.name));
  if (byName) return byName;
  switch (status.category) {
    case 'indeterminate':
      return 'in_progress';
    case 'done':
      return 'done';
    default:
      return 'todo';
  }
}

/**
 * When a workflow has no status for the wanted canonical status (most have no "Blocked"), the
 * nearest one that exists is used instead, in this order. The engine then sees the status the
 * issue really has on its next pull.
 */
export const STATUS_FALLBACKS: Readonly<Record<CanonicalStatus, readonly CanonicalStatus[]>> = Object.freeze({
  todo: [],
  in_progress: [],
  in_review: ['in_progress'],
  blocked: ['in_progress'],
  done: [],
  canceled: ['done'],
});

// ---- issue types ----------------------------------------------------------------------

/** Jira issue type -> canonical. Sub-task types are recognised by the `subtask` flag too. */
export function jiraTypeToCanonical(
  type: {name: string; subtask?: boolean} | null | undefined,
): CanonicalIssueType {
  if (!type) return 'task';
  if (type.subtask) return 'subtask';
  const name = normaliseName(type.name).replace(/[\s_-]/g, '');
  switch (name) {
    case 'epic':
      return 'epic';
    case 'story':
    case 'userstory':
      return 'story';
    case 'bug':
    case 'defect':
      return 'bug';
    case 'chore':
      return 'chore';
    case 'subtask':
      return 'subtask';
    default:
      return 'task';
  }
}

/**
 * Canonical -> the Jira issue type name to create with. Jira has no "Chore" by default, so it
 * becomes a Task; Cloud calls sub-tasks "Subtask", Data Center "Sub-task". The binding's
 * `issue_type_map` option overrides any of these.
 */
export function canonicalTypeToJira(
  type: CanonicalIssueType,
  edition: 'cloud' | 'datacenter',
  overrides: Readonly<Record<string, string>> = {},
): string {
  const override = overrides[type];
  if (override) return override;
  switch (type) {
    case 'epic':
      return 'Epic';
    case 'story':
      return 'Story';
    case 'bug':
      return 'Bug';
    case 'subtask':
      return edition === 'cloud' ? 'Subtask' : 'Sub-task';
    default:
      return 'Task';
  }
}

// ---- priority -------------------------------------------------------------------------

/** Jira's default priority scheme, highest first: canonical 0..4. */
export const DEFAULT_PRIORITY_NAMES: readonly string[] = Object.freeze([
  'Highest',
  'High',
  'Medium',
  'Low',
  'Lowest',
]);

/** The older Data Center scheme (Blocker..Trivial), also read as 0..4. */
const LEGACY_PRIORITY_NAMES: readonly string[] = ['Blocker', 'Critical', 'Major', 'Minor', 'Trivial'];

/** Jira priority name -> canonical 0..4, or null when unset or unknown. */
export function jiraPriorityToCanonical(
  name: string | null | undefined,
  names: readonly string[] = DEFAULT_PRIORITY_NAMES,
): number | null {
  if (!name) return null;
  const wanted = normaliseName(name);
  for (const scheme of [names, DEFAULT_PRIORITY_NAMES, LEGACY_PRIORITY_NAMES]) {
    const index = scheme.findIndex((candidate) => normaliseName(candidate) === wanted);
    if (index >= 0) return index;
  }
  return null;
}

/** Canonical 0..4 -> Jira priority name (null stays unset). */
export function canonicalPriorityToJira(
  priority: number | null,
  names: readonly string[] = DEFAULT_PRIORITY_NAMES,
): string | null {
  if (priority === null) return null;
  return names[Math.min(Math.max(priority, 0), names.length - 1)] ?? null;
}

function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\u2019/g, "'");
}
