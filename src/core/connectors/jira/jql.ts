/**
 * JQL for incremental listing. JQL date literals have minute precision and are read in the
 * searching user's time zone (Atlassian, "JQL: fields - Updated"), so the lower bound is
 * converted into that zone, moved back by an overlap window and rounded down to the minute.
 * The overlap also covers Jira Cloud's eventually consistent search index; the connector
 * de-duplicates what the overlap returns twice.
 */

/** `"PROJ"` with `"` and `\` escaped, as JQL string literals need. */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * `yyyy/MM/dd HH:mm` of `instant` in the IANA zone `timeZone` (e.g. `Europe/Paris`), rounded
 * down to the minute. Uses `Intl`, which knows each zone's daylight-saving rules.
 */
export function formatJqlMinute(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}/${get('month')}/${get('day')} ${get('hour')}:${get('minute')}`;
}

/** True when `Intl` knows the zone (a typo in the binding must not silently mean UTC). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone});
    return true;
  } catch {
    return false;
  }
}

/** The JQL lower bound for `updatedSince` (ISO), `overlapMinutes` earlier, in `timeZone`. */
export function jqlLowerBound(updatedSince: string, timeZone: string, overlapMinutes: number): string {
  const instant = new Date(Date.parse(updatedSince) - Math.max(0, overlapMinutes) * 60_000);
  return formatJqlMinute(instant, timeZone);
}

/**
 * `project = "KEY" [AND updated >= "yyyy/MM/dd HH:mm"] ORDER BY updated ASC, key ASC`. The
 * secondary order on key makes pages stable when many issues share one minute.
 */
export function buildListJql(projectKey: string, lowerBound: string | null): string {
  const clauses = [`project = ${jqlString(projectKey)}`];
  if (lowerBound !== null) clauses.push(`updated >= ${jqlString(lowerBound)}`);
  return `${clauses.join(' AND ')} ORDER BY updated ASC, key ASC`;
}

/** Issues carrying the idempotency label. */
export function buildLabelJql(projectKey: string, label: string): string {
  return `project = ${jqlString(projectKey)} AND labels = ${jqlString(label)} ORDER BY key ASC`;
}

/** Any one issue of a type in a status, to learn the transitions available from that status. */
export function buildStatusProbeJql(projectKey: string, issueTypeId: string, statusId: string): string {
  return `project = ${jqlString(projectKey)} AND issuetype = ${issueTypeId} AND status = ${statusId} ORDER BY updated DESC`;
}

/** Issue keys -> `key in ("A-1", "A-2")`. */
export function buildKeysJql(keys: readonly string[]): string {
  return `key in (${keys.map(jqlString).join(', ')})`;
}
