/**
 * A loopback fake of the GitHub REST API subset the GitHub connector uses, with GitHub's
 * documented semantics and quirks:
 *
 * - `GET /repos/{o}/{r}/issues`: `state` defaults to `open` (a client forgetting `state=all`
 *   misses closed issues); `since` is inclusive (updated_at >= since); `sort` created|updated|
 *   comments (default created), `direction` (default desc), `per_page` (default 30, clamped to
 *   100), `page`; pull requests are mixed in (they carry a `pull_request` key) and count toward
 *   `per_page`; `Link` headers point at `/repositories/{id}/issues?...` as GitHub's do, so a
 *   client must follow them rather than rebuild URLs.
 * - `GET/PATCH /repos/{o}/{r}/issues/{n}`, `POST /repos/{o}/{r}/issues`, `GET/POST
 *   .../issues/{n}/comments`, `GET .../issues/{n}/parent`, the dependency and sub-issue
 *   endpoints with GitHub's rules (`fake-github-relations.ts`), `GET /search/issues` (a `q` with `repo:`, `is:issue`,
 *   `in:body|title`, and one quoted phrase; an issue created through the API in the last
 *   `searchLagMs` is not found yet, as GitHub's index lags).
 * - GitHub's documented limits (`github-limits.ts`): 5,000 requests an hour, 80 writes a minute
 *   and 500 an hour (secondary limits, answered 403/429), 30 searches a minute; scalable with
 *   `limits`.
 * - Request bodies are checked against the documented fields: an unknown field, a wrong type,
 *   an unknown assignee/milestone/type gives 422 "Validation Failed" shaped like GitHub's.
 * - Auth: `Authorization: Bearer|token <token>`; a wrong token gives 401 "Bad credentials",
 *   none gives 401 "Requires authentication". Other repositories give 404 "Not Found".
 * - Every response carries `x-ratelimit-*` headers; `rateLimited()` / `secondaryRateLimited()`
 *   build the 403/429 responses to script with `server.script(...)`.
 * - `renameRepository()`: the old `/repos/{o}/{r}/...` answers 301 (GET/HEAD) or 307 with the
 *   new `/repositories/{id}/...` URL in `Location`, as GitHub does for renamed or transferred
 *   repositories. `beforeListRequest(n, change)` edits an issue between two page requests.
 * Timestamps are whole seconds (`2026-01-01T00:00:00Z`), like GitHub's.
 */
import {
  FakeHttpServer,
  type AppliedHook,
  type FakeRequest,
  type FakeResponse,
  type RecordedRequest,
  type ScriptedFault,
} from '../fake-http-server.js';
import {FakeGitHubRelations, type RelationHost} from './fake-github-relations.js';
import {GitHubLimits, type GitHubLimitOptions} from './github-limits.js';

export interface FakeGitHubOptions {
  readonly owner?: string;
  readonly repo?: string;
  readonly token?: string;
  /** The fake's clock for writes (default: the wall clock). */
  readonly now?: () => Date;
  /** Users that may be assigned (seeded assignees are added automatically). */
  readonly collaborators?: readonly string[];
  /** GitHub's limits, scaled for a test, or `off` (default: GitHub's documented values). */
  readonly limits?: GitHubLimitOptions | 'off';
}

export interface GitHubIssueSeed {
  readonly number?: number;
  readonly title: string;
  readonly body?: string | null;
  readonly state?: 'open' | 'closed';
  readonly state_reason?: 'completed' | 'not_planned' | 'duplicate' | 'reopened' | null;
  readonly labels?: readonly string[];
  readonly assignees?: readonly string[];
  /** A milestone title (created when new). */
  readonly milestone?: string | null;
  /** An issue type name (`Bug`, `Task`, `Feature`). */
  readonly type?: string | null;
  readonly parent?: number | null;
  /** Numbers of the issues blocking this one. */
  readonly blocked_by?: readonly number[];
  readonly pull_request?: boolean;
  readonly created_at?: string | Date;
  readonly updated_at?: string | Date;
  readonly user?: string;
}

interface IssueRecord {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  milestone: number | null;
  type: string | null;
  parent: number | null;
  /** Issues blocking this one (GitHub's "blocked by"), by number. */
  blockedBy: number[];
  pull_request: boolean;
  createdMs: number;
  updatedMs: number;
  closedMs: number | null;
  user: string;
  comments: {id: number; body: string; createdMs: number}[];
}

