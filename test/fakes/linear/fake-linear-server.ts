/**
 * A fake Linear GraphQL API on 127.0.0.1. Each request goes through what Linear does before
 * running a query: graphql-js parses it and validates it against Linear's published schema
 * (400 with the validation errors), scores its complexity (400 "The query is too complex" above
 * 10,000 points) and spends it from the API key's hourly budgets (400 `RATELIMITED` when a
 * bucket is empty); then graphql-js executes it against `FakeLinearStore`, coercing variables
 * and input objects by the schema. Every answer carries the rate-limit headers and
 * `X-Complexity`.
 * Quirks reproduced: `orderBy: updatedAt` lists most recently updated first; Relay cursors
 * (keyset, so edits between pages do not shift them) with first/after and last/before, on
 * nested connections too; page size 50 by default, at most 250; "Entity not found" errors.
 * Scriptable: a RATELIMITED answer on request #k, a partial answer (data plus errors).
 */
import {
  GraphQLError,
  execute,
  parse,
  validate,
  type DocumentNode,
  type OperationDefinitionNode,
} from 'graphql';
import {
  FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
  type RecordedRequest,
} from '../fake-http-server.js';
import {LINEAR_MAX_COMPLEXITY, linearComplexity} from './linear-complexity.js';
import {LinearRateBudget, type LinearBudgetOptions} from './linear-rate-budget.js';
import {linearSchema} from './linear-schema.js';
import {
  FakeLinearStore,
  LinearRequestRefusal,
  type FakeLabel,
  type FakeLinearIssue,
  type FakeRelation,
  type FakeState,
} from './fake-linear-store.js';

export type {FakeLinearIssue} from './fake-linear-store.js';

type Obj = Record<string, unknown>;

export interface FakeLinearOptions {
  readonly teamKey?: string;
  readonly apiKey?: string;
  readonly start?: string;
  readonly tickMs?: number;
  /** "Now" for the rate budgets and reset headers (tests pass their ManualClock). */
  readonly now?: () => Date;
  /** Hourly budgets per API key (Linear's by default; tests scale them down). */
  readonly budget?: LinearBudgetOptions;
}

/** What the fake recorded about one GraphQL request it scored. */
export interface ScoredRequest {
  readonly operation: string | null;
  readonly complexity: number;
  /** `ok`, or why the request was refused before running. */
  readonly outcome: 'ok' | 'too_complex' | 'rate_limited';
}

const rateLimitedBody = {
  errors: [
    {
      message: 'Rate limit exceeded',
      extensions: {code: 'RATELIMITED', type: 'ratelimited', userPresentableMessage: 'Rate limit exceeded.'},
    },
  ],
};

function refusal(
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): FakeResponse {
  return {status, headers, json: {errors: [{message, extensions: {code, userPresentableMessage: message}}]}};
}

export class FakeLinearServer {
  readonly teamKey: string;
  readonly store: FakeLinearStore;
  readonly budget: LinearRateBudget;
  /** Executed operations in order (name + variables), for assertions. */
  readonly operations: {name: string | null; variables: Obj}[] = [];
  /** Every request that passed validation, with its score and outcome. */
  readonly scored: ScoredRequest[] = [];
  private server!: FakeHttpServer;
  private readonly apiKey: string;
  private readonly now: () => Date;
  private nowMs: number;
  private readonly tickMs: number;
  private graphqlCount = 0;
  private readonly partialOn = new Set<number>();

