import {CapabilityNotSupportedError, ConnectorRequestError} from '../../errors.js';
import {
  HttpClient,
  encodeKeysetCursor,
  gitlabRateLimit,
  keysetRequest,
  keysetStateOf,
  keysetStep,
  nextLink,
} from '../../http/index.js';
import {
  createIssue,
  type CanonicalIssue,
  type CanonicalLink,
  type IssueField,
  type IssuePatch,
} from '../../model/canonical-issue.js';
import type {CanonicalStatus} from '../../model/enums.js';
import type {ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import type {
  ConnectorCapabilities,
  ConnectorConfig,
  ListIssuesRequest,
  LookupOptions,
  Page,
  TrackerConnector,
} from '../../protocols/connector.js';
import {joinMarker, markerSearchPhrase, splitMarker} from '../shared/body-marker.js';
import {composeLabels} from '../shared/label-status.js';
import {
  assertGitLabIssue,
  gitlabLabels,
  gitlabToCanonical,
  type GitLabIssueJson,
} from './gitlab-issue-mapper.js';
import {GitLabIssueLinks} from './gitlab-links.js';
import {readGitLabSettings, type GitLabSettings} from './gitlab-settings.js';

const WRITABLE: readonly IssueField[] = [
  'title',
  'body',
  'status',
  'priority',
  'assignees',
  'labels',
  'links',
];

/** Pages of 100 notes a comment lookup reads at most. */
const NOTE_LOOKUP_PAGES = 20;

export const GITLAB_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  incremental: true,
  create: true,
  comments: true,
  // Issue links: `blocks` on Premium and up, `relates_to` on every tier (`gitlab-links.ts`).
  links: true,
  link_removal: true,
  // The REST issue API has no parent (child tasks and epics are work items).
  hierarchy: false,
  multi_assignee: true,
  // weight and milestone are read into custom_fields but not written.
  custom_fields: false,
  delete: false,
  webhooks: false,
  writable_fields: WRITABLE,
  idempotency_marker: 'body_footer' as const,
  comment_marker: 'body_footer' as const,
});

/** With `issue_links: off`: no link written or read. */
const GITLAB_CAPABILITIES_WITHOUT_LINKS: ConnectorCapabilities = Object.freeze({
  ...GITLAB_CAPABILITIES,
  links: false,
  link_removal: false,
  writable_fields: WRITABLE.filter((f) => f !== 'links'),
});

/**
 * GitLab project issues over REST v4 (gitlab.com or self-managed). Listing is
 * `GET /projects/:id/issues?updated_after=&order_by=updated_at&sort=asc&per_page=&page=`, paged by
 * time (`keyset-pager.ts`: each page restarts `updated_after` at the last item's `updated_at`;
 * `page` only within a timestamp a whole page shares). Whether another page follows is read from
 * `Link: rel="next"`, else from `X-Next-Page` (proxies and some versions send no `Link`).
 * Assignees are written as `assignee_ids`, looked up once per username with `GET /users`.
 */
export class GitLabConnector implements TrackerConnector {
  readonly provider = 'gitlab';
  readonly workspace: string;
  private readonly settings: GitLabSettings;
  private readonly http: HttpClient;
  private readonly projectPath: string;
  private readonly userIds = new Map<string, number>();
  private readonly links: GitLabIssueLinks;

