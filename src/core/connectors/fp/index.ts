import type {ConnectorModule} from '../connector-module.js';
import {FP_CAPABILITIES, FPConnector} from './fp-connector.js';

export {FP_CAPABILITIES, FPConnector} from './fp-connector.js';
export * from './fp-output.js';

export const connectorModule: ConnectorModule = {
  provider: 'fp',
  capabilities: FP_CAPABILITIES,
  relations: {
    dependencies: {
      support: 'partial',
      how: "written only when an issue is created (fp issue create --depends a,b): fp issue update --depends replaces an issue's whole list, which cannot be read back (no documented output), so a later dependency is reported, never written over the others; not removed (no command known; fp's source is not public).",
    },
    parent: {
      support: 'partial',
      how: 'only when an issue is created (fp issue create --parent); not changed or read back afterwards.',
    },
  },
  create: (config) => new FPConnector(config),
};
