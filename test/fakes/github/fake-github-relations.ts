/**
 * The fake GitHub's issue relations, as GitHub documents them (REST "Issue dependencies" and
 * "Sub-issues", and the `issue` schema of its OpenAPI description):
 *
 * - Dependencies: `GET/POST .../issues/{n}/dependencies/blocked_by` (POST body `{issue_id}`, the
 *   blocking issue's database `id`, an integer: an issue number is not an id), `DELETE
 *   .../dependencies/blocked_by/{issue_id}`, `GET .../dependencies/blocking`. Lists are paged
 *   (`per_page` default 30, at most 100). A relation that exists already, an issue blocking
 *   itself, or a pull request at either end is refused with 422 "Validation Failed".
 * - Sub-issues: `GET/POST .../issues/{n}/sub_issues` (`{sub_issue_id, replace_parent}`),
 *   `DELETE .../issues/{n}/sub_issue` (`{sub_issue_id}`). One parent per issue: a child that has
 *   another parent is moved only with `replace_parent: true`, else 422; at most 100 sub-issues
 *   per parent, closed ones counted; a pull request is never a sub-issue; adding a sub-issue
 *   the parent already has is a duplicate (422). Removing one the parent does not have is 404.
 * - Every relation write is a content-creating request (POST/DELETE) and counts toward the
 *   secondary rate limit like any other write (the limits see the method).
 * - Issue payloads carry `parent_issue_url`, `sub_issues_summary` {total, completed,
 *   percent_completed} and `issue_dependencies_summary` {blocked_by, blocking, total_blocked_by,
 *   total_blocking}; the counts without `total_` count open issues only.
 * A relation write touches the issue named in the path (a dependency: the blocked issue; a
 * sub-issue: the child), as its timeline shows the change.
 */
import type {FakeRequest, FakeResponse} from '../fake-http-server.js';

/** Sub-issues one parent may have (closed ones included). */
export const MAX_SUB_ISSUES = 100;

/** What a relation needs of an issue record of the fake. */
export interface RelationRecord {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly pull_request: boolean;
  parent: number | null;
  /** Numbers of the issues that block this one, in the order they were added. */
  blockedBy: number[];
}

/** The fake's side of the relations: its records and its answers. */
export interface RelationHost {
  records(): Iterable<RelationRecord>;
  record(number: number): RelationRecord | undefined;
  /** The record whose database id is `id`. */
  byDatabaseId(id: number): RelationRecord | undefined;
  issueJson(record: RelationRecord, baseUrl: string): Record<string, unknown>;
  touch(record: RelationRecord): void;
  checkBody(body: unknown, allowed: Record<string, string>): FakeResponse | null;
  validation(resource: string, field: string, code: string, message?: string): FakeResponse;
  error(status: number, message: string): FakeResponse;
  /** A page of `items` with GitHub's `Link` header, by `per_page` and `page`. */
  page(request: FakeRequest, items: readonly Record<string, unknown>[]): FakeResponse;
}

export class FakeGitHubRelations {
  private index: {children: Map<number, RelationRecord[]>; blocking: Map<number, RelationRecord[]>} | null =
    null;

  constructor(private readonly host: RelationHost) {}

