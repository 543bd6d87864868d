/**
 * RFC 8288 `Link` header parsing, as GitHub and GitLab send it for pagination:
 * `<https://api.github.com/repositories/1/issues?page=2>; rel="next", <...>; rel="last"`.
 */

/** Maps each `rel` (lower-cased; a `rel` may name several relations) to its target URL. */
export function parseLinkHeader(value: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value) return links;
  // Split on commas that start a new `<...>` entry; URLs may themselves contain commas.
  for (const part of value.split(/,\s*(?=<)/)) {
    const match = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (!match) continue;
    const [, url, params] = match;
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(params);
    if (!rel) continue;
    for (const name of (rel[1] ?? rel[2]).trim().split(/\s+/)) {
      const key = name.toLowerCase();
      if (key !== '' && !(key in links)) links[key] = url;
    }
  }
  return links;
}

/** The `rel="next"` target of a `Link` header, or null on the last page. */
export function nextLink(value: string | null | undefined): string | null {
  return parseLinkHeader(value).next ?? null;
}