  constructor(config: ConnectorConfig) {
    this.settings = readGitLabSettings(config);
    this.workspace = this.settings.workspace;
    this.projectPath = `/projects/${this.settings.projectSegment}`;
    this.http = new HttpClient({
      provider: 'gitlab',
      displayName: 'GitLab',
      baseUrl: this.settings.apiUrl,
      headers: {Accept: 'application/json'},
      authHeaders:
        this.settings.authHeader === 'bearer'
          ? {Authorization: `Bearer ${this.settings.token}`}
          : {'PRIVATE-TOKEN': this.settings.token},
      secrets: [this.settings.token],
      runtime: config.runtime,
      timeoutMs: config.runtime.requestTimeoutMs,
      rateLimit: gitlabRateLimit,
      movedAdvice: `If ${this.settings.workspace} was moved or renamed, bind to its new path (\`spec-kitty tracker bind --provider gitlab --workspace GROUP/PROJECT\`).`,
      advice: {
        authentication:
          'Check the token in GITLAB_TOKEN or the credentials file (it may be expired, revoked, or lack the api scope).',
        permission: `Check that the token has the api scope and at least Reporter access (Developer to write) to ${this.settings.workspace}.`,
        not_found: `Check that the project ${this.settings.workspace} exists on this instance and the token can see it (GitLab answers 404 for projects you cannot access).`,
        validation: 'GitLab refused the data sent and changed nothing; correct the value named above.',
      },
    });
    this.links = new GitLabIssueLinks(
      this.http,
      (ref) => this.issuePath(ref),
      this.workspace,
      config.runtime.onEvent,
    );
  }

  capabilities(): ConnectorCapabilities {
    return this.settings.issueLinks ? GITLAB_CAPABILITIES : GITLAB_CAPABILITIES_WITHOUT_LINKS;
  }

