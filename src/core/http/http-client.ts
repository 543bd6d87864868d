import {ConnectorRequestError, classifyHttpStatus} from '../errors.js';
import type {FailureClass} from '../model/enums.js';
import type {JsonValue} from '../model/json.js';
import type {ConnectorRuntime} from '../protocols/connector.js';
import {DEFAULT_RETRY_POLICY, backoffDelayMs, type RetryPolicy} from './backoff.js';
import {genericRateLimit, type RateLimitInterpreter, type RateLimitSignal} from './rate-limit.js';
import {createRedactor, redactUrl, type Redactor} from './redaction.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined | readonly string[];

/** Redirect statuses that carry a new location (RFC 9110 §15.4); 300 and 304 do not. */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Redirects followed in a row before giving up (a loop, or a chain worth a look). */
export const MAX_REDIRECTS = 5;

/** Methods RFC 9110 calls idempotent: repeating them cannot duplicate a side effect. */
const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

export interface HttpClientOptions {
  /** Provider name for errors and events (`github`). */
  readonly provider: string;
  /** Human name for messages (`GitHub`). */
  readonly displayName: string;
  /** API root; request paths are appended to it (`https://ghe.example.com/api/v3`). */
  readonly baseUrl: string;
  /** Non-secret headers sent on every request (Accept, API version). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Secret headers (Authorization, PRIVATE-TOKEN): sent only to `baseUrl`'s origin, never shown. */
  readonly authHeaders?: Readonly<Record<string, string>>;
  /** Further secret values to keep out of messages (the bare token, a password). */
  readonly secrets?: readonly string[];
  readonly runtime: ConnectorRuntime;
  /** Per-attempt timeout covering headers and body (default 30 s). */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Provider rate-limit reading (default: `Retry-After` on 429/503). */
  readonly rateLimit?: RateLimitInterpreter;
  /** What the user should do, per failure class; replaces the generic advice. */
  readonly advice?: Partial<Record<FailureClass, string>>;
  /** What to do when the API answers with a redirect it cannot follow (e.g. a renamed repository). */
  readonly movedAdvice?: string;
  /** Pulls the server's own message out of an error body (default: `message`, `error`, `errors`). */
  readonly serverMessage?: (body: JsonValue | null, text: string) => string | null;
}

export interface HttpRequest {
  readonly method: HttpMethod;
  /** A path under `baseUrl` (`/repos/o/r/issues`) or an absolute URL on the same origin (a `Link`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: JsonValue;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether repeating the request after a network error or 5xx is harmless. Defaults to true
   * for GET/HEAD/PUT/DELETE and false otherwise; POST/PATCH are retried only when set to true.
   * (A rate-limited request was refused before it ran, so it is retried whatever this says.)
   */
  readonly idempotent?: boolean;
  /** Statuses returned to the caller instead of thrown (e.g. `[404]` for "does it exist?"). */
  readonly acceptStatuses?: readonly number[];
  readonly timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body; null when the body is empty. */
  readonly data: T;
  /** The URL requested (with credentials, if any were in it, redacted). */
  readonly url: string;
  /** How many attempts it took (1 when nothing was retried). */
  readonly attempts: number;
}

type AttemptOutcome =
  | {kind: 'response'; status: number; headers: Headers; text: string}
  | {kind: 'network'; error: unknown; timedOut: boolean};

const DEFAULT_ADVICE: Record<FailureClass, string> = {
  authentication: 'Check the token in the credentials.',
  permission: 'Check that the token has the scopes needed and can access this workspace.',
  not_found: 'Check the workspace and the server URL, and that the token can see them.',
  validation: 'The server refused the data sent and changed nothing; correct the value named above.',
  rate_limit: 'Wait a while and run again.',
  transient: 'Try again later; if it persists, check the provider status page and the server URL.',
  non_retryable: 'Check that the server URL points at the provider API.',
};

const SUMMARY: Record<FailureClass, string> = {
  authentication: 'rejected the credentials',
  permission: 'refused access',
  not_found: 'found nothing',
  validation: 'rejected the request',
  rate_limit: 'is rate limiting requests',
  transient: 'failed temporarily',
  non_retryable: 'answered with an error',
};

/**
 * The one HTTP client every hosted connector uses: plain `fetch` plus base URL and auth, a
 * timeout per attempt, JSON decoding, bounded retries (full-jitter backoff) for transient
 * failures, rate-limit waits read from headers, a cap on the total wait, and failures turned
 * into `ConnectorRequestError`s whose messages name the provider, the server and what to do
 * and never contain a credential. Waits go through `runtime.sleep` and are reported with
 * `runtime.onEvent`, so the CLI can show them and tests run on a `ManualClock`.
 */
