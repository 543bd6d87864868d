export * from './sync-engine.js';
export * from './three-way-merge.js';
export * from './push-plan.js';
export * from './retry.js';
export * from './sync-result.js';
export * from './bulk-guard.js';
export * from './idempotency-key.js';
export * from './counting-connector.js';
