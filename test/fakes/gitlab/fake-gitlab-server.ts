/**
 * A loopback fake of the GitLab REST API v4 subset the GitLab connector uses:
 *
 * - `GET /api/v4/projects/:id/issues` (`:id` numeric or the URL-encoded path `group%2Fproject`):
 *   `state` opened|closed|all (default: all, as GitLab), `updated_after` inclusive (>=),
 *   `order_by` created_at (default)|updated_at, `sort` desc (default)|asc, `per_page` (default
 *   20, max 100), `page`, `labels`, `search` + `in` (title,description); answers carry
 *   `X-Page`, `X-Per-Page`, `X-Next-Page`, `X-Prev-Page`, `X-Total`, `X-Total-Pages` and `Link`.
 * - `GET/PUT /projects/:id/issues/:iid` (PUT `state_event: close|reopen`, `labels` as a comma
 *   string, `assignee_ids`), `POST /projects/:id/issues`, `GET/POST .../issues/:iid/notes`,
 *   `GET /users?username=`.
 * - Issue links, `GET/POST .../issues/:iid/links` and `DELETE .../links/:issue_link_id`, with
 *   GitLab's rules (one link a pair, `blocks` only on Premium and up: `fake-gitlab-links.ts`);
 *   `tier` picks the licence (default `free`, the most restrictive).
 * - Bodies are checked against the documented fields: unknown fields or wrong types give 400
 *   `{"error": "<field> does not have a valid value"}` (real GitLab ignores unknown ones; the
 *   fake is stricter so a connector cannot send undocumented fields unnoticed).
 * - Auth: `PRIVATE-TOKEN: <token>` or `Authorization: Bearer <token>`; otherwise 401
 *   `{"message": "401 Unauthorized"}`. Unknown projects: 404 `{"message": "404 Project Not Found"}`.
 * - `RateLimit-*` headers on every answer; `rateLimited()` builds a 429 (with or without headers).
 * - GitLab's documented limits (`gitlab-limits.ts`): 2,000 API requests a minute, 300 issue and
 *   300 note creations a minute, answered 429 with `Retry-After`; scalable with `limits`.
 * - `linkHeader: false` drops `Link` (only `X-Next-Page` tells of a next page);
 *   `beforeListRequest(n, change)` edits an issue between two page requests.
 * Timestamps have millisecond precision (`2026-01-01T00:00:00.000Z`), like GitLab's.
 */
import {
  FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
  type RecordedRequest,
  type ScriptedFault,
} from '../fake-http-server.js';
import {FakeGitLabLinks, type GitLabTier, type StoredIssueLink} from './fake-gitlab-links.js';
import {GitLabLimits, type GitLabLimitOptions} from './gitlab-limits.js';

export interface FakeGitLabOptions {
  readonly projectPath?: string;
  readonly projectId?: number;
  readonly token?: string;
  readonly now?: () => Date;
  /** GitLab's limits, scaled for a test, or `off` (default: GitLab.com's documented values). */
  readonly limits?: GitLabLimitOptions | 'off';
  readonly users?: readonly string[];
  /**
   * Send `Link` headers on lists (default true). Without them a client must page with
   * `X-Next-Page`, as behind proxies that drop `Link` (the GitLab docs describe both).
   */
  readonly linkHeader?: boolean;
  /** The licence tier: `free` refuses `blocks` links as GitLab Free does (default `free`). */
  readonly tier?: GitLabTier;
}

export interface GitLabIssueSeed {
  readonly iid?: number;
  readonly title: string;
  readonly description?: string | null;
  readonly state?: 'opened' | 'closed';
  readonly labels?: readonly string[];
  readonly assignees?: readonly string[];
  readonly milestone?: string | null;
  readonly weight?: number | null;
  readonly issue_type?: 'issue' | 'incident' | 'task' | 'test_case';
  readonly created_at?: string | Date;
  readonly updated_at?: string | Date;
}

interface IssueRecord {
  iid: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  labels: string[];
  assignees: string[];
  milestone: number | null;
  weight: number | null;
  issue_type: string;
  createdMs: number;
  updatedMs: number;
  closedMs: number | null;
  notes: {id: number; body: string; createdMs: number}[];
}

