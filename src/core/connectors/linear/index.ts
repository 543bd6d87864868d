import type {ConnectorModule} from '../connector-module.js';
import {LINEAR_CAPABILITIES, LinearConnector} from './linear-connector.js';

/** Linear (GraphQL at api.linear.app, personal API key); workspace = team key. */
export const connectorModule: ConnectorModule = {
  provider: 'linear',
  capabilities: LINEAR_CAPABILITIES,
  relations: {
    dependencies: {
      support: 'full',
      how: 'issue relations of type blocks (issueRelationCreate, issueRelationDelete), read with the issue.',
    },
    parent: {support: 'full', how: 'parentId, read with the issue.'},
  },
  create: (config) => new LinearConnector(config),
};

export {LinearConnector, LINEAR_CAPABILITIES} from './linear-connector.js';
export {linearRateLimit} from './linear-graphql.js';