  /** Answers a relation request under `/issues/{n}`, or null when `rest` is none of them. */
  route(method: string, rest: string, request: FakeRequest): FakeResponse | null {
    let m: RegExpExecArray | null;
    if ((m = /^\/issues\/(\d+)\/dependencies\/(blocked_by|blocking)$/.exec(rest))) {
      const record = this.host.record(Number(m[1]));
      if (!record) return this.host.error(404, 'Not Found');
      if (method === 'GET') return this.listDependencies(record, m[2] as 'blocked_by' | 'blocking', request);
      if (method === 'POST' && m[2] === 'blocked_by') return this.addBlockedBy(record, request);
      return null;
    }
    if ((m = /^\/issues\/(\d+)\/dependencies\/blocked_by\/(\d+)$/.exec(rest)) && method === 'DELETE') {
      const record = this.host.record(Number(m[1]));
      if (!record) return this.host.error(404, 'Not Found');
      return this.removeBlockedBy(record, Number(m[2]), request);
    }
    if ((m = /^\/issues\/(\d+)\/sub_issues$/.exec(rest)) && (method === 'GET' || method === 'POST')) {
      const parent = this.host.record(Number(m[1]));
      if (!parent) return this.host.error(404, 'Not Found');
      return method === 'GET' ? this.listSubIssues(parent, request) : this.addSubIssue(parent, request);
    }
    if ((m = /^\/issues\/(\d+)\/sub_issue$/.exec(rest)) && method === 'DELETE') {
      const parent = this.host.record(Number(m[1]));
      if (!parent) return this.host.error(404, 'Not Found');
      return this.removeSubIssue(parent, request);
    }
    return null;
  }

  /** The relation fields of an issue payload, shaped as GitHub's `issue` schema has them. */
  payloadFields(record: RelationRecord, issueUrl: (number: number) => string): Record<string, unknown> {
    const children = this.childrenOf(record.number);
    const completed = children.filter((r) => r.state === 'closed').length;
    const blockers = record.blockedBy.map((n) => this.host.record(n)).filter((r) => r !== undefined);
    const blocking = this.blockedByIt(record.number);
    return {
      parent_issue_url: record.parent === null ? null : issueUrl(record.parent),
      sub_issues_summary: {
        total: children.length,
        completed,
        percent_completed: children.length === 0 ? 0 : Math.floor((completed * 100) / children.length),
      },
      issue_dependencies_summary: {
        blocked_by: blockers.filter((r) => r.state === 'open').length,
        blocking: blocking.filter((r) => r.state === 'open').length,
        total_blocked_by: blockers.length,
        total_blocking: blocking.length,
      },
    };
  }

  // ---- dependencies ----------------------------------------------------------------------

  private listDependencies(
    record: RelationRecord,
    list: 'blocked_by' | 'blocking',
    request: FakeRequest,
  ): FakeResponse {
    const related =
      list === 'blocked_by'
        ? record.blockedBy.map((n) => this.host.record(n)).filter((r) => r !== undefined)
        : this.blockedByIt(record.number);
    return this.host.page(
      request,
      related.map((r) => this.host.issueJson(r, request.baseUrl)),
    );
  }

  private addBlockedBy(blocked: RelationRecord, request: FakeRequest): FakeResponse {
    const invalid = this.host.checkBody(request.body, {issue_id: 'number'});
    if (invalid) return invalid;
    const id = (request.body as {issue_id?: unknown}).issue_id;
    if (id === undefined) return this.host.validation('IssueDependency', 'issue_id', 'missing_field');
    if (!Number.isInteger(id)) return this.host.validation('IssueDependency', 'issue_id', 'invalid');
    const blocker = this.byDatabaseId(id as number);
    if (!blocker) return this.host.error(404, 'Not Found');
    if (blocker.pull_request || blocked.pull_request)
      return this.host.validation(
        'IssueDependency',
        'issue_id',
        'invalid',
        'Pull requests cannot have dependencies',
      );
    if (blocker.number === blocked.number)
      return this.host.validation('IssueDependency', 'issue_id', 'invalid', 'An issue cannot block itself');
    if (blocked.blockedBy.includes(blocker.number))
      return this.host.validation(
        'IssueDependency',
        'issue_id',
        'already_exists',
        'Dependency already exists',
      );
    blocked.blockedBy.push(blocker.number);
    this.host.touch(blocked);
    return {status: 201, json: this.host.issueJson(blocked, request.baseUrl)};
  }

  private removeBlockedBy(blocked: RelationRecord, id: number, request: FakeRequest): FakeResponse {
    const blocker = this.byDatabaseId(id);
    if (!blocker || !blocked.blockedBy.includes(blocker.number)) return this.host.error(404, 'Not Found');
    blocked.blockedBy = blocked.blockedBy.filter((n) => n !== blocker.number);
    this.host.touch(blocked);
    return {status: 200, json: this.host.issueJson(blocked, request.baseUrl)};
  }

