/**
 * The words of the HTTP client's failures: what each failure class means and what to do, the
 * server's own message pulled out of an error body, and durations a person reads easily.
 */
import type {FailureClass} from '../model/enums.js';
import type {JsonValue} from '../model/json.js';
import {networkErrorCode} from './transport.js';

export const DEFAULT_ADVICE: Readonly<Record<FailureClass, string>> = {
  authentication: 'Check the token in the credentials.',
  permission: 'Check that the token has the scopes needed and can access this workspace.',
  not_found: 'Check the workspace and the server URL, and that the token can see them.',
  validation: 'The server refused the data sent and changed nothing; correct the value named above.',
  rate_limit: 'Wait a while and run again.',
  transient: 'Try again later; if it persists, check the provider status page and the server URL.',
  non_retryable: 'Check that the server URL points at the provider API.',
};

/** What the server did, after "GitHub at https://api.github.com …". */
export const FAILURE_SUMMARY: Readonly<Record<FailureClass, string>> = {
  authentication: 'rejected the credentials',
  permission: 'refused access',
  not_found: 'found nothing',
  validation: 'rejected the request',
  rate_limit: 'is rate limiting requests',
  transient: 'failed temporarily',
  non_retryable: 'answered with an error',
};

/** What to do when the server cannot be reached at all (refused, unknown host). */
export const UNREACHABLE_ADVICE =
  'Check the server URL (`spec-kitty tracker status` shows it), your network connection and any proxy; then run again.';

/** Advice for a write that may have been applied before its answer was lost. */
export const MAYBE_APPLIED_ADVICE =
  'It was not sent again, because it may have reached the server: check the tracker before running the command again.';

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

export function parseJsonBody(text: string): {ok: true; value: unknown} | {ok: false; error: string} {
  if (text.trim() === '') return {ok: true, value: null};
  try {
    return {ok: true, value: JSON.parse(text)};
  } catch (error) {
    return {ok: false, error: error instanceof Error ? error.message : String(error)};
  }
}

export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as {cause?: unknown}).cause;
  if (cause instanceof Error) {
    const code = networkErrorCode(cause);
    return code !== null && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

/** What a failed connection means, in words (`refused the connection`). */
export function describeUnreachable(error: unknown): string {
  switch (networkErrorCode(error)) {
    case 'ECONNREFUSED':
      return 'refused the connection (nothing listens there)';
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return 'is an unknown host (its name does not resolve)';
    case 'EAI_AGAIN':
      return 'could not be resolved (the name server did not answer)';
    default:
      return 'has no route from this machine';
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  return `${Math.round(s / 60)} min`;
}
