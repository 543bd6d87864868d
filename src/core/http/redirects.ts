/** Which redirects the HTTP client follows itself, and the message when it will not. */

/** Redirect statuses that carry a new location (RFC 9110 §15.4); 300 and 304 do not. */
export const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Redirects followed in a row before giving up (a loop, or a chain worth a look). */
export const MAX_REDIRECTS = 5;

/** Why a redirect is not followed: the message, and what to do. */
export interface RedirectRefusal {
  readonly message: string;
  readonly hint: string;
}

/**
 * Where a redirect leads, when it may be followed: a GET or HEAD, to the same origin (the
 * credentials never leave it), at most `MAX_REDIRECTS` times in a row. GitHub answers 301 for
 * a renamed or transferred repository (307 for other methods), with the new URL in `Location`.
 * Anything else is a refusal naming the new location and what to do; it is not retried.
 */
export function redirectTarget(input: {
  readonly method: string;
  readonly from: URL;
  readonly origin: string;
  readonly location: string | null;
  readonly hops: number;
  /** "GitHub at https://… redirected GET /x (HTTP 301)". */
  readonly prefix: string;
  readonly displayName: string;
  readonly movedAdvice: string;
  readonly show: (url: string) => string;
}): URL | RedirectRefusal {
  const {prefix, movedAdvice: moved} = input;
  let target: URL | null = null;
  try {
    target = input.location === null ? null : new URL(input.location, input.from);
  } catch {
    target = null;
  }
  if (target === null) {
    return {
      message: `${prefix} without a usable Location header.`,
      hint: `Check that the server URL points at the ${input.displayName} API.`,
    };
  }
  const shown = input.show(target.toString());
  if (target.origin !== input.origin) {
    return {
      message: `${prefix} to ${shown}, on another host: the credentials are not sent there.`,
      hint: `If the ${input.displayName} API moved to that host, bind again with \`--server-url ${input.show(target.origin)}\`. ${moved}`,
    };
  }
  if (input.method !== 'GET' && input.method !== 'HEAD') {
    return {message: `${prefix} to ${shown}; a ${input.method} is not repeated elsewhere.`, hint: moved};
  }
  if (input.hops > MAX_REDIRECTS) {
    return {
      message: `${prefix} to ${shown}: more than ${MAX_REDIRECTS} redirects in a row.`,
      hint: `Check the server URL. ${moved}`,
    };
  }
  return target;
}
