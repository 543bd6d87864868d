import type {ConnectorModule} from '../registry.js';
import {FP_CAPABILITIES, FPConnector} from './fp-connector.js';

export {FP_CAPABILITIES, FPConnector} from './fp-connector.js';
export * from './fp-output.js';

export const connectorModule: ConnectorModule = {
  provider: 'fp',
  capabilities: FP_CAPABILITIES,
  create: (config) => new FPConnector(config),
};