const ISSUE_TYPES = ['Bug', 'Task', 'Feature'];
const DOCS = 'https://docs.github.com/rest';
const REPOSITORY_ID = 1296269;

const ISSUE_CREATE_FIELDS: Record<string, string> = {
  title: 'string',
  body: 'string|null',
  assignee: 'string|null',
  milestone: 'number|string|null',
  labels: 'array',
  assignees: 'array',
  type: 'string|null',
};
const ISSUE_UPDATE_FIELDS: Record<string, string> = {
  ...ISSUE_CREATE_FIELDS,
  title: 'string|number|null',
  state: 'string',
  state_reason: 'string|null',
};

export class FakeGitHubServer {
  readonly token: string;
  readonly collaborators: Set<string>;
  private readonly now: () => Date;
  private readonly issues = new Map<number, IssueRecord>();
  private readonly milestones = new Map<number, {number: number; title: string; state: string}>();
  private sortedByUpdate: IssueRecord[] | null = null;
  private currentOwner: string;
  private currentRepo: string;
  /** `owner/repo` names the repository had before `renameRepository` (GitHub redirects them). */
  private readonly formerNames: string[] = [];
  private listRequests = 0;
  private readonly listHooks = new Map<number, (() => void)[]>();
  private nextNumber = 1;
  private nextCommentId = 1;
  private http!: FakeHttpServer;
  /** The limits enforced, with the count of requests refused. */
  readonly limits: GitHubLimits;
  private readonly relations = new FakeGitHubRelations(this.relationHost());
  /** When each issue created through the API becomes visible to search (fake clock, ms). */
  private readonly indexedAfter = new Map<number, number>();

