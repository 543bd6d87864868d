/**
 * GitHub's native issue relations: "blocked by" dependencies and sub-issues (the parent).
 *
 * - A dependency lives on the blocked issue: `POST .../issues/{blocked}/dependencies/blocked_by`
 *   with the blocker's database `id` (not its number); removed with `DELETE
 *   .../dependencies/blocked_by/{blocker id}`. A canonical `blocks` link of A to B is B's
 *   "blocked by A"; a `blocked_by` link of A to B is A's "blocked by B".
 * - A parent is set with `POST .../issues/{parent}/sub_issues` and the child's database id, and
 *   removed with `DELETE .../issues/{parent}/sub_issue`. GitHub keeps one parent per issue: a
 *   child that has another parent is moved only with `replace_parent` (the caller decides).
 * - Database ids come with every issue payload (list, get, create, update); they are remembered
 *   as payloads pass, so a relation write reads an issue only when its id was never seen.
 * - A write GitHub refuses with 422 may be a relation that exists already (an earlier run that
 *   was interrupted after the write): the relation is looked up, and if it is there, that is done.
 * - Reading the graph back: the issue list carries `issue_dependencies_summary`; the dependency
 *   lists are asked for only for issues whose summary counts some, and never for an issue this
 *   run created (`FreshIssues`: its relations are the ones written since, recorded there).
 */
