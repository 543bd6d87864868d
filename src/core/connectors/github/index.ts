/** GitHub Issues connector (api.github.com and GitHub Enterprise Server). */
import type {ConnectorModule} from '../connector-module.js';
import {GITHUB_CAPABILITIES, GitHubConnector} from './github-connector.js';

export {GitHubConnector, GITHUB_CAPABILITIES} from './github-connector.js';
export {GITHUB_DEFAULT_STATUS_LABELS, readGitHubSettings} from './github-settings.js';
export {joinMarker, markerFor, splitMarker} from '../shared/body-marker.js';

export const connectorModule: ConnectorModule = {
  provider: 'github',
  capabilities: GITHUB_CAPABILITIES,
  relations: {
    dependencies: {
      support: 'full',
      how: "native issue dependencies (POST/DELETE .../dependencies/blocked_by with the blocking issue's database id); read back only for issues whose issue_dependencies_summary counts some.",
    },
    parent: {
      support: 'full',
      how: 'native sub-issues (POST .../sub_issues, DELETE .../sub_issue); one parent per issue (a parent set by someone else is kept), at most 100 sub-issues per parent; read back from parent_issue_url.',
    },
  },
  create: (config) => new GitHubConnector(config),
};
