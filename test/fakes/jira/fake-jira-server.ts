/**
 * A fake Jira (Cloud REST v3 or Data Center REST v2) on 127.0.0.1 for tests, demos and benches.
 * It reproduces what the connector relies on: `POST /search/jql` with `nextPageToken` tied to
 * its query (Cloud; the old `/search` answers 410) or `POST /search` with `startAt` (DC);
 * minute-precision JQL dates read in the user's time zone; ids-only results unless `fields`
 * are named; workflow transitions per issue type (a two-hop path and a dead end); ADF bodies
 * on Cloud (a plain string description is refused), wiki strings on DC; issue links; comments;
 * Jira Cloud's documented 429 answers to a request budget set with `limits` (`jira-limits.ts`);
 * and it records every request (credentials stripped).
 */
import {adfPlainText} from './fake-adf-text.js';
import {issueReadFields, selectFields} from './fake-jira-fields.js';
import {
  FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
  type RecordedRequest,
} from '../fake-http-server.js';
import {JqlError, parseJql, type ParsedJql} from './fake-jql.js';
import {JiraLimits, type JiraLimitOptions} from './jira-limits.js';
import {
  FAKE_ISSUE_TYPES,
  availableTransitions,
  statusById,
  statusByName,
  workflowOf,
  type FakeIssueType,
} from './jira-workflows.js';

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type JsonMap = {[key: string]: Json};

export interface FakeJiraIssue {
  id: string;
  key: string;
  project: string;
  summary: string;
  /** ADF document (Cloud) or wiki string (DC), as stored. */
  description: Json;
  typeId: string;
  statusId: string;
  priority: string | null;
  labels: string[];
  assignee: string | null;
  parentId: string | null;
  epicLink: string | null;
  created: number;
  updated: number;
  comments: Json[];
}

interface FakeLink {
  id: string;
  type: string;
  /** The link's source: "<source> blocks <destination>". */
  source: string;
  destination: string;
}

export interface FakeJiraOptions {
  readonly edition?: 'cloud' | 'datacenter';
  readonly projectKey?: string;
  readonly email?: string;
  readonly token?: string;
  /** The searching user's zone: JQL dates are read in it. */
  readonly timeZone?: string;
  /** First timestamp; each write moves the fake's clock on by `tickMs`. */
  readonly start?: string;
  readonly tickMs?: number;
  /** Data Center "Epic Link" custom field id. */
  readonly epicLinkField?: string;
  /** A request budget answered with Jira Cloud's documented 429 (none by default: unpublished). */
  readonly limits?: JiraLimitOptions;
}

const LINK_TYPES: Record<string, {inward: string; outward: string}> = {
  Blocks: {inward: 'is blocked by', outward: 'blocks'},
  Duplicate: {inward: 'is duplicated by', outward: 'duplicates'},
  Relates: {inward: 'relates to', outward: 'relates to'},
};

export class FakeJiraServer {
  readonly edition: 'cloud' | 'datacenter';
  readonly projectKey: string;
  readonly issues = new Map<string, FakeJiraIssue>();
  readonly links: FakeLink[] = [];
  private readonly options: Required<Omit<FakeJiraOptions, 'epicLinkField' | 'limits'>> & {
    epicLinkField: string | null;
  };
  /** The request budget enforced, with the count of requests refused. */
  readonly limits: JiraLimits;
  private server!: FakeHttpServer;
  private nowMs: number;
  private nextId = 10000;
  private nextNumber = 1;
  private nextLinkId = 20000;
  private nextCommentId = 30000;
  /** Every comment by id (Jira's comment ids are global), with its issue and properties. */
  private readonly commentRecords = new Map<
    string,
    {issueId: string; body: unknown; created: number; properties: {key: string; value: unknown}[]}
  >();

  private constructor(options: FakeJiraOptions) {
    this.edition = options.edition ?? 'cloud';
    this.projectKey = options.projectKey ?? 'PROJ';
    this.options = {
      edition: this.edition,
      projectKey: this.projectKey,
      email: options.email ?? 'dev@example.com',
      token: options.token ?? 'jira-test-token',
      timeZone: options.timeZone ?? 'UTC',
      start: options.start ?? '2026-03-02T09:00:00.000Z',
      tickMs: options.tickMs ?? 1000,
      epicLinkField: options.epicLinkField ?? null,
    };
    this.nowMs = Date.parse(this.options.start);
    this.limits = new JiraLimits(options.limits);
  }