const CREATE_FIELDS: Record<string, string> = {
  title: 'string',
  description: 'string|null',
  labels: 'string',
  assignee_ids: 'array',
  milestone_id: 'number|null',
  weight: 'number|null',
  issue_type: 'string',
  confidential: 'boolean',
  due_date: 'string|null',
};
const UPDATE_FIELDS: Record<string, string> = {
  ...CREATE_FIELDS,
  state_event: 'string',
  add_labels: 'string',
  remove_labels: 'string',
};

export class FakeGitLabServer {
  readonly projectPath: string;
  readonly projectId: number;
  readonly token: string;
  private readonly users = new Map<string, number>();
  private readonly now: () => Date;
  /** The limits enforced, with the count of requests refused. */
  readonly limits: GitLabLimits;
  private readonly issues = new Map<number, IssueRecord>();
  private readonly milestones = new Map<number, string>([
    [11, 'v1.0'],
    [12, 'v2.0'],
  ]);
  private sorted: IssueRecord[] | null = null;
  private nextIid = 1;
  private nextNoteId = 1;
  private readonly linkHeader: boolean;
  private listRequests = 0;
  private readonly listHooks = new Map<number, (() => void)[]>();
  private http!: FakeHttpServer;
  /** The issue links, with GitLab's rules. */
  readonly links: FakeGitLabLinks;

  private constructor(options: FakeGitLabOptions) {
    this.projectPath = options.projectPath ?? 'octo-group/octo-project';
    this.projectId = options.projectId ?? 278964;
    this.token = options.token ?? 'glpat-FAKEtoken0123456789';
    this.now = options.now ?? (() => new Date());
    this.limits = new GitLabLimits(options.limits ?? {}, this.now);
    this.linkHeader = options.linkHeader ?? true;
    this.links = new FakeGitLabLinks(options.tier ?? 'free', () => ms(this.now()));
    for (const user of options.users ?? ['alice', 'bob', 'carol']) this.user(user);
  }

  static async start(options: FakeGitLabOptions = {}): Promise<FakeGitLabServer> {
    const fake = new FakeGitLabServer(options);
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  /** The instance URL to give the connector (it appends `/api/v4`). */
  get url(): string {
    return this.http.baseUrl;
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

  async close(): Promise<void> {
    await this.http.close();
  }

  /**
   * Runs `change` just before the `n`-th issue-list request this fake answers (1-based; scripted
   * faults answered instead do not count) is served: an edit made between two page requests,
   * e.g. `() => server.remoteEdit(1, {title: 'moved'})`, which moves the issue to the end.
   */
  beforeListRequest(n: number, change: () => void): void {
    this.listHooks.set(n, [...(this.listHooks.get(n) ?? []), change]);
  }

  seedIssue(seed: GitLabIssueSeed): number {
    const iid = seed.iid ?? this.nextIid;
    this.nextIid = Math.max(this.nextIid, iid + 1);
    const created = ms(seed.created_at ?? this.now());
    const updated = ms(seed.updated_at ?? seed.created_at ?? this.now());
    for (const u of seed.assignees ?? []) this.user(u);
    this.issues.set(iid, {
      iid,
      title: seed.title,
      description: seed.description ?? null,
      state: seed.state ?? 'opened',
      labels: [...(seed.labels ?? [])],
      assignees: [...(seed.assignees ?? [])],
      milestone: seed.milestone ? this.milestoneId(seed.milestone) : null,
      weight: seed.weight ?? null,
      issue_type: seed.issue_type ?? 'issue',
      createdMs: created,
      updatedMs: updated,
      closedMs: seed.state === 'closed' ? updated : null,
      notes: [],
    });
    this.sorted = null;
    return iid;
  }

  /** `count` varied issues updated one minute apart from `start`; returns their iids. */
  seedRealisticIssues(count: number, options: {start?: string; stepSeconds?: number} = {}): number[] {
    const start = Date.parse(options.start ?? '2025-01-01T00:00:00Z');
    const step = (options.stepSeconds ?? 60) * 1000;
    const labels = [
      'bug',
      'feature',
      'docs',
      'status::in progress',
      'status::in review',
      'status::blocked',
      'priority::2',
    ];
    const users = [...this.users.keys()];
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = new Date(start + i * step);
      const closed = i % 3 === 2;
      out.push(
        this.seedIssue({
          title: `Issue ${i + 1}: ${['Fix', 'Add', 'Tidy'][i % 3]} ${['pipeline', 'runner', 'wiki', 'MR widget'][i % 4]}`,
          description: i % 5 === 0 ? null : `Details for issue ${i + 1}.`,
          state: closed ? 'closed' : 'opened',
          labels:
            i % 4 === 0
              ? []
              : [labels[i % labels.length], ...(closed && i % 9 === 8 ? ['status::canceled'] : [])],
          assignees: i % 3 === 0 ? [] : [users[i % users.length]],
          milestone: i % 10 === 3 ? 'v1.0' : null,
          weight: i % 2 === 0 ? (i % 5) + 1 : null,
          issue_type: i % 11 === 0 ? 'incident' : 'issue',
          created_at: at,
          updated_at: at,
        }),
      );
    }
    return out;
  }

  remoteEdit(
    iid: number,
    patch: Partial<Pick<IssueRecord, 'title' | 'description' | 'state' | 'labels' | 'assignees' | 'weight'>>,
  ): void {
    const record = this.issues.get(iid);
    if (!record) throw new Error(`fake GitLab has no issue ${iid}`);
    Object.assign(record, patch);
    this.touch(record);
  }

  issue(iid: number): Record<string, unknown> | undefined {
    const record = this.issues.get(iid);
    return record ? this.issueJson(record) : undefined;
  }

  notesOf(iid: number): string[] {
    return this.issues.get(iid)?.notes.map((n) => n.body) ?? [];
  }

  get issueCount(): number {
    return this.issues.size;
  }

  /** A 429 as GitLab sends it; `headers: false` mimics the documented header-less 429s. */
  static rateLimited(
    retryAfterSeconds: number | null,
    resetEpochSeconds: number | null = null,
  ): FakeResponse {
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== null) headers['retry-after'] = String(retryAfterSeconds);
    if (resetEpochSeconds !== null)
      Object.assign(headers, {
        'ratelimit-limit': '2000',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(resetEpochSeconds),
      });
    return {status: 429, headers, text: 'Retry later\n'};
  }