export class HttpClient {
  readonly provider: string;
  readonly displayName: string;
  /** The API root as given (redacted), for messages. */
  readonly server: string;
  private readonly base: URL;
  private readonly runtime: ConnectorRuntime;
  private readonly policy: RetryPolicy;
  private readonly redact: Redactor;
  private readonly rateLimit: RateLimitInterpreter;
  private readonly advice: Record<FailureClass, string>;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpClientOptions) {
    this.provider = options.provider;
    this.displayName = options.displayName;
    this.runtime = options.runtime;
    this.policy = {...DEFAULT_RETRY_POLICY, ...options.retry};
    this.redact = createRedactor([...Object.values(options.authHeaders ?? {}), ...(options.secrets ?? [])]);
    const trimmed = options.baseUrl.replace(/\/+$/, '');
    this.base = new URL(trimmed + '/');
    this.server = redactUrl(trimmed, this.redact);
    this.rateLimit = options.rateLimit ?? genericRateLimit;
    this.advice = {...DEFAULT_ADVICE, ...options.advice};
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.random = options.runtime.random ?? Math.random;
    this.fetchImpl = options.runtime.fetch ?? globalThis.fetch;
  }

  /** Removes every configured secret from `text` (for connectors composing their own messages). */
  redactText(text: string): string {
    return this.redact(text);
  }

  /** The absolute URL a request goes to (exposed for pagination cursors and tests). */
  resolveUrl(path: string, query?: Readonly<Record<string, QueryValue>>): URL {
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(path.replace(/^\/+/, ''), this.base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  async get<T = unknown>(
    path: string,
    query?: HttpRequest['query'],
    extra: Partial<HttpRequest> = {},
  ): Promise<HttpResponse<T>> {
    return this.request<T>({...extra, method: 'GET', path, query});
  }

  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const url = this.resolveUrl(request.path, request.query);
    if (url.origin !== this.base.origin) {
      throw this.error(
        'non_retryable',
        `${this.displayName}: refusing to send credentials to ${redactUrl(url.origin)}, which is not ${this.server}.`,
        {
          hint: 'A pagination link pointed at another host; check the server URL.',
        },
      );
    }
    const idempotent = request.idempotent ?? IDEMPOTENT.has(request.method);
    const headers: Record<string, string> = {
      ...this.options.headers,
      ...request.headers,
      ...this.options.authHeaders,
    };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['Content-Type'] = 'application/json';
    }
    // The HTTP client is the one layer that retries its requests: every retryable failure it
    // throws says so (`retried`), and the engine does not retry it again. A request it may not
    // repeat (a POST after a network error) is left to the caller, which knows how to do it
    // safely (the engine looks for a created issue by its idempotency key first).
    const retried = (failureClass: FailureClass): boolean =>
      failureClass === 'rate_limit' || (failureClass === 'transient' && idempotent);
    let current = url;
    let redirects = 0;
    let totalWaitMs = 0;
    let attempt = 1;
    for (;;) {
      const shownUrl = redactUrl(current.toString(), this.redact);
      const where = `${request.method} ${shownUrl.slice(this.base.origin.length)}`;
      const outcome = await this.attempt(current, request, headers, body, shownUrl);
      const canRetry = attempt < this.policy.maxAttempts;
      const backoffMs = backoffDelayMs(attempt, this.policy, this.random);

      if (outcome.kind === 'network') {
        const reason = outcome.timedOut
          ? `did not answer within ${formatDuration(request.timeoutMs ?? this.timeoutMs)}`
          : `could not be reached (${this.redact(describeNetworkError(outcome.error))})`;
        if (idempotent && canRetry && totalWaitMs + backoffMs <= this.policy.maxTotalWaitMs) {
          totalWaitMs += await this.wait('retry', backoffMs, attempt);
          attempt += 1;
          continue;
        }
        throw this.error(
          'transient',
          `${this.displayName} at ${this.server} ${reason} for ${where} after ${attempt} attempt(s). ${this.advice.transient}`,
          {retried: retried('transient')},
        );
      }

      const {status, headers: responseHeaders, text} = outcome;
      if (REDIRECTS.has(status)) {
        current = this.redirectTarget(request, current, status, responseHeaders, where, ++redirects);
        continue;
      }
      const ok =
        (status >= 200 && status < 300) || status === 304 || (request.acceptStatuses ?? []).includes(status);
      if (ok) {
        const parsed = parseJsonBody(text);
        if (parsed.ok)
          return {
            status,
            headers: responseHeaders,
            data: parsed.value as T,
            url: shownUrl,
            attempts: attempt,
          };
        const declared = Number(responseHeaders.get('content-length') ?? NaN);
        const bytes = new TextEncoder().encode(text).length;
        const what =
          Number.isFinite(declared) && bytes < declared
            ? `a truncated body (${bytes} of ${declared} bytes)`
            : `a body that is not valid JSON (${bytes} bytes: ${parsed.error})`;
        if (idempotent && canRetry && totalWaitMs + backoffMs <= this.policy.maxTotalWaitMs) {
          totalWaitMs += await this.wait('retry', backoffMs, attempt);
          attempt += 1;
          continue;
        }
        throw this.error(
          'transient',
          `${this.displayName} at ${this.server} sent ${what} for ${where} (HTTP ${status}). Try again; if it persists, check that the server URL points at the ${this.displayName} API and not at a proxy or web page.`,
          {statusCode: status, retried: retried('transient')},
        );
      }

      const signal = this.rateLimit(
        {status, headers: responseHeaders, bodyText: text},
        {now: this.runtime.clock.now(), backoffMs},
      );
      if (signal) {
        if (canRetry && totalWaitMs + signal.waitMs <= this.policy.maxTotalWaitMs) {
          totalWaitMs += await this.wait('rate_limit', signal.waitMs, attempt);
          attempt += 1;
          continue;
        }
        throw this.rateLimitError(signal, status, where, text, attempt, totalWaitMs);
      }

      const failureClass = classifyHttpStatus(status);
      if (
        failureClass === 'transient' &&
        idempotent &&
        canRetry &&
        totalWaitMs + backoffMs <= this.policy.maxTotalWaitMs
      ) {
        totalWaitMs += await this.wait('retry', backoffMs, attempt);
        attempt += 1;
        continue;
      }
      throw this.statusError(failureClass, status, where, text, attempt, retried(failureClass));
    }
  }

  /**
   * Where a redirect leads, when it may be followed: a GET or HEAD, to the same origin (the
   * credentials never leave it), at most `MAX_REDIRECTS` times in a row. GitHub answers 301 for
   * a renamed or transferred repository (307 for other methods), with the new URL in `Location`.
   * Anything else is an error naming the new location and what to do; it is not retried.
   */
  private redirectTarget(
    request: HttpRequest,
    from: URL,
    status: number,
    headers: Headers,
    where: string,
    hops: number,
  ): URL {
    const location = headers.get('location');
    let target: URL | null = null;
    try {
      target = location === null ? null : new URL(location, from);
    } catch {
      target = null;
    }
    const prefix = `${this.displayName} at ${this.server} redirected ${where} (HTTP ${status})`;
    if (target === null) {
      throw this.error('non_retryable', `${prefix} without a usable Location header.`, {
        statusCode: status,
        hint: `Check that the server URL points at the ${this.displayName} API.`,
      });
    }
    const shown = redactUrl(target.toString(), this.redact);
    const moved = this.options.movedAdvice ?? 'Update the binding to the new location.';
    if (target.origin !== this.base.origin) {
      throw this.error(
        'non_retryable',
        `${prefix} to ${shown}, on another host: the credentials are not sent there.`,
        {
          statusCode: status,
          hint: `If the ${this.displayName} API moved to that host, bind again with \`--server-url ${redactUrl(target.origin)}\`. ${moved}`,
        },
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw this.error(
        'non_retryable',
        `${prefix} to ${shown}; a ${request.method} is not repeated elsewhere.`,
        {
          statusCode: status,
          hint: moved,
        },
      );
    }
    if (hops > MAX_REDIRECTS) {
      throw this.error(
        'non_retryable',
        `${prefix} to ${shown}: more than ${MAX_REDIRECTS} redirects in a row.`,
        {
          statusCode: status,
          hint: `Check the server URL. ${moved}`,
        },
      );
    }
    return target;
  }

  private async attempt(
    url: URL,
    request: HttpRequest,
    headers: Record<string, string>,
    body: string | undefined,
    shownUrl: string,
  ): Promise<AttemptOutcome> {
    const clock = this.runtime.clock;
    const started = clock.now().getTime();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs ?? this.timeoutMs);
    let outcome: AttemptOutcome;
    try {
      const response = await this.fetchImpl(url, {
        method: request.method,
        headers,
        body,
        signal: controller.signal,
        // Redirects are followed by `request` (same origin only), not by fetch.
        redirect: 'manual',
      });
      // The body is read under the same timeout: a server stalling mid-body is a timeout too.
      const text = await response.text();
      outcome = {kind: 'response', status: response.status, headers: response.headers, text};
    } catch (error) {
      outcome = {kind: 'network', error, timedOut};
    } finally {
      clearTimeout(timer);
    }
    this.runtime.onEvent?.({
      type: 'request',
      provider: this.provider,
      method: request.method,
      url: shownUrl,
      status: outcome.kind === 'response' ? outcome.status : null,
      ms: clock.now().getTime() - started,
    });
    return outcome;
  }

  /** Reports then sleeps; returns the time waited. */
  private async wait(reason: 'rate_limit' | 'retry', ms: number, attempt: number): Promise<number> {
    const waitMs = Math.max(0, Math.ceil(ms));
    const until = new Date(this.runtime.clock.now().getTime() + waitMs).toISOString();
    this.runtime.onEvent?.({type: 'wait', provider: this.provider, reason, ms: waitMs, until, attempt});
    await this.runtime.sleep(waitMs);
    return waitMs;
  }

  private statusError(
    failureClass: FailureClass,
    status: number,
    where: string,
    text: string,
    attempt: number,
    retried: boolean,
  ): ConnectorRequestError {
    const serverMessage = this.serverMessageOf(text);
    const attempts = attempt > 1 ? ` after ${attempt} attempts` : '';
    const message =
      `${this.displayName} at ${this.server} ${SUMMARY[failureClass]} (HTTP ${status} on ${where}${attempts})` +
      (serverMessage ? `: ${serverMessage}` : '') +
      `. ${this.advice[failureClass]}`;
    return this.error(failureClass, message, {statusCode: status, retried});
  }

  private rateLimitError(
    signal: RateLimitSignal,
    status: number,
    where: string,
    text: string,
    attempt: number,
    waitedMs: number,
  ): ConnectorRequestError {
    const until = new Date(this.runtime.clock.now().getTime() + signal.waitMs).toISOString();
    const serverMessage = this.serverMessageOf(text);
    const why =
      attempt >= this.policy.maxAttempts
        ? `still limited after ${attempt} attempts`
        : `the next wait (${formatDuration(signal.waitMs)}) would exceed the ${formatDuration(this.policy.maxTotalWaitMs)} cap on waiting (already waited ${formatDuration(waitedMs)})`;
    const message =
      `${this.displayName} at ${this.server} is rate limiting requests (HTTP ${status} on ${where}; ${why})` +
      (serverMessage ? `: ${serverMessage.replace(/[.\s]+$/, '')}` : '') +
      `. Run again after ${until}. ${this.advice.rate_limit}`;
    return this.error('rate_limit', message, {
      statusCode: status,
      retryAfterSeconds: signal.retryAfterSeconds ?? Math.ceil(signal.waitMs / 1000),
      retried: true,
    });
  }

  private error(
    failureClass: FailureClass,
    message: string,
    extra: {
      statusCode?: number;
      retryAfterSeconds?: number | null;
      hint?: string;
      retried?: boolean;
    },
  ): ConnectorRequestError {
    const hint = extra.hint ?? this.advice[failureClass];
    return new ConnectorRequestError(this.redact(message), {
      provider: this.provider,
      failureClass,
      statusCode: extra.statusCode ?? null,
      retryAfterSeconds: extra.retryAfterSeconds ?? null,
      retried: extra.retried ?? false,
      hint: this.redact(hint),
    });
  }

  private serverMessageOf(text: string): string | null {
    const parsed = parseJsonBody(text);
    const extract = this.options.serverMessage ?? defaultServerMessage;
    const message = extract(parsed.ok ? (parsed.value as JsonValue | null) : null, text);
    if (!message) return null;
    const oneLine = message.replace(/\s+/g, ' ').trim();
    return this.redact(oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine);
  }
}

