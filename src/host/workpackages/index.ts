/** Work packages <-> tracker: reading spec-kitty missions and turning their state into intents. */
export * from './work-package-model.js';
export * from './lanes.js';
export * from './frontmatter.js';
export * from './status-event-log.js';
export * from './mission-reader.js';
export * from './wp-ids.js';
export * from './wp-issue-content.js';
export * from './map-suggestions.js';
export * from './wp-intents.js';
export * from './wp-push.js';
export * from './wp-status-rows.js';
