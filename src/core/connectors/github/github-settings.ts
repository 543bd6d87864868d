/** The GitHub binding: workspace, server, token and options, validated once at `create`. */
import {ConnectorConfigError} from '../../errors.js';
import type {ConnectorConfig} from '../../protocols/connector.js';
import {readStatusLabels, type StatusLabels} from '../shared/label-status.js';

export const GITHUB_DEFAULT_SERVER = 'https://api.github.com';

export const GITHUB_DEFAULT_STATUS_LABELS: StatusLabels = Object.freeze({
  in_progress: 'status: in progress',
  in_review: 'status: in review',
  blocked: 'status: blocked',
});

export interface GitHubSettings {
  readonly owner: string;
  readonly repo: string;
  readonly workspace: string;
  readonly serverUrl: string;
  readonly token: string;
  readonly statusLabels: StatusLabels;
  /** `priority: N` labels carry the canonical priority; null disables the convention. */
  readonly priorityLabelPrefix: string | null;
}

export function readGitHubSettings(config: ConnectorConfig): GitHubSettings {
  const workspace = config.workspace.trim();
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(workspace);
  if (!match) {
    throw new ConnectorConfigError(`GitHub workspace '${workspace}' is not 'owner/repo'.`, {
      hint: 'Pass --workspace owner/repo, e.g. octo-org/octo-repo.',
    });
  }
  const token = config.credentials.token ?? '';
  if (token.trim() === '') {
    throw new ConnectorConfigError('GitHub needs a token and none was found.', {
      hint: 'Set GITHUB_TOKEN or add token to the github table of the credentials file (a fine-grained token with Issues read/write).',
    });
  }
  const serverUrl = (config.serverUrl ?? GITHUB_DEFAULT_SERVER).replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(serverUrl)) {
    throw new ConnectorConfigError(`GitHub server URL '${serverUrl}' must start with https://.`, {
      hint: 'For GitHub Enterprise Server use https://HOST/api/v3.',
    });
  }
  const prefix = config.options.priority_label_prefix;
  if (prefix !== undefined && prefix !== null && typeof prefix !== 'string') {
    throw new ConnectorConfigError('GitHub: options.priority_label_prefix must be a string or null.');
  }
  return {
    owner: match[1],
    repo: match[2],
    workspace: `${match[1]}/${match[2]}`,
    serverUrl,
    token: token.trim(),
    statusLabels: readStatusLabels(config.options.status_labels, GITHUB_DEFAULT_STATUS_LABELS, 'GitHub'),
    priorityLabelPrefix: prefix === undefined ? 'priority: ' : prefix,
  };
}