  private constructor(options: FakeGitHubOptions) {
    this.currentOwner = options.owner ?? 'octo-org';
    this.currentRepo = options.repo ?? 'octo-repo';
    this.token = options.token ?? 'ghp_FAKEtoken0123456789abcdefFAKE';
    this.now = options.now ?? (() => new Date());
    this.limits = new GitHubLimits(options.limits ?? {}, this.now);
    this.collaborators = new Set(options.collaborators ?? ['octocat', 'hubot', 'monalisa']);
    this.milestones.set(1, {number: 1, title: 'v1.0', state: 'open'});
    this.milestones.set(2, {number: 2, title: 'v2.0', state: 'open'});
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHubServer> {
    const fake = new FakeGitHubServer(options);
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  /** The API root to give the connector as its server URL. */
  get url(): string {
    return this.http.baseUrl;
  }

  get owner(): string {
    return this.currentOwner;
  }

  get repo(): string {
    return this.currentRepo;
  }

  get workspace(): string {
    return `${this.owner}/${this.repo}`;
  }

  /**
   * Renames (or transfers) the repository, as GitHub does: requests naming the old
   * `/repos/{owner}/{repo}` answer 301 Moved Permanently (GET, HEAD) or 307 Temporary Redirect
   * (other methods) with the new URL, `/repositories/{id}/...`, in `Location`.
   */
  renameRepository(owner: string, repo: string): void {
    this.formerNames.push(`${this.owner}/${this.repo}`);
    this.currentOwner = owner;
    this.currentRepo = repo;
  }

  /**
   * Runs `change` just before the `n`-th issue-list request this fake answers (1-based; scripted
   * faults answered instead do not count) is served: an edit made between two page requests,
   * e.g. `() => server.remoteEdit(1, {title: 'moved'})`, which moves the issue to the end.
   */
  beforeListRequest(n: number, change: () => void): void {
    this.listHooks.set(n, [...(this.listHooks.get(n) ?? []), change]);
  }

  get requests(): RecordedRequest[] {
    return this.http.requests;
  }

  requestsTo(method: string, path: RegExp | string): RecordedRequest[] {
    return this.http.requestsTo(method, path);
  }

  script(fault: ScriptedFault): void {
    this.http.script(fault);
  }

  /** See `FakeHttpServer.afterApplying`: runs after a request was applied, before its answer. */
  afterApplying(hook: AppliedHook): void {
    this.http.afterApplying(hook);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  // ---- seeding and inspection ------------------------------------------------------------

  seedIssue(seed: GitHubIssueSeed): number {
    const number = seed.number ?? this.nextNumber;
    this.nextNumber = Math.max(this.nextNumber, number + 1);
    const created = toSeconds(seed.created_at ?? this.now());
    const updated = toSeconds(seed.updated_at ?? seed.created_at ?? this.now());
    const state = seed.state ?? 'open';
    for (const user of seed.assignees ?? []) this.collaborators.add(user);
    const record: IssueRecord = {
      number,
      title: seed.title,
      body: seed.body ?? null,
      state,
      state_reason: seed.state_reason ?? (state === 'closed' ? 'completed' : null),
      labels: [...(seed.labels ?? [])],
      assignees: [...(seed.assignees ?? [])],
      milestone: seed.milestone ? this.milestoneNumber(seed.milestone) : null,
      type: seed.type ?? null,
      parent: seed.parent ?? null,
      blockedBy: [...(seed.blocked_by ?? [])],
      pull_request: seed.pull_request ?? false,
      createdMs: created,
      updatedMs: updated,
      closedMs: state === 'closed' ? updated : null,
      user: seed.user ?? 'octocat',
      comments: [],
    };
    this.issues.set(number, record);
    this.changed();
    return number;
  }

  /**
   * Seeds `count` varied issues (every 7th item is a pull request, about a third closed with a
   * state_reason, labels, assignees, milestones, types), updated one minute apart from `start`.
   * Returns the issue numbers (pull requests excluded). Linear in `count`: 50k takes ~100 ms.
   */
  seedRealisticIssues(
    count: number,
    options: {start?: string; stepSeconds?: number; prEvery?: number} = {},
  ): number[] {
    const start = Date.parse(options.start ?? '2025-01-01T00:00:00Z');
    const step = (options.stepSeconds ?? 60) * 1000;
    const prEvery = options.prEvery ?? 7;
    const verbs = ['Fix', 'Add', 'Improve', 'Remove', 'Document', 'Refactor', 'Speed up', 'Test'];
    const things = [
      'login flow',
      'sync engine',
      'CSV export',
      'dark mode',
      'rate limiter',
      'search index',
      'webhooks',
      'CLI help',
    ];
    const labelPool = [
      'bug',
      'enhancement',
      'documentation',
      'good first issue',
      'status: in progress',
      'status: in review',
      'status: blocked',
    ];
    const users = ['octocat', 'hubot', 'monalisa'];
    const numbers: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = new Date(start + i * step);
      const isPr = prEvery > 0 && i % prEvery === prEvery - 1;
      const closed = i % 3 === 2;
      const number = this.seedIssue({
        title: `${verbs[i % verbs.length]} ${things[(i * 7) % things.length]} (${i + 1})`,
        body:
          i % 5 === 0
            ? null
            : `Steps to reproduce:\n1. run the thing #${i + 1}\n2. observe\n\nExpected: it works.`,
        state: closed ? 'closed' : 'open',
        state_reason: closed ? (i % 9 === 8 ? 'not_planned' : 'completed') : null,
        labels: i % 4 === 0 ? [] : [labelPool[i % labelPool.length], ...(i % 6 === 1 ? ['priority: 1'] : [])],
        assignees: i % 3 === 0 ? [] : [users[i % users.length]],
        milestone: i % 10 === 3 ? 'v1.0' : null,
        type: isPr ? null : i % 8 === 0 ? 'Bug' : i % 8 === 1 ? 'Feature' : null,
        pull_request: isPr,
        created_at: at,
        updated_at: at,
      });
      if (!isPr) numbers.push(number);
    }
    return numbers;
  }

  /** Edits an issue as a person in the web UI would, bumping `updated_at`. */
  remoteEdit(
    number: number,
    patch: Partial<
      Pick<
        IssueRecord,
        'title' | 'body' | 'state' | 'state_reason' | 'labels' | 'assignees' | 'type' | 'parent' | 'blockedBy'
      >
    >,
  ): void {
    const record = this.require(number);
    Object.assign(record, patch);
    if (patch.state === 'closed') record.closedMs = record.updatedMs;
    this.touch(record);
  }

  /** The issue as the API would return it, or undefined. */
  issue(number: number): Record<string, unknown> | undefined {
    const record = this.issues.get(number);
    return record ? this.issueJson(record, this.url) : undefined;
  }

  /** Numbers of the issues blocking issue `number` ("blocked by"), in the order added. */
  blockedBy(number: number): number[] {
    return [...this.require(number).blockedBy];
  }

  /** Numbers of the sub-issues of issue `number`. */
  subIssuesOf(number: number): number[] {
    return [...this.issues.values()].filter((r) => r.parent === number).map((r) => r.number);
  }

  commentsOf(number: number): string[] {
    return this.require(number).comments.map((c) => c.body);
  }

  get issueCount(): number {
    return this.issues.size;
  }

  // ---- canned faults ---------------------------------------------------------------------

  /** A primary rate-limit response: 403, `x-ratelimit-remaining: 0`, reset at `resetEpochSeconds`. */
  static rateLimited(resetEpochSeconds: number, status: 403 | 429 = 403): FakeResponse {
    return {
      status,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(resetEpochSeconds),
        'x-ratelimit-resource': 'core',
      },
      json: {
        message:
          'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.',
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
        status: String(status),
      },
    };
  }

  /** A secondary rate-limit response (403/429 with a message), with `retry-after` when given. */
  static secondaryRateLimited(retryAfterSeconds: number | null, status: 403 | 429 = 403): FakeResponse {
    return {
      status,
      headers: retryAfterSeconds === null ? {} : {'retry-after': String(retryAfterSeconds)},
      json: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
        status: String(status),
      },
    };
  }

