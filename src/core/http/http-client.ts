import {classifyHttpStatus} from '../errors.js';
import type {FailureClass} from '../model/enums.js';
import type {JsonValue} from '../model/json.js';
import type {ConnectorRuntime} from '../protocols/connector.js';
import type {WaitReason} from '../protocols/runtime.js';
import {
  HTTP_RETRY_POLICY,
  backoffDelayMs,
  done,
  retryLoop,
  type RetryPolicy,
  type RetryStep,
} from '../retry/index.js';
import type {Pacer} from './pacer.js';
import {providerPacer} from './provider-pacing.js';
import {genericRateLimit, type RateLimitInterpreter} from './rate-limit.js';
import {createRedactor, redactUrl, type Redactor} from './redaction.js';
import {REDIRECTS, redirectTarget} from './redirects.js';
import {RequestErrors} from './request-errors.js';
import {DEFAULT_ADVICE, formatDuration, parseJsonBody} from './request-messages.js';
import {mayHaveBeenApplied, retryWaitMs, type AttemptFailure} from './retry-decision.js';
import {sendOnce, type AttemptOutcome} from './transport.js';

export {MAX_REDIRECTS} from './redirects.js';
export {defaultServerMessage, formatDuration} from './request-messages.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined | readonly string[];

/** Methods RFC 9110 calls idempotent: repeating them cannot duplicate a side effect. */
const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

export interface HttpClientOptions {
  /** Provider name for errors, events and pacing (`github`). */
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
   * Whether repeating the request is harmless. Defaults to true for GET/HEAD/PUT/DELETE and
   * false otherwise. A request that is not is repeated only when it never reached the server
   * (connection refused, unknown host) or was refused before it ran (a rate limit).
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

/** One request in flight: what is sent, and what the retry decision needs. */
interface Exchange {
  readonly request: HttpRequest;
  readonly idempotent: boolean;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
  url: URL;
  redirects: number;
  waitedMs: number;
}

type ResponseOutcome = Extract<AttemptOutcome, {kind: 'response'}>;
type NetworkOutcome = Extract<AttemptOutcome, {kind: 'network'}>;

/**
 * The one HTTP client every hosted connector uses: `fetch` plus base URL and auth, pacing to
 * the provider's budgets, a timeout per attempt, JSON decoding, bounded retries for transient
 * failures, rate-limit waits read from headers, and failures turned into
 * `ConnectorRequestError`s whose messages name the provider, the server and what to do and never
 * contain a credential. The parts live beside it: `transport.ts` (one exchange),
 * `retry-decision.ts` (retry or not), `pacer.ts` (budgets), `request-messages.ts` (words).
 * Waits go through `runtime.sleep` and are reported with `runtime.onEvent`.
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
  private readonly errors: RequestErrors;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly pacer: Pacer;

  constructor(private readonly options: HttpClientOptions) {
    this.provider = options.provider;
    this.displayName = options.displayName;
    this.runtime = options.runtime;
    this.policy = {...HTTP_RETRY_POLICY, ...options.retry};
    this.redact = createRedactor([...Object.values(options.authHeaders ?? {}), ...(options.secrets ?? [])]);
    const trimmed = options.baseUrl.replace(/\/+$/, '');
    this.base = new URL(trimmed + '/');
    this.server = redactUrl(trimmed, this.redact);
    this.rateLimit = options.rateLimit ?? genericRateLimit;
    this.errors = new RequestErrors({
      provider: this.provider,
      displayName: this.displayName,
      server: this.server,
      redact: this.redact,
      advice: {...DEFAULT_ADVICE, ...options.advice},
      serverMessage: options.serverMessage,
    });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.random = options.runtime.random ?? Math.random;
    this.fetchImpl = options.runtime.fetch ?? globalThis.fetch;
    this.pacer = providerPacer(options.provider, options.runtime.clock, options.runtime.pacing);
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
    const exchange = this.prepare(request);
    return retryLoop<HttpResponse<T>>(
      {
        clock: this.runtime.clock,
        sleep: this.runtime.sleep,
        onWait: (wait) => {
          exchange.waitedMs += wait.ms;
          this.reportWait(wait.reason, wait.ms, wait.until, wait.attempt, wait.detail);
        },
      },
      (attempt) => this.attempt<T>(exchange, attempt),
    );
  }

  private prepare(request: HttpRequest): Exchange {
    const url = this.resolveUrl(request.path, request.query);
    if (url.origin !== this.base.origin) {
      throw this.errors.make(
        'non_retryable',
        `${this.displayName}: refusing to send credentials to ${redactUrl(url.origin)}, which is not ${this.server}.`,
        {hint: 'A pagination link pointed at another host; check the server URL.'},
      );
    }
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
    return {
      request,
      idempotent: request.idempotent ?? IDEMPOTENT.has(request.method),
      headers,
      body,
      timeoutMs: request.timeoutMs ?? this.timeoutMs,
      url,
      redirects: 0,
      waitedMs: 0,
    };
  }

  /** One attempt: pace, send (following redirects), and turn the outcome into done/wait/throw. */
  private async attempt<T>(exchange: Exchange, attempt: number): Promise<RetryStep<HttpResponse<T>>> {
    await this.pace(exchange, attempt);
    for (;;) {
      const shownUrl = redactUrl(exchange.url.toString(), this.redact);
      const outcome = await this.send(exchange, shownUrl);
      if (outcome.kind === 'network') return this.onNetworkFailure(exchange, outcome, attempt);
      this.pacer.observe(outcome.headers);
      if (REDIRECTS.has(outcome.status)) {
        exchange.url = this.followRedirect(exchange, outcome);
        continue;
      }
      return this.onResponse<T>(exchange, outcome, attempt, shownUrl);
    }
  }

