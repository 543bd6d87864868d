import type {ConnectorModule} from '../registry.js';
import {BEADS_CAPABILITIES, BeadsConnector} from './beads-connector.js';

export {BEADS_CAPABILITIES, BeadsConnector} from './beads-connector.js';
export * from './beads-mapping.js';

export const connectorModule: ConnectorModule = {
  provider: 'beads',
  capabilities: BEADS_CAPABILITIES,
  create: (config) => new BeadsConnector(config),
};
