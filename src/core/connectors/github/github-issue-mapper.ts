/**
 * GitHub issue JSON <-> canonical issue.
 *
 * Status: closed + state_reason `not_planned` or `duplicate` -> canceled, other closed (`completed`,
 * or none on issues closed before GitHub had reasons) -> done; open -> the
 * status named by a status label (configurable), else todo. Status and priority labels are
 * not part of the canonical labels. Priority is not native to GitHub: a `priority: N` label
 * (0..4) carries it when present. `type.name` (organisation issue types) gives the issue type
 * where present; `parent_issue_url` the parent (sub-issues). Milestone title goes to
 * `custom_fields.milestone`.
 */
import {IssuePayloadContractError} from '../../errors.js';
import {createIssue, type CanonicalIssue} from '../../model/canonical-issue.js';
import type {CanonicalIssueType, CanonicalStatus} from '../../model/enums.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import {splitMarker} from '../shared/body-marker.js';
import {isStatusLabel, priorityFromLabel, statusFromLabels} from '../shared/label-status.js';
import type {GitHubSettings} from './github-settings.js';

export interface GitHubIssueJson extends JsonObject {
  number: number;
  title: string;
  body: string | null;
  state: string;
  state_reason: string | null;
  html_url: string;
  labels: JsonValue[];
  assignees: JsonValue[];
  created_at: string;
  updated_at: string;
}

const TYPE_NAMES: Record<string, CanonicalIssueType> = {
  bug: 'bug',
  task: 'task',
  feature: 'story',
  story: 'story',
  'user story': 'story',
  enhancement: 'story',
  epic: 'epic',
  initiative: 'epic',
  chore: 'chore',
  subtask: 'subtask',
  'sub-task': 'subtask',
};

/**
 * `state_reason`s of a closed issue that mean "not done". GitHub's REST docs ("Update an issue")
 * list `completed`, `not_planned`, `duplicate` and `reopened`; a duplicate was not done here.
 */
const CANCELED_REASONS: ReadonlySet<string> = new Set(['not_planned', 'duplicate']);

export function isPullRequest(item: JsonValue): boolean {
  return isJsonObject(item) && item.pull_request !== undefined && item.pull_request !== null;
}

export function labelNames(raw: JsonObject): string[] {
  const labels = Array.isArray(raw.labels) ? raw.labels : [];
  return labels
    .map((l) => (typeof l === 'string' ? l : isJsonObject(l) && typeof l.name === 'string' ? l.name : null))
    .filter((l): l is string => l !== null);
}

export function assigneeLogins(raw: JsonObject): string[] {
  const assignees = Array.isArray(raw.assignees) ? raw.assignees : [];
  return assignees
    .map((a) => (isJsonObject(a) && typeof a.login === 'string' ? a.login : null))
    .filter((a): a is string => a !== null);
}

export function assertIssueJson(value: unknown, where: string): GitHubIssueJson {
  if (
    !isJsonObject(value) ||
    typeof value.number !== 'number' ||
    typeof value.title !== 'string' ||
    typeof value.state !== 'string'
  ) {
    throw new IssuePayloadContractError(
      `GitHub returned something that is not an issue for ${where} (expected number, title and state).`,
      {
        hint: 'Check that the server URL points at the GitHub REST API (for GitHub Enterprise: https://HOST/api/v3).',
      },
    );
  }
  return value as GitHubIssueJson;
}

export function statusOf(
  raw: JsonObject,
  settings: GitHubSettings,
  labels: readonly string[] = labelNames(raw),
): CanonicalStatus {
  if (raw.state === 'closed') return CANCELED_REASONS.has(raw.state_reason as string) ? 'canceled' : 'done';
  const fromLabel = statusFromLabels(labels, settings.statusLabels);
  // A "canceled" label on an open issue is not a closed issue: it stays todo-ish; only close cancels.
  return fromLabel === null || fromLabel === 'canceled' ? 'todo' : fromLabel;
}

export function toCanonical(raw: GitHubIssueJson, settings: GitHubSettings): CanonicalIssue {
  const labels = labelNames(raw);
  let priority: number | null = null;
  const plain: string[] = [];
  for (const label of labels) {
    const p = priorityFromLabel(label, settings.priorityLabelPrefix);
    if (p !== null) priority = priority === null ? p : Math.min(priority, p);
    else if (!isStatusLabel(label, settings.statusLabels)) plain.push(label);
  }
  const typeName =
    isJsonObject(raw.type) && typeof raw.type.name === 'string' ? raw.type.name.toLowerCase() : null;
  const parentNumber =
    typeof raw.parent_issue_url === 'string'
      ? /\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)$/.exec(raw.parent_issue_url)
      : null;
  const milestone =
    isJsonObject(raw.milestone) && typeof raw.milestone.title === 'string' ? raw.milestone.title : null;
  const customFields: JsonObject = {};
  if (milestone !== null) customFields.milestone = milestone;
  return createIssue({
    ref: {
      system: 'github',
      workspace: settings.workspace,
      id: String(raw.number),
      key: `#${raw.number}`,
      url: raw.html_url ?? null,
    },
    title: raw.title,
    body: splitMarker(raw.body).body,
    status: statusOf(raw, settings, labels),
    issue_type: (typeName !== null && TYPE_NAMES[typeName]) || 'task',
    priority,
    assignees: assigneeLogins(raw),
    labels: plain,
    parent:
      parentNumber && parentNumber[1].toLowerCase() === settings.workspace.toLowerCase()
        ? {system: 'github', workspace: settings.workspace, id: parentNumber[2], key: `#${parentNumber[2]}`}
        : null,
    custom_fields: customFields,
    created_at: raw.created_at,
    updated_at: raw.updated_at,
    raw,
  });
}