/** `message` / `error` / `error_description` / `errors[]` as GitHub and GitLab send them. */
export function defaultServerMessage(body: JsonValue | null, text: string): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const trimmed = text.trim();
    // An HTML error page says nothing useful in one line.
    return trimmed === '' || trimmed.startsWith('<') ? null : trimmed;
  }
  const parts: string[] = [];
  const add = (value: JsonValue | undefined): void => {
    if (typeof value === 'string' && value.trim() !== '') parts.push(value.trim());
    else if (value && typeof value === 'object') parts.push(JSON.stringify(value));
  };
  add(body.message);
  add(body.error);
  add(body.error_description);
  if (Array.isArray(body.errors)) {
    for (const item of body.errors.slice(0, 5)) {
      if (typeof item === 'string') parts.push(item);
      else if (item && typeof item === 'object' && !Array.isArray(item)) {
        const detail = [item.resource, item.field, item.code, item.message]
          .filter((v) => typeof v === 'string')
          .join(' ');
        if (detail) parts.push(detail);
      }
    }
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

function parseJsonBody(text: string): {ok: true; value: unknown} | {ok: false; error: string} {
  if (text.trim() === '') return {ok: true, value: null};
  try {
    return {ok: true, value: JSON.parse(text)};
  } catch (error) {
    return {ok: false, error: error instanceof Error ? error.message : String(error)};
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as {cause?: unknown}).cause;
  if (cause instanceof Error) {
    const code = (cause as {code?: unknown}).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  return `${Math.round(s / 60)} min`;
}
