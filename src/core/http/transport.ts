/**
 * One HTTP exchange, nothing more: send, read the whole body under the timeout, and say what
 * happened. Whether to retry, wait or throw is decided by the caller (`http-client.ts`).
 */

/**
 * How far a request got before it failed. `not_sent`: the connection was never made (refused,
 * unknown host), so the server cannot have acted on it. `maybe_sent`: the request may have
 * reached the server (a timeout, a connection reset), which may have acted on it.
 */
export type Delivery = 'not_sent' | 'maybe_sent';

export type AttemptOutcome =
  | {readonly kind: 'response'; readonly status: number; readonly headers: Headers; readonly text: string}
  | {
      readonly kind: 'network';
      readonly error: unknown;
      readonly timedOut: boolean;
      readonly delivery: Delivery;
      /** The server cannot be reached at all (refused, unknown host, no route). */
      readonly unreachable: boolean;
    };

export interface OutgoingRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
}

/**
 * Errors raised before a single byte reached the server: the connection was refused, the name
 * did not resolve, or there is no route. Anything else (reset, timeout, TLS after connect) may
 * have happened after the request went out.
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The system error code behind a failed `fetch` (`ECONNREFUSED`), when there is one. */
export function networkErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as {code?: unknown}).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    // undici wraps connection errors in `AggregateError`s (IPv4 and IPv6 tried) under `cause`.
    const inner = (current as {errors?: unknown[]}).errors?.[0];
    current = (current as {cause?: unknown}).cause ?? inner;
  }
  return null;
}

export async function sendOnce(fetchImpl: typeof fetch, request: OutgoingRequest): Promise<AttemptOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      // Redirects are followed by the client (same origin only), not by fetch.
      redirect: 'manual',
    });
    // The body is read under the same timeout: a server stalling mid-body is a timeout too.
    const text = await response.text();
    return {kind: 'response', status: response.status, headers: response.headers, text};
  } catch (error) {
    const code = timedOut ? null : networkErrorCode(error);
    const unreachable = code !== null && NOT_SENT_CODES.has(code);
    return {kind: 'network', error, timedOut, unreachable, delivery: unreachable ? 'not_sent' : 'maybe_sent'};
  } finally {
    clearTimeout(timer);
  }
}