  async listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    const state = keysetStateOf(request, {
      provider: 'gitlab',
      displayName: 'GitLab',
      sinceParam: 'updated_after',
    });
    const {since, page, perPage} = keysetRequest(state);
    // No `state`: without it GitLab lists issues in every state ("Return all issues or just those
    // that are opened or closed"), and no value needs to be sent.
    const response = await this.http.get<JsonValue[]>(`${this.projectPath}/issues`, {
      updated_after: since ?? undefined,
      order_by: 'updated_at',
      sort: 'asc',
      per_page: perPage,
      page,
    });
    if (!Array.isArray(response.data)) {
      throw new ConnectorRequestError(
        `GitLab at ${this.http.server} answered the issue list with something that is not a JSON array. Check the server URL.`,
        {
          provider: 'gitlab',
          failureClass: 'non_retryable',
        },
      );
    }
    const listed = response.data.map((item) => assertGitLabIssue(item, 'the issue list'));
    const step = keysetStep(
      state,
      listed.map((item) => ({id: String(item.iid), updatedAt: String(item.updated_at)})),
      hasNextPage(response.headers),
      'GitLab',
    );
    const items: CanonicalIssue[] = [];
    for (const [i, item] of listed.entries()) if (step.keep[i]) items.push(await this.toCanonical(item));
    return {items, next_cursor: step.next === null ? null : encodeKeysetCursor(step.next)};
  }

  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    const raw = await this.fetchRaw(ref);
    return raw === null ? null : this.toCanonical(raw);
  }

  async createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    const body: JsonObject = {
      title: issue.title,
      description: joinMarker(issue.body, options.idempotencyKey),
      labels: composeLabels(issue.labels, issue.status, issue.priority, this.settings).join(','),
    };
    if (issue.assignees.length > 0) body.assignee_ids = await this.assigneeIds(issue.assignees);
    const response = await this.http.request<JsonValue>({
      method: 'POST',
      path: `${this.projectPath}/issues`,
      body,
    });
    const raw = assertGitLabIssue(response.data, 'the created issue');
    const created = gitlabToCanonical(raw, this.settings);
    // Links need the new issue's iid: they follow the create, one link request each.
    for (const link of issue.links) await this.upsertLink(created.ref, link);
    if (issue.status === 'done' || issue.status === 'canceled')
      return this.put(created.ref, {state_event: 'close'});
    return issue.links.length > 0 ? this.toCanonical(raw) : created;
  }

  async findByIdempotencyKey(key: string): Promise<CanonicalIssue | null> {
    const response = await this.http.get<JsonValue[]>(`${this.projectPath}/issues`, {
      search: markerSearchPhrase(key),
      in: 'description',
      state: 'all',
      per_page: 20,
    });
    const items = Array.isArray(response.data) ? response.data : [];
    const match = items.find(
      (item) => isJsonObject(item) && splitMarker(item.description as string | null).key === key,
    );
    return match ? this.toCanonical(assertGitLabIssue(match, 'search results')) : null;
  }

  async updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    _options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    const unsupported = Object.keys(patch).filter((f) => !WRITABLE.includes(f as IssueField));
    if (unsupported.length > 0)
      throw new CapabilityNotSupportedError('gitlab', `writing ${unsupported.join(', ')}`, {
        hint: `GitLab writes ${WRITABLE.join(', ')}.`,
      });
    const current = await this.requireRaw(ref);
    const canonical = gitlabToCanonical(current, this.settings);
    const body: JsonObject = {};
    if (patch.title !== undefined && patch.title !== canonical.title) body.title = patch.title;
    if (patch.body !== undefined && patch.body !== canonical.body)
      body.description = joinMarker(patch.body, splitMarker(current.description as string | null).key);
    if (patch.assignees !== undefined && patch.assignees.join('\n') !== canonical.assignees.join('\n'))
      body.assignee_ids = await this.assigneeIds(patch.assignees);
    const status = patch.status ?? canonical.status;
    const labels = composeLabels(
      patch.labels ?? canonical.labels,
      status,
      patch.priority !== undefined ? patch.priority : canonical.priority,
      this.settings,
    );
    if (labels.join('\n') !== [...gitlabLabels(current)].sort().join('\n')) body.labels = labels.join(',');
    Object.assign(body, this.stateEvent(current, status));
    if (patch.links !== undefined) await this.replaceLinks(ref, patch.links);
    if (Object.keys(body).length === 0)
      return patch.links === undefined ? canonical : this.toCanonical(current);
    return this.put(ref, body);
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    return this.updateIssue(ref, {status}, {idempotencyKey: ''});
  }

  /** An issue link (`blocks`, or `relates_to` where the tier has no `blocks`); present already: nothing. */
  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    this.requireLinks(link, 'issue links');
    await this.links.upsert(ref, link);
  }

  /** Deletes the issue link found among the issue's links; absent: nothing. */
  async removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    this.requireLinks(link, 'removing issue links');
    await this.links.remove(ref, link);
  }

  async addComment(ref: ExternalRef, body: string, options: {idempotencyKey?: string} = {}): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: `${this.issuePath(ref)}/notes`,
      body: {body: joinMarker(body, options.idempotencyKey ?? null)},
    });
  }

  /** Reads the issue's notes newest first until one older than `since`, looking for the footer. */
  async findComment(ref: ExternalRef, key: string, options: LookupOptions = {}): Promise<boolean> {
    const sinceMs = options.since ? Date.parse(options.since) : null;
    for (let page = 1; page <= NOTE_LOOKUP_PAGES; page++) {
      const response = await this.http.get<JsonValue[]>(`${this.issuePath(ref)}/notes`, {
        sort: 'desc',
        order_by: 'created_at',
        per_page: 100,
        page,
      });
      const notes = Array.isArray(response.data) ? response.data : [];
      if (notes.some((n) => isJsonObject(n) && splitMarker(n.body as string | null).key === key)) return true;
      const last = notes[notes.length - 1];
      const older = isJsonObject(last) && sinceMs !== null && Date.parse(String(last.created_at)) < sinceMs;
      if (older || !response.headers.get('x-next-page')) return false;
    }
    return false;
  }

  // ---- internals -------------------------------------------------------------------------

  /** The canonical issue, with its links when they are on (one more request: the list has none). */
  private async toCanonical(raw: GitLabIssueJson): Promise<CanonicalIssue> {
    const issue = gitlabToCanonical(raw, this.settings);
    if (!this.settings.issueLinks) return issue;
    this.links.learnProject(raw);
    const links = await this.links.read(issue.ref);
    return links.length === 0 ? issue : createIssue({...issue, links});
  }

  /** Makes the issue's links equal to `wanted`: removes the others, then adds the missing. */
  private async replaceLinks(ref: ExternalRef, wanted: readonly CanonicalLink[]): Promise<void> {
    const key = (l: CanonicalLink): string => `${l.type}|${l.target.workspace}|${l.target.id}`;
    const current = await this.links.read(ref);
    const have = new Set(current.map(key));
    const want = new Set(wanted.map(key));
    for (const link of current) if (!want.has(key(link))) await this.removeLink(ref, link);
    for (const link of wanted) if (!have.has(key(link))) await this.upsertLink(ref, link);
  }

  private requireLinks(link: CanonicalLink, what: string): void {
    if (this.settings.issueLinks) return;
    throw new CapabilityNotSupportedError('gitlab', `${what} (${link.type}) with issue_links off`, {
      hint: 'Set the binding option issue_links to on to write dependencies as GitLab issue links.',
    });
  }

  private stateEvent(current: JsonObject, status: CanonicalStatus): JsonObject {
    const wantClosed = status === 'done' || status === 'canceled';
    const isClosed = current.state === 'closed';
    if (wantClosed === isClosed) return {};
    return {state_event: wantClosed ? 'close' : 'reopen'};
  }

  private async assigneeIds(usernames: readonly string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const username of usernames) {
      let id = this.userIds.get(username);
      if (id === undefined) {
        const response = await this.http.get<JsonValue[]>('/users', {username});
        const user = (Array.isArray(response.data) ? response.data : []).find(
          (u) => isJsonObject(u) && u.username === username,
        );
        if (!isJsonObject(user) || typeof user.id !== 'number') {
          throw new ConnectorRequestError(
            `GitLab at ${this.http.server} has no user '${username}' to assign. Check the username (without @).`,
            {
              provider: 'gitlab',
              failureClass: 'validation',
            },
          );
        }
        id = user.id;
        this.userIds.set(username, id);
      }
      ids.push(id);
    }
    return ids;
  }

  private async put(ref: ExternalRef, body: JsonObject): Promise<CanonicalIssue> {
    const response = await this.http.request<JsonValue>({method: 'PUT', path: this.issuePath(ref), body});
    return this.toCanonical(assertGitLabIssue(response.data, `issue #${ref.id}`));
  }

  private issuePath(ref: ExternalRef): string {
    if (!/^\d+$/.test(ref.id)) {
      throw new ConnectorRequestError(`GitLab issue id '${ref.id}' is not an issue iid.`, {
        provider: 'gitlab',
        failureClass: 'validation',
      });
    }
    return `${this.projectPath}/issues/${ref.id}`;
  }

  private async fetchRaw(ref: ExternalRef): Promise<GitLabIssueJson | null> {
    const response = await this.http.request<JsonValue>({
      method: 'GET',
      path: this.issuePath(ref),
      acceptStatuses: [404],
    });
    if (response.status === 404) {
      // A missing project is not a missing issue: say so instead of answering null.
      const message = isJsonObject(response.data) ? String(response.data.message ?? '') : '';
      if (/project not found/i.test(message)) {
        throw new ConnectorRequestError(
          `GitLab at ${this.http.server} has no project ${this.workspace} visible to this token. Check the workspace and the token.`,
          {
            provider: 'gitlab',
            failureClass: 'not_found',
            statusCode: 404,
          },
        );
      }
      return null;
    }
    return assertGitLabIssue(response.data, `issue #${ref.id}`);
  }

  private async requireRaw(ref: ExternalRef): Promise<GitLabIssueJson> {
    const raw = await this.fetchRaw(ref);
    if (raw === null) {
      throw new ConnectorRequestError(
        `GitLab at ${this.http.server} has no issue #${ref.id} in ${this.workspace}. Check that it was not deleted or moved.`,
        {
          provider: 'gitlab',
          failureClass: 'not_found',
          statusCode: 404,
        },
      );
    }
    return raw;
  }
}

/** GitLab announces a next page with `Link: rel="next"`, or (without `Link`) a non-empty `X-Next-Page`. */
function hasNextPage(headers: Headers): boolean {
  if (nextLink(headers.get('link')) !== null) return true;
  return /^\s*\d+\s*$/.test(headers.get('x-next-page') ?? '');
}
