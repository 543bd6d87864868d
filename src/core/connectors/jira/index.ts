import type {ConnectorModule} from '../connector-module.js';
import {JIRA_CAPABILITIES, JiraConnector} from './jira-connector.js';

/** Jira Cloud (REST v3) and Jira Data Center (REST v2), chosen by credentials or `options.edition`. */
export const connectorModule: ConnectorModule = {
  provider: 'jira',
  capabilities: JIRA_CAPABILITIES,
  relations: {
    dependencies: {
      support: 'full',
      how: 'issue links of type Blocks (POST /issueLink), read from issuelinks, removed by link id.',
    },
    parent: {
      support: 'full',
      how: 'Cloud: the parent field. Data Center: the Epic Link custom field named by the binding option epic_link_field (without it, parents are refused).',
    },
  },
  create: (config) => new JiraConnector(config),
};

export {JiraConnector, JIRA_CAPABILITIES} from './jira-connector.js';
export {findTransitionPath, type JiraTransition, type TransitionPlan} from './transition-path.js';
export {textToAdf, adfToText} from './adf.js';
