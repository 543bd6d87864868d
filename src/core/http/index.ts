/**
 * The shared HTTP layer of hosted connectors (GitHub, GitLab, Jira, Linear): see
 * `HttpClient`. Plain `fetch`, injected through `ConnectorRuntime.fetch`.
 */
export * from './http-client.js';
export * from './backoff.js';
export * from './rate-limit.js';
export * from './redaction.js';
export * from './link-header.js';
export * from './keyset-pager.js';
