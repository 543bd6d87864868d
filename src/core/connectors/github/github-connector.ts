import {CapabilityNotSupportedError, ConnectorRequestError} from '../../errors.js';
import {
  HttpClient,
  type HttpResponse,
  encodeKeysetCursor,
  githubRateLimit,
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
import {refIdentity} from '../../model/external-ref.js';
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
  assertIssueJson,
  isPullRequest,
  labelNames,
  statusOf,
  toCanonical,
  type GitHubIssueJson,
} from './github-issue-mapper.js';
import {FreshIssues} from './github-fresh-issues.js';
import {GitHubRelations} from './github-relations.js';
import {readGitHubSettings, type GitHubSettings} from './github-settings.js';

/** Fields `createIssue`/`updateIssue`/`transitionIssue` write. Priority rides on a label. */
const WRITABLE: readonly IssueField[] = [
  'title',
  'body',
  'status',
  'priority',
  'assignees',
  'labels',
  'parent',
  'links',
];

export const GITHUB_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  incremental: true,
  create: true,
  comments: true,
  // "Blocked by" dependencies (`blocks`/`blocked_by` links) and sub-issues (the parent).
  links: true,
  link_removal: true,
  hierarchy: true,
  multi_assignee: true,
  custom_fields: false,
  delete: false,
  webhooks: false,
  writable_fields: WRITABLE,
  idempotency_marker: 'body_footer' as const,
  comment_marker: 'body_footer' as const,
});

/** How many recently created issues `findByIdempotencyKey` scans when search finds nothing. */
const RECENT_SCAN = 100;
/** Pages of 100 a lookup reads at most (a lookup after a crash concerns minutes, not months). */
const LOOKUP_PAGES = 20;

/**
 * GitHub Issues over the REST API (api.github.com or GitHub Enterprise Server `/api/v3`).
 * Listing is `GET /repos/{o}/{r}/issues?state=all&sort=updated&direction=asc&since=`, paged by
 * time (`keyset-pager.ts`: each page restarts `since` at the last item's `updated_at`; `page` only
 * within a timestamp a whole page shares), with pull requests dropped. The cursor is opaque.
 */
export class GitHubConnector implements TrackerConnector {
  readonly provider = 'github';
  readonly workspace: string;
  private readonly settings: GitHubSettings;
  private readonly http: HttpClient;
  private readonly repoPath: string;
  private readonly relations: GitHubRelations;
  /** Issues created by this run: answered from what the run wrote, not read again. */
  private readonly fresh = new FreshIssues();

