/**
 * The tracker core: canonical model, ownership and conflicts, store and connector protocols,
 * the tracker log fold, in-memory stores for tests, connectors and the sync engine.
 * It never touches the disk: durable persistence belongs to the host (see docs/ARCHITECTURE.md).
 */
export * from './errors.js';
export * from './model/enums.js';
export * from './model/json.js';
export * from './model/external-ref.js';
export * from './model/canonical-issue.js';
export * from './model/issue-json.js';
export * from './policy/ownership.js';
export * from './policy/conflicts.js';
export * from './protocols/runtime.js';
export * from './protocols/issue-store.js';
export * from './protocols/checkpoint-store.js';
export * from './protocols/mapping-store.js';
export * from './protocols/connector.js';
export * from './protocols/write-intent-store.js';
export * from './serialization/canonical-json.js';
export * from './util/ulid.js';
export * from './log/events.js';
export * from './log/event-log.js';
export * from './log/tracker-state.js';
export * from './log/log-backed-stores.js';
export * from './memory/in-memory-event-log.js';
export * from './memory/in-memory-stores.js';
export * from './memory/in-memory-connector.js';
export * from './memory/in-memory-write-intents.js';
export * from './connectors/registry.js';
export * from './sync/index.js';
