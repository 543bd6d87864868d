/**
 * A fake Linear GraphQL API on 127.0.0.1. It parses each document, rejects fields, arguments
 * and input keys outside an allow-list of Linear's schema (400, as GraphQL validation errors
 * are), executes the few root fields the connector uses and returns only what was selected.
 * Quirks reproduced: `orderBy: updatedAt` lists most recently updated first; Relay cursors
 * (keyset, so edits between pages do not shift them) with first/after and last/before; page
 * size capped at 250; the rate limit as HTTP 400 with `extensions.code: RATELIMITED` and
 * `x-ratelimit-requests-*` headers (reset in epoch ms), scriptable on request #k; partial
 * answers (`data` plus `errors`) scriptable on request #k; "Entity not found" errors.
 */
import {
  FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
  type RecordedRequest,
} from '../fake-http-server.js';
import {LINEAR_ALLOW_LIST} from './linear-allow-list.js';
import {
  GraphQLSyntaxError,
  parseOperation,
  project,
  resolveArgs,
  validateOperation,
  type FieldNode,
  type GqlValue,
} from './mini-graphql.js';

type Obj = {[key: string]: GqlValue};

export interface FakeLinearIssue {
  id: string;
  number: number;
  title: string;
  description: string | null;
  priority: number;
  stateId: string;
  assigneeId: string | null;
  labelIds: string[];
  parentId: string | null;
  createdAt: number;
  updatedAt: number;
  comments: string[];
}

interface FakeState {
  id: string;
  name: string;
  type: string;
  position: number;
}

export interface FakeLinearOptions {
  readonly teamKey?: string;
  readonly apiKey?: string;
  readonly start?: string;
  readonly tickMs?: number;
  /** "Now" for rate-limit reset headers (tests pass their ManualClock). */
  readonly now?: () => Date;
}

const INPUT_FIELDS: Record<string, readonly string[]> = {
  IssueCreateInput: [
    'teamId',
    'title',
    'description',
    'priority',
    'stateId',
    'assigneeId',
    'labelIds',
    'parentId',
    'id',
  ],
  IssueUpdateInput: [
    'title',
    'description',
    'priority',
    'stateId',
    'assigneeId',
    'labelIds',
    'parentId',
    'addedLabelIds',
    'removedLabelIds',
  ],
  CommentCreateInput: ['issueId', 'body', 'id'],
  IssueRelationCreateInput: ['issueId', 'relatedIssueId', 'type'],
  IssueLabelCreateInput: ['name', 'teamId', 'color'],
};
const ISSUE_FILTER_KEYS = ['team', 'updatedAt', 'description', 'id', 'and'];
const RELATION_TYPES = ['blocks', 'duplicate', 'related', 'similar'];

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

class GqlError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class FakeLinearServer {
  readonly teamId = 'team-1';
  readonly teamKey: string;
  readonly issues = new Map<string, FakeLinearIssue>();
  readonly relations: {id: string; type: string; issueId: string; relatedIssueId: string}[] = [];
  readonly labels: {id: string; name: string; teamId: string | null}[] = [
    {id: 'label-ws-bug', name: 'bug', teamId: null},
  ];
  readonly users = new Set(['user-1', 'user-2']);
  readonly states: FakeState[] = [
    {id: 'state-backlog', name: 'Backlog', type: 'backlog', position: 0},
    {id: 'state-todo', name: 'Todo', type: 'unstarted', position: 1},
    {id: 'state-progress', name: 'In Progress', type: 'started', position: 2},
    {id: 'state-review', name: 'In Review', type: 'started', position: 3},
    {id: 'state-done', name: 'Done', type: 'completed', position: 4},
    {id: 'state-canceled', name: 'Canceled', type: 'canceled', position: 5},
  ];
  /** Parsed operations in order (name + variables), for assertions. */
  readonly operations: {name: string | null; variables: Obj}[] = [];
  private server!: FakeHttpServer;
  private readonly options: Required<Omit<FakeLinearOptions, 'now'>> & {now: () => Date};
  private nowMs: number;
  private seq = 1;
  /** Comment id -> body, for `comment(id:)`. */
  private readonly commentIds = new Map<string, string>();
  private graphqlCount = 0;
  private readonly partialOn = new Set<number>();

