/** GitLab Issues connector (gitlab.com and self-managed instances). */
import type {ConnectorModule} from '../connector-module.js';
import {GITLAB_CAPABILITIES, GitLabConnector} from './gitlab-connector.js';

export {GitLabConnector, GITLAB_CAPABILITIES} from './gitlab-connector.js';
export {GITLAB_DEFAULT_STATUS_LABELS, readGitLabSettings} from './gitlab-settings.js';

export const connectorModule: ConnectorModule = {
  provider: 'gitlab',
  capabilities: GITLAB_CAPABILITIES,
  relations: {
    dependencies: {
      support: 'full',
      how: 'issue links of type "blocks" (Premium and Ultimate); on Free GitLab refuses "blocks" and the dependency is written as "relates to", said once per push. Read back with one request per issue read (binding option issue_links: off turns links off).',
    },
    parent: {
      support: 'none',
      how: "GitLab's REST issue API has no parent: child tasks and epics are work items, reachable through GraphQL only.",
    },
  },
  create: (config) => new GitLabConnector(config),
};