  constructor(config: ConnectorConfig) {
    this.settings = readGitHubSettings(config);
    this.workspace = this.settings.workspace;
    this.repoPath = `/repos/${encodeURIComponent(this.settings.owner)}/${encodeURIComponent(this.settings.repo)}`;
    this.http = new HttpClient({
      provider: 'github',
      displayName: 'GitHub',
      baseUrl: this.settings.serverUrl,
      headers: {Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28'},
      authHeaders: {Authorization: `Bearer ${this.settings.token}`},
      secrets: [this.settings.token],
      runtime: config.runtime,
      timeoutMs: config.runtime.requestTimeoutMs,
      rateLimit: githubRateLimit,
      movedAdvice: `If ${this.settings.workspace} was renamed or transferred, bind to its new owner/name (\`spec-kitty tracker bind --provider github --workspace NEW-OWNER/NEW-NAME\`).`,
      advice: {
        authentication:
          'Check the token in GITHUB_TOKEN or the credentials file (it may be expired or revoked).',
        permission: `Check that the token has Issues read/write access to ${this.settings.workspace}.`,
        not_found: `Check that the repository ${this.settings.workspace} exists and the token can see it${this.settings.serverUrl === 'https://api.github.com' ? '' : ', and that the server URL ends in /api/v3'}.`,
        rate_limit: 'A token with a higher limit (or fewer parallel runs) helps.',
      },
    });
    this.relations = new GitHubRelations({
      http: this.http,
      repoPath: this.repoPath,
      workspace: this.workspace,
      fetchRaw: (ref) => this.fetchRaw(ref),
      fresh: this.fresh,
    });
  }

  capabilities(): ConnectorCapabilities {
    return GITHUB_CAPABILITIES;
  }

  async listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    const state = keysetStateOf(request, {provider: 'github', displayName: 'GitHub', sinceParam: 'since'});
    const {since, page, perPage} = keysetRequest(state);
    const response = await this.http.get<JsonValue[]>(`${this.repoPath}/issues`, {
      state: 'all',
      sort: 'updated',
      direction: 'asc',
      per_page: perPage,
      since: since ?? undefined,
      page: page > 1 ? page : undefined,
    });
    if (!Array.isArray(response.data)) throw this.contractError('the issue list is not a JSON array');
    // Pull requests take places in the order (and in `per_page`) too: the keyset sees them all.
    const listed = response.data.map((item) => assertIssueJson(item, 'the issue list'));
    // What GitHub lists is newer than what this run remembers of the issues it created.
    for (const item of listed) this.fresh.forget(item.number);
    const step = keysetStep(
      state,
      listed.map((item) => ({id: String(item.number), updatedAt: String(item.updated_at)})),
      nextLink(response.headers.get('link')) !== null,
      'GitHub',
    );
    const items = await this.canonical(listed.filter((item, i) => step.keep[i] && !isPullRequest(item)));
    return {items, next_cursor: step.next === null ? null : encodeKeysetCursor(step.next)};
  }

  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    const raw = await this.knownRaw(ref);
    return raw === null ? null : (await this.canonical([raw]))[0];
  }

  async createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    const body: JsonObject = {
      title: issue.title,
      body: joinMarker(issue.body, options.idempotencyKey),
      labels: composeLabels(issue.labels, issue.status, issue.priority, this.settings),
    };
    if (issue.assignees.length > 0) body.assignees = [...issue.assignees];
    // Not idempotent: a retried POST could create a twin. The engine retries through findByIdempotencyKey.
    const response = await this.http.request<JsonValue>({
      method: 'POST',
      path: `${this.repoPath}/issues`,
      body,
    });
    const created = assertIssueJson(response.data, 'the created issue');
    this.relations.remember(created);
    this.fresh.created(created);
    const ref = toCanonical(created, this.settings).ref;
    // The parent and the links are relations of their own, written once the issue exists.
    if (issue.parent !== null) await this.relations.setParent(created, issue.parent);
    for (const link of issue.links) await this.relations.upsertLink(ref, link);
    if (issue.status === 'done' || issue.status === 'canceled')
      return this.transitionIssue(ref, issue.status);
    if (issue.parent === null && issue.links.length === 0) return toCanonical(created, this.settings);
    return (await this.getIssue(ref)) ?? toCanonical(created, this.settings);
  }

  /**
   * With `since` (the engine knows when the create was attempted), the issues created since
   * then are listed newest first through the core API: complete, not subject to the search
   * index's lag, and not charged to the search limit (30 a minute). Without it, search by the
   * marker, then the most recently created issues.
   */
  async findByIdempotencyKey(key: string, options: LookupOptions = {}): Promise<CanonicalIssue | null> {
    const since = options.since ?? null;
    if (since !== null) return this.findCreatedSince(key, since);
    const phrase = markerSearchPhrase(key);
    const search = await this.http.get<JsonValue>('/search/issues', {
      q: `repo:${this.settings.workspace} is:issue in:body "${phrase}"`,
      per_page: 10,
    });
    const candidates: JsonValue[] =
      isJsonObject(search.data) && Array.isArray(search.data.items) ? search.data.items : [];
    // Search is indexed with a delay: also scan the most recently created issues.
    const found = candidates.find(
      (item) => isJsonObject(item) && splitMarker(item.body as string | null).key === key,
    );
    if (found) return (await this.canonical([assertIssueJson(found, 'search results')]))[0];
    const recent = await this.http.get<JsonValue[]>(`${this.repoPath}/issues`, {
      state: 'all',
      sort: 'created',
      direction: 'desc',
      per_page: RECENT_SCAN,
    });
    const match = (Array.isArray(recent.data) ? recent.data : []).find(
      (item) =>
        !isPullRequest(item) && isJsonObject(item) && splitMarker(item.body as string | null).key === key,
    );
    return match ? (await this.canonical([assertIssueJson(match, 'the issue list')]))[0] : null;
  }

  /** The issue marked `key` among those created at or after `since` (newest first, paged). */
  private async findCreatedSince(key: string, since: string): Promise<CanonicalIssue | null> {
    const sinceMs = Date.parse(since);
    // `since` filters on updated_at, which is never before created_at: nothing created since is missed.
    let path: string | null = `${this.repoPath}/issues`;
    let query: Record<string, string | number> | undefined = {
      state: 'all',
      sort: 'created',
      direction: 'desc',
      since,
      per_page: 100,
    };
    for (let page = 0; path !== null && page < LOOKUP_PAGES; page++) {
      const response: HttpResponse<JsonValue[]> = await this.http.get<JsonValue[]>(path, query);
      const items = Array.isArray(response.data) ? response.data : [];
      for (const item of items) {
        if (!isJsonObject(item) || isPullRequest(item)) continue;
        if (splitMarker(item.body as string | null).key === key)
          return (await this.canonical([assertIssueJson(item, 'the issue list')]))[0];
      }
      const last = items[items.length - 1];
      if (isJsonObject(last) && Date.parse(String(last.created_at)) < sinceMs) return null;
      path = nextLink(response.headers.get('link'));
      query = undefined;
    }
    return null;
  }

  async updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    _options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    const unsupported = Object.keys(patch).filter((f) => !WRITABLE.includes(f as IssueField));
    if (unsupported.length > 0)
      throw new CapabilityNotSupportedError('github', `writing ${unsupported.join(', ')}`, {
        hint: `GitHub writes ${WRITABLE.join(', ')}.`,
      });
    const current = await this.requireRaw(ref);
    const canonical = toCanonical(current, this.settings);
    const body = this.fieldChanges(current, canonical, patch);
    const relations = patch.parent !== undefined || patch.links !== undefined;
    if (Object.keys(body).length === 0 && !relations) return (await this.canonical([current]))[0];
    const patched = Object.keys(body).length === 0 ? current : await this.patchRaw(ref, body);
    if (!relations) return (await this.canonical([patched]))[0];
    if (patch.parent !== undefined) await this.relations.setParent(patched, patch.parent);
    if (patch.links !== undefined) {
      await this.replaceLinks(patched, patch.links);
      return this.getRequired(ref);
    }
    // Only the parent changed: the issue is as patched, under its new parent (no read back).
    const [issue] = await this.canonical([patched]);
    return createIssue({...issue, parent: patch.parent ?? null});
  }

  /** The PATCH body for the plain fields of `patch` that differ from the issue (empty: none). */
  private fieldChanges(current: GitHubIssueJson, canonical: CanonicalIssue, patch: IssuePatch): JsonObject {
    const body: JsonObject = {};
    if (patch.title !== undefined && patch.title !== canonical.title) body.title = patch.title;
    if (patch.body !== undefined && patch.body !== canonical.body)
      body.body = joinMarker(patch.body, splitMarker(current.body).key);
    if (patch.assignees !== undefined) body.assignees = [...patch.assignees];
    const status = patch.status ?? canonical.status;
    const wantLabels = composeLabels(
      patch.labels ?? canonical.labels,
      status,
      patch.priority !== undefined ? patch.priority : canonical.priority,
      this.settings,
    );
    if (wantLabels.join('\n') !== [...labelNames(current)].sort().join('\n')) body.labels = wantLabels;
    Object.assign(body, this.stateFields(current, status));
    return body;
  }

  /** Makes the issue's dependency links equal to `wanted`: adds the missing, removes the others. */
  private async replaceLinks(current: GitHubIssueJson, wanted: readonly CanonicalLink[]): Promise<void> {
    const ref = toCanonical(current, this.settings).ref;
    const have = (await this.relations.linksOf([current])).get(current.number) ?? [];
    const diff = diffLinkSets(have, wanted);
    for (const link of diff.removed) await this.relations.removeLink(ref, link);
    for (const link of diff.added) await this.relations.upsertLink(ref, link);
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    const current = await this.requireRaw(ref);
    const canonical = toCanonical(current, this.settings);
    const body: JsonObject = this.stateFields(current, status);
    const wantLabels = composeLabels(canonical.labels, status, canonical.priority, this.settings);
    if (wantLabels.join('\n') !== [...labelNames(current)].sort().join('\n')) body.labels = wantLabels;
    if (Object.keys(body).length === 0) return (await this.canonical([current]))[0];
    return (await this.canonical([await this.patchRaw(ref, body)]))[0];
  }

  /**
   * `blocks`/`blocked_by` as GitHub's "blocked by" dependency; `child_of`/`parent_of` as a
   * sub-issue. A relation that exists already is done (no second write).
   */
  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of') return this.relations.setParent(await this.requireRaw(ref), link.target);
    if (link.type === 'parent_of') return this.relations.setParent(await this.requireRaw(link.target), ref);
    return this.relations.upsertLink(ref, link);
  }

  async removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of' || link.type === 'parent_of') {
      const child = await this.requireRaw(link.type === 'child_of' ? ref : link.target);
      const parent = link.type === 'child_of' ? link.target : ref;
      // Only the parent named is removed; a child that has another one keeps it.
      if (this.relations.parentNumber(child) === Number(parent.id))
        await this.relations.setParent(child, null);
      return;
    }
    return this.relations.removeLink(ref, link);
  }

  async addComment(ref: ExternalRef, body: string, options: {idempotencyKey?: string} = {}): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: `${this.issuePath(ref)}/comments`,
      body: {body: joinMarker(body, options.idempotencyKey ?? null)},
    });
  }

  /** Reads the issue's comments updated since `since` (oldest first, paged) for the footer. */
  async findComment(ref: ExternalRef, key: string, options: LookupOptions = {}): Promise<boolean> {
    let path: string | null = `${this.issuePath(ref)}/comments`;
    let query: Record<string, string | number> | undefined = {per_page: 100};
    if (options.since) query.since = options.since;
    for (let page = 0; path !== null && page < LOOKUP_PAGES; page++) {
      const response: HttpResponse<JsonValue[]> = await this.http.get<JsonValue[]>(path, query);
      const items = Array.isArray(response.data) ? response.data : [];
      if (items.some((c) => isJsonObject(c) && splitMarker(c.body as string | null).key === key)) return true;
      path = nextLink(response.headers.get('link'));
      query = undefined;
    }
    return false;
  }

  // ---- internals -------------------------------------------------------------------------

  /** `state`/`state_reason` for `status`, or nothing when GitHub already agrees. */
  private stateFields(current: JsonObject, status: CanonicalStatus): JsonObject {
    if (status === 'done' || status === 'canceled') {
      // Already closed with a reason that maps to `status` (e.g. `duplicate` for canceled): keep it.
      if (current.state === 'closed' && statusOf(current, this.settings) === status) return {};
      return {state: 'closed', state_reason: status === 'done' ? 'completed' : 'not_planned'};
    }
    return current.state === 'open' ? {} : {state: 'open'};
  }

  private async patchRaw(ref: ExternalRef, body: JsonObject): Promise<GitHubIssueJson> {
    // PATCH with absolute values is safe to repeat.
    const response = await this.http.request<JsonValue>({
      method: 'PATCH',
      path: this.issuePath(ref),
      body,
      idempotent: true,
    });
    const patched = assertIssueJson(response.data, `issue #${ref.id}`);
    this.fresh.patched(patched);
    return patched;
  }

  /**
   * Canonical issues of payloads, with their dependency links: read only for the issues whose
   * summary counts some, so a listing of issues without relations costs no extra request.
   */
  private async canonical(raws: readonly GitHubIssueJson[]): Promise<CanonicalIssue[]> {
    const links = await this.relations.linksOf(raws);
    return raws.map((raw) => {
      const issue = toCanonical(raw, this.settings);
      const found = links.get(raw.number);
      return found === undefined ? issue : createIssue({...issue, links: found});
    });
  }

  private async getRequired(ref: ExternalRef): Promise<CanonicalIssue> {
    return (await this.canonical([await this.requireRaw(ref)]))[0];
  }

  private issuePath(ref: ExternalRef): string {
    if (!/^\d+$/.test(ref.id)) {
      throw new ConnectorRequestError(`GitHub issue id '${ref.id}' is not an issue number.`, {
        provider: 'github',
        failureClass: 'validation',
      });
    }
    return `${this.repoPath}/issues/${ref.id}`;
  }

  private async fetchRaw(ref: ExternalRef): Promise<GitHubIssueJson | null> {
    const response = await this.http.request<JsonValue>({
      method: 'GET',
      path: this.issuePath(ref),
      acceptStatuses: [404, 410],
    });
    if (response.status === 404 || response.status === 410) return null;
    if (isPullRequest(response.data ?? null)) return null;
    const raw = assertIssueJson(response.data, `issue #${ref.id}`);
    this.fresh.forget(raw.number);
    return raw;
  }

  /** The payload of an issue this run created (kept up to date), else GitHub's, read now. */
  private async knownRaw(ref: ExternalRef): Promise<GitHubIssueJson | null> {
    const fresh = ref.workspace === this.workspace ? this.fresh.raw(Number(ref.id)) : undefined;
    return fresh ?? (await this.fetchRaw(ref));
  }

  private async requireRaw(ref: ExternalRef): Promise<GitHubIssueJson> {
    const raw = await this.knownRaw(ref);
    if (raw === null) {
      throw new ConnectorRequestError(
        `GitHub at ${this.http.server} has no issue #${ref.id} in ${this.workspace}. Check that it was not deleted or transferred.`,
        {
          provider: 'github',
          failureClass: 'not_found',
          statusCode: 404,
        },
      );
    }
    return raw;
  }

  private contractError(what: string): Error {
    return new ConnectorRequestError(
      `GitHub at ${this.http.server} answered unexpectedly: ${what}. Check that the server URL points at the GitHub REST API.`,
      {
        provider: 'github',
        failureClass: 'non_retryable',
      },
    );
  }
}

/** Links of `wanted` that `have` lacks, and those `have` holds that `wanted` does not. */
function diffLinkSets(
  have: readonly CanonicalLink[],
  wanted: readonly CanonicalLink[],
): {added: CanonicalLink[]; removed: CanonicalLink[]} {
  const key = (l: CanonicalLink) => `${l.type}|${refIdentity(l.target)}`;
  const haveKeys = new Set(have.map(key));
  const wantKeys = new Set(wanted.map(key));
  return {
    added: wanted.filter((l) => !haveKeys.has(key(l))),
    removed: have.filter((l) => !wantKeys.has(key(l))),
  };
}
