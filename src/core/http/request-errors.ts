/**
 * The HTTP client's failures as `ConnectorRequestError`s: each message names the provider, the
 * server, the request and what to do, and never contains a credential (everything passes the
 * redactor). `where` is the request as shown (`GET /repos/o/r/issues`).
 */
import {ConnectorRequestError} from '../errors.js';
import type {FailureClass} from '../model/enums.js';
import type {JsonValue} from '../model/json.js';
import type {RateLimitSignal} from './rate-limit.js';
import type {Redactor} from './redaction.js';
import {
  FAILURE_SUMMARY,
  MAYBE_APPLIED_ADVICE,
  UNREACHABLE_ADVICE,
  defaultServerMessage,
  describeNetworkError,
  describeUnreachable,
  formatDuration,
  parseJsonBody,
} from './request-messages.js';

export interface RequestErrorContext {
  readonly provider: string;
  readonly displayName: string;
  /** The API root, redacted. */
  readonly server: string;
  readonly redact: Redactor;
  readonly advice: Readonly<Record<FailureClass, string>>;
  readonly serverMessage?: (body: JsonValue | null, text: string) => string | null;
}

export interface ErrorExtra {
  readonly statusCode?: number;
  readonly retryAfterSeconds?: number | null;
  readonly hint?: string;
  readonly retried?: boolean;
  readonly mayHaveBeenApplied?: boolean;
}

export class RequestErrors {
  constructor(private readonly c: RequestErrorContext) {}

  /** `GitHub at https://api.github.com`: who failed, for every message. */
  private get who(): string {
    return `${this.c.displayName} at ${this.c.server}`;
  }

  make(failureClass: FailureClass, message: string, extra: ErrorExtra = {}): ConnectorRequestError {
    const hint = extra.hint ?? this.c.advice[failureClass];
    return new ConnectorRequestError(this.c.redact(message), {
      provider: this.c.provider,
      failureClass,
      statusCode: extra.statusCode ?? null,
      retryAfterSeconds: extra.retryAfterSeconds ?? null,
      retried: extra.retried ?? false,
      mayHaveBeenApplied: extra.mayHaveBeenApplied ?? false,
      hint: this.c.redact(hint),
    });
  }

  /** Connection refused, unknown host, no route: retried here already; check the URL. */
  unreachable(error: unknown, where: string, attempt: number): ConnectorRequestError {
    const detail = this.c.redact(describeNetworkError(error));
    return this.make(
      'transient',
      `${this.who} ${describeUnreachable(error)} for ${where} after ${attempt} attempt(s) (${detail}).`,
      {retried: true, hint: UNREACHABLE_ADVICE},
    );
  }

  /** A timeout or a dropped connection; a write may have been applied before it. */
  network(input: {
    error: unknown;
    timedOutAfterMs: number | null;
    where: string;
    attempt: number;
    retried: boolean;
    applied: boolean;
  }): ConnectorRequestError {
    const reason =
      input.timedOutAfterMs !== null
        ? `did not answer within ${formatDuration(input.timedOutAfterMs)}`
        : `could not be reached (${this.c.redact(describeNetworkError(input.error))})`;
    const advice = input.applied ? MAYBE_APPLIED_ADVICE : this.c.advice.transient;
    return this.make(
      'transient',
      `${this.who} ${reason} for ${input.where} after ${input.attempt} attempt(s). ${advice}`,
      {retried: input.retried, mayHaveBeenApplied: input.applied},
    );
  }

  /** A success status whose body is cut short or not JSON. */
  badBody(input: {
    status: number;
    headers: Headers;
    text: string;
    parseError: string;
    where: string;
    retried: boolean;
    applied: boolean;
  }): ConnectorRequestError {
    const declared = Number(input.headers.get('content-length') ?? NaN);
    const bytes = new TextEncoder().encode(input.text).length;
    const what =
      Number.isFinite(declared) && bytes < declared
        ? `a truncated body (${bytes} of ${declared} bytes)`
        : `a body that is not valid JSON (${bytes} bytes: ${input.parseError})`;
    return this.make(
      'transient',
      `${this.who} sent ${what} for ${input.where} (HTTP ${input.status}). Try again; if it persists, check that the server URL points at the ${this.c.displayName} API and not at a proxy or web page.`,
      {statusCode: input.status, retried: input.retried, mayHaveBeenApplied: input.applied},
    );
  }

  /** An error status, with the server's own message when it sent one. */
  status(input: {
    failureClass: FailureClass;
    status: number;
    text: string;
    where: string;
    attempt: number;
    retried: boolean;
    applied: boolean;
  }): ConnectorRequestError {
    const serverMessage = this.serverMessageOf(input.text);
    const attempts = input.attempt > 1 ? ` after ${input.attempt} attempts` : '';
    const message =
      `${this.who} ${FAILURE_SUMMARY[input.failureClass]} (HTTP ${input.status} on ${input.where}${attempts})` +
      (serverMessage ? `: ${serverMessage}` : '') +
      `. ${input.applied ? MAYBE_APPLIED_ADVICE : this.c.advice[input.failureClass]}`;
    return this.make(input.failureClass, message, {
      statusCode: input.status,
      retried: input.retried,
      mayHaveBeenApplied: input.applied,
    });
  }

  /** A rate limit not waited out (too many attempts, or a wait over the cap): when to come back. */
  rateLimit(input: {
    signal: RateLimitSignal;
    status: number;
    text: string;
    where: string;
    /** Why it was not waited out, in words. */
    why: string;
    now: Date;
  }): ConnectorRequestError {
    const until = new Date(input.now.getTime() + input.signal.waitMs).toISOString();
    const serverMessage = this.serverMessageOf(input.text);
    const message =
      `${this.who} is rate limiting requests (HTTP ${input.status} on ${input.where}; ${input.why})` +
      (serverMessage ? `: ${serverMessage.replace(/[.\s]+$/, '')}` : '') +
      `. Run again after ${until}. ${this.c.advice.rate_limit}`;
    return this.make('rate_limit', message, {
      statusCode: input.status,
      retryAfterSeconds: input.signal.retryAfterSeconds ?? Math.ceil(input.signal.waitMs / 1000),
      retried: true,
    });
  }

  private serverMessageOf(text: string): string | null {
    const parsed = parseJsonBody(text);
    const extract = this.c.serverMessage ?? defaultServerMessage;
    const message = extract(parsed.ok ? (parsed.value as JsonValue | null) : null, text);
    if (!message) return null;
    const oneLine = message.replace(/\s+/g, ' ').trim();
    return this.c.redact(oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine);
  }
}