  private constructor(options: FakeLinearOptions) {
    this.teamKey = options.teamKey ?? 'ENG';
    this.options = {
      teamKey: this.teamKey,
      apiKey: options.apiKey ?? 'lin_api_test_key',
      start: options.start ?? '2026-03-02T09:00:00.000Z',
      tickMs: options.tickMs ?? 1000,
      now: options.now ?? (() => new Date(this.nowMs)),
    };
    this.nowMs = Date.parse(this.options.start);
  }

  static async start(options: FakeLinearOptions = {}): Promise<FakeLinearServer> {
    const fake = new FakeLinearServer(options);
    fake.server = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  get url(): string {
    return this.server.baseUrl;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** The k-th GraphQL request (1-based) answers 400 RATELIMITED, resetting `resetInMs` later. */
  rateLimitOn(k: number, resetInMs = 30_000): void {
    this.server.script({
      on: k,
      respond: () => {
        const reset = this.options.now().getTime() + resetInMs;
        return {
          status: 400,
          headers: {
            'x-ratelimit-requests-limit': '1500',
            'x-ratelimit-requests-remaining': '0',
            'x-ratelimit-requests-reset': String(reset),
          },
          json: {
            errors: [
              {
                message: 'Rate limit exceeded',
                extensions: {
                  code: 'RATELIMITED',
                  type: 'ratelimited',
                  userPresentableMessage: 'Rate limit exceeded.',
                },
              },
            ],
          },
        };
      },
    });
  }

  /** The k-th GraphQL request (1-based) answers with data and an error on one field. */
  partialErrorOn(k: number): void {
    this.partialOn.add(k);
  }

  seed(input: {
    title: string;
    description?: string | null;
    state?: string;
    priority?: number;
    labels?: string[];
  }): FakeLinearIssue {
    const issue = this.newIssue(input.title);
    issue.description = input.description ?? null;
    if (input.state) issue.stateId = this.states.find((s) => s.name === input.state)!.id;
    if (input.priority !== undefined) issue.priority = input.priority;
    issue.labelIds = (input.labels ?? []).map((name) => this.labelByName(name).id);
    return issue;
  }

  commentsOf(id: string): string[] {
    return [...(this.issues.get(id)?.comments ?? [])];
  }

  // ---- request handling ---------------------------------------------------------------

  private handle(request: FakeRequest): FakeResponse {
    if (request.method !== 'POST' || request.path !== '/graphql')
      return {status: 404, json: {errors: [{message: 'Not found'}]}};
    const index = ++this.graphqlCount;
    if (request.credential !== this.options.apiKey || request.authScheme !== 'unknown') {
      return {
        status: 401,
        json: {
          errors: [
            {
              message: 'Authentication required, not authenticated',
              extensions: {code: 'AUTHENTICATION_ERROR'},
            },
          ],
        },
      };
    }
    const body = (request.body ?? {}) as {query?: unknown; variables?: unknown};
    try {
      if (typeof body.query !== 'string') throw new GqlError('Must provide query string.', 'BAD_REQUEST');
      const operation = parseOperation(body.query);
      const problems = validateOperation(operation, LINEAR_ALLOW_LIST);
      if (problems.length > 0) {
        return {
          status: 400,
          json: {
            errors: problems.map((message) => ({message, extensions: {code: 'GRAPHQL_VALIDATION_FAILED'}})),
          },
        };
      }
      const variables = (body.variables ?? {}) as Obj;
      this.operations.push({name: operation.name, variables});
      const data: Obj = {};
      const errors: Obj[] = [];
      for (const field of operation.selections) {
        const key = field.alias ?? field.name;
        try {
          const args = resolveArgs(field.args, variables);
          const value = operation.kind === 'query' ? this.query(field, args) : this.mutate(field, args);
          data[key] = project(value, field.selections);
        } catch (error) {
          if (!(error instanceof GqlError)) throw error;
          if (error.status === 400) throw error;
          data[key] = null;
          errors.push({
            message: error.message,
            path: [key],
            extensions: {code: error.code, userPresentableMessage: error.message},
          });
        }
      }
      if (this.partialOn.has(index)) {
        errors.push({
          message: 'Internal error resolving assignee',
          path: [Object.keys(data)[0], 'nodes', 0, 'assignee'],
          extensions: {code: 'INTERNAL_SERVER_ERROR'},
        });
      }
      const hasData = Object.values(data).some((v) => v !== null);
      return {status: 200, json: errors.length > 0 ? {data: hasData ? data : null, errors} : {data}};
    } catch (error) {
      if (error instanceof GraphQLSyntaxError)
        return {
          status: 400,
          json: {errors: [{message: error.message, extensions: {code: 'GRAPHQL_PARSE_FAILED'}}]},
        };
      if (error instanceof GqlError)
        return {
          status: 400,
          json: {
            errors: [
              {message: error.message, extensions: {code: error.code, userPresentableMessage: error.message}},
            ],
          },
        };
      throw error;
    }
  }

  private query(field: FieldNode, args: Obj): unknown {
    switch (field.name) {
      case 'issues':
        return this.issueConnection(args);
      case 'issue': {
        const issue = this.findIssue(String(args.id ?? ''));
        if (!issue)
          throw new GqlError(
            'Entity not found: Issue - Could not find referenced Issue.',
            'INPUT_ERROR',
            200,
          );
        return this.issueView(issue);
      }
      case 'teams': {
        const filter = (args.filter ?? {}) as Obj;
        const key = ((filter.key ?? {}) as Obj).eq;
        const match = key === undefined || key === this.teamKey;
        return {
          nodes: match ? [this.teamView()] : [],
          pageInfo: {hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null},
        };
      }
      case 'comment': {
        const body = this.commentIds.get(String(args.id ?? ''));
        if (body === undefined)
          throw new GqlError(
            'Entity not found: Comment - Could not find referenced Comment.',
            'INPUT_ERROR',
            200,
          );
        return {id: String(args.id), body};
      }
      case 'issueLabels': {
        const filter = (args.filter ?? {}) as Obj;
        const names = (((filter.name ?? {}) as Obj).in ?? null) as string[] | null;
        const nodes = this.labels
          .filter((l) => names === null || names.includes(l.name))
          .map((l) => this.labelView(l));
        return {
          nodes,
          pageInfo: {hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null},
        };
      }
      default:
        throw new GqlError(
          `Cannot query field "${field.name}" on type "Query".`,
          'GRAPHQL_VALIDATION_FAILED',
        );
    }
  }

  private mutate(field: FieldNode, args: Obj): unknown {
    switch (field.name) {
      case 'issueCreate': {
        const input = this.input('IssueCreateInput', args.input);
        if (input.teamId !== this.teamId) throw new GqlError('Entity not found: Team', 'INPUT_ERROR');
        if (typeof input.title !== 'string' || input.title.trim() === '')
          throw new GqlError('title must not be empty', 'INPUT_ERROR');
        const issue = this.newIssue(input.title);
        this.applyInput(issue, input);
        return {success: true, lastSyncId: this.seq, issue: this.issueView(issue)};
      }
      case 'issueUpdate': {
        const issue = this.findIssue(String(args.id ?? ''));
        if (!issue)
          throw new GqlError(
            'Entity not found: Issue - Could not find referenced Issue.',
            'INPUT_ERROR',
            200,
          );
        this.applyInput(issue, this.input('IssueUpdateInput', args.input));
        this.touch(issue);
        return {success: true, lastSyncId: this.seq, issue: this.issueView(issue)};
      }
      case 'commentCreate': {
        const input = this.input('CommentCreateInput', args.input);
        const issue = this.findIssue(String(input.issueId ?? ''));
        if (!issue) throw new GqlError('Entity not found: Issue', 'INPUT_ERROR', 200);
        // A client-chosen id must be a UUID (v4 format) and not taken already.
        if (input.id !== undefined && !UUID_V4.test(String(input.id)))
          throw new GqlError('Argument Validation Error - id must be a UUID', 'INVALID_INPUT');
        if (input.id !== undefined && this.commentIds.has(String(input.id)))
          throw new GqlError('Entity already exists: Comment', 'INPUT_ERROR');
        const id = input.id === undefined ? `comment-${this.seq}` : String(input.id);
        issue.comments.push(String(input.body ?? ''));
        this.commentIds.set(id, String(input.body ?? ''));
        this.touch(issue);
        return {success: true, lastSyncId: this.seq++, comment: {id, body: input.body}};
      }
      case 'issueRelationCreate': {
        const input = this.input('IssueRelationCreateInput', args.input);
        const a = this.findIssue(String(input.issueId ?? ''));
        const b = this.findIssue(String(input.relatedIssueId ?? ''));
        if (!a || !b) throw new GqlError('Entity not found: Issue', 'INPUT_ERROR', 200);
        if (!RELATION_TYPES.includes(String(input.type)))
          throw new GqlError(
            `Value "${String(input.type)}" does not exist in "IssueRelationType" enum.`,
            'GRAPHQL_VALIDATION_FAILED',
          );
        const relation = {
          id: `rel-${this.seq++}`,
          type: String(input.type),
          issueId: a.id,
          relatedIssueId: b.id,
        };
        this.relations.push(relation);
        this.touch(a);
        return {success: true, lastSyncId: this.seq, issueRelation: {id: relation.id, type: relation.type}};
      }
      case 'issueRelationDelete': {
        const index = this.relations.findIndex((r) => r.id === args.id);
        if (index < 0) throw new GqlError('Entity not found: IssueRelation', 'INPUT_ERROR', 200);
        this.relations.splice(index, 1);
        return {success: true, lastSyncId: this.seq};
      }
      case 'issueLabelCreate': {
        const input = this.input('IssueLabelCreateInput', args.input);
        const label = {
          id: `label-${this.seq++}`,
          name: String(input.name),
          teamId: typeof input.teamId === 'string' ? input.teamId : null,
        };
        if (this.labels.some((l) => l.name === label.name && l.teamId === label.teamId))
          throw new GqlError('Duplicate label name', 'INPUT_ERROR');
        this.labels.push(label);
        return {success: true, lastSyncId: this.seq, issueLabel: this.labelView(label)};
      }
      default:
        throw new GqlError(
          `Cannot query field "${field.name}" on type "Mutation".`,
          'GRAPHQL_VALIDATION_FAILED',
        );
    }
  }

  private input(type: string, value: GqlValue | undefined): Obj {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new GqlError(`Expected a ${type}.`, 'GRAPHQL_VALIDATION_FAILED');
    for (const key of Object.keys(value)) {
      if (!INPUT_FIELDS[type].includes(key))
        throw new GqlError(`Field "${key}" is not defined by type "${type}".`, 'GRAPHQL_VALIDATION_FAILED');
    }
    return value;
  }

  private applyInput(issue: FakeLinearIssue, input: Obj): void {
    if (typeof input.title === 'string') issue.title = input.title;
    if (input.description !== undefined)
      issue.description = input.description === null ? null : String(input.description);
    if (input.priority !== undefined) {
      if (typeof input.priority !== 'number' || input.priority < 0 || input.priority > 4)
        throw new GqlError('priority must be 0..4', 'INPUT_ERROR');
      issue.priority = input.priority;
    }
    if (input.stateId !== undefined) {
      if (!this.states.some((s) => s.id === input.stateId))
        throw new GqlError('Entity not found: WorkflowState', 'INPUT_ERROR');
      issue.stateId = String(input.stateId);
    }
    if (input.assigneeId !== undefined) {
      if (input.assigneeId !== null && !this.users.has(String(input.assigneeId)))
        throw new GqlError('Entity not found: User', 'INPUT_ERROR');
      issue.assigneeId = input.assigneeId === null ? null : String(input.assigneeId);
    }
    if (input.labelIds !== undefined) {
      const ids = (input.labelIds ?? []) as string[];
      for (const id of ids)
        if (!this.labels.some((l) => l.id === id))
          throw new GqlError('Entity not found: IssueLabel', 'INPUT_ERROR');
      issue.labelIds = [...ids];
    }
    if (input.parentId !== undefined) {
      const parent = input.parentId === null ? null : this.findIssue(String(input.parentId));
      if (input.parentId !== null && !parent)
        throw new GqlError('Entity not found: Issue (parent)', 'INPUT_ERROR');
      issue.parentId = parent ? parent.id : null;
    }
  }

  // ---- listing ------------------------------------------------------------------------

  private issueConnection(args: Obj): unknown {
    const filter = (args.filter ?? {}) as Obj;
    for (const key of Object.keys(filter)) {
      if (!ISSUE_FILTER_KEYS.includes(key))
        throw new GqlError(
          `Field "${key}" is not defined by type "IssueFilter".`,
          'GRAPHQL_VALIDATION_FAILED',
        );
    }
    const all = [...this.issues.values()].filter((issue) => this.matches(issue, filter));
    const byUpdated = args.orderBy === 'updatedAt';
    // Most recent first, as Linear lists with orderBy (ties broken by id for a total order).
    const sortKey = (i: FakeLinearIssue): [number, string] => [byUpdated ? i.updatedAt : i.createdAt, i.id];
    all.sort((a, b) => sortKey(b)[0] - sortKey(a)[0] || (sortKey(b)[1] < sortKey(a)[1] ? -1 : 1));
    const cursorOf = (i: FakeLinearIssue): string =>
      Buffer.from(JSON.stringify(sortKey(i))).toString('base64url');
    const position = (cursor: GqlValue | undefined): number | null => {
      if (typeof cursor !== 'string') return null;
      const [t, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, string];
      // Keyset: index of the first item that sorts after (t, id) in the list's order.
      const index = all.findIndex((i) => sortKey(i)[0] < t || (sortKey(i)[0] === t && sortKey(i)[1] <= id));
      return index < 0 ? all.length : index;
    };
    const cap = (n: GqlValue | undefined): number => Math.min(typeof n === 'number' ? n : 50, 250);
    let start = 0;
    let end = all.length;
    if (args.after !== undefined && args.after !== null) {
      const p = position(args.after)!;
      start = all[p] && cursorOf(all[p]) === args.after ? p + 1 : p;
    }
    if (args.before !== undefined && args.before !== null) end = position(args.before)!;
    if (args.last !== undefined && args.last !== null) start = Math.max(start, end - cap(args.last));
    else end = Math.min(end, start + cap(args.first));
    const page = all.slice(start, end);
    return {
      nodes: page.map((i) => this.issueView(i)),
      pageInfo: {
        hasNextPage: end < all.length,
        hasPreviousPage: start > 0,
        startCursor: page[0] ? cursorOf(page[0]) : null,
        endCursor: page.length > 0 ? cursorOf(page[page.length - 1]) : null,
      },
    };
  }

  private matches(issue: FakeLinearIssue, filter: Obj): boolean {
    const team = (filter.team ?? null) as Obj | null;
    if (team && ((team.key ?? {}) as Obj).eq !== undefined && ((team.key ?? {}) as Obj).eq !== this.teamKey)
      return false;
    const updated = (filter.updatedAt ?? null) as Obj | null;
    if (updated) {
      if (typeof updated.gte === 'string' && issue.updatedAt < Date.parse(updated.gte)) return false;
      if (typeof updated.gt === 'string' && issue.updatedAt <= Date.parse(updated.gt)) return false;
    }
    const description = (filter.description ?? null) as Obj | null;
    if (
      description &&
      typeof description.contains === 'string' &&
      !(issue.description ?? '').includes(description.contains)
    )
      return false;
    const id = (filter.id ?? null) as Obj | null;
    if (id && typeof id.eq === 'string' && issue.id !== id.eq) return false;
    if (Array.isArray(filter.and)) return filter.and.every((f) => this.matches(issue, f as Obj));
    return true;
  }

  // ---- views --------------------------------------------------------------------------

  private issueView(issue: FakeLinearIssue): Obj | Record<string, unknown> {
    const state = this.states.find((s) => s.id === issue.stateId)!;
    return {
      id: issue.id,
      identifier: `${this.teamKey}-${issue.number}`,
      title: issue.title,
      description: issue.description,
      priority: issue.priority,
      priorityLabel: ['No priority', 'Urgent', 'High', 'Medium', 'Low'][issue.priority],
      url: `https://linear.app/fake/issue/${this.teamKey}-${issue.number}`,
      createdAt: new Date(issue.createdAt).toISOString(),
      updatedAt: new Date(issue.updatedAt).toISOString(),
      archivedAt: null,
      team: {id: this.teamId, key: this.teamKey, name: 'Engineering'},
      state: {...state},
      assignee:
        issue.assigneeId === null
          ? null
          : {
              id: issue.assigneeId,
              name: issue.assigneeId,
              displayName: issue.assigneeId,
              email: `${issue.assigneeId}@example.com`,
            },
      labels: () => ({
        nodes: issue.labelIds.map((id) => this.labelView(this.labels.find((l) => l.id === id)!)),
      }),
      parent: () => (issue.parentId ? this.issueView(this.issues.get(issue.parentId)!) : null),
      relations: () => ({
        nodes: this.relations.filter((r) => r.issueId === issue.id).map((r) => this.relationView(r)),
      }),
      inverseRelations: () => ({
        nodes: this.relations.filter((r) => r.relatedIssueId === issue.id).map((r) => this.relationView(r)),
      }),
    };
  }

  private relationView(r: {
    id: string;
    type: string;
    issueId: string;
    relatedIssueId: string;
  }): Record<string, unknown> {
    return {
      id: r.id,
      type: r.type,
      issue: () => this.issueView(this.issues.get(r.issueId)!),
      relatedIssue: () => this.issueView(this.issues.get(r.relatedIssueId)!),
    };
  }

  private teamView(): Obj {
    return {
      id: this.teamId,
      key: this.teamKey,
      name: 'Engineering',
      states: {nodes: this.states.map((s) => ({...s}))},
    };
  }

  private labelView(label: {id: string; name: string; teamId: string | null}): Obj {
    return {
      id: label.id,
      name: label.name,
      team: label.teamId ? {id: label.teamId, key: this.teamKey, name: 'Engineering'} : null,
    };
  }

  private labelByName(name: string): {id: string; name: string; teamId: string | null} {
    let label = this.labels.find((l) => l.name === name);
    if (!label) {
      label = {id: `label-${this.seq++}`, name, teamId: this.teamId};
      this.labels.push(label);
    }
    return label;
  }

  private newIssue(title: string): FakeLinearIssue {
    const now = this.tick();
    const number = this.issues.size + 1;
    const issue: FakeLinearIssue = {
      id: `00000000-0000-4000-8000-${String(number).padStart(12, '0')}`,
      number,
      title,
      description: null,
      priority: 0,
      stateId: 'state-todo',
      assigneeId: null,
      labelIds: [],
      parentId: null,
      createdAt: now,
      updatedAt: now,
      comments: [],
    };
    this.issues.set(issue.id, issue);
    return issue;
  }

  private findIssue(idOrIdentifier: string): FakeLinearIssue | undefined {
    return (
      this.issues.get(idOrIdentifier) ??
      [...this.issues.values()].find((i) => `${this.teamKey}-${i.number}` === idOrIdentifier)
    );
  }

  private tick(): number {
    this.nowMs += this.options.tickMs;
    return this.nowMs;
  }

  private touch(issue: FakeLinearIssue): void {
    issue.updatedAt = this.tick();
  }
}