  // ---- sub-issues ------------------------------------------------------------------------

  private listSubIssues(parent: RelationRecord, request: FakeRequest): FakeResponse {
    const children = this.childrenOf(parent.number);
    return this.host.page(
      request,
      children.map((r) => this.host.issueJson(r, request.baseUrl)),
    );
  }

  private addSubIssue(parent: RelationRecord, request: FakeRequest): FakeResponse {
    const invalid = this.host.checkBody(request.body, {sub_issue_id: 'number', replace_parent: 'boolean'});
    if (invalid) return invalid;
    const body = request.body as {sub_issue_id?: unknown; replace_parent?: boolean};
    if (body.sub_issue_id === undefined)
      return this.host.validation('SubIssue', 'sub_issue_id', 'missing_field');
    const child = Number.isInteger(body.sub_issue_id)
      ? this.byDatabaseId(body.sub_issue_id as number)
      : undefined;
    if (!child) return this.host.validation('SubIssue', 'sub_issue_id', 'invalid', 'Sub issue not found');
    if (child.pull_request || parent.pull_request)
      return this.host.validation(
        'SubIssue',
        'sub_issue_id',
        'invalid',
        'Pull requests cannot be sub-issues',
      );
    if (child.number === parent.number)
      return this.host.validation(
        'SubIssue',
        'sub_issue_id',
        'invalid',
        'An issue cannot be its own sub-issue',
      );
    if (child.parent === parent.number)
      return this.host.validation('SubIssue', 'sub_issue_id', 'already_exists', 'Sub issue already exists');
    if (child.parent !== null && body.replace_parent !== true)
      return this.host.validation(
        'SubIssue',
        'sub_issue_id',
        'invalid',
        'Sub issue may only have one parent',
      );
    const count = this.childrenOf(parent.number).length;
    if (count >= MAX_SUB_ISSUES)
      return this.host.validation(
        'SubIssue',
        'sub_issue_id',
        'invalid',
        `Parent cannot have more than ${MAX_SUB_ISSUES} sub-issues`,
      );
    child.parent = parent.number;
    this.host.touch(child);
    return {status: 201, json: this.host.issueJson(parent, request.baseUrl)};
  }

  private removeSubIssue(parent: RelationRecord, request: FakeRequest): FakeResponse {
    const invalid = this.host.checkBody(request.body, {sub_issue_id: 'number'});
    if (invalid) return invalid;
    const id = (request.body as {sub_issue_id?: unknown}).sub_issue_id;
    if (id === undefined) return this.host.validation('SubIssue', 'sub_issue_id', 'missing_field');
    const child = Number.isInteger(id) ? this.byDatabaseId(id as number) : undefined;
    if (!child || child.parent !== parent.number) return this.host.error(404, 'Not Found');
    child.parent = null;
    this.host.touch(child);
    return {status: 200, json: this.host.issueJson(parent, request.baseUrl)};
  }

  private byDatabaseId(id: number): RelationRecord | undefined {
    return this.host.byDatabaseId(id);
  }

  /** Forgets the index of children and blocked issues (the host calls it on every change). */
  changed(): void {
    this.index = null;
  }

  private indexed(): {children: Map<number, RelationRecord[]>; blocking: Map<number, RelationRecord[]>} {
    if (this.index !== null) return this.index;
    const children = new Map<number, RelationRecord[]>();
    const blocking = new Map<number, RelationRecord[]>();
    for (const r of this.host.records()) {
      if (r.parent !== null) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
      for (const n of r.blockedBy) blocking.set(n, [...(blocking.get(n) ?? []), r]);
    }
    this.index = {children, blocking};
    return this.index;
  }

  private childrenOf(number: number): RelationRecord[] {
    return this.indexed().children.get(number) ?? [];
  }

  private blockedByIt(number: number): RelationRecord[] {
    return this.indexed().blocking.get(number) ?? [];
  }
}
