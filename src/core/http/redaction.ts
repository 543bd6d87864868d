/**
 * Keeping credentials out of messages and logs. Every string the HTTP layer puts in an error
 * or an event goes through a `Redactor` built from the secrets it was given, and every URL
 * through `redactUrl`, which also strips userinfo and secret-looking query parameters.
 */

const SECRET_QUERY_PARAM =
  /token|secret|password|passwd|api[_-]?key|apikey|signature|sig$|auth|session|private/i;
export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

/**
 * A function replacing every occurrence of each secret (and of its URL-encoded form) by
 * `[REDACTED]`. Secrets shorter than 4 characters are ignored: replacing them would mangle text
 * without protecting anything real.
 */
export function createRedactor(secrets: readonly (string | null | undefined)[]): Redactor {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 4) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
    // `Authorization: Basic base64(user:token)` style values: the bare token hides inside.
    const bare = secret.replace(/^(Bearer|token|Basic)\s+/i, '');
    if (bare.length >= 4) needles.add(bare);
  }
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const needle of ordered) out = out.split(needle).join(REDACTED);
    return out;
  };
}

/** A URL safe to show: no userinfo, secret-looking query values replaced, secrets redacted. */
export function redactUrl(url: string, redact: Redactor = (t) => t): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redact(url);
  }
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_PARAM.test(key)) parsed.searchParams.set(key, REDACTED);
  }
  return redact(parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED));
}
