import {genericRateLimit, parseRetryAfter, type RateLimitInterpreter} from '../../http/index.js';
import {isJsonObject, type JsonValue} from '../../model/json.js';

/**
 * Jira Cloud ("Rate limiting", developer.atlassian.com): 429 with `Retry-After` (seconds) and
 * `X-RateLimit-Reset` (an ISO 8601 instant); some 503s carry `Retry-After` too. A 429 without
 * either header is paced by the shared backoff. Data Center limits are admin-configured and
 * answer the same way when enabled.
 */
export const jiraRateLimit: RateLimitInterpreter = (response, context) => {
  if (response.status !== 429) return genericRateLimit(response, context);
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), context.now);
  if (retryAfter !== null)
    return {waitMs: retryAfter, kind: 'retry_after', retryAfterSeconds: Math.ceil(retryAfter / 1000)};
  const reset = response.headers.get('x-ratelimit-reset');
  const at = reset === null ? NaN : Date.parse(reset);
  if (!Number.isNaN(at)) {
    const waitMs = Math.max(0, at - context.now.getTime()) + 1000;
    return {waitMs, kind: 'primary', retryAfterSeconds: Math.ceil(waitMs / 1000)};
  }
  return {waitMs: context.backoffMs, kind: 'fallback', retryAfterSeconds: null};
};

/** Jira error bodies: `{"errorMessages": [...], "errors": {"field": "message"}}`. */
export function jiraServerMessage(body: JsonValue | null, text: string): string | null {
  if (!isJsonObject(body)) {
    const trimmed = text.trim();
    return trimmed === '' || trimmed.startsWith('<') ? null : trimmed;
  }
  const parts: string[] = [];
  if (Array.isArray(body.errorMessages))
    for (const m of body.errorMessages) if (typeof m === 'string' && m.trim() !== '') parts.push(m.trim());
  if (isJsonObject(body.errors))
    for (const [field, m] of Object.entries(body.errors))
      if (typeof m === 'string') parts.push(`${field}: ${m}`);
  if (typeof body.message === 'string') parts.push(body.message);
  return parts.length > 0 ? parts.join('; ') : null;
}
