/**
 * The shared HTTP layer of hosted connectors (GitHub, GitLab, Jira, Linear): see
 * `HttpClient`. Plain `fetch`, injected through `ConnectorRuntime.fetch`.
 */
export * from './http-client.js';
export * from './rate-limit.js';
export * from './redaction.js';
export * from './link-header.js';
export * from './keyset-pager.js';
export * from './pacer.js';
export * from './provider-pacing.js';
export {HTTP_RETRY_POLICY, backoffDelayMs, type RetryPolicy} from '../retry/index.js';
