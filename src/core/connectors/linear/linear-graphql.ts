import {ConnectorRequestError} from '../../errors.js';
import {HttpClient, genericRateLimit, parseRetryAfter, type RateLimitInterpreter} from '../../http/index.js';
import type {FailureClass} from '../../model/enums.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import type {ConnectorRuntime} from '../../protocols/connector.js';

/**
 * Linear's GraphQL endpoint over the shared HTTP layer. Linear signals rate limits with HTTP
 * 400 and a GraphQL error whose `extensions.code` is `RATELIMITED` (Linear docs, "Rate
 * limiting"), with `x-ratelimit-requests-reset` / `x-ratelimit-complexity-reset` (UTC epoch
 * milliseconds) saying when the bucket refills: `linearRateLimit` turns that into a wait, and
 * the HTTP layer sleeps (injected clock) and sends the *same* request again, so a paged pull
 * resumes where it stopped. A 200 carrying both `data` and `errors` is a partial answer: it
 * is refused with the errors' paths and messages rather than half-used.
 */

interface GraphQLError {
  readonly message: string;
  readonly path: readonly (string | number)[];
  readonly code: string | null;
  readonly userMessage: string | null;
}

function readErrors(body: JsonValue | null): GraphQLError[] {
  if (!isJsonObject(body) || !Array.isArray(body.errors)) return [];
  return body.errors.filter(isJsonObject).map((e) => {
    const extensions = isJsonObject(e.extensions) ? e.extensions : {};
    return {
      message: typeof e.message === 'string' ? e.message : 'unknown error',
      path: Array.isArray(e.path)
        ? e.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
        : [],
      code: typeof extensions.code === 'string' ? extensions.code : null,
      userMessage:
        typeof extensions.userPresentableMessage === 'string' ? extensions.userPresentableMessage : null,
    };
  });
}

function parseBody(text: string): JsonValue | null {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return null;
  }
}

/** Epoch seconds or milliseconds -> ms from now (Linear sends milliseconds). */
function msUntilReset(value: string | null, now: Date): number | null {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return null;
  const n = Number(value);
  const atMs = n > 1e12 ? n : n * 1000;
  return Math.max(0, Math.round(atMs - now.getTime()));
}

export const linearRateLimit: RateLimitInterpreter = (response, context) => {
  const limited =
    response.status === 429 ||
    (response.status === 400 &&
      readErrors(parseBody(response.bodyText)).some((e) => e.code === 'RATELIMITED'));
  if (!limited) return genericRateLimit(response, context);
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), context.now);
  if (retryAfter !== null)
    return {waitMs: retryAfter, kind: 'retry_after', retryAfterSeconds: Math.ceil(retryAfter / 1000)};
  const resets = [
    response.headers.get('x-ratelimit-requests-reset'),
    response.headers.get('x-ratelimit-complexity-reset'),
  ]
    .map((h) => msUntilReset(h, context.now))
    .filter((ms): ms is number => ms !== null);
  if (resets.length > 0) {
    // The bucket that ran out is the one whose reset is later; a second more absorbs clock skew.
    const waitMs = Math.max(...resets) + 1000;
    return {waitMs, kind: 'primary', retryAfterSeconds: Math.ceil(waitMs / 1000)};
  }
  return {waitMs: Math.max(1000, context.backoffMs), kind: 'fallback', retryAfterSeconds: null};
};

export function linearServerMessage(body: JsonValue | null, text: string): string | null {
  const errors = readErrors(body);
  if (errors.length > 0) return errors.map((e) => e.userMessage ?? e.message).join('; ');
  const trimmed = text.trim();
  return trimmed === '' || trimmed.startsWith('<') ? null : trimmed;
}

const CODE_CLASS: Record<string, FailureClass> = {
  AUTHENTICATION_ERROR: 'authentication',
  FORBIDDEN: 'permission',
  RATELIMITED: 'rate_limit',
  INPUT_ERROR: 'validation',
  INVALID_INPUT: 'validation',
  GRAPHQL_VALIDATION_FAILED: 'validation',
  ENTITY_NOT_FOUND: 'not_found',
  NOT_FOUND: 'not_found',
  INTERNAL_SERVER_ERROR: 'transient',
};

export class LinearGraphQL {
  readonly http: HttpClient;

  constructor(options: {baseUrl: string; apiKey: string; runtime: ConnectorRuntime}) {
    this.http = new HttpClient({
      provider: 'linear',
      displayName: 'Linear',
      baseUrl: options.baseUrl,
      headers: {Accept: 'application/json'},
      // Personal API keys go in Authorization as they are (no "Bearer"), per Linear's docs.
      authHeaders: {Authorization: options.apiKey},
      secrets: [options.apiKey],
      runtime: options.runtime,
      rateLimit: linearRateLimit,
      serverMessage: linearServerMessage,
      advice: {
        authentication: 'Check LINEAR_API_KEY (a personal API key from Linear settings > Security & access).',
        permission: 'Check that the API key can read and write issues of this team.',
        rate_limit: 'Linear limits requests per hour per key; wait for the reset time and pull again.',
      },
    });
  }

  /**
   * Runs one operation and returns its `data`. `notFoundIsNull` turns Linear's "entity not
   * found" error (how `issue(id:)` answers for a missing id) into `null`.
   */
  async run<T extends JsonObject>(
    operation: string,
    query: string,
    variables: JsonObject,
    options: {notFoundIsNull?: boolean; mutation?: boolean} = {},
  ): Promise<T | null> {
    let response;
    try {
      response = await this.http.request<JsonValue>({
        method: 'POST',
        path: '/graphql',
        body: {query, variables},
        // Queries are safe to repeat; a mutation is only repeated when refused before it ran.
        idempotent: !options.mutation,
      });
    } catch (error) {
      // Linear may answer a missing entity with HTTP 400 rather than a 200 carrying errors.
      if (
        options.notFoundIsNull &&
        error instanceof ConnectorRequestError &&
        error.statusCode === 400 &&
        /not found|could not find/i.test(error.message)
      ) {
        return null;
      }
      throw error;
    }
    const body = response.data;
    const errors = readErrors(body);
    const data = isJsonObject(body) && isJsonObject(body.data) ? body.data : null;
    if (errors.length > 0) {
      const notFound = errors.every(
        (e) => CODE_CLASS[e.code ?? ''] === 'not_found' || /not found/i.test(e.userMessage ?? e.message),
      );
      if (notFound && options.notFoundIsNull) return null;
      const where = (e: GraphQLError): string => (e.path.length > 0 ? ` at ${e.path.join('.')}` : '');
      const detail = errors
        .slice(0, 5)
        .map((e) => `${e.userMessage ?? e.message}${where(e)}`)
        .join('; ');
      const failureClass: FailureClass = notFound
        ? 'not_found'
        : (CODE_CLASS[errors[0].code ?? ''] ?? 'non_retryable');
      const partial = data !== null && Object.values(data).some((v) => v !== null);
      throw new ConnectorRequestError(
        this.http.redactText(
          partial
            ? `Linear answered ${operation} only in part (${errors.length} error(s)): ${detail}. Nothing from this answer was used.`
            : `Linear refused ${operation}: ${detail}.`,
        ),
        {
          provider: 'linear',
          failureClass,
          statusCode: response.status,
          hint: partial
            ? 'Run again; if it persists, a field may be unavailable to this API key.'
            : undefined,
        },
      );
    }
    if (data === null) {
      throw new ConnectorRequestError(`Linear answered ${operation} without data.`, {
        provider: 'linear',
        failureClass: 'transient',
        statusCode: response.status,
      });
    }
    return data as T;
  }
}