  /** Waits, when the provider's budgets ask for it, before the request goes out. */
  private async pace(exchange: Exchange, attempt: number): Promise<void> {
    const wait = this.pacer.reserve({method: exchange.request.method, path: this.apiPath(exchange.url)});
    if (wait === null) return;
    const until = new Date(this.runtime.clock.now().getTime() + wait.ms).toISOString();
    this.reportWait('pacing', wait.ms, until, attempt, wait.label);
    await this.runtime.sleep(wait.ms);
  }

  /** The path under the API root (`/search/issues`), whatever the root (`/api/v3`). */
  private apiPath(url: URL): string {
    const root = this.base.pathname.replace(/\/$/, '');
    return url.pathname.startsWith(root) ? url.pathname.slice(root.length) : url.pathname;
  }

  private async send(exchange: Exchange, shownUrl: string): Promise<AttemptOutcome> {
    const started = this.runtime.clock.now().getTime();
    const outcome = await sendOnce(this.fetchImpl, {
      url: exchange.url,
      method: exchange.request.method,
      headers: exchange.headers,
      body: exchange.body,
      timeoutMs: exchange.timeoutMs,
    });
    this.runtime.onEvent?.({
      type: 'request',
      provider: this.provider,
      method: exchange.request.method,
      url: shownUrl,
      status: outcome.kind === 'response' ? outcome.status : null,
      ms: this.runtime.clock.now().getTime() - started,
    });
    return outcome;
  }

  private where(exchange: Exchange): string {
    const shownUrl = redactUrl(exchange.url.toString(), this.redact);
    return `${exchange.request.method} ${shownUrl.slice(this.base.origin.length)}`;
  }

  /** The wait before the next attempt after this failure, or null to give up now. */
  private retryStep(exchange: Exchange, failure: AttemptFailure, attempt: number): number | null {
    return retryWaitMs(
      failure,
      exchange.idempotent,
      {attempt, waitedMs: exchange.waitedMs},
      this.policy,
      this.random,
    );
  }

  private onNetworkFailure(exchange: Exchange, outcome: NetworkOutcome, attempt: number): RetryStep<never> {
    const failure: AttemptFailure = outcome.unreachable ? {kind: 'unreachable'} : {kind: 'network'};
    const waitMs = this.retryStep(exchange, failure, attempt);
    if (waitMs !== null) return {kind: 'wait', waitMs, reason: 'retry'};
    const where = this.where(exchange);
    if (outcome.unreachable) throw this.errors.unreachable(outcome.error, where, attempt);
    throw this.errors.network({
      error: outcome.error,
      timedOutAfterMs: outcome.timedOut ? exchange.timeoutMs : null,
      where,
      attempt,
      retried: exchange.idempotent,
      applied: mayHaveBeenApplied(failure, exchange.idempotent),
    });
  }

