/** GitLab Issues connector (gitlab.com and self-managed instances). */
import type {ConnectorModule} from '../registry.js';
import {GITLAB_CAPABILITIES, GitLabConnector} from './gitlab-connector.js';

export {GitLabConnector, GITLAB_CAPABILITIES} from './gitlab-connector.js';
export {GITLAB_DEFAULT_STATUS_LABELS, readGitLabSettings} from './gitlab-settings.js';

export const connectorModule: ConnectorModule = {
  provider: 'gitlab',
  capabilities: GITLAB_CAPABILITIES,
  create: (config) => new GitLabConnector(config),
};