  // ---- request handling ------------------------------------------------------------------

  private handle(request: FakeRequest): FakeResponse {
    if (request.credential === null) return this.error(401, 'Requires authentication');
    if (request.credential !== this.token || !['bearer', 'token'].includes(request.authScheme ?? ''))
      return this.error(401, 'Bad credentials');
    const refused = this.limits.admit(request.method, request.path);
    if (refused) return {...refused, headers: {...this.rateHeaders(), ...refused.headers}};
    const response = this.route(request);
    const search = request.path === '/search/issues' ? this.limits.searchHeaders() : {};
    return {...response, headers: {...this.rateHeaders(), ...search, ...response.headers}};
  }

  private route(request: FakeRequest): FakeResponse {
    const {method, path} = request;
    if (method === 'GET' && path === '/search/issues') return this.search(request);
    for (const former of this.formerNames) {
      const old = `/repos/${former}`;
      if (path === old || path.startsWith(`${old}/`)) return this.moved(request, path.slice(old.length));
    }
    const byId = `/repositories/${REPOSITORY_ID}`;
    const prefix = path === byId || path.startsWith(`${byId}/`) ? byId : `/repos/${this.owner}/${this.repo}`;
    if (!path.startsWith(`${prefix}/`) && path !== prefix) return this.error(404, 'Not Found');
    const rest = path.slice(prefix.length);
    let m: RegExpExecArray | null;
    if (rest === '/issues') {
      if (method === 'GET') return this.list(request, `/repositories/${REPOSITORY_ID}/issues`);
      if (method === 'POST') return this.create(request);
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest))) {
      if (method === 'GET') return this.get(Number(m[1]));
      if (method === 'PATCH') return this.update(Number(m[1]), request);
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const record = this.issues.get(Number(m[1]));
      if (!record) return this.error(404, 'Not Found');
      if (method === 'GET') return this.listComments(record, request);
      if (method === 'POST') return this.comment(record, request);
    }
    if ((m = /^\/issues\/(\d+)\/parent$/.exec(rest)) && method === 'GET') {
      const record = this.issues.get(Number(m[1]));
      if (!record || record.parent === null || !this.issues.has(record.parent))
        return this.error(404, 'Not Found');
      return {status: 200, json: this.issueJson(this.issues.get(record.parent)!, request.baseUrl)};
    }
    return this.relations.route(method, rest, request) ?? this.error(404, 'Not Found');
  }

  /** GitHub's answer to a request naming the repository's former name. */
  private moved(request: FakeRequest, rest: string): FakeResponse {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query))
      for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
    const search = query.toString();
    const location = `${request.baseUrl}/repositories/${REPOSITORY_ID}${rest}${search ? `?${search}` : ''}`;
    const permanent = request.method === 'GET' || request.method === 'HEAD';
    return {
      status: permanent ? 301 : 307,
      headers: {location},
      json: {
        message: permanent ? 'Moved Permanently' : 'Temporary Redirect',
        url: location,
        documentation_url: `${DOCS}/guides/best-practices-for-using-the-rest-api#follow-redirects`,
      },
    };
  }

  private list(request: FakeRequest, linkPath: string): FakeResponse {
    this.listRequests += 1;
    for (const change of this.listHooks.get(this.listRequests) ?? []) change();
    this.listHooks.delete(this.listRequests);
    const q = single(request.query);
    const state = q.state ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) return this.validation('Issue', 'state', 'invalid');
    const sort = q.sort ?? 'created';
    const direction = q.direction ?? 'desc';
    if (!['created', 'updated', 'comments'].includes(sort) || !['asc', 'desc'].includes(direction))
      return this.validation('Issue', 'sort', 'invalid');
    const perPage = clamp(Number(q.per_page ?? 30), 1, 100);
    const page = Math.max(1, Math.floor(Number(q.page ?? 1)) || 1);
    let sinceMs: number | null = null;
    if (q.since !== undefined) {
      sinceMs = Date.parse(q.since);
      if (Number.isNaN(sinceMs)) return this.validation('Issue', 'since', 'invalid');
    }
    // `items[offset..]` is the listing; the common case (sort=updated, state=all, asc) is a view
    // of the sorted records, so a page of a 50k listing costs a page, not a copy of the rest.
    let items: readonly IssueRecord[];
    let offset = 0;
    const byUpdate = this.byUpdate();
    if (sort === 'updated') {
      // Binary search for the first record with updatedMs >= since (inclusive, as GitHub).
      let lo = 0;
      if (sinceMs !== null) {
        let hi = byUpdate.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (byUpdate[mid].updatedMs < sinceMs) lo = mid + 1;
          else hi = mid;
        }
      }
      items = byUpdate;
      offset = lo;
    } else {
      items = byUpdate.filter((r) => sinceMs === null || r.updatedMs >= sinceMs);
      items = [...items].sort(
        sort === 'created'
          ? (a, b) => a.createdMs - b.createdMs || a.number - b.number
          : (a, b) => a.comments.length - b.comments.length || a.number - b.number,
      );
    }
    const wanted = q.labels ? q.labels.split(',').map((l) => l.trim()) : null;
    if (state !== 'all' || wanted !== null) {
      items = items
        .slice(offset)
        .filter(
          (r) => (state === 'all' || r.state === state) && (wanted ?? []).every((l) => r.labels.includes(l)),
        );
      offset = 0;
    }
    if (direction === 'desc') {
      items = items.slice(offset).reverse();
      offset = 0;
    }
    const lastPage = Math.max(1, Math.ceil((items.length - offset) / perPage));
    const slice = items.slice(offset + (page - 1) * perPage, offset + page * perPage);
    const link = (p: number): string => {
      const params = new URLSearchParams(request.query as Record<string, string>);
      params.set('page', String(p));
      return `<${request.baseUrl}${linkPath}?${params.toString()}>`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
    if (page < lastPage) links.push(`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`);
    if (page > 1) links.push(`${link(1)}; rel="first"`);
    return {
      status: 200,
      headers: links.length > 0 ? {link: links.join(', ')} : {},
      json: slice.map((r) => this.issueJson(r, request.baseUrl)),
    };
  }

  private get(number: number): FakeResponse {
    const record = this.issues.get(number);
    return record ? {status: 200, json: this.issueJson(record, this.url)} : this.error(404, 'Not Found');
  }

  private create(request: FakeRequest): FakeResponse {
    const body = request.body;
    const invalid = this.checkBody(body, ISSUE_CREATE_FIELDS);
    if (invalid) return invalid;
    const fields = body as Record<string, unknown>;
    if (typeof fields.title !== 'string' || fields.title.trim() === '')
      return this.validation('Issue', 'title', 'missing_field');
    const resolved = this.resolveWritable(fields);
    if ('status' in resolved) return resolved;
    const now = toSeconds(this.now());
    const number = this.nextNumber++;
    const record: IssueRecord = {
      number,
      title: fields.title,
      body: (fields.body as string | null | undefined) ?? null,
      state: 'open',
      state_reason: null,
      labels: resolved.labels ?? [],
      assignees: resolved.assignees ?? [],
      milestone: resolved.milestone ?? null,
      type: resolved.type ?? null,
      parent: null,
      blockedBy: [],
      pull_request: false,
      createdMs: now,
      updatedMs: now,
      closedMs: null,
      user: 'octocat',
      comments: [],
    };
    this.issues.set(number, record);
    this.indexedAfter.set(number, this.now().getTime() + this.limits.searchLagMs);
    this.changed();
    return {
      status: 201,
      headers: {location: `${this.url}/repos/${this.owner}/${this.repo}/issues/${number}`},
      json: this.issueJson(record, request.baseUrl),
    };
  }

  private update(number: number, request: FakeRequest): FakeResponse {
    const record = this.issues.get(number);
    if (!record) return this.error(404, 'Not Found');
    const invalid = this.checkBody(request.body, ISSUE_UPDATE_FIELDS);
    if (invalid) return invalid;
    const fields = request.body as Record<string, unknown>;
    if ('state' in fields && !['open', 'closed'].includes(fields.state as string))
      return this.validation('Issue', 'state', 'invalid');
    if (
      'state_reason' in fields &&
      fields.state_reason !== null &&
      !['completed', 'not_planned', 'duplicate', 'reopened'].includes(fields.state_reason as string)
    ) {
      return this.validation('Issue', 'state_reason', 'invalid');
    }
    const resolved = this.resolveWritable(fields);
    if ('status' in resolved) return resolved;
    if ('title' in fields) record.title = String(fields.title ?? '');
    if ('body' in fields) record.body = (fields.body as string | null) ?? null;
    if (resolved.labels) record.labels = resolved.labels;
    if (resolved.assignees) record.assignees = resolved.assignees;
    if ('milestone' in fields) record.milestone = resolved.milestone ?? null;
    if ('type' in fields) record.type = resolved.type ?? null;
    const now = toSeconds(this.now());
    if (fields.state === 'closed') {
      if (record.state !== 'closed') record.closedMs = now;
      record.state = 'closed';
      record.state_reason = (fields.state_reason as string | undefined) ?? 'completed';
    } else if (fields.state === 'open') {
      if (record.state === 'closed') record.state_reason = 'reopened';
      record.state = 'open';
      record.closedMs = null;
    } else if ('state_reason' in fields && record.state === 'closed') {
      record.state_reason = (fields.state_reason as string | null) ?? 'completed';
    }
    this.touch(record, now);
    return {status: 200, json: this.issueJson(record, request.baseUrl)};
  }

  /**
   * GitHub's list of an issue's comments: oldest first, `since` (updated_at >= since, inclusive),
   * `per_page` (default 30, at most 100) and `page`, with a `Link` header to the next page.
   */
  private listComments(record: IssueRecord, request: FakeRequest): FakeResponse {
    const q = single(request.query);
    let sinceMs: number | null = null;
    if (q.since !== undefined) {
      sinceMs = Date.parse(q.since);
      if (Number.isNaN(sinceMs)) return this.validation('IssueComment', 'since', 'invalid');
    }
    const perPage = clamp(Number(q.per_page ?? 30), 1, 100);
    const page = Math.max(1, Math.floor(Number(q.page ?? 1)) || 1);
    const items = record.comments.filter((c) => sinceMs === null || c.createdMs >= sinceMs);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const params = new URLSearchParams(q);
      params.set('page', String(page + 1));
      const path = `/repositories/${REPOSITORY_ID}/issues/${record.number}/comments`;
      headers.link = `<${request.baseUrl}${path}?${params.toString()}>; rel="next"`;
    }
    return {status: 200, headers, json: slice.map((c) => this.commentJson(record, c))};
  }

  private comment(record: IssueRecord, request: FakeRequest): FakeResponse {
    const invalid = this.checkBody(request.body, {body: 'string'});
    if (invalid) return invalid;
    const text = (request.body as {body?: unknown}).body;
    if (typeof text !== 'string' || text === '')
      return this.validation('IssueComment', 'body', 'missing_field');
    const now = toSeconds(this.now());
    const comment = {id: this.nextCommentId++, body: text, createdMs: now};
    record.comments.push(comment);
    this.touch(record, now);
    return {status: 201, json: this.commentJson(record, comment)};
  }

  private search(request: FakeRequest): FakeResponse {
    const q = single(request.query).q ?? '';
    const repo = /(?:^|\s)repo:(\S+)/.exec(q)?.[1];
    const phrase = /"([^"]*)"/.exec(q)?.[1];
    const inField = /(?:^|\s)in:(\S+)/.exec(q)?.[1] ?? 'title,body';
    if (!repo)
      return this.validation(
        'Search',
        'q',
        'invalid',
        'The listed users and repositories cannot be searched',
      );
    if (repo !== this.workspace)
      return {status: 200, json: {total_count: 0, incomplete_results: false, items: []}};
    const onlyIssues = /(?:^|\s)(is|type):issue\b/.test(q);
    const now = this.now().getTime();
    const matches = [...this.issues.values()].filter((r) => {
      if (onlyIssues && r.pull_request) return false;
      // Not indexed yet: the search index lags behind writes.
      if ((this.indexedAfter.get(r.number) ?? 0) > now) return false;
      if (phrase === undefined || phrase === '') return true;
      const haystacks = inField
        .split(',')
        .map((f) => (f === 'title' ? r.title : f === 'body' ? (r.body ?? '') : ''));
      return haystacks.some((h) => h.includes(phrase));
    });
    const perPage = clamp(Number(single(request.query).per_page ?? 30), 1, 100);
    return {
      status: 200,
      json: {
        total_count: matches.length,
        incomplete_results: false,
        items: matches.slice(0, perPage).map((r) => ({...this.issueJson(r, request.baseUrl), score: 1})),
      },
    };
  }

  // ---- helpers ---------------------------------------------------------------------------

  private resolveWritable(
    fields: Record<string, unknown>,
  ):
    | FakeResponse
    | {labels?: string[]; assignees?: string[]; milestone?: number | null; type?: string | null} {
    const out: {labels?: string[]; assignees?: string[]; milestone?: number | null; type?: string | null} =
      {};
    if (fields.labels !== undefined) {
      const labels = (fields.labels as unknown[]).map((l) =>
        typeof l === 'string' ? l : l && typeof l === 'object' ? (l as {name?: unknown}).name : undefined,
      );
      if (labels.some((l) => typeof l !== 'string')) return this.validation('Label', 'name', 'invalid');
      out.labels = [...new Set(labels as string[])];
    }
    const assignees = [
      ...((fields.assignees as unknown[] | undefined) ?? []),
      ...(typeof fields.assignee === 'string' ? [fields.assignee] : []),
    ];
    if (fields.assignees !== undefined || fields.assignee !== undefined) {
      for (const user of assignees) {
        if (typeof user !== 'string' || !this.collaborators.has(user))
          return this.validation('Issue', 'assignees', 'invalid', `${String(user)} is not a valid assignee`);
      }
      out.assignees = [...new Set(assignees as string[])];
    }
    if (fields.milestone !== undefined) {
      if (fields.milestone === null) out.milestone = null;
      else {
        const number = Number(fields.milestone);
        if (!this.milestones.has(number)) return this.validation('Issue', 'milestone', 'invalid');
        out.milestone = number;
      }
    }
    if (fields.type !== undefined) {
      if (fields.type !== null && !ISSUE_TYPES.includes(fields.type as string))
        return this.validation('Issue', 'type', 'invalid');
      out.type = fields.type as string | null;
    }
    return out;
  }

  private checkBody(body: unknown, allowed: Record<string, string>): FakeResponse | null {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return {status: 400, json: {message: 'Problems parsing JSON', documentation_url: DOCS, status: '400'}};
    }
    for (const [key, value] of Object.entries(body)) {
      const types = allowed[key];
      if (types === undefined)
        return this.validation('Issue', key, 'invalid', `${key} is not a permitted key.`);
      const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      if (!types.split('|').includes(actual))
        return this.validation(
          'Issue',
          key,
          'invalid',
          `For '${key}', ${JSON.stringify(value)} is not a ${types}.`,
        );
    }
    return null;
  }

  private issueJson(r: IssueRecord, baseUrl: string): Record<string, unknown> {
    const api = `${baseUrl}/repos/${this.owner}/${this.repo}`;
    const html = `https://github.com/${this.owner}/${this.repo}`;
    const user = (login: string): Record<string, unknown> => ({
      login,
      id: hash(login),
      type: 'User',
      site_admin: false,
    });
    const milestone = r.milestone === null ? null : this.milestones.get(r.milestone)!;
    const json: Record<string, unknown> = {
      url: `${api}/issues/${r.number}`,
      repository_url: api,
      comments_url: `${api}/issues/${r.number}/comments`,
      html_url: `${html}/${r.pull_request ? 'pull' : 'issues'}/${r.number}`,
      id: issueId(r.number),
      node_id: `I_kwDOA${r.number.toString(36).padStart(6, '0')}`,
      number: r.number,
      title: r.title,
      user: user(r.user),
      labels: r.labels.map((name) => ({
        id: hash(name),
        name,
        color: 'ededed',
        default: false,
        description: null,
      })),
      state: r.state,
      locked: false,
      assignee: r.assignees.length > 0 ? user(r.assignees[0]) : null,
      assignees: r.assignees.map(user),
      milestone: milestone && {
        url: `${api}/milestones/${milestone.number}`,
        id: 5000 + milestone.number,
        number: milestone.number,
        title: milestone.title,
        state: milestone.state,
      },
      comments: r.comments.length,
      created_at: iso(r.createdMs),
      updated_at: iso(r.updatedMs),
      closed_at: r.closedMs === null ? null : iso(r.closedMs),
      author_association: 'OWNER',
      type:
        r.type === null
          ? null
          : {id: 100 + ISSUE_TYPES.indexOf(r.type), name: r.type, description: null, color: 'gray'},
      body: r.body,
      state_reason: r.state_reason,
    };
    Object.assign(
      json,
      this.relations.payloadFields(r, (n) => `${api}/issues/${n}`),
    );
    if (r.pull_request)
      json.pull_request = {
        url: `${api}/pulls/${r.number}`,
        html_url: `${html}/pull/${r.number}`,
        merged_at: null,
      };
    return json;
  }

  private commentJson(
    r: IssueRecord,
    c: {id: number; body: string; createdMs: number},
  ): Record<string, unknown> {
    const api = `${this.url}/repos/${this.owner}/${this.repo}`;
    return {
      id: c.id,
      url: `${api}/issues/comments/${c.id}`,
      issue_url: `${api}/issues/${r.number}`,
      body: c.body,
      user: {login: 'octocat'},
      created_at: iso(c.createdMs),
      updated_at: iso(c.createdMs),
    };
  }

  /** What the relations need of this fake (records, payloads, answers). */
  private relationHost(): RelationHost {
    return {
      records: () => this.issues.values(),
      record: (number) => this.issues.get(number),
      byDatabaseId: (id) => this.issues.get(id - ISSUE_ID_OFFSET),
      issueJson: (record, baseUrl) => this.issueJson(record as IssueRecord, baseUrl),
      touch: (record) => this.touch(record as IssueRecord),
      checkBody: (body, allowed) => this.checkBody(body, allowed),
      validation: (resource, field, code, message) => this.validation(resource, field, code, message),
      error: (status, message) => this.error(status, message),
      page: (request, items) => pageOf(request, items),
    };
  }

  private byUpdate(): IssueRecord[] {
    if (this.sortedByUpdate === null) {
      this.sortedByUpdate = [...this.issues.values()].sort(
        (a, b) => a.updatedMs - b.updatedMs || a.number - b.number,
      );
    }
    return this.sortedByUpdate;
  }

  private touch(record: IssueRecord, now = toSeconds(this.now())): void {
    record.updatedMs = now;
    this.changed();
  }

  /** Forgets what is derived from the records (the update order, the relation index). */
  private changed(): void {
    this.sortedByUpdate = null;
    this.relations.changed();
  }

  private require(number: number): IssueRecord {
    const record = this.issues.get(number);
    if (!record) throw new Error(`fake GitHub has no issue #${number}`);
    return record;
  }

  private milestoneNumber(title: string): number {
    for (const m of this.milestones.values()) if (m.title === title) return m.number;
    const number = this.milestones.size + 1;
    this.milestones.set(number, {number, title, state: 'open'});
    return number;
  }

  private rateHeaders(): Record<string, string> {
    return {...this.limits.coreHeaders(), 'x-github-api-version-selected': '2022-11-28'};
  }

  private error(status: number, message: string): FakeResponse {
    return {status, json: {message, documentation_url: DOCS, status: String(status)}};
  }

  private validation(resource: string, field: string, code: string, message?: string): FakeResponse {
    const error: Record<string, string> = {resource, field, code};
    if (message) error.message = message;
    return {
      status: 422,
      json: {message: 'Validation Failed', errors: [error], documentation_url: DOCS, status: '422'},
    };
  }
}

/** Database ids are not issue numbers (GitHub's are large and global): an offset keeps them apart. */
const ISSUE_ID_OFFSET = 10_000_000;

export function issueId(number: number): number {
  return ISSUE_ID_OFFSET + number;
}

/** One page of `items` by `per_page` (default 30, at most 100) and `page`, with a `Link` to the next. */
function pageOf(request: FakeRequest, items: readonly Record<string, unknown>[]): FakeResponse {
  const q = single(request.query);
  const perPage = clamp(Number(q.per_page ?? 30), 1, 100);
  const page = Math.max(1, Math.floor(Number(q.page ?? 1)) || 1);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const params = new URLSearchParams(q);
    params.set('page', String(page + 1));
    headers.link = `<${request.baseUrl}${request.path}?${params.toString()}>; rel="next"`;
  }
  return {status: 200, headers, json: items.slice((page - 1) * perPage, page * perPage)};
}

function single(query: Readonly<Record<string, string | string[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query))
    out[key] = Array.isArray(value) ? value[value.length - 1] : value;
  return out;
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.floor(value))) : min;
}

function toSeconds(value: string | Date): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Math.floor(ms / 1000) * 1000;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}