  private onResponse<T>(
    exchange: Exchange,
    outcome: ResponseOutcome,
    attempt: number,
    shownUrl: string,
  ): RetryStep<HttpResponse<T>> {
    const {status, headers, text} = outcome;
    const accepted = (exchange.request.acceptStatuses ?? []).includes(status);
    if ((status >= 200 && status < 300) || status === 304 || accepted) {
      const parsed = parseJsonBody(text);
      if (parsed.ok)
        return done({status, headers, data: parsed.value as T, url: shownUrl, attempts: attempt});
      return this.onBadBody(exchange, outcome, parsed.error, attempt);
    }
    // A limit without a server-given wait (a bare 429) is paced by the same backoff as a retry.
    const backoffMs = backoffDelayMs(attempt, this.policy, this.random);
    const signal = this.rateLimit(
      {status, headers, bodyText: text},
      {now: this.runtime.clock.now(), backoffMs},
    );
    if (signal) {
      const waitMs = this.retryStep(exchange, {kind: 'rate_limit', waitMs: signal.waitMs}, attempt);
      if (waitMs !== null) return {kind: 'wait', waitMs, reason: 'rate_limit' satisfies WaitReason};
      const why =
        attempt >= this.policy.maxAttempts
          ? `still limited after ${attempt} attempts`
          : `the next wait (${formatDuration(signal.waitMs)}) would exceed the ${formatDuration(this.policy.maxTotalWaitMs)} cap on waiting (already waited ${formatDuration(exchange.waitedMs)})`;
      const now = this.runtime.clock.now();
      throw this.errors.rateLimit({signal, status, text, where: this.where(exchange), why, now});
    }
    const failureClass = classifyHttpStatus(status);
    const failure: AttemptFailure = {kind: 'transient_status', status};
    if (failureClass === 'transient') {
      const waitMs = this.retryStep(exchange, failure, attempt);
      if (waitMs !== null) return {kind: 'wait', waitMs, reason: 'retry'};
    }
    throw this.errors.status({
      failureClass,
      status,
      text,
      where: this.where(exchange),
      attempt,
      retried: failureClass === 'transient' && exchange.idempotent,
      applied: failureClass === 'transient' && mayHaveBeenApplied(failure, exchange.idempotent),
    });
  }

  private onBadBody(
    exchange: Exchange,
    outcome: ResponseOutcome,
    parseError: string,
    attempt: number,
  ): RetryStep<never> {
    const waitMs = this.retryStep(exchange, {kind: 'bad_body'}, attempt);
    if (waitMs !== null) return {kind: 'wait', waitMs, reason: 'retry'};
    throw this.errors.badBody({
      status: outcome.status,
      headers: outcome.headers,
      text: outcome.text,
      parseError,
      where: this.where(exchange),
      retried: exchange.idempotent,
      applied: mayHaveBeenApplied({kind: 'bad_body'}, exchange.idempotent),
    });
  }

  private followRedirect(exchange: Exchange, outcome: ResponseOutcome): URL {
    const where = this.where(exchange);
    const target = redirectTarget({
      method: exchange.request.method,
      from: exchange.url,
      origin: this.base.origin,
      location: outcome.headers.get('location'),
      hops: ++exchange.redirects,
      prefix: `${this.displayName} at ${this.server} redirected ${where} (HTTP ${outcome.status})`,
      displayName: this.displayName,
      movedAdvice: this.options.movedAdvice ?? 'Update the binding to the new location.',
      show: (url) => redactUrl(url, this.redact),
    });
    if (target instanceof URL) return target;
    throw this.errors.make('non_retryable', target.message, {statusCode: outcome.status, hint: target.hint});
  }

  private reportWait(reason: WaitReason, ms: number, until: string, attempt: number, detail?: string): void {
    this.runtime.onEvent?.({
      type: 'wait',
      provider: this.provider,
      reason,
      ms,
      until,
      attempt,
      ...(detail === undefined ? {} : {detail}),
    });
  }
}
