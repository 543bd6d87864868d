import type {FailureClass} from './model/enums.js';

/** Base of every error the tracker core raises, so hosts can catch "ours" in one place. */
export class TrackerError extends Error {
  /** A short hint telling the user what to do next, shown under the message by hosts. */
  readonly hint: string | undefined;

  constructor(message: string, options: {cause?: unknown; hint?: string} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A value failed validation; `field` names the offending field (e.g. `priority`, `ref.id`). */
export class ValidationError extends TrackerError {
  constructor(
    readonly field: string,
    message: string,
    options: {hint?: string} = {},
  ) {
    super(`${field}: ${message}`, options);
  }
}

export class ConnectorConfigError extends TrackerError {}

export class CapabilityNotSupportedError extends TrackerError {
  constructor(
    readonly provider: string,
    readonly capability: string,
    options: {hint?: string} = {},
  ) {
    super(`${provider} does not support ${capability}`, options);
  }
}

export class IssueNotFoundError extends TrackerError {
  constructor(
    readonly identity: string,
    options: {hint?: string} = {},
  ) {
    super(`issue not found: ${identity}`, options);
  }
}

/** A mapping would break a constraint (one issue per WP and provider, one WP per issue). */
export class MappingConflictError extends TrackerError {}

/** A tracker (or a local tracker executable) answered with something we cannot parse. */
export class IssuePayloadContractError extends TrackerError {}

/**
 * HTTP status -> failure class (what a retry can fix, what a person must fix):
 * 429 rate limit; 408/425/500/502/503/504 transient; 401 authentication; 403 permission;
 * 404 not found; 400/409/422 validation; anything else non-retryable.
 */
export function classifyHttpStatus(status: number): FailureClass {
  if (status === 429) return 'rate_limit';
  if ([408, 425, 500, 502, 503, 504].includes(status)) return 'transient';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if ([400, 409, 422].includes(status)) return 'validation';
  return 'non_retryable';
}

export function isRetryableFailure(failureClass: FailureClass): boolean {
  return failureClass === 'transient' || failureClass === 'rate_limit';
}

/** A request to a tracker failed. Messages must never contain a credential. */
export class ConnectorRequestError extends TrackerError {
  readonly provider: string;
  readonly failureClass: FailureClass;
  readonly statusCode: number | null;
  /** Seconds the provider asked us to wait before retrying, when it said so. */
  readonly retryAfterSeconds: number | null;
  /**
   * The layer that raised this error already retried the request as far as its policy allows
   * (the HTTP client's bounded retries and rate-limit waits). Callers must not retry it again:
   * retries happen in one layer only. False for failures nothing retried yet (a subprocess
   * connector's, or a create the HTTP client could not safely repeat), which the engine retries.
   */
  readonly retried: boolean;
  /**
   * A request that is not safe to repeat (a POST) may have reached the server before it failed
   * (a timeout after sending, a connection reset, a 5xx): repeating it could post a comment or
   * create an issue twice, so no layer repeats it blindly; only a lookup can tell what happened.
   */
  readonly mayHaveBeenApplied: boolean;

  constructor(
    message: string,
    options: {
      provider: string;
      failureClass: FailureClass;
      statusCode?: number | null;
      retryAfterSeconds?: number | null;
      retried?: boolean;
      mayHaveBeenApplied?: boolean;
      cause?: unknown;
      hint?: string;
    },
  ) {
    super(message, {cause: options.cause, hint: options.hint});
    this.mayHaveBeenApplied = options.mayHaveBeenApplied ?? false;
    this.provider = options.provider;
    this.failureClass = options.failureClass;
    this.statusCode = options.statusCode ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.retried = options.retried ?? false;
  }

  get retryable(): boolean {
    return isRetryableFailure(this.failureClass);
  }
}
