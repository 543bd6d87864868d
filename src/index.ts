// Public entry point of @spec-kitty/plugin-tracker (package.json "exports" ".").
// The services behind the `spec-kitty tracker` commands, for hosts that embed the plugin.
export {findProjectRoot, type ProjectLocation} from './host/project/project-root.js';
export {
  readTrackerBinding,
  writeTrackerBinding,
  clearTrackerBinding,
  writeEgress,
  type TrackerBinding,
} from './host/config/tracker-config.js';
export {
  resolveCredentials,
  credentialsPath,
  writeProviderCredentials,
  clearProviderCredentials,
} from './host/config/credentials.js';
export {assertNoSecrets, findSecrets} from './host/config/secret-guard.js';
export {bindTracker, unbindTracker, listProviders} from './host/services/binding-service.js';
export {listTickets, searchTickets, showTicket, trackerStatus} from './host/services/cache-service.js';
export {editTicket, commentTicket} from './host/services/edit-service.js';
export {addMapping, listMappings, removeMapping} from './host/services/mapping-service.js';
export {runSync, type SyncIntent, type SyncRequest, type SyncReport} from './host/services/sync-service.js';
export type {ServiceEnvironment} from './host/services/service-context.js';
