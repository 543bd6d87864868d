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
      how: "written with fp issue update --depends; not read back and not removed: no fp output or command for that is known (fp's source is not public).",
    },
    parent: {
      support: 'partial',
      how: 'only when an issue is created (fp issue create --parent); not changed or read back afterwards.',
    },
  },
  create: (config) => new FPConnector(config),
};
