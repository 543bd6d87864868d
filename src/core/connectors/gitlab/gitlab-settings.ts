/** The GitLab binding: project, instance, token and options, validated once at `create`. */
import {ConnectorConfigError} from '../../errors.js';
import type {ConnectorConfig} from '../../protocols/connector.js';
import {readStatusLabels, type StatusLabels} from '../shared/label-status.js';

export const GITLAB_DEFAULT_SERVER = 'https://gitlab.com';

/** Scoped labels (`status::…`) are mutually exclusive in GitLab Premium and plain labels elsewhere. */
export const GITLAB_DEFAULT_STATUS_LABELS: StatusLabels = Object.freeze({
  in_progress: 'status::in progress',
  in_review: 'status::in review',
  blocked: 'status::blocked',
  canceled: 'status::canceled',
});

export interface GitLabSettings {
  /** As given: `group/subgroup/project` or a numeric id. */
  readonly workspace: string;
  /** The `:id` path segment: the numeric id or the URL-encoded path. */
  readonly projectSegment: string;
  /** The API root, `https://host/api/v4`. */
  readonly apiUrl: string;
  readonly token: string;
  readonly authHeader: 'private-token' | 'bearer';
  readonly statusLabels: StatusLabels;
  readonly priorityLabelPrefix: string | null;
  /**
   * Whether dependencies are written as issue links and read back: reading costs one request per
   * issue read (GitLab's issue list carries no links), so a binding can turn them off.
   */
  readonly issueLinks: boolean;
}

export function readGitLabSettings(config: ConnectorConfig): GitLabSettings {
  const workspace = config.workspace.trim().replace(/^\/+|\/+$/g, '');
  if (!/^\d+$/.test(workspace) && !/^[\w.-]+(\/[\w.-]+)+$/.test(workspace)) {
    throw new ConnectorConfigError(
      `GitLab workspace '${config.workspace}' is not 'group/project' or a numeric project id.`,
      {
        hint: 'Pass --workspace group/project (subgroups allowed: group/sub/project) or the project id shown on its settings page.',
      },
    );
  }
  const token = (config.credentials.token ?? '').trim();
  if (token === '') {
    throw new ConnectorConfigError('GitLab needs a token and none was found.', {
      hint: 'Set GITLAB_TOKEN or add token to the gitlab table of the credentials file (a personal, group or project access token with the api scope).',
    });
  }
  const server = (config.serverUrl ?? GITLAB_DEFAULT_SERVER).replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(server)) {
    throw new ConnectorConfigError(`GitLab server URL '${server}' must start with https://.`, {
      hint: 'Use the instance root, e.g. https://gitlab.example.com.',
    });
  }
  const authOption = config.options.auth_header;
  if (authOption !== undefined && authOption !== 'private-token' && authOption !== 'bearer') {
    throw new ConnectorConfigError(
      "GitLab: options.auth_header must be 'private-token' (access tokens) or 'bearer' (OAuth tokens).",
    );
  }
  const prefix = config.options.priority_label_prefix;
  if (prefix !== undefined && prefix !== null && typeof prefix !== 'string') {
    throw new ConnectorConfigError('GitLab: options.priority_label_prefix must be a string or null.');
  }
  const links = config.options.issue_links;
  if (links !== undefined && links !== 'on' && links !== 'off') {
    throw new ConnectorConfigError("GitLab: options.issue_links must be 'on' or 'off'.");
  }
  return {
    issueLinks: links !== 'off',
    workspace,
    projectSegment: encodeURIComponent(workspace),
    apiUrl: /\/api\/v4$/.test(server) ? server : `${server}/api/v4`,
    token,
    authHeader: authOption ?? 'private-token',
    statusLabels: readStatusLabels(config.options.status_labels, GITLAB_DEFAULT_STATUS_LABELS, 'GitLab'),
    priorityLabelPrefix: prefix === undefined ? 'priority::' : prefix,
  };
}