  // ---- request handling ------------------------------------------------------------------

  private handle(request: FakeRequest): FakeResponse {
    const schemeOk = request.authScheme === 'private-token' || request.authScheme === 'bearer';
    if (!schemeOk || request.credential !== this.token)
      return {status: 401, json: {message: '401 Unauthorized'}};
    const refused = this.limits.admit(request.method, request.path);
    if (refused) return refused;
    const response = this.route(request);
    return {...response, headers: {...this.limits.headers(), ...response.headers}};
  }

  private route(request: FakeRequest): FakeResponse {
    const {method, path} = request;
    if (method === 'GET' && path === '/api/v4/users') {
      const username = typeof request.query.username === 'string' ? request.query.username : '';
      const id = this.users.get(username);
      return {status: 200, json: id === undefined ? [] : [{id, username, name: username, state: 'active'}]};
    }
    const m = /^\/api\/v4\/projects\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return {status: 404, json: {error: '404 Not Found'}};
    const project = decodeURIComponent(m[1]);
    if (project !== this.projectPath && project !== String(this.projectId))
      return {status: 404, json: {message: '404 Project Not Found'}};
    const rest = m[2] ?? '';
    let mm: RegExpExecArray | null;
    if (rest === '/issues') {
      if (method === 'GET') return this.list(request);
      if (method === 'POST') return this.create(request);
    }
    if ((mm = /^\/issues\/(\d+)$/.exec(rest))) {
      const record = this.issues.get(Number(mm[1]));
      if (!record) return {status: 404, json: {message: '404 Not found'}};
      if (method === 'GET') return {status: 200, json: this.issueJson(record)};
      if (method === 'PUT') return this.update(record, request);
    }
    if ((mm = /^\/issues\/(\d+)\/links(?:\/(\d+))?$/.exec(rest))) {
      const record = this.issues.get(Number(mm[1]));
      if (!record) return {status: 404, json: {message: '404 Not found'}};
      return this.routeLinks(method, record, mm[2] === undefined ? null : Number(mm[2]), request);
    }
    if ((mm = /^\/issues\/(\d+)\/notes$/.exec(rest))) {
      const record = this.issues.get(Number(mm[1]));
      if (!record) return {status: 404, json: {message: '404 Not found'}};
      if (method === 'GET') return this.listNotes(record, request);
      if (method === 'POST') {
        const invalid = checkBody(request.body, {body: 'string'});
        if (invalid) return invalid;
        const body = (request.body as {body?: string}).body;
        if (!body) return {status: 400, json: {error: 'body is missing'}};
        const note = {id: this.nextNoteId++, body, createdMs: ms(this.now())};
        record.notes.push(note);
        this.touch(record);
        return {status: 201, json: this.noteJson(record, note)};
      }
    }
    return {status: 404, json: {error: '404 Not Found'}};
  }

