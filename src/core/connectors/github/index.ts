/** GitHub Issues connector (api.github.com and GitHub Enterprise Server). */
import type {ConnectorModule} from '../registry.js';
import {GITHUB_CAPABILITIES, GitHubConnector} from './github-connector.js';

export {GitHubConnector, GITHUB_CAPABILITIES} from './github-connector.js';
export {GITHUB_DEFAULT_STATUS_LABELS, readGitHubSettings} from './github-settings.js';
export {joinMarker, markerFor, splitMarker} from '../shared/body-marker.js';

export const connectorModule: ConnectorModule = {
  provider: 'github',
  capabilities: GITHUB_CAPABILITIES,
  create: (config) => new GitHubConnector(config),
};