  static async start(options: FakeJiraOptions = {}): Promise<FakeJiraServer> {
    const fake = new FakeJiraServer(options);
    fake.server = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  get url(): string {
    return this.server.baseUrl;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** Access to scripted faults (429 on request #k, ...). */
  get http(): FakeHttpServer {
    return this.server;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  get apiRoot(): string {
    return this.edition === 'cloud' ? '/rest/api/3' : '/rest/api/2';
  }

  /** Requests matching a method and a path pattern. */
  requestsTo(method: string, path: RegExp | string): RecordedRequest[] {
    return this.server.requestsTo(method, path);
  }

  /** Transition POSTs made so far, as `[issueId, transitionId]`. */
  transitionPosts(): [string, string][] {
    return this.server
      .requestsTo('POST', /\/issue\/[^/]+\/transitions$/)
      .map((r) => [r.path.split('/')[5], String((r.body as {transition?: {id?: string}})?.transition?.id)]);
  }

  /** Moves the fake's clock (e.g. to put issues in different minutes). */
  advance(ms: number): void {
    this.nowMs += ms;
  }

  /** Adds an issue as a person would in the UI; returns it. */
  seed(input: {
    summary: string;
    description?: string | null;
    type?: string;
    status?: string;
    labels?: string[];
    priority?: string | null;
    updated?: string;
  }): FakeJiraIssue {
    const type = this.typeByName(input.type ?? 'Task');
    const issue = this.newIssue(type, input.summary);
    if (input.description)
      issue.description = this.edition === 'cloud' ? plainAdf(input.description) : input.description;
    if (input.status) issue.statusId = statusByName(input.status)!.id;
    issue.labels = [...(input.labels ?? [])];
    if (input.priority !== undefined) issue.priority = input.priority;
    if (input.updated) issue.updated = Date.parse(input.updated);
    return issue;
  }

  /** Comment bodies of an issue as text. */
  commentsOf(id: string): string[] {
    return (this.issues.get(id)?.comments ?? []).map((c) => adfPlainText(c));
  }

  // ---- request handling ---------------------------------------------------------------

  private async handle(request: FakeRequest): Promise<FakeResponse> {
    const refused = this.limits.admit();
    if (refused) return refused;
    const response = await this.route(request);
    return {...response, headers: {...this.limits.headers(), ...response.headers}};
  }

  private async route(request: FakeRequest): Promise<FakeResponse> {
    if (!this.authorised(request))
      return {
        status: 401,
        json: {
          errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
        },
      };
    const root = this.apiRoot;
    if (!request.path.startsWith(`${root}/`)) {
      if (request.path === '/rest/api/3/search' || request.path === '/rest/api/2/search')
        return {
          status: 410,
          json: {
            errorMessages: [
              'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.',
            ],
          },
        };
      return {status: 404, json: {errorMessages: ['Not found']}};
    }
    const rest = request.path.slice(root.length);
    const body = (request.body ?? {}) as JsonMap;
    try {
      if (request.method === 'GET' && rest === '/myself') return {status: 200, json: this.myself()};
      if (request.method === 'POST' && this.edition === 'cloud' && rest === '/search/jql')
        return this.searchCloud(body);
      if (request.method === 'POST' && this.edition === 'datacenter' && rest === '/search')
        return this.searchDc(body);
      if (this.edition === 'cloud' && rest === '/search')
        return {
          status: 410,
          json: {
            errorMessages: [
              'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.',
            ],
          },
        };
      if (request.method === 'POST' && rest === '/issue') return this.create(body);
      if (request.method === 'POST' && rest === '/issueLink') return this.link(body);
      if (request.method === 'POST' && rest === '/comment/list')
        return this.commentsByIds(body, request.query);
      let m = /^\/issueLink\/([^/]+)$/.exec(rest);
      if (m && request.method === 'DELETE') return this.unlink(decodeURIComponent(m[1]));
      m = /^\/issue\/([^/]+)(\/transitions|\/comment)?$/.exec(rest);
      if (m) {
        const issue = this.find(decodeURIComponent(m[1]));
        if (!issue)
          return {
            status: 404,
            json: {errorMessages: ['Issue does not exist or you do not have permission to see it.']},
          };
        if (m[2] === '/transitions' && request.method === 'GET')
          return {status: 200, json: {transitions: this.transitionsJson(issue)}};
        if (m[2] === '/transitions' && request.method === 'POST') return this.transition(issue, body);
        if (m[2] === '/comment' && request.method === 'POST') return this.comment(issue, body);
        if (m[2] === '/comment' && request.method === 'GET') return this.listComments(issue, request.query);
        if (!m[2] && request.method === 'GET')
          return {status: 200, json: this.render(issue, issueReadFields(request.query.fields))};
        if (!m[2] && request.method === 'PUT') return this.edit(issue, body);
      }
      return {status: 404, json: {errorMessages: [`No fake route for ${request.method} ${request.path}`]}};
    } catch (error) {
      if (error instanceof JqlError || error instanceof FieldError)
        return {status: 400, json: {errorMessages: [error.message], errors: {}}};
      throw error;
    }
  }

  private authorised(request: FakeRequest): boolean {
    if (this.edition === 'cloud') {
      const expected = Buffer.from(`${this.options.email}:${this.options.token}`).toString('base64');
      return request.authScheme === 'basic' && request.credential === expected;
    }
    return request.authScheme === 'bearer' && request.credential === this.options.token;
  }

  private myself(): JsonMap {
    return this.edition === 'cloud'
      ? {
          accountId: 'acc-me',
          emailAddress: this.options.email,
          displayName: 'Me',
          timeZone: this.options.timeZone,
        }
      : {name: 'me', key: 'me', displayName: 'Me', timeZone: this.options.timeZone};
  }

  // ---- search -------------------------------------------------------------------------

  private matching(jql: string): FakeJiraIssue[] {
    const parsed = parseJql(jql, this.options.timeZone);
    const found = [...this.issues.values()].filter((issue) => matches(issue, parsed));
    return sortIssues(found, parsed);
  }

  private searchCloud(body: JsonMap): FakeResponse {
    for (const key of Object.keys(body)) {
      if (
        ![
          'jql',
          'fields',
          'maxResults',
          'nextPageToken',
          'expand',
          'properties',
          'fieldsByKeys',
          'reconcileIssues',
        ].includes(key)
      ) {
        return {
          status: 400,
          json: {
            errorMessages: ['Invalid request payload. Refer to the REST API documentation and try again.'],
          },
        };
      }
    }
    const jql = String(body.jql ?? '');
    if (!/\S/.test(jql.replace(/ORDER BY.*$/i, '')))
      return {
        status: 400,
        json: {
          errorMessages: [
            'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
          ],
        },
      };
    const all = this.matching(jql);
    let offset = 0;
    if (typeof body.nextPageToken === 'string') {
      const token = decodeToken(body.nextPageToken);
      if (token === null || token.jql !== jql)
        return {status: 400, json: {errorMessages: ['The provided next page token is invalid or expired.']}};
      offset = token.offset;
    }
    const max = clampMax(body.maxResults);
    const page = all.slice(offset, offset + max);
    const fields = Array.isArray(body.fields) ? body.fields.map(String) : null;
    const expand = typeof body.expand === 'string' ? body.expand.split(',') : [];
    const json: JsonMap = {
      issues: page.map((issue) => this.render(issue, fields, expand.includes('transitions'))),
      isLast: offset + max >= all.length,
    };
    // Like Jira Cloud (JRACLOUD-92184): the last page has no nextPageToken key at all.
    if (offset + max < all.length) json.nextPageToken = encodeToken({jql, offset: offset + max});
    return {status: 200, json};
  }

  private searchDc(body: JsonMap): FakeResponse {
    const jql = String(body.jql ?? '');
    const all = this.matching(jql);
    const startAt = typeof body.startAt === 'number' ? body.startAt : 0;
    const max = clampMax(body.maxResults);
    const fields = Array.isArray(body.fields) ? body.fields.map(String) : null;
    const expand = Array.isArray(body.expand)
      ? body.expand.map(String)
      : typeof body.expand === 'string'
        ? body.expand.split(',')
        : [];
    return {
      status: 200,
      json: {
        startAt,
        maxResults: max,
        total: all.length,
        issues: all
          .slice(startAt, startAt + max)
          .map((i) => this.render(i, fields, expand.includes('transitions'))),
      },
    };
  }

  // ---- writes -------------------------------------------------------------------------

  private create(body: JsonMap): FakeResponse {
    const fields = (body.fields ?? {}) as JsonMap;
    const project = (fields.project ?? {}) as JsonMap;
    if (project.key !== this.projectKey)
      throw new FieldError(`project: valid project is required (got ${JSON.stringify(project.key ?? null)})`);
    const typeName = ((fields.issuetype ?? {}) as JsonMap).name;
    const type = FAKE_ISSUE_TYPES.find((t) => t.name === typeName);
    if (!type)
      throw new FieldError(`issuetype: Specify a valid issue type (got ${JSON.stringify(typeName ?? null)})`);
    if (typeof fields.summary !== 'string' || fields.summary.trim() === '')
      throw new FieldError('summary: You must specify a summary of the issue.');
    const issue = this.newIssue(type, fields.summary);
    this.applyFields(issue, fields, true);
    return {
      status: 201,
      json: {id: issue.id, key: issue.key, self: `${this.url}${this.apiRoot}/issue/${issue.id}`},
    };
  }

  private edit(issue: FakeJiraIssue, body: JsonMap): FakeResponse {
    this.applyFields(issue, (body.fields ?? {}) as JsonMap, false);
    this.touch(issue);
    return {status: 204};
  }

  private applyFields(issue: FakeJiraIssue, fields: JsonMap, creating: boolean): void {
    for (const [name, value] of Object.entries(fields)) {
      switch (name) {
        case 'project':
          if (!creating) throw new FieldError('project: cannot be edited');
          break;
        case 'summary':
          if (typeof value !== 'string' || value.trim() === '')
            throw new FieldError('summary: You must specify a summary of the issue.');
          issue.summary = value;
          break;
        case 'description':
          if (
            value !== null &&
            this.edition === 'cloud' &&
            !(typeof value === 'object' && (value as JsonMap).type === 'doc')
          ) {
            throw new FieldError(
              'description: Operation value must be an Atlassian Document (see the Atlassian Document Format)',
            );
          }
          if (value !== null && this.edition === 'datacenter' && typeof value !== 'string')
            throw new FieldError('description: Operation value must be a string');
          issue.description = value;
          break;
        case 'issuetype': {
          const type = FAKE_ISSUE_TYPES.find((t) => t.name === (value as JsonMap)?.name);
          if (!type) throw new FieldError('issuetype: Specify a valid issue type');
          issue.typeId = type.id;
          break;
        }
        case 'priority':
          issue.priority = value === null ? null : String((value as JsonMap).name);
          break;
        case 'labels':
          if (!Array.isArray(value) || value.some((l) => typeof l !== 'string' || /\s/.test(l)))
            throw new FieldError('labels: The label must not contain spaces.');
          issue.labels = [...(value as string[])];
          break;
        case 'assignee': {
          const who = value as JsonMap | null;
          if (who !== null && this.edition === 'cloud' && typeof who.accountId !== 'string')
            throw new FieldError('assignee: Specify an accountId (user names are not accepted on Cloud)');
          if (who !== null && this.edition === 'datacenter' && typeof who.name !== 'string')
            throw new FieldError('assignee: Specify a user name');
          issue.assignee = who === null ? null : String(this.edition === 'cloud' ? who.accountId : who.name);
          break;
        }
        case 'parent': {
          const ref = value as JsonMap | null;
          const parent = ref === null ? null : this.find(String(ref.id ?? ref.key ?? ''));
          if (ref !== null && !parent) throw new FieldError('parent: Could not find issue by id or key.');
          issue.parentId = parent ? parent.id : null;
          break;
        }
        default:
          if (name === this.options.epicLinkField) {
            issue.epicLink = value === null ? null : String(value);
            break;
          }
          throw new FieldError(
            `${name}: Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`,
          );
      }
    }
  }

  private transition(issue: FakeJiraIssue, body: JsonMap): FakeResponse {
    const id = String(((body.transition ?? {}) as JsonMap).id ?? '');
    const transition = availableTransitions(this.typeOf(issue), issue.statusId).find((t) => t.id === id);
    if (!transition)
      return {
        status: 400,
        json: {errorMessages: [`Transition id '${id}' is not valid for this issue.`], errors: {}},
      };
    issue.statusId = transition.to;
    this.touch(issue);
    return {status: 204};
  }

  private comment(issue: FakeJiraIssue, body: JsonMap): FakeResponse {
    const value = body.body ?? null;
    if (
      this.edition === 'cloud' &&
      !(value !== null && typeof value === 'object' && (value as JsonMap).type === 'doc')
    ) {
      return {
        status: 400,
        json: {errorMessages: [], errors: {comment: 'Comment body must be an Atlassian Document.'}},
      };
    }
    if (this.edition === 'datacenter' && typeof value !== 'string')
      return {status: 400, json: {errorMessages: [], errors: {comment: 'Comment body can not be empty!'}}};
    const properties = body.properties ?? [];
    const valid =
      Array.isArray(properties) &&
      properties.every(
        (p) =>
          p !== null &&
          typeof p === 'object' &&
          typeof (p as JsonMap).key === 'string' &&
          ((p as JsonMap).key as string).length <= 255,
      );
    if (!valid)
      return {
        status: 400,
        json: {errorMessages: ['properties: each needs a key of at most 255 characters'], errors: {}},
      };
    issue.comments.push(value);
    this.touch(issue);
    const id = String(this.nextCommentId++);
    this.commentRecords.set(id, {
      issueId: issue.id,
      body: value,
      created: issue.updated,
      properties: properties as {key: string; value: unknown}[],
    });
    return {status: 201, json: this.commentJson(id, false)};
  }

  /** `GET /issue/{id}/comment`: `startAt`, `maxResults` (default 100), `orderBy` [+-]created; no properties. */
  private listComments(
    issue: FakeJiraIssue,
    query: Readonly<Record<string, string | string[]>>,
  ): FakeResponse {
    const q = (name: string) => {
      const v = query[name];
      return Array.isArray(v) ? v[v.length - 1] : v;
    };
    const orderBy = q('orderBy') ?? 'created';
    if (!['created', '+created', '-created'].includes(orderBy))
      return {status: 400, json: {errorMessages: [`Ordering by '${orderBy}' is not supported.`], errors: {}}};
    const startAt = Math.max(0, Number(q('startAt') ?? 0) || 0);
    const maxResults = Math.min(5000, Math.max(1, Number(q('maxResults') ?? 100) || 100));
    const ids = [...this.commentRecords.entries()]
      .filter(([, c]) => c.issueId === issue.id)
      .sort(([a, x], [b, y]) => x.created - y.created || Number(a) - Number(b))
      .map(([id]) => id);
    if (orderBy === '-created') ids.reverse();
    const page = ids.slice(startAt, startAt + maxResults);
    return {
      status: 200,
      json: {startAt, maxResults, total: ids.length, comments: page.map((id) => this.commentJson(id, false))},
    };
  }

  /** `POST /comment/list` (`{ids}`, at most 1000), with `expand=properties` for their properties. */
  private commentsByIds(body: JsonMap, query: Readonly<Record<string, string | string[]>>): FakeResponse {
    const ids = body.ids;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'number'))
      return {
        status: 400,
        json: {errorMessages: ['ids must be a list of comment ids (numbers)'], errors: {}},
      };
    if (ids.length > 1000)
      return {status: 400, json: {errorMessages: ['At most 1000 comment ids can be requested.'], errors: {}}};
    const expand = String(query.expand ?? '').split(',');
    const values = ids
      .map(String)
      .filter((id) => this.commentRecords.has(id))
      .map((id) => this.commentJson(id, expand.includes('properties')));
    return {status: 200, json: {startAt: 0, maxResults: 1000, total: values.length, isLast: true, values}};
  }

  private commentJson(id: string, withProperties: boolean): JsonMap {
    const c = this.commentRecords.get(id)!;
    const json: JsonMap = {
      id,
      self: `${this.url}${this.apiRoot}/comment/${id}`,
      body: c.body as never,
      created: jiraTimestamp(c.created),
      updated: jiraTimestamp(c.created),
    };
    if (withProperties) json.properties = c.properties as never;
    return json;
  }

  private link(body: JsonMap): FakeResponse {
    // The request schema (LinkIssueRequestJsonBean) allows these properties only, all but
    // `comment` required.
    const unknown = Object.keys(body).filter(
      (k) => !['type', 'inwardIssue', 'outwardIssue', 'comment'].includes(k),
    );
    if (unknown.length > 0 || !body.type || !body.inwardIssue || !body.outwardIssue)
      return {
        status: 400,
        json: {
          errorMessages: [
            `Unrecognized or missing field in the issue link: ${unknown.join(', ') || 'type, inwardIssue and outwardIssue are required'}`,
          ],
        },
      };
    const typeName = String(((body.type ?? {}) as JsonMap).name ?? '');
    if (!LINK_TYPES[typeName])
      return {status: 404, json: {errorMessages: [`No issue link type with name '${typeName}' found.`]}};
    const inward = this.findRef(body.inwardIssue);
    const outward = this.findRef(body.outwardIssue);
    if (!inward || !outward)
      return {
        status: 404,
        json: {errorMessages: ['Issue does not exist or you do not have permission to see it.']},
      };
    // Jira answers a link that exists already as created, and keeps one.
    if (this.links.some((l) => l.type === typeName && l.source === inward.id && l.destination === outward.id))
      return {status: 201};
    // As Jira's issueLink resource does: the inward issue is the link's source.
    this.links.push({
      id: String(this.nextLinkId++),
      type: typeName,
      source: inward.id,
      destination: outward.id,
    });
    this.touch(inward);
    this.touch(outward);
    return {status: 201};
  }

  private unlink(id: string): FakeResponse {
    const index = this.links.findIndex((l) => l.id === id);
    if (index < 0) return {status: 404, json: {errorMessages: ['No issue link with id exists.']}};
    this.links.splice(index, 1);
    return {status: 204};
  }

  // ---- rendering ----------------------------------------------------------------------

  private render(issue: FakeJiraIssue, fields: string[] | null, withTransitions = false): JsonMap {
    const json: JsonMap = {
      id: issue.id,
      key: issue.key,
      self: `${this.url}${this.apiRoot}/issue/${issue.id}`,
    };
    // Like /search/jql: without `fields` only ids come back.
    const selected = selectFields(this.allFields(issue), fields);
    if (selected !== null) json.fields = selected as JsonMap;
    if (withTransitions) json.transitions = this.transitionsJson(issue);
    return json;
  }

  private allFields(issue: FakeJiraIssue): JsonMap {
    const type = this.typeOf(issue);
    const status = statusById(issue.statusId);
    const parent = issue.parentId ? this.issues.get(issue.parentId) : undefined;
    const fields: JsonMap = {
      summary: issue.summary,
      description: issue.description,
      status: statusJson(status.id),
      issuetype: {id: type.id, name: type.name, subtask: type.subtask},
      priority: issue.priority === null ? null : {name: issue.priority},
      labels: [...issue.labels],
      assignee:
        issue.assignee === null
          ? null
          : this.edition === 'cloud'
            ? {accountId: issue.assignee, displayName: issue.assignee}
            : {name: issue.assignee, displayName: issue.assignee},
      parent: parent ? {id: parent.id, key: parent.key, fields: {summary: parent.summary}} : null,
      issuelinks: this.linksJson(issue),
      created: jiraTimestamp(issue.created),
      updated: jiraTimestamp(issue.updated),
    };
    if (this.options.epicLinkField) fields[this.options.epicLinkField] = issue.epicLink;
    if (!parent) delete fields.parent;
    return fields;
  }

  private linksJson(issue: FakeJiraIssue): Json[] {
    const out: Json[] = [];
    for (const link of this.links) {
      const type = {name: link.type, ...LINK_TYPES[link.type]};
      const brief = (id: string): JsonMap => ({id, key: this.issues.get(id)?.key ?? id});
      if (link.source === issue.id) out.push({id: link.id, type, outwardIssue: brief(link.destination)});
      else if (link.destination === issue.id) out.push({id: link.id, type, inwardIssue: brief(link.source)});
    }
    return out;
  }

  private transitionsJson(issue: FakeJiraIssue): Json[] {
    return availableTransitions(this.typeOf(issue), issue.statusId).map((t) => ({
      id: t.id,
      name: t.name,
      to: statusJson(t.to),
      isAvailable: true,
    }));
  }

  // ---- helpers ------------------------------------------------------------------------

  private newIssue(type: FakeIssueType, summary: string): FakeJiraIssue {
    const now = this.tick();
    const issue: FakeJiraIssue = {
      id: String(this.nextId++),
      key: `${this.projectKey}-${this.nextNumber++}`,
      project: this.projectKey,
      summary,
      description: null,
      typeId: type.id,
      statusId: workflowOf(type).initial,
      priority: 'Medium',
      labels: [],
      assignee: null,
      parentId: null,
      epicLink: null,
      created: now,
      updated: now,
      comments: [],
    };
    this.issues.set(issue.id, issue);
    return issue;
  }

  private tick(): number {
    this.nowMs += this.options.tickMs;
    return this.nowMs;
  }

  private touch(issue: FakeJiraIssue): void {
    issue.updated = this.tick();
  }

  private find(idOrKey: string): FakeJiraIssue | undefined {
    return this.issues.get(idOrKey) ?? [...this.issues.values()].find((i) => i.key === idOrKey);
  }

  private findRef(value: Json | undefined): FakeJiraIssue | undefined {
    const ref = (value ?? {}) as JsonMap;
    return this.find(String(ref.key ?? ref.id ?? ''));
  }

  private typeOf(issue: FakeJiraIssue): FakeIssueType {
    return FAKE_ISSUE_TYPES.find((t) => t.id === issue.typeId)!;
  }

  private typeByName(name: string): FakeIssueType {
    const type = FAKE_ISSUE_TYPES.find((t) => t.name === name);
    if (!type) throw new Error(`fake Jira: no issue type ${name}`);
    return type;
  }
}

class FieldError extends Error {}

function statusJson(id: string): JsonMap {
  const status = statusById(id);
  const category = {
    new: {id: 2, key: 'new', name: 'To Do'},
    indeterminate: {id: 4, key: 'indeterminate', name: 'In Progress'},
    done: {id: 3, key: 'done', name: 'Done'},
  }[status.category];
  return {id: status.id, name: status.name, statusCategory: category};
}

function matches(issue: FakeJiraIssue, parsed: ParsedJql): boolean {
  return parsed.clauses.every((clause) => {
    switch (clause.kind) {
      case 'project':
        return issue.project === clause.value;
      case 'updatedSince':
        return issue.updated >= clause.instantMs;
      case 'label':
        return issue.labels.includes(clause.value);
      case 'issuetype':
        return (
          issue.typeId === clause.value ||
          FAKE_ISSUE_TYPES.find((t) => t.id === issue.typeId)?.name === clause.value
        );
      case 'status':
        return issue.statusId === clause.value || statusById(issue.statusId).name === clause.value;
      case 'keys':
        return clause.values.includes(issue.key);
    }
  });
}

function sortIssues(issues: FakeJiraIssue[], parsed: ParsedJql): FakeJiraIssue[] {
  const order =
    parsed.order.length > 0 ? parsed.order : [{field: 'key' as const, direction: 'DESC' as const}];
  const keyNumber = (issue: FakeJiraIssue): number => Number(issue.key.split('-').pop());
  return [...issues].sort((a, b) => {
    for (const {field, direction} of order) {
      const diff = field === 'updated' ? a.updated - b.updated : keyNumber(a) - keyNumber(b);
      if (diff !== 0) return direction === 'ASC' ? diff : -diff;
    }
    return 0;
  });
}

function clampMax(value: Json | undefined): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : 50;
  // Jira silently caps maxResults; so does the fake.
  return Math.min(Math.max(n, 0), 100);
}

function encodeToken(token: {jql: string; offset: number}): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): {jql: string; offset: number} | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      jql?: unknown;
      offset?: unknown;
    };
    return typeof value.jql === 'string' && typeof value.offset === 'number'
      ? {jql: value.jql, offset: value.offset}
      : null;
  } catch {
    return null;
  }
}

/** Jira's timestamp format: `2026-03-02T09:00:01.000+0000`. */
function jiraTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function plainAdf(text: string): Json {
  return {
    type: 'doc',
    version: 1,
    content: text.split(/\n{2,}/).map((p) => ({type: 'paragraph', content: [{type: 'text', text: p}]})),
  };
}
