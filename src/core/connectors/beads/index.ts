import type {ConnectorModule} from '../connector-module.js';
import {BEADS_CAPABILITIES, BeadsConnector} from './beads-connector.js';

export {BEADS_CAPABILITIES, BeadsConnector} from './beads-connector.js';
export * from './beads-mapping.js';

export const connectorModule: ConnectorModule = {
  provider: 'beads',
  capabilities: BEADS_CAPABILITIES,
  relations: {
    dependencies: {
      support: 'full',
      how: 'bd dep add <blocked> <blocker> --type blocks, bd dep remove; read from bd list/show --json.',
    },
    parent: {
      support: 'full',
      how: "the parent-child dependency, set with bd update --parent and read from bd's computed parent.",
    },
  },
  create: (config) => new BeadsConnector(config),
};
