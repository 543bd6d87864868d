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
import type {CanonicalIssue, CanonicalLink, IssueField, IssuePatch} from '../../model/canonical-issue.js';
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
import {readGitLabSettings, type GitLabSettings} from './gitlab-settings.js';

const WRITABLE: readonly IssueField[] = ['title', 'body', 'status', 'priority', 'assignees', 'labels'];

/** Pages of 100 notes a comment lookup reads at most. */
const NOTE_LOOKUP_PAGES = 20;

export const GITLAB_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  incremental: true,
  create: true,
  comments: true,
  // Issue links exist (`/issues/:iid/links`) but are not implemented here yet: not claimed.
  links: false,
  link_removal: false,
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
  }

  capabilities(): ConnectorCapabilities {
    return GITLAB_CAPABILITIES;
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
    const items = listed.filter((_, i) => step.keep[i]).map((item) => gitlabToCanonical(item, this.settings));
    return {items, next_cursor: step.next === null ? null : encodeKeysetCursor(step.next)};
  }

  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    const raw = await this.fetchRaw(ref);
    return raw === null ? null : gitlabToCanonical(raw, this.settings);
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
    const created = gitlabToCanonical(assertGitLabIssue(response.data, 'the created issue'), this.settings);
    if (issue.status === 'done' || issue.status === 'canceled')
      return this.put(created.ref, {state_event: 'close'});
    return created;
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
    return match ? gitlabToCanonical(assertGitLabIssue(match, 'search results'), this.settings) : null;
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
    if (Object.keys(body).length === 0) return canonical;
    return this.put(ref, body);
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    return this.updateIssue(ref, {status}, {idempotencyKey: ''});
  }

  async upsertLink(_ref: ExternalRef, link: CanonicalLink): Promise<void> {
    throw new CapabilityNotSupportedError('gitlab', `issue links (${link.type})`, {
      hint: 'Link the issues in GitLab directly.',
    });
  }

  /** The key rides in the hidden footer created issues carry (GitLab does not render it). */
  async removeLink(_ref: ExternalRef, link: CanonicalLink): Promise<void> {
    throw new CapabilityNotSupportedError('gitlab', `removing issue links (${link.type})`, {
      hint: 'Remove the relation in the tracker directly.',
    });
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
    return gitlabToCanonical(assertGitLabIssue(response.data, `issue #${ref.id}`), this.settings);
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
