import {ConnectorRequestError} from '../../errors.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import type {LinearGraphQL} from './linear-graphql.js';
import {ISSUE_INVERSE_RELATIONS_QUERY, ISSUE_LABELS_QUERY, ISSUE_RELATIONS_QUERY} from './linear-queries.js';

/**
 * An issue read carries only the first few labels and relations (so a page of issues stays
 * under Linear's complexity cap). When one of those connections says it has more, the rest is
 * fetched here, page by page, and appended: the issue then reads as if it had come whole.
 * Issues whose connections are complete cost no request.
 */

/** Follow-up pages per connection before giving up (100 items each). */
const MAX_FOLLOW_UPS = 50;

const OVERFLOWING: readonly {field: string; query: string; what: string}[] = [
  {field: 'labels', query: ISSUE_LABELS_QUERY, what: 'labels'},
  {field: 'relations', query: ISSUE_RELATIONS_QUERY, what: 'relations'},
  {field: 'inverseRelations', query: ISSUE_INVERSE_RELATIONS_QUERY, what: 'inverse relations'},
];

interface ConnectionPage {
  readonly nodes: JsonValue[];
  readonly next: string | null;
}

function readConnection(value: JsonValue | undefined): ConnectionPage {
  const connection = isJsonObject(value) ? value : {};
  const nodes = Array.isArray(connection.nodes) ? connection.nodes : [];
  const info = isJsonObject(connection.pageInfo) ? connection.pageInfo : {};
  const next = info.hasNextPage === true && typeof info.endCursor === 'string' ? info.endCursor : null;
  return {nodes, next};
}

/** `raw` with every overflowing connection completed (a new object; `raw` is not changed). */
export async function completeIssue(api: LinearGraphQL, raw: JsonObject): Promise<JsonObject> {
  let result = raw;
  for (const {field, query, what} of OVERFLOWING) {
    const first = readConnection(raw[field]);
    if (first.next === null) continue;
    const nodes = [...first.nodes];
    let after: string | null = first.next;
    for (let page = 0; after !== null; page++) {
      if (page >= MAX_FOLLOW_UPS)
        throw new ConnectorRequestError(
          `Linear issue ${String(raw.identifier ?? raw.id)} has more ${what} than the connector reads (${nodes.length}).`,
          {provider: 'linear', failureClass: 'non_retryable'},
        );
      const data = await api.run(`the issue's ${what}`, query, {id: String(raw.id), after});
      const issue = data !== null && isJsonObject(data.issue) ? data.issue : {};
      const more = readConnection(issue[field]);
      nodes.push(...more.nodes);
      after = more.nodes.length > 0 ? more.next : null;
    }
    result = {...result, [field]: {nodes, pageInfo: {hasNextPage: false, endCursor: null}}};
  }
  return result;
}

/** Completes every issue of a page, one after another (most need no request). */
export async function completeIssues(api: LinearGraphQL, raws: readonly JsonObject[]): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for (const raw of raws) out.push(await completeIssue(api, raw));
  return out;
}
