// PLACEHOLDER until the linear connector lands: it refuses clearly rather than pretend to work.
import {CapabilityNotSupportedError} from '../../errors.js';
import type {ConnectorModule} from '../registry.js';
import {IN_MEMORY_CAPABILITIES} from '../../memory/in-memory-connector.js';

export const connectorModule: ConnectorModule = {
  provider: 'linear',
  capabilities: {...IN_MEMORY_CAPABILITIES, create: false, writable_fields: []},
  create() {
    throw new CapabilityNotSupportedError('linear', 'sync in this build (connector not implemented yet)');
  },
};
