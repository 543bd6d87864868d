/**
 * The JQL subset the fake Jira understands, strictly: clauses joined by AND and an ORDER BY.
 * Anything else is a 400, as a real Jira answers an invalid query, so a connector bug shows.
 *
 *   project = "KEY" | updated >= "yyyy/MM/dd HH:mm" | labels = "x" | issuetype = 10001
 *   | status = 3 | key in ("A-1", "A-2")        ORDER BY updated ASC, key ASC | key ASC | updated DESC
 *
 * Date literals have minute precision and are read in the searching user's time zone.
 */

export type JqlClause =
  | {readonly kind: 'project'; readonly value: string}
  | {readonly kind: 'updatedSince'; readonly instantMs: number}
  | {readonly kind: 'label'; readonly value: string}
  | {readonly kind: 'issuetype'; readonly value: string}
  | {readonly kind: 'status'; readonly value: string}
  | {readonly kind: 'keys'; readonly values: readonly string[]};

export interface ParsedJql {
  readonly clauses: readonly JqlClause[];
  readonly order: readonly {field: 'updated' | 'key'; direction: 'ASC' | 'DESC'}[];
}

export class JqlError extends Error {}

const STRING = String.raw`"((?:[^"\\]|\\.)*)"`;
const VALUE = String.raw`(?:${STRING}|([A-Za-z0-9_-]+))`;

export function parseJql(jql: string, timeZone: string): ParsedJql {
  const [where, orderBy] = splitOrderBy(jql.trim());
  const clauses: JqlClause[] = [];
  if (where !== '') {
    for (const part of where.split(/\s+AND\s+/i)) clauses.push(parseClause(part.trim(), timeZone));
  }
  const order: {field: 'updated' | 'key'; direction: 'ASC' | 'DESC'}[] = [];
  if (orderBy !== null) {
    for (const item of orderBy.split(',')) {
      const match = /^\s*(updated|key)\s*(ASC|DESC)?\s*$/i.exec(item);
      if (!match) throw new JqlError(`Error in the JQL Query: cannot order by '${item.trim()}'.`);
      order.push({
        field: match[1].toLowerCase() as 'updated' | 'key',
        direction: (match[2]?.toUpperCase() ?? 'ASC') as 'ASC' | 'DESC',
      });
    }
  }
  return {clauses, order};
}

function splitOrderBy(jql: string): [string, string | null] {
  const match = /\s*ORDER\s+BY\s+(.*)$/i.exec(jql);
  if (!match) return [jql, null];
  return [jql.slice(0, match.index).trim(), match[1]];
}

function unquote(quoted: string | undefined, bare: string | undefined): string {
  if (quoted !== undefined) return quoted.replace(/\\(.)/g, '$1');
  return bare ?? '';
}

function parseClause(clause: string, timeZone: string): JqlClause {
  let m = new RegExp(`^project\\s*=\\s*${VALUE}$`, 'i').exec(clause);
  if (m) return {kind: 'project', value: unquote(m[1], m[2])};
  m = new RegExp(`^labels\\s*=\\s*${VALUE}$`, 'i').exec(clause);
  if (m) return {kind: 'label', value: unquote(m[1], m[2])};
  m = new RegExp(`^issuetype\\s*=\\s*${VALUE}$`, 'i').exec(clause);
  if (m) return {kind: 'issuetype', value: unquote(m[1], m[2])};
  m = new RegExp(`^status\\s*=\\s*${VALUE}$`, 'i').exec(clause);
  if (m) return {kind: 'status', value: unquote(m[1], m[2])};
  m = new RegExp(`^updated\\s*>=\\s*${STRING}$`, 'i').exec(clause);
  if (m) return {kind: 'updatedSince', instantMs: parseMinuteLiteral(m[1], timeZone)};
  m = /^key\s+in\s*\((.*)\)$/i.exec(clause);
  if (m) {
    const values = [...m[1].matchAll(new RegExp(VALUE, 'g'))].map((v) => unquote(v[1], v[2]));
    return {kind: 'keys', values};
  }
  throw new JqlError(`Error in the JQL Query: the clause '${clause}' is not understood.`);
}

/** `yyyy/MM/dd HH:mm` in `timeZone` -> epoch ms. Seconds are refused, as Jira refuses them. */
export function parseMinuteLiteral(literal: string, timeZone: string): number {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2}) (\d{2}):(\d{2})$/.exec(literal);
  if (!m)
    throw new JqlError(
      `Date value '${literal}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm'.`,
    );
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Find the instant whose wall time in the zone is the literal (two passes settle DST edges).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) guess = asUtc - offsetMs(guess, timeZone);
  return guess;
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}
