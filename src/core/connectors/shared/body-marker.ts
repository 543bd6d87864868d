/**
 * The idempotency marker of issues created by spec-kitty on GitHub and GitLab: a hidden HTML
 * comment as the last line of the body (`<!-- spec-kitty:idempotency=<key> -->`). Markdown
 * renderers do not show it, full-text search finds it, and it survives edits made in the UI
 * unless someone deletes it on purpose. Canonical bodies never contain it: it is stripped on
 * read and re-appended on every write.
 */
const MARKER_PATTERN = /(?:\r?\n)*<!-- spec-kitty:idempotency=([^\s>]+) -->\s*$/;

/** The marker text for a key (keys are ULIDs or similar: no spaces, no `>`). */
export function markerFor(key: string): string {
  if (!/^[^\s>]+$/.test(key))
    throw new Error(`idempotency key must not contain spaces or '>': ${JSON.stringify(key)}`);
  return `<!-- spec-kitty:idempotency=${key} -->`;
}

/** The search phrase that finds a marker. */
export function markerSearchPhrase(key: string): string {
  return `spec-kitty:idempotency=${key}`;
}

/** Splits a provider body into the canonical body (marker removed) and the marker's key. */
export function splitMarker(body: string | null | undefined): {body: string | null; key: string | null} {
  if (typeof body !== 'string' || body === '') return {body: null, key: null};
  const match = MARKER_PATTERN.exec(body);
  if (!match) return {body, key: null};
  const rest = body.slice(0, match.index).replace(/\s+$/, '');
  return {body: rest === '' ? null : rest, key: match[1]};
}

/** The provider body for a canonical body plus a marker (when there is a key). */
export function joinMarker(body: string | null, key: string | null): string {
  if (key === null) return body ?? '';
  const marker = markerFor(key);
  return body === null || body === '' ? marker : `${body}\n\n${marker}`;
}
