import type {ConnectorModule} from '../registry.js';
import {JIRA_CAPABILITIES, JiraConnector} from './jira-connector.js';

/** Jira Cloud (REST v3) and Jira Data Center (REST v2), chosen by credentials or `options.edition`. */
export const connectorModule: ConnectorModule = {
  provider: 'jira',
  capabilities: JIRA_CAPABILITIES,
  create: (config) => new JiraConnector(config),
};

export {JiraConnector, JIRA_CAPABILITIES} from './jira-connector.js';
export {findTransitionPath, type JiraTransition, type TransitionPlan} from './transition-path.js';
export {textToAdf, adfToText} from './adf.js';