import {CapabilityNotSupportedError, ConnectorRequestError} from '../../errors.js';
import {nextLink, type HttpClient, type HttpResponse} from '../../http/index.js';
import type {CanonicalLink} from '../../model/canonical-issue.js';
import type {ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import type {FreshIssues} from './github-fresh-issues.js';
import {isPullRequest, type GitHubIssueJson} from './github-issue-mapper.js';

/** Pages of 100 read of one issue's dependency list at most (GitHub caps relations per issue). */
const RELATION_PAGES = 5;

/** What the caller gives the relations: its client and how to reach an issue's payload. */
export interface GitHubRelationsHost {
  readonly http: HttpClient;
  readonly repoPath: string;
  readonly workspace: string;
  /** The issue's payload as GitHub has it now, always read (null: none, or a pull request). */
  fetchRaw(ref: ExternalRef): Promise<GitHubIssueJson | null>;
  /** The issues this run created, kept up to date with each relation written. */
  readonly fresh: FreshIssues;
}

export class GitHubRelations {
  /** Issue number (of this repository) -> database id, from every payload seen. */
  private readonly ids = new Map<number, number>();

  constructor(private readonly host: GitHubRelationsHost) {}

  /** Keeps the database id of an issue payload seen on any answer. */
  remember(raw: JsonObject): void {
    if (typeof raw.number === 'number' && typeof raw.id === 'number' && this.inThisRepository(raw))
      this.ids.set(raw.number, raw.id);
  }

  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    const {blocked, blocker} = this.dependencyEnds(ref, link);
    const issueId = await this.databaseId(blocker);
    const response = await this.host.http.request<JsonValue>({
      method: 'POST',
      path: `${this.issuePath(blocked)}/dependencies/blocked_by`,
      body: {issue_id: issueId},
      // Repeating it is harmless: a second one is refused as a duplicate, which counts as done.
      idempotent: true,
      acceptStatuses: [422],
    });
    if (response.status === 422 && !(await this.isBlockedBy(blocked, issueId)))
      throw this.refused(response, `#${blocked.id} blocked by #${blocker.id}`);
    this.host.fresh.dependency(blocked, blocker, true);
  }

  async removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    const {blocked, blocker} = this.dependencyEnds(ref, link);
    const issueId = await this.databaseId(blocker);
    // Absent already (404) counts as done: the relation is gone either way.
    await this.host.http.request<JsonValue>({
      method: 'DELETE',
      path: `${this.issuePath(blocked)}/dependencies/blocked_by/${issueId}`,
      acceptStatuses: [404],
    });
    this.host.fresh.dependency(blocked, blocker, false);
  }

  /**
   * Makes `parent` the parent of `child` (null: no parent). `child` is the child's current
   * payload; moving it away from another parent uses `replace_parent`, so a caller that must
   * keep a parent set by someone else checks before asking.
   */
  async setParent(child: GitHubIssueJson, parent: ExternalRef | null): Promise<void> {
    if (isPullRequest(child))
      throw new ConnectorRequestError(
        `GitHub: #${child.number} is a pull request, not an issue; it cannot be a sub-issue.`,
        {
          provider: 'github',
          failureClass: 'validation',
        },
      );
    this.remember(child);
    const current = this.parentNumber(child);
    const wanted = parent === null ? null : Number(parent.id);
    if (current === wanted) return;
    if (wanted === null) {
      await this.host.http.request<JsonValue>({
        method: 'DELETE',
        path: `${this.repoIssue(current!)}/sub_issue`,
        body: {sub_issue_id: child.id as number},
        acceptStatuses: [404],
      });
      this.host.fresh.parentSet(child.number, null);
      return;
    }
    const body: JsonObject = {sub_issue_id: child.id as number};
    if (current !== null) body.replace_parent = true;
    const response = await this.host.http.request<JsonValue>({
      method: 'POST',
      path: `${this.repoIssue(wanted)}/sub_issues`,
      body,
      idempotent: true,
      acceptStatuses: [422],
    });
    if (response.status === 422) {
      // Refused: done already (an interrupted earlier run), or a rule of GitHub's (a full parent).
      const now = await this.host.fetchRaw({
        system: 'github',
        workspace: this.host.workspace,
        id: String(child.number),
        key: null,
        url: null,
      });
      if (now === null || this.parentNumber(now) !== wanted)
        throw this.refused(response, `#${child.number} as a sub-issue of #${wanted}`);
    }
    const repository =
      typeof child.repository_url === 'string' ? child.repository_url : `/repos/${this.host.workspace}`;
    this.host.fresh.parentSet(child.number, `${repository}/issues/${wanted}`);
  }

  /** The parent's number when it is an issue of this repository (else null). */
  parentNumber(raw: JsonObject): number | null {
    if (typeof raw.parent_issue_url !== 'string') return null;
    const match = /\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)$/.exec(raw.parent_issue_url);
    return match && match[1].toLowerCase() === this.host.workspace.toLowerCase() ? Number(match[2]) : null;
  }

  /**
   * The dependency links of each payload whose `issue_dependencies_summary` counts some: `blocked_by`
   * from its "blocked by" list, `blocks` from its "blocking" list. Issues without relations
   * cost no request.
   */
  async linksOf(raws: readonly GitHubIssueJson[]): Promise<Map<number, CanonicalLink[]>> {
    const out = new Map<number, CanonicalLink[]>();
    for (const raw of raws) {
      this.remember(raw);
      const fresh = this.host.fresh.linksOf(raw.number);
      if (fresh !== undefined) {
        if (fresh.length > 0) out.set(raw.number, fresh);
        continue;
      }
      const summary = isJsonObject(raw.issue_dependencies_summary) ? raw.issue_dependencies_summary : null;
      if (summary === null) continue;
      const links: CanonicalLink[] = [];
      if (Number(summary.total_blocked_by) > 0)
        for (const target of await this.listRelated(raw.number, 'blocked_by'))
          links.push({type: 'blocked_by', target});
      if (Number(summary.total_blocking) > 0)
        for (const target of await this.listRelated(raw.number, 'blocking'))
          links.push({type: 'blocks', target});
      if (links.length > 0) out.set(raw.number, links);
    }
    return out;
  }

  // ---- internals -------------------------------------------------------------------------

  private async listRelated(number: number, list: 'blocked_by' | 'blocking'): Promise<ExternalRef[]> {
    const refs: ExternalRef[] = [];
    let path: string | null = `${this.repoIssue(number)}/dependencies/${list}`;
    let query: Record<string, number> | undefined = {per_page: 100};
    for (let page = 0; path !== null && page < RELATION_PAGES; page++) {
      const response: HttpResponse<JsonValue> = await this.host.http.get<JsonValue>(path, query);
      for (const item of Array.isArray(response.data) ? response.data : []) {
        const ref = isJsonObject(item) ? this.refOf(item) : null;
        if (ref !== null) refs.push(ref);
      }
      path = nextLink(response.headers.get('link'));
      query = undefined;
    }
    return refs;
  }

  private async isBlockedBy(blocked: ExternalRef, issueId: number): Promise<boolean> {
    let path: string | null = `${this.issuePath(blocked)}/dependencies/blocked_by`;
    let query: Record<string, number> | undefined = {per_page: 100};
    for (let page = 0; path !== null && page < RELATION_PAGES; page++) {
      const response: HttpResponse<JsonValue> = await this.host.http.get<JsonValue>(path, query);
      const items = Array.isArray(response.data) ? response.data : [];
      if (items.some((item) => isJsonObject(item) && item.id === issueId)) return true;
      path = nextLink(response.headers.get('link'));
      query = undefined;
    }
    return false;
  }

  /** The ref of a related issue's payload (its repository may be another one). */
  private refOf(item: JsonObject): ExternalRef | null {
    if (typeof item.number !== 'number') return null;
    this.remember(item);
    const url = typeof item.url === 'string' ? item.url : '';
    const match = /\/repos\/([^/]+\/[^/]+)\/issues\/\d+$/.exec(url);
    const workspace =
      match && match[1].toLowerCase() !== this.host.workspace.toLowerCase() ? match[1] : this.host.workspace;
    return {
      system: 'github',
      workspace,
      id: String(item.number),
      key: workspace === this.host.workspace ? `#${item.number}` : `${workspace}#${item.number}`,
      url: typeof item.html_url === 'string' ? item.html_url : null,
    };
  }

  /** `{blocked, blocker}` of a dependency link; only dependencies are GitHub relations here. */
  private dependencyEnds(
    ref: ExternalRef,
    link: CanonicalLink,
  ): {blocked: ExternalRef; blocker: ExternalRef} {
    if (link.type === 'blocks') return {blocked: link.target, blocker: ref};
    if (link.type === 'blocked_by') return {blocked: ref, blocker: link.target};
    throw new CapabilityNotSupportedError('github', `'${link.type}' links between issues`, {
      hint: 'GitHub relates issues by "blocked by" dependencies and sub-issues only; mention the issue in a comment instead.',
    });
  }

  private async databaseId(ref: ExternalRef): Promise<number> {
    const number = Number(this.issueNumber(ref));
    const known = this.ids.get(number);
    if (known !== undefined) return known;
    const raw = await this.host.fetchRaw(ref);
    if (raw === null || typeof raw.id !== 'number')
      throw new ConnectorRequestError(
        `GitHub has no issue #${ref.id} in ${this.host.workspace} (or it is a pull request): the relation cannot be written.`,
        {provider: 'github', failureClass: 'not_found', statusCode: 404},
      );
    this.remember(raw);
    return raw.id;
  }

  private issueNumber(ref: ExternalRef): string {
    if (ref.workspace.toLowerCase() !== this.host.workspace.toLowerCase() || !/^\d+$/.test(ref.id)) {
      throw new ConnectorRequestError(
        `GitHub issue '${ref.key ?? ref.id}' is not an issue number of ${this.host.workspace}.`,
        {provider: 'github', failureClass: 'validation'},
      );
    }
    return ref.id;
  }

  private issuePath(ref: ExternalRef): string {
    return this.repoIssue(Number(this.issueNumber(ref)));
  }

  private repoIssue(number: number): string {
    return `${this.host.repoPath}/issues/${number}`;
  }

  private inThisRepository(raw: JsonObject): boolean {
    const url = typeof raw.repository_url === 'string' ? raw.repository_url : null;
    return url === null || url.toLowerCase().endsWith(`/repos/${this.host.workspace.toLowerCase()}`);
  }

  private refused(response: HttpResponse<JsonValue>, what: string): ConnectorRequestError {
    const data = response.data;
    const message =
      isJsonObject(data) && typeof data.message === 'string' ? data.message : 'Validation Failed';
    const details =
      isJsonObject(data) && Array.isArray(data.errors)
        ? data.errors
            .map((e) => (isJsonObject(e) && typeof e.message === 'string' ? e.message : null))
            .filter((m): m is string => m !== null)
        : [];
    return new ConnectorRequestError(`GitHub refused ${what}: ${[message, ...details].join('; ')}.`, {
      provider: 'github',
      failureClass: 'validation',
      statusCode: 422,
    });
  }
}