  private routeLinks(
    method: string,
    record: IssueRecord,
    linkId: number | null,
    request: FakeRequest,
  ): FakeResponse {
    if (linkId === null && method === 'GET') {
      const json = this.links.of(record.iid).map(({link, other, type}) => ({
        ...this.issueJson(this.issues.get(other)!),
        issue_link_id: link.id,
        link_type: type,
        link_created_at: iso(link.createdMs),
        link_updated_at: iso(link.createdMs),
      }));
      return {status: 200, json};
    }
    if (linkId === null && method === 'POST') {
      if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body))
        return {status: 400, json: {error: 'target_project_id is missing'}};
      const created = this.links.create(record.iid, request.body as Record<string, unknown>, (p, iid) => {
        const project = decodeURIComponent(p);
        if (project !== this.projectPath && project !== String(this.projectId)) return 'no_project';
        return this.issues.has(iid);
      });
      if ('status' in created) return created;
      return {status: 201, json: this.linkJson(created)};
    }
    if (linkId !== null && method === 'DELETE') {
      const removed = this.links.remove(record.iid, linkId);
      if (!removed) return {status: 404, json: {message: '404 Not found'}};
      return {status: 200, json: this.linkJson(removed)};
    }
    return {status: 405, json: {error: '405 Method Not Allowed'}};
  }

  private linkJson(link: StoredIssueLink): Record<string, unknown> {
    return {
      id: link.id,
      source_issue: this.issueJson(this.issues.get(link.source)!),
      target_issue: this.issueJson(this.issues.get(link.target)!),
      link_type: link.type,
      link_created_at: iso(link.createdMs),
      link_updated_at: iso(link.createdMs),
    };
  }

  private list(request: FakeRequest): FakeResponse {
    this.listRequests += 1;
    for (const change of this.listHooks.get(this.listRequests) ?? []) change();
    this.listHooks.delete(this.listRequests);
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.query)) q[k] = Array.isArray(v) ? v[v.length - 1] : v;
    const state = q.state ?? 'all';
    if (!['opened', 'closed', 'all'].includes(state))
      return {status: 400, json: {error: 'state does not have a valid value'}};
    const orderBy = q.order_by ?? 'created_at';
    const sort = q.sort ?? 'desc';
    if (!['created_at', 'updated_at'].includes(orderBy))
      return {status: 400, json: {error: 'order_by does not have a valid value'}};
    if (!['asc', 'desc'].includes(sort))
      return {status: 400, json: {error: 'sort does not have a valid value'}};
    const perPage = Math.min(100, Math.max(1, Number(q.per_page ?? 20) || 20));
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    let since: number | null = null;
    if (q.updated_after !== undefined) {
      since = Date.parse(q.updated_after);
      if (Number.isNaN(since)) return {status: 400, json: {error: 'updated_after is invalid'}};
    }
    let items: IssueRecord[];
    if (orderBy === 'updated_at') {
      const all = this.byUpdate();
      let lo = 0;
      if (since !== null) {
        let hi = all.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (all[mid].updatedMs < since) lo = mid + 1;
          else hi = mid;
        }
      }
      items = lo === 0 ? all : all.slice(lo);
    } else {
      items = [...this.issues.values()]
        .filter((r) => since === null || r.updatedMs >= since)
        .sort((a, b) => a.createdMs - b.createdMs || a.iid - b.iid);
    }
    if (state !== 'all') items = items.filter((r) => r.state === state);
    if (q.labels) {
      const wanted = q.labels.split(',');
      items = items.filter((r) => wanted.every((l) => r.labels.includes(l)));
    }
    if (q.search) {
      const fields = (q.in ?? 'title,description').split(',');
      items = items.filter((r) =>
        fields.some((f) =>
          (f === 'title' ? r.title : f === 'description' ? (r.description ?? '') : '').includes(q.search),
        ),
      );
    }
    if (sort === 'desc') items = [...items].reverse();
    const total = items.length;
    const totalPages = Math.max(1, Math.ceil(total / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const url = (p: number): string => {
      const params = new URLSearchParams(q);
      params.set('page', String(p));
      params.set('per_page', String(perPage));
      return `${request.baseUrl}${request.path}?${params.toString()}`;
    };
    const links = [`<${url(1)}>; rel="first"`, `<${url(totalPages)}>; rel="last"`];
    if (page < totalPages) links.unshift(`<${url(page + 1)}>; rel="next"`);
    if (page > 1) links.unshift(`<${url(page - 1)}>; rel="prev"`);
    return {
      status: 200,
      headers: {
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
        'x-total': String(total),
        'x-total-pages': String(totalPages),
        ...(this.linkHeader ? {link: links.join(', ')} : {}),
      },
      json: slice.map((r) => this.issueJson(r)),
    };
  }

  private create(request: FakeRequest): FakeResponse {
    const invalid = checkBody(request.body, CREATE_FIELDS);
    if (invalid) return invalid;
    const f = request.body as Record<string, unknown>;
    if (typeof f.title !== 'string' || f.title.trim() === '')
      return {status: 400, json: {error: 'title is missing'}};
    const resolved = this.resolve(f);
    if ('status' in resolved) return resolved;
    const now = ms(this.now());
    const iid = this.nextIid++;
    const record: IssueRecord = {
      iid,
      title: f.title,
      description: (f.description as string | null | undefined) ?? null,
      state: 'opened',
      labels: resolved.labels ?? [],
      assignees: resolved.assignees ?? [],
      milestone: resolved.milestone ?? null,
      weight: (f.weight as number | null | undefined) ?? null,
      issue_type: (f.issue_type as string | undefined) ?? 'issue',
      createdMs: now,
      updatedMs: now,
      closedMs: null,
      notes: [],
    };
    this.issues.set(iid, record);
    this.sorted = null;
    return {status: 201, json: this.issueJson(record)};
  }

  private update(record: IssueRecord, request: FakeRequest): FakeResponse {
    const invalid = checkBody(request.body, UPDATE_FIELDS);
    if (invalid) return invalid;
    const f = request.body as Record<string, unknown>;
    if (Object.keys(f).length === 0)
      return {
        status: 400,
        json: {error: 'title, description, ... are missing, at least one parameter must be provided'},
      };
    if (f.state_event !== undefined && !['close', 'reopen'].includes(f.state_event as string))
      return {status: 400, json: {error: 'state_event does not have a valid value'}};
    const resolved = this.resolve(f);
    if ('status' in resolved) return resolved;
    if (typeof f.title === 'string') record.title = f.title;
    if ('description' in f) record.description = (f.description as string | null) ?? null;
    if (resolved.labels) record.labels = resolved.labels;
    if (typeof f.add_labels === 'string')
      record.labels = [...new Set([...record.labels, ...splitLabels(f.add_labels)])];
    if (typeof f.remove_labels === 'string') {
      const remove = new Set(splitLabels(f.remove_labels));
      record.labels = record.labels.filter((l) => !remove.has(l));
    }
    if (resolved.assignees) record.assignees = resolved.assignees;
    if ('milestone_id' in f) record.milestone = resolved.milestone ?? null;
    if ('weight' in f) record.weight = (f.weight as number | null) ?? null;
    const now = ms(this.now());
    if (f.state_event === 'close' && record.state !== 'closed') {
      record.state = 'closed';
      record.closedMs = now;
    } else if (f.state_event === 'reopen' && record.state !== 'opened') {
      record.state = 'opened';
      record.closedMs = null;
    }
    this.touch(record, now);
    return {status: 200, json: this.issueJson(record)};
  }

  private resolve(
    f: Record<string, unknown>,
  ): FakeResponse | {labels?: string[]; assignees?: string[]; milestone?: number | null} {
    const out: {labels?: string[]; assignees?: string[]; milestone?: number | null} = {};
    if (typeof f.labels === 'string') out.labels = [...new Set(splitLabels(f.labels))];
    if (f.assignee_ids !== undefined) {
      const names: string[] = [];
      for (const id of f.assignee_ids as unknown[]) {
        const name = [...this.users.entries()].find(([, uid]) => uid === id)?.[0];
        // GitLab silently drops unknown ids; the fake does too.
        if (name !== undefined) names.push(name);
      }
      out.assignees = names;
    }
    if (f.milestone_id !== undefined) {
      if (f.milestone_id === null) out.milestone = null;
      else if (!this.milestones.has(f.milestone_id as number))
        return {status: 404, json: {message: '404 Milestone Not Found'}};
      else out.milestone = f.milestone_id as number;
    }
    return out;
  }

  private issueJson(r: IssueRecord): Record<string, unknown> {
    const web = `https://gitlab.example.com/${this.projectPath}/-/issues/${r.iid}`;
    const user = (username: string) => ({
      id: this.users.get(username) ?? 0,
      username,
      name: username,
      state: 'active',
      web_url: `https://gitlab.example.com/${username}`,
    });
    return {
      id: 90_000 + r.iid,
      iid: r.iid,
      project_id: this.projectId,
      title: r.title,
      description: r.description,
      state: r.state,
      created_at: iso(r.createdMs),
      updated_at: iso(r.updatedMs),
      closed_at: r.closedMs === null ? null : iso(r.closedMs),
      labels: [...r.labels],
      milestone:
        r.milestone === null
          ? null
          : {
              id: r.milestone,
              iid: r.milestone - 10,
              project_id: this.projectId,
              title: this.milestones.get(r.milestone),
              state: 'active',
            },
      assignees: r.assignees.map(user),
      assignee: r.assignees.length > 0 ? user(r.assignees[0]) : null,
      author: user('alice'),
      type: r.issue_type.toUpperCase(),
      issue_type: r.issue_type,
      user_notes_count: r.notes.length,
      weight: r.weight,
      confidential: false,
      web_url: web,
      references: {short: `#${r.iid}`, relative: `#${r.iid}`, full: `${this.projectPath}#${r.iid}`},
    };
  }

  /**
   * An issue's notes as GitLab lists them: `sort` desc by default, `order_by` created_at (or
   * updated_at), `per_page` 20 by default and at most 100, `page`, with `X-Next-Page`.
   */
  private listNotes(record: IssueRecord, request: FakeRequest): FakeResponse {
    const q: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.query))
      q[key] = Array.isArray(value) ? value[value.length - 1] : value;
    const sort = q.sort ?? 'desc';
    const orderBy = q.order_by ?? 'created_at';
    if (!['asc', 'desc'].includes(sort) || !['created_at', 'updated_at'].includes(orderBy))
      return {status: 400, json: {error: 'sort, order_by does not have a valid value'}};
    const perPage = Math.min(100, Math.max(1, Math.floor(Number(q.per_page ?? 20)) || 20));
    const page = Math.max(1, Math.floor(Number(q.page ?? 1)) || 1);
    const ordered = [...record.notes].sort((a, b) => a.createdMs - b.createdMs || a.id - b.id);
    if (sort === 'desc') ordered.reverse();
    const slice = ordered.slice((page - 1) * perPage, page * perPage);
    const next = page * perPage < ordered.length ? String(page + 1) : '';
    return {
      status: 200,
      headers: {'x-next-page': next, 'x-page': String(page), 'x-per-page': String(perPage)},
      json: slice.map((n) => this.noteJson(record, n)),
    };
  }

  private noteJson(
    r: IssueRecord,
    n: {id: number; body: string; createdMs: number},
  ): Record<string, unknown> {
    return {
      id: n.id,
      body: n.body,
      author: {username: 'alice'},
      created_at: iso(n.createdMs),
      updated_at: iso(n.createdMs),
      system: false,
      noteable_id: 90_000 + r.iid,
      noteable_type: 'Issue',
      noteable_iid: r.iid,
    };
  }

  private byUpdate(): IssueRecord[] {
    this.sorted ??= [...this.issues.values()].sort((a, b) => a.updatedMs - b.updatedMs || a.iid - b.iid);
    return this.sorted;
  }

  private touch(record: IssueRecord, now = ms(this.now())): void {
    record.updatedMs = now;
    this.sorted = null;
  }

  private user(username: string): number {
    let id = this.users.get(username);
    if (id === undefined) {
      id = 1000 + this.users.size;
      this.users.set(username, id);
    }
    return id;
  }

  private milestoneId(title: string): number {
    for (const [id, t] of this.milestones) if (t === title) return id;
    const id = 11 + this.milestones.size;
    this.milestones.set(id, title);
    return id;
  }
}

function checkBody(body: unknown, allowed: Record<string, string>): FakeResponse | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return {status: 400, json: {error: 'The request body must be a JSON object'}};
  for (const [key, value] of Object.entries(body)) {
    const types = allowed[key];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    if (types === undefined || !types.split('|').includes(actual))
      return {status: 400, json: {error: `${key} does not have a valid value`}};
  }
  return null;
}

function splitLabels(value: string): string[] {
  return value
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function ms(value: string | Date): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

function iso(value: number): string {
  return new Date(value).toISOString();
}
