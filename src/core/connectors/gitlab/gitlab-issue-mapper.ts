/**
 * GitLab issue JSON -> canonical issue.
 *
 * Status: closed -> canceled when the canceled label is present, else done; opened -> the
 * status of a status label (in progress / in review / blocked, configurable), else todo.
 * Status and priority labels (`priority::N`) are not canonical labels. `weight` and the
 * milestone title go to `custom_fields`. `issue_type` incident -> bug, others -> task.
 * GitLab issues have no parent in the REST issue API (epics and tasks are other APIs): null.
 */
import {IssuePayloadContractError} from '../../errors.js';
import {createIssue, type CanonicalIssue} from '../../model/canonical-issue.js';
import type {CanonicalStatus} from '../../model/enums.js';
import {isJsonObject, type JsonObject} from '../../model/json.js';
import {splitMarker} from '../shared/body-marker.js';
import {isStatusLabel, priorityFromLabel, statusFromLabels} from '../shared/label-status.js';
import type {GitLabSettings} from './gitlab-settings.js';

export interface GitLabIssueJson extends JsonObject {
  iid: number;
  title: string;
  state: string;
}

export function assertGitLabIssue(value: unknown, where: string): GitLabIssueJson {
  if (
    !isJsonObject(value) ||
    typeof value.iid !== 'number' ||
    typeof value.title !== 'string' ||
    typeof value.state !== 'string'
  ) {
    throw new IssuePayloadContractError(
      `GitLab returned something that is not an issue for ${where} (expected iid, title and state).`,
      {
        hint: 'Check that the server URL is the GitLab instance root (e.g. https://gitlab.example.com).',
      },
    );
  }
  return value as GitLabIssueJson;
}

export function gitlabLabels(raw: JsonObject): string[] {
  return Array.isArray(raw.labels) ? raw.labels.filter((l): l is string => typeof l === 'string') : [];
}

export function gitlabStatusOf(raw: JsonObject, settings: GitLabSettings): CanonicalStatus {
  const fromLabel = statusFromLabels(gitlabLabels(raw), settings.statusLabels);
  if (raw.state === 'closed') return fromLabel === 'canceled' ? 'canceled' : 'done';
  return fromLabel === null || fromLabel === 'canceled' ? 'todo' : fromLabel;
}

export function gitlabToCanonical(raw: GitLabIssueJson, settings: GitLabSettings): CanonicalIssue {
  let priority: number | null = null;
  const plain: string[] = [];
  for (const label of gitlabLabels(raw)) {
    const p = priorityFromLabel(label, settings.priorityLabelPrefix);
    if (p !== null) priority = priority === null ? p : Math.min(priority, p);
    else if (!isStatusLabel(label, settings.statusLabels)) plain.push(label);
  }
  const assignees = (Array.isArray(raw.assignees) ? raw.assignees : [])
    .map((a) => (isJsonObject(a) && typeof a.username === 'string' ? a.username : null))
    .filter((a): a is string => a !== null);
  const custom: JsonObject = {};
  if (isJsonObject(raw.milestone) && typeof raw.milestone.title === 'string')
    custom.milestone = raw.milestone.title;
  if (typeof raw.weight === 'number') custom.weight = raw.weight;
  const type = typeof raw.issue_type === 'string' ? raw.issue_type.toLowerCase() : 'issue';
  return createIssue({
    ref: {
      system: 'gitlab',
      workspace: settings.workspace,
      id: String(raw.iid),
      key: `#${raw.iid}`,
      url: typeof raw.web_url === 'string' ? raw.web_url : null,
    },
    title: raw.title,
    body: splitMarker(typeof raw.description === 'string' ? raw.description : null).body,
    status: gitlabStatusOf(raw, settings),
    issue_type: type === 'incident' ? 'bug' : 'task',
    priority,
    assignees,
    labels: plain,
    custom_fields: custom,
    created_at: typeof raw.created_at === 'string' ? raw.created_at : null,
    updated_at: typeof raw.updated_at === 'string' ? raw.updated_at : null,
    raw,
  });
}
