/** The CLI's durable tracker stores under `.kittify/tracker/<scope>/`. */
export * from '../fs/errors.js';
export * from './scope.js';
export * from './jsonl-event-log.js';
export * from './checkpoint-file-store.js';
export * from './ignore-rules.js';
export * from './compaction.js';
export * from './doctor.js';
export * from './tracker-storage.js';
export {READ_CACHE_DIR, type ReadCacheOptions} from './read-cache.js';
export {type LockOptions} from '../fs/file-lock.js';
