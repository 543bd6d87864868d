import {ConnectorRequestError, IssueNotFoundError} from '../errors.js';
import {
  CORE_ISSUE_FIELDS,
  applyPatch,
  createIssue,
  type CanonicalIssue,
  type CanonicalLink,
  type IssuePatch,
} from '../model/canonical-issue.js';
import type {CanonicalStatus} from '../model/enums.js';
import {refIdentity, type ExternalRef} from '../model/external-ref.js';
import type {
  ConnectorCapabilities,
  ListIssuesRequest,
  Page,
  TrackerConnector,
} from '../protocols/connector.js';
import {systemClock, type Clock} from '../protocols/runtime.js';

export type InMemoryOperation =
  | 'listIssues'
  | 'getIssue'
  | 'createIssue'
  | 'findByIdempotencyKey'
  | 'findComment'
  | 'updateIssue'
  | 'transitionIssue'
  | 'upsertLink'
  | 'removeLink'
  | 'addComment';

export interface RecordedRequest {
  readonly op: InMemoryOperation;
  readonly ref?: string;
  readonly request?: ListIssuesRequest;
  readonly patch?: IssuePatch;
  readonly status?: CanonicalStatus;
}

interface ScriptedFailure {
  op: InMemoryOperation;
  error: Error;
  /** Fail only calls for which this returns true (e.g. the 3rd list call). */
  when: (callIndex: number, request: RecordedRequest) => boolean;
  remaining: number;
  /** Run the operation first, then throw (a crash after the remote side effect). */
  after: boolean;
}

export const IN_MEMORY_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  incremental: true,
  create: true,
  comments: true,
  links: true,
  link_removal: true,
  hierarchy: true,
  multi_assignee: true,
  custom_fields: true,
  delete: false,
  webhooks: false,
  writable_fields: CORE_ISSUE_FIELDS,
  idempotency_marker: 'custom_field' as const,
  comment_marker: 'comment_property' as const,
});

/**
 * A tracker in memory with scriptable failures, for engine and command tests. Listing is by
 * `updated_at` ascending (inclusive `updated_since`) with offset cursors; every call is
 * recorded in `requests`; `updated_at` comes from the injected clock.
 */
export class InMemoryConnector implements TrackerConnector {
  readonly provider: string;
  readonly workspace: string;
  readonly requests: RecordedRequest[] = [];
  readonly comments = new Map<string, string[]>();
  /** `<issue id>\n<key>` of comments posted with an idempotency key. */
  private readonly commentMarkers = new Set<string>();
  private readonly issues = new Map<string, CanonicalIssue>();
  private readonly markers = new Map<string, string>();
  private readonly failures: ScriptedFailure[] = [];
  private readonly calls = new Map<InMemoryOperation, number>();
  private nextId = 1;
  private caps: ConnectorCapabilities;

  constructor(
    options: {
      provider?: string;
      workspace?: string;
      clock?: Clock;
      capabilities?: Partial<ConnectorCapabilities>;
    } = {},
  ) {
    this.provider = options.provider ?? 'memory';
    this.workspace = options.workspace ?? 'test';
    this.clock = options.clock ?? systemClock;
    this.caps = {...IN_MEMORY_CAPABILITIES, ...options.capabilities};
  }

  private readonly clock: Clock;

  capabilities(): ConnectorCapabilities {
    return this.caps;
  }

  // ---- test helpers --------------------------------------------------------------------

  /** Adds or replaces an issue on the remote side (as someone editing in the tracker's UI). */
  seed(input: Omit<Parameters<typeof createIssue>[0], 'ref'> & {id?: string}): CanonicalIssue {
    const id = input.id ?? String(this.nextId++);
    const issue = createIssue({
      ...input,
      ref: this.ref(id),
      updated_at: input.updated_at ?? this.clock.now(),
      created_at: input.created_at ?? this.clock.now(),
    });
    this.issues.set(id, issue);
    return issue;
  }

  /** Edits an issue remotely, bumping `updated_at`. */
  remoteEdit(id: string, patch: IssuePatch): CanonicalIssue {
    const current = this.issues.get(id);
    if (!current) throw new IssueNotFoundError(id);
    const next = createIssue({...applyPatch(current, patch), updated_at: this.clock.now()});
    this.issues.set(id, next);
    return next;
  }

  remoteDelete(id: string): void {
    this.issues.delete(id);
  }

  remote(id: string): CanonicalIssue | undefined {
    return this.issues.get(id);
  }

  allRemote(): CanonicalIssue[] {
    return [...this.issues.values()].sort((a, b) => Number(a.ref.id) - Number(b.ref.id));
  }

  /** Makes matching calls of `op` throw `error` (`times` times, default once). */
  failOn(
    op: InMemoryOperation,
    error: Error,
    options: {
      times?: number;
      when?: (callIndex: number, request: RecordedRequest) => boolean;
      after?: boolean;
    } = {},
  ): void {
    this.failures.push({
      op,
      error,
      when: options.when ?? (() => true),
      remaining: options.times ?? 1,
      after: options.after ?? false,
    });
  }