  private constructor(options: FakeLinearOptions) {
    this.teamKey = options.teamKey ?? 'ENG';
    this.apiKey = options.apiKey ?? 'lin_api_test_key';
    this.tickMs = options.tickMs ?? 1000;
    this.nowMs = Date.parse(options.start ?? '2026-03-02T09:00:00.000Z');
    this.now = options.now ?? (() => new Date(this.nowMs));
    this.store = new FakeLinearStore(this.teamKey, () => (this.nowMs += this.tickMs));
    this.budget = new LinearRateBudget(options.budget);
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

  get teamId(): string {
    return this.store.teamId;
  }

  get issues(): Map<string, FakeLinearIssue> {
    return this.store.issues;
  }

  get relations(): FakeRelation[] {
    return this.store.relations;
  }

  get labels(): FakeLabel[] {
    return this.store.labels;
  }

  get users(): Set<string> {
    return this.store.users;
  }

  get states(): FakeState[] {
    return this.store.states;
  }

  /** The highest score of any request received (0 before the first). */
  get maxComplexity(): number {
    return Math.max(0, ...this.scored.map((s) => s.complexity));
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** The k-th GraphQL request (1-based) answers 400 RATELIMITED, resetting `resetInMs` later. */
  rateLimitOn(k: number, resetInMs = 30_000): void {
    this.server.script({
      on: k,
      respond: () => {
        const reset = this.now().getTime() + resetInMs;
        return {
          status: 400,
          headers: {
            'x-ratelimit-requests-limit': String(this.budget.requestsPerHour),
            'x-ratelimit-requests-remaining': '0',
            'x-ratelimit-requests-reset': String(reset),
          },
          json: rateLimitedBody,
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
    const issue = this.store.newIssue(input.title);
    issue.description = input.description ?? null;
    if (input.state) issue.stateId = this.states.find((s) => s.name === input.state)!.id;
    if (input.priority !== undefined) issue.priority = input.priority;
    issue.labelIds = (input.labels ?? []).map((name) => this.store.labelByName(name).id);
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
    if (request.credential !== this.apiKey || request.authScheme !== 'unknown')
      return refusal(401, 'Authentication required, not authenticated', 'AUTHENTICATION_ERROR');
    const body = (request.body ?? {}) as {query?: unknown; variables?: unknown; operationName?: unknown};
    if (typeof body.query !== 'string') return refusal(400, 'Must provide query string.', 'BAD_REQUEST');
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      return refusal(400, (error as Error).message, 'GRAPHQL_PARSE_FAILED');
    }
    const problems = validate(linearSchema(), document);
    if (problems.length > 0)
      return {
        status: 400,
        json: {
          errors: problems.map((p) => ({
            message: p.message,
            extensions: {code: 'GRAPHQL_VALIDATION_FAILED'},
          })),
        },
      };
    const variables = (body.variables ?? {}) as Obj;
    const operationName = typeof body.operationName === 'string' ? body.operationName : null;
    return this.spendAndRun(document, variables, operationName, index);
  }

  private spendAndRun(
    document: DocumentNode,
    variables: Obj,
    operationName: string | null,
    index: number,
  ): FakeResponse {
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode =>
        d.kind === 'OperationDefinition' && (operationName === null || d.name?.value === operationName),
    );
    const name = operation?.name?.value ?? null;
    const complexity = linearComplexity(linearSchema(), document, variables, operationName);
    const nowMs = this.now().getTime();
    if (complexity > LINEAR_MAX_COMPLEXITY) {
      this.scored.push({operation: name, complexity, outcome: 'too_complex'});
      return refusal(
        400,
        `The query is too complex. Complexity: ${complexity}. Maximum allowed complexity: ${LINEAR_MAX_COMPLEXITY}.`,
        'GRAPHQL_VALIDATION_FAILED',
        this.budget.headers(this.apiKey, complexity, nowMs),
      );
    }
    if (!this.budget.trySpend(this.apiKey, complexity, nowMs)) {
      this.scored.push({operation: name, complexity, outcome: 'rate_limited'});
      return {
        status: 400,
        headers: this.budget.headers(this.apiKey, complexity, nowMs),
        json: rateLimitedBody,
      };
    }
    this.scored.push({operation: name, complexity, outcome: 'ok'});
    const headers = this.budget.headers(this.apiKey, complexity, nowMs);
    this.operations.push({name, variables});
    const response = this.execute(document, variables, operationName, index);
    return {...response, headers: {...headers, ...response.headers}};
  }

  private execute(
    document: DocumentNode,
    variables: Obj,
    operationName: string | null,
    index: number,
  ): FakeResponse {
    const isMutation = document.definitions.some(
      (d) => d.kind === 'OperationDefinition' && d.operation === 'mutation',
    );
    const result = execute({
      schema: linearSchema(),
      document,
      variableValues: variables,
      operationName,
      rootValue: isMutation ? this.store.mutation : this.store.query,
    }) as {data?: Obj | null; errors?: readonly GraphQLError[]};
    const errors = [...(result.errors ?? [])];
    const refused = errors.map((e) => e.originalError).find((e) => e instanceof LinearRequestRefusal);
    if (refused) return refusal(400, refused.message, refused.code);
    // Variables that do not fit the schema's input types: no data at all, a 400 as Linear answers.
    if (result.data === undefined)
      return {
        status: 400,
        json: {
          errors: errors.map((e) => ({message: e.message, extensions: {code: 'GRAPHQL_VALIDATION_FAILED'}})),
        },
      };
    const data = result.data ?? null;
    const out: unknown[] = errors.map((e) => e.toJSON());
    if (this.partialOn.has(index) && data) {
      out.push({
        message: 'Internal error resolving assignee',
        path: [Object.keys(data)[0], 'nodes', 0, 'assignee'],
        extensions: {code: 'INTERNAL_SERVER_ERROR'},
      });
    }
    return {status: 200, json: out.length > 0 ? {data, errors: out} : {data}};
  }
}
