/**
 * Which issue fields an answer carries, as Jira's REST API documents the `fields` parameter:
 * a comma-separated list (repeatable) of field ids, `*all` for every field, `*navigable` for
 * the navigable ones, and `-id` to leave one out. Reading one issue returns all fields when
 * `fields` is not given; a JQL search (`/search/jql`) returns only ids unless fields are named.
 */
type JsonMap = Record<string, unknown>;

/** Fields no issue navigator column shows (left out by `*navigable`). */
const NOT_NAVIGABLE = new Set(['comment', 'worklog', 'attachment']);

/** The `fields` query parameter of a single-issue read; absent means `*all`. */
export function issueReadFields(value: string | string[] | undefined): string[] {
  if (value === undefined) return ['*all'];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

/** The fields of `all` that `requested` selects; null when none are requested (ids only). */
export function selectFields(all: JsonMap, requested: readonly string[] | null): JsonMap | null {
  if (requested === null || requested.length === 0) return null;
  const included = new Set<string>();
  const excluded = new Set<string>();
  for (const item of requested) {
    if (item === '*all') Object.keys(all).forEach((k) => included.add(k));
    else if (item === '*navigable')
      Object.keys(all)
        .filter((k) => !NOT_NAVIGABLE.has(k))
        .forEach((k) => included.add(k));
    else if (item.startsWith('-')) excluded.add(item.slice(1));
    else included.add(item);
  }
  // Only exclusions ("-description") mean "the default set minus these".
  if (included.size === 0) Object.keys(all).forEach((k) => included.add(k));
  const out: JsonMap = {};
  for (const name of included) if (name in all && !excluded.has(name)) out[name] = all[name];
  return out;
}