  countOf(op: InMemoryOperation): number {
    return this.requests.filter((r) => r.op === op).length;
  }

  /** Requests other than listing: what a convergent second run must not make. */
  writeRequests(): RecordedRequest[] {
    return this.requests.filter(
      (r) => !['listIssues', 'getIssue', 'findByIdempotencyKey', 'findComment'].includes(r.op),
    );
  }

  // ---- TrackerConnector ----------------------------------------------------------------

  async listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    return this.call({op: 'listIssues', request}, () => {
      const since = request.updated_since === null ? null : Date.parse(request.updated_since);
      const all = [...this.issues.values()]
        .filter((issue) => since === null || Date.parse(issue.updated_at ?? '1970-01-01T00:00:00Z') >= since)
        .sort((a, b) => {
          const byTime = Date.parse(a.updated_at ?? '') - Date.parse(b.updated_at ?? '');
          return byTime !== 0 ? byTime : Number(a.ref.id) - Number(b.ref.id);
        });
      const offset = request.cursor === null ? 0 : Number(request.cursor);
      const limit = Math.max(1, request.limit);
      const items = all.slice(offset, offset + limit);
      const next = offset + limit < all.length ? String(offset + limit) : null;
      return {items, next_cursor: next};
    });
  }

  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    return this.call({op: 'getIssue', ref: refIdentity(ref)}, () => this.issues.get(ref.id) ?? null);
  }

  async createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    return this.call({op: 'createIssue', ref: refIdentity(issue.ref)}, () => {
      const id = String(this.nextId++);
      const now = this.clock.now();
      const created = createIssue({...issue, ref: this.ref(id), created_at: now, updated_at: now, raw: null});
      this.issues.set(id, created);
      this.markers.set(options.idempotencyKey, id);
      return created;
    });
  }

  async findByIdempotencyKey(key: string): Promise<CanonicalIssue | null> {
    return this.call({op: 'findByIdempotencyKey', ref: key}, () => {
      const id = this.markers.get(key);
      return id === undefined ? null : (this.issues.get(id) ?? null);
    });
  }

  async updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    _options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    return this.call({op: 'updateIssue', ref: refIdentity(ref), patch}, () => this.mutate(ref, patch));
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    return this.call({op: 'transitionIssue', ref: refIdentity(ref), status}, () =>
      this.mutate(ref, {status}),
    );
  }

  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    await this.call({op: 'upsertLink', ref: refIdentity(ref)}, () => {
      const current = this.require(ref);
      this.mutate(ref, {links: [...current.links, link]});
    });
  }

  async removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    await this.call({op: 'removeLink', ref: refIdentity(ref)}, () => {
      const current = this.require(ref);
      const gone = `${link.type}|${refIdentity(link.target)}`;
      this.mutate(ref, {links: current.links.filter((l) => `${l.type}|${refIdentity(l.target)}` !== gone)});
    });
  }

  async addComment(ref: ExternalRef, body: string, options: {idempotencyKey?: string} = {}): Promise<void> {
    await this.call({op: 'addComment', ref: refIdentity(ref)}, () => {
      this.require(ref);
      this.comments.set(ref.id, [...(this.comments.get(ref.id) ?? []), body]);
      if (options.idempotencyKey !== undefined)
        this.commentMarkers.add(`${ref.id}\n${options.idempotencyKey}`);
    });
  }

  async findComment(ref: ExternalRef, key: string): Promise<boolean> {
    return this.call({op: 'findComment', ref: refIdentity(ref)}, () =>
      this.commentMarkers.has(`${ref.id}\n${key}`),
    );
  }

  // ---- internals -----------------------------------------------------------------------

  private ref(id: string): ExternalRef {
    return {
      system: this.provider,
      workspace: this.workspace,
      id,
      key: `#${id}`,
      url: `memory://${this.workspace}/${id}`,
    };
  }

  private require(ref: ExternalRef): CanonicalIssue {
    const current = this.issues.get(ref.id);
    if (!current) {
      throw new ConnectorRequestError(`issue ${ref.id} not found`, {
        provider: this.provider,
        failureClass: 'not_found',
        statusCode: 404,
      });
    }
    return current;
  }

  private mutate(ref: ExternalRef, patch: IssuePatch): CanonicalIssue {
    const next = createIssue({...applyPatch(this.require(ref), patch), updated_at: this.clock.now()});
    this.issues.set(ref.id, next);
    return next;
  }

  private async call<T>(request: RecordedRequest, run: () => T): Promise<T> {
    const index = this.calls.get(request.op) ?? 0;
    this.calls.set(request.op, index + 1);
    this.requests.push(request);
    const failure = this.failures.find(
      (f) => f.op === request.op && f.remaining > 0 && f.when(index, request),
    );
    if (failure && !failure.after) {
      failure.remaining -= 1;
      throw failure.error;
    }
    const result = run();
    if (failure && failure.after) {
      failure.remaining -= 1;
      throw failure.error;
    }
    return result;
  }
}
