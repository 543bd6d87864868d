import {CapabilityNotSupportedError, ConnectorRequestError} from '../../errors.js';
import {HttpClient} from '../../http/index.js';
import {
  CORE_ISSUE_FIELDS,
  type CanonicalIssue,
  type CanonicalLink,
  type IssuePatch,
} from '../../model/canonical-issue.js';
import type {CanonicalStatus} from '../../model/enums.js';
import {refIdentity, type ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import type {
  ConnectorCapabilities,
  ConnectorConfig,
  ListIssuesRequest,
  LookupOptions,
  Page,
  TrackerConnector,
} from '../../protocols/connector.js';
import {textToAdf} from './adf.js';
import {
  canonicalLinkToJira,
  idempotencyLabel,
  isMarkerLabel,
  jiraIssueToCanonical,
  jiraReadFields,
  patchToJiraFields,
  readStatus,
} from './jira-issue-mapper.js';
import {
  STATUS_FALLBACKS,
  canonicalTypeToJira,
  jiraStatusToCanonical,
  type JiraStatus,
} from './jira-mapping.js';
import {jiraRateLimit, jiraServerMessage} from './jira-rate-limit.js';
import {parseJiraSettings, type JiraSettings} from './jira-settings.js';
import {
  buildKeysJql,
  buildLabelJql,
  buildListJql,
  buildStatusProbeJql,
  isValidTimeZone,
  jqlLowerBound,
} from './jql.js';
import {findTransitionPath, type JiraTransition, type TransitionPlan} from './transition-path.js';
import {textToWiki} from './wiki-text.js';

/** The comment property that carries a comment's idempotency key (`{"key": "<key>"}`). */
const COMMENT_PROPERTY = 'spec-kitty';
/** Pages of 100 comments a lookup reads at most. */
const COMMENT_LOOKUP_PAGES = 20;

export const JIRA_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  incremental: true,
  create: true,
  comments: true,
  links: true,
  // Issue links are deleted by id (read from `issuelinks`); a parent is cleared with `parent: null`.
  link_removal: true,
  hierarchy: true,
  // One assignee per issue on both editions.
  multi_assignee: false,
  // Custom fields differ per site; the connector neither reads nor writes them.
  custom_fields: false,
  delete: false,
  webhooks: false,
  writable_fields: CORE_ISSUE_FIELDS.filter((f) => f !== 'custom_fields'),
  idempotency_marker: 'label' as const,
  comment_marker: 'comment_property' as const,
});

/** Items of each Data Center page read again on the next one (offset pagination drifts). */
const DC_PAGE_OVERLAP = 5;

/** The listing position: the JQL lower bound the listing started with, and where it is. */
interface JiraCursor {
  readonly since: string | null;
  readonly token?: string;
  readonly start?: number;
}

interface SearchPage {
  readonly issues: JsonObject[];
  readonly next: JiraCursor | null;
}

/**
 * Jira Cloud (REST v3, Basic email:API token, `POST /search/jql` with `nextPageToken`) and
 * Jira Data Center (REST v2, Bearer personal access token, `POST /search` with `startAt`).
 * Status changes go through workflow transitions, found by `transition-path.ts`.
 */
export class JiraConnector implements TrackerConnector {
  readonly provider = 'jira';
  readonly workspace: string;
  readonly settings: JiraSettings;
  private readonly http: HttpClient;
  private timeZone: Promise<string> | null = null;
  /** (issue id|updated) already returned by the listing in progress, keyed by its lower bound. */
  private readonly seen = new Map<string, Set<string>>();
  /** Transitions out of a status per issue type, learned read-only; `null`: no issue to ask. */
  private readonly transitionCache = new Map<string, readonly JiraTransition[] | null>();
  private readonly epicIds = new Map<string, string>();

  constructor(config: ConnectorConfig) {
    this.settings = parseJiraSettings(config);
    this.workspace = this.settings.projectKey;
    const editionName = this.settings.edition === 'cloud' ? 'Jira Cloud' : 'Jira Data Center';
    this.http = new HttpClient({
      provider: 'jira',
      displayName: editionName,
      baseUrl: this.settings.siteUrl,
      headers: {Accept: 'application/json'},
      authHeaders: {Authorization: this.settings.authorization},
      secrets: this.settings.secrets,
      runtime: config.runtime,
      rateLimit: jiraRateLimit,
      serverMessage: jiraServerMessage,
      advice: {
        authentication:
          this.settings.edition === 'cloud'
            ? 'Check JIRA_EMAIL and JIRA_API_TOKEN (an API token from id.atlassian.com, with the email of the same account).'
            : 'Check JIRA_API_TOKEN (a Data Center personal access token) and that it has not expired.',
        permission: `Check that the account can browse and edit issues in project ${this.settings.projectKey}.`,
        not_found: `Check --server-url and that project ${this.settings.projectKey} and the issue exist and are visible to the account.`,
      },
    });
  }

  capabilities(): ConnectorCapabilities {
    return JIRA_CAPABILITIES;
  }

  // ---- reading -------------------------------------------------------------------------

  async listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    const limit = Math.min(Math.max(1, Math.floor(request.limit)), this.settings.maxPageSize);
    let cursor: JiraCursor;
    if (request.cursor === null) {
      const since =
        request.updated_since === null
          ? null
          : jqlLowerBound(request.updated_since, await this.userTimeZone(), this.settings.overlapMinutes);
      cursor = {since};
      this.seen.set(since ?? '', new Set());
    } else {
      cursor = decodeCursor(request.cursor);
    }
    const page = await this.search(buildListJql(this.settings.projectKey, cursor.since), limit, cursor);
    await this.resolveEpicKeys(page.issues);
    const seen = this.seen.get(cursor.since ?? '') ?? new Set<string>();
    this.seen.set(cursor.since ?? '', seen);
    // JQL has minute precision and the lower bound was moved back by the overlap: keep only
    // what the caller asked for, and each (id, updated) once even if a page boundary shifted.
    const sinceMs = request.updated_since === null ? null : Date.parse(request.updated_since);
    const items: CanonicalIssue[] = [];
    for (const raw of page.issues) {
      const issue = jiraIssueToCanonical(raw, this.settings, this.epicIds);
      const updatedMs = issue.updated_at === null ? null : Date.parse(issue.updated_at);
      if (sinceMs !== null && updatedMs !== null && updatedMs < sinceMs) continue;
      const identity = `${issue.ref.id}|${issue.updated_at ?? ''}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      items.push(issue);
    }
    if (page.next === null) this.seen.delete(cursor.since ?? '');
    return {items, next_cursor: page.next === null ? null : encodeCursor(page.next)};
  }

  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    const raw = await this.fetchIssue(ref.id);
    if (raw === null) return null;
    await this.resolveEpicKeys([raw]);
    return jiraIssueToCanonical(raw, this.settings, this.epicIds);
  }

  async findByIdempotencyKey(key: string): Promise<CanonicalIssue | null> {
    const page = await this.search(
      buildLabelJql(this.settings.projectKey, idempotencyLabel(key, this.settings)),
      1,
      {since: null},
    );
    const raw = page.issues[0];
    if (raw === undefined) return null;
    await this.resolveEpicKeys([raw]);
    return jiraIssueToCanonical(raw, this.settings, this.epicIds);
  }

  // ---- writing -------------------------------------------------------------------------

  async createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    const marker = idempotencyLabel(options.idempotencyKey, this.settings);
    const typeName = canonicalTypeToJira(
      issue.issue_type,
      this.settings.edition,
      this.settings.issueTypeNames,
    );
    const fields = patchToJiraFields(
      {
        title: issue.title,
        body: issue.body,
        issue_type: issue.issue_type,
        priority: issue.priority,
        assignees: issue.assignees,
        labels: issue.labels,
        parent: issue.parent,
      },
      {settings: this.settings, creating: true, keepLabels: [marker], issueType: typeName},
    );
    if (fields.description === null) delete fields.description;
    if (fields.assignee === null) delete fields.assignee;
    fields.project = {key: this.settings.projectKey};
    const response = await this.http.request<{id?: string | number; key?: string}>({
      method: 'POST',
      path: `${this.settings.apiRoot}/issue`,
      body: {fields},
    });
    const id = response.data?.id;
    if (id === undefined || id === null) {
      throw new ConnectorRequestError('Jira accepted the new issue but did not say its id.', {
        provider: 'jira',
        failureClass: 'non_retryable',
      });
    }
    const ref = this.ref(String(id), response.data.key ?? null);
    for (const link of issue.links) await this.upsertLink(ref, link);
    const created = await this.requireIssue(ref);
    if (created.status !== issue.status) return this.transitionIssue(ref, issue.status);
    return created;
  }

  async updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    _options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    const {status, links, custom_fields: customFields, ...fieldPatch} = patch;
    if (customFields !== undefined && Object.keys(customFields).length > 0) {
      throw new CapabilityNotSupportedError('jira', 'writing custom_fields', {
        hint: 'Jira custom fields are not synced; remove them from the patch.',
      });
    }
    let current: JsonObject | null = null;
    if (
      fieldPatch.labels !== undefined ||
      links !== undefined ||
      fieldPatch.issue_type !== undefined ||
      fieldPatch.parent !== undefined
    ) {
      current = await this.fetchIssue(ref.id);
      if (current === null) throw this.notFound(ref);
    }
    if (Object.keys(fieldPatch).length > 0) {
      const currentFields = current && isJsonObject(current.fields) ? current.fields : {};
      const keepLabels = Array.isArray(currentFields.labels)
        ? currentFields.labels.filter(
            (l): l is string => typeof l === 'string' && isMarkerLabel(l, this.settings),
          )
        : [];
      const typeName =
        fieldPatch.issue_type !== undefined
          ? canonicalTypeToJira(fieldPatch.issue_type, this.settings.edition, this.settings.issueTypeNames)
          : isJsonObject(currentFields.issuetype)
            ? String(currentFields.issuetype.name ?? '')
            : '';
      const fields = patchToJiraFields(fieldPatch, {
        settings: this.settings,
        creating: false,
        keepLabels,
        issueType: typeName,
      });
      await this.http.request({
        method: 'PUT',
        path: `${this.settings.apiRoot}/issue/${encodeURIComponent(ref.id)}`,
        body: {fields},
      });
    }
    if (links !== undefined && current !== null) await this.replaceLinks(ref, current, links);
    if (status !== undefined) return this.transitionIssue(ref, status);
    return this.requireIssue(ref);
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    const raw = await this.fetchIssue(ref.id);
    if (raw === null) throw this.notFound(ref);
    const fields = isJsonObject(raw.fields) ? raw.fields : {};
    const start = readStatus(fields.status);
    const issueTypeId = isJsonObject(fields.issuetype) ? String(fields.issuetype.id ?? '') : '';
    const issueTypeName = isJsonObject(fields.issuetype) ? String(fields.issuetype.name ?? '') : 'issue';
    const handle = typeof raw.key === 'string' ? raw.key : ref.id;
    if (start === null) {
      throw new ConnectorRequestError(`Jira issue ${handle} has no status in its payload.`, {
        provider: 'jira',
        failureClass: 'non_retryable',
      });
    }
    const transitionsFrom = async (from: JiraStatus): Promise<readonly JiraTransition[] | null> =>
      from.id === start.id ? this.issueTransitions(ref.id) : this.learnTransitions(issueTypeId, from);

    let plan: TransitionPlan | null = null;
    let firstFailure: Extract<TransitionPlan, {kind: 'none'}> | null = null;
    for (const wanted of [status, ...STATUS_FALLBACKS[status]]) {
      plan = await findTransitionPath(
        start,
        (s) => jiraStatusToCanonical(s, this.settings.statusOverrides) === wanted,
        transitionsFrom,
      );
      if (plan.kind !== 'none') break;
      firstFailure ??= plan;
    }
    if (plan === null || plan.kind === 'none') {
      throw this.noPathError(
        handle,
        start,
        status,
        issueTypeName,
        firstFailure ?? (plan as Extract<TransitionPlan, {kind: 'none'}>),
      );
    }
    if (plan.kind === 'already') return jiraIssueToCanonical(raw, this.settings, this.epicIds);

    let here = start;
    for (const [index, planned] of plan.transitions.entries()) {
      let transition = planned;
      if (index > 0) {
        // The plan's later hops were learned from other issues: confirm against this issue's own
        // transitions (conditions can differ per issue) and take an equivalent one if needed.
        const available = await this.issueTransitions(ref.id, true);
        const same =
          available?.find((t) => t.id === planned.id) ?? available?.find((t) => t.to.id === planned.to.id);
        if (!same) {
          throw new ConnectorRequestError(
            `Jira issue ${handle} stopped in '${here.name}' on the way to ${status}: the transition '${planned.name}' to '${planned.to.name}' is not available for this issue.`,
            {
              provider: 'jira',
              failureClass: 'validation',
              hint: `Finish the move in Jira, or check the workflow conditions of ${issueTypeName} issues.`,
            },
          );
        }
        transition = same;
      }
      await this.http.request({
        method: 'POST',
        path: `${this.settings.apiRoot}/issue/${encodeURIComponent(ref.id)}/transitions`,
        body: {transition: {id: transition.id}},
      });
      here = transition.to;
      this.transitionCache.delete(this.currentKey(ref.id));
    }
    return this.requireIssue(ref);
  }

  /**
   * A Blocks/Duplicate/Relates issue link, or the parent (Cloud's `parent` field, Data Center's
   * Epic Link field) for child_of/parent_of; nothing when the issue already has it.
   */
  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of' || link.type === 'parent_of') {
      const [child, parent] = link.type === 'child_of' ? [ref, link.target] : [link.target, ref];
      const current = await this.getIssue(child);
      if (current === null) throw this.notFound(child);
      if (current.parent?.id === parent.id) return;
      await this.updateIssue(child, {parent}, {idempotencyKey: `link:${refIdentity(child)}`});
      return;
    }
    const current = await this.getIssue(ref);
    if (current === null) throw this.notFound(ref);
    if (current.links.some((l) => l.type === link.type && l.target.id === link.target.id)) return;
    await this.createLink(ref, link);
  }

  /** Deletes the issue link by the id `issuelinks` gives it, or clears the parent; absent: nothing. */
  async removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of' || link.type === 'parent_of') {
      const [child, parent] = link.type === 'child_of' ? [ref, link.target] : [link.target, ref];
      const current = await this.getIssue(child);
      if (current === null || current.parent?.id !== parent.id) return;
      await this.updateIssue(child, {parent: null}, {idempotencyKey: `unlink:${refIdentity(child)}`});
      return;
    }
    const raw = await this.fetchIssue(ref.id);
    if (raw === null) return;
    const id = rawLinkId(raw, link);
    if (id === null) return;
    await this.http.request({
      method: 'DELETE',
      path: `${this.settings.apiRoot}/issueLink/${encodeURIComponent(id)}`,
      acceptStatuses: [404],
    });
  }

  async addComment(ref: ExternalRef, body: string, options: {idempotencyKey?: string} = {}): Promise<void> {
    const payload: JsonObject = {
      body: this.settings.edition === 'cloud' ? textToAdf(body) : textToWiki(body),
    };
    if (options.idempotencyKey !== undefined)
      payload.properties = [{key: COMMENT_PROPERTY, value: {key: options.idempotencyKey}}];
    await this.http.request({
      method: 'POST',
      path: `${this.settings.apiRoot}/issue/${encodeURIComponent(ref.id)}/comment`,
      body: payload,
    });
  }

  /**
   * Lists the issue's comments newest first (ids and times; the list has no properties) until
   * one older than `since`, then reads those comments' properties with `POST /comment/list`.
   */
  async findComment(ref: ExternalRef, key: string, options: LookupOptions = {}): Promise<boolean> {
    const sinceMs = options.since ? Date.parse(options.since) : null;
    const ids: number[] = [];
    for (let startAt = 0, page = 0; page < COMMENT_LOOKUP_PAGES; page++) {
      const response = await this.http.get<JsonValue>(
        `${this.settings.apiRoot}/issue/${encodeURIComponent(ref.id)}/comment`,
        {orderBy: '-created', startAt, maxResults: 100},
      );
      const data = isJsonObject(response.data) ? response.data : {};
      const comments = Array.isArray(data.comments) ? data.comments.filter(isJsonObject) : [];
      for (const c of comments) if (Number.isFinite(Number(c.id))) ids.push(Number(c.id));
      startAt += comments.length;
      const last = comments[comments.length - 1];
      const older = last !== undefined && sinceMs !== null && Date.parse(String(last.created)) < sinceMs;
      if (older || comments.length === 0 || startAt >= Number(data.total ?? 0)) break;
    }
    for (let at = 0; at < ids.length; at += 1000) {
      const response = await this.http.request<JsonValue>({
        method: 'POST',
        path: `${this.settings.apiRoot}/comment/list`,
        query: {expand: 'properties'},
        body: {ids: ids.slice(at, at + 1000)},
        // A read, although a POST: safe to repeat.
        idempotent: true,
      });
      const values =
        isJsonObject(response.data) && Array.isArray(response.data.values) ? response.data.values : [];
      const marked = values.some(
        (c) =>
          isJsonObject(c) &&
          Array.isArray(c.properties) &&
          c.properties.some(
            (p) =>
              isJsonObject(p) && p.key === COMMENT_PROPERTY && isJsonObject(p.value) && p.value.key === key,
          ),
      );
      if (marked) return true;
    }
    return false;
  }

  // ---- internals -----------------------------------------------------------------------

  private ref(id: string, key: string | null): ExternalRef {
    return {
      system: 'jira',
      workspace: this.settings.projectKey,
      id,
      key,
      url: key ? `${this.settings.siteUrl}/browse/${key}` : null,
    };
  }

  private async requireIssue(ref: ExternalRef): Promise<CanonicalIssue> {
    const issue = await this.getIssue(ref);
    if (issue === null) throw this.notFound(ref);
    return issue;
  }

  private notFound(ref: ExternalRef): ConnectorRequestError {
    return new ConnectorRequestError(
      `Jira issue ${ref.key ?? ref.id} was not found in ${this.settings.siteUrl}.`,
      {
        provider: 'jira',
        failureClass: 'not_found',
        statusCode: 404,
        hint: 'It may have been deleted or moved, or the account cannot see it.',
      },
    );
  }

  private async fetchIssue(id: string): Promise<JsonObject | null> {
    const response = await this.http.get<JsonValue>(
      `${this.settings.apiRoot}/issue/${encodeURIComponent(id)}`,
      {fields: jiraReadFields(this.settings).join(',')},
      {acceptStatuses: [404]},
    );
    if (response.status === 404 || !isJsonObject(response.data)) return null;
    return response.data;
  }

  /** One page of a JQL search, in each edition's own pagination. */
  private async search(
    jql: string,
    limit: number,
    cursor: JiraCursor,
    extra: {expand?: string; fields?: string[]} = {},
  ): Promise<SearchPage> {
    const fields = extra.fields ?? jiraReadFields(this.settings);
    if (this.settings.edition === 'cloud') {
      // Body fields checked against the v3 "Search for issues using JQL enhanced search (POST)"
      // request (jql, fields, maxResults, nextPageToken, expand as a comma-separated string).
      const body: JsonObject = {jql, fields, maxResults: limit};
      if (cursor.token) body.nextPageToken = cursor.token;
      if (extra.expand) body.expand = extra.expand;
      const response = await this.http.request<JsonValue>({
        method: 'POST',
        path: `${this.settings.apiRoot}/search/jql`,
        body,
        idempotent: true,
      });
      const data = isJsonObject(response.data) ? response.data : {};
      const issues = Array.isArray(data.issues) ? data.issues.filter(isJsonObject) : [];
      const token =
        typeof data.nextPageToken === 'string' && data.nextPageToken !== '' ? data.nextPageToken : null;
      // The last page may omit nextPageToken instead of sending null (JRACLOUD-92184), or say isLast.
      const next = token !== null && data.isLast !== true ? {since: cursor.since, token} : null;
      return {issues, next};
    }
    const start = cursor.start ?? 0;
    const body: JsonObject = {jql, fields, startAt: start, maxResults: limit};
    if (extra.expand) body.expand = [extra.expand];
    const response = await this.http.request<JsonValue>({
      method: 'POST',
      path: `${this.settings.apiRoot}/search`,
      body,
      idempotent: true,
    });
    const data = isJsonObject(response.data) ? response.data : {};
    const issues = Array.isArray(data.issues) ? data.issues.filter(isJsonObject) : [];
    const total = typeof data.total === 'number' ? data.total : start + issues.length;
    // An issue edited while we page moves to the end of `ORDER BY updated` and shifts the rest
    // back by one: re-read a few items of the previous page (the (id, updated) dedupe drops
    // them) so such shifts cannot make us skip an issue.
    const overlap = Math.min(DC_PAGE_OVERLAP, Math.floor(issues.length / 4));
    const more = issues.length > 0 && start + issues.length < total;
    return {issues, next: more ? {since: cursor.since, start: start + issues.length - overlap} : null};
  }

  private async userTimeZone(): Promise<string> {
    if (this.settings.timeZone) return this.settings.timeZone;
    this.timeZone ??= (async () => {
      const response = await this.http.get<JsonValue>(`${this.settings.apiRoot}/myself`);
      const zone =
        isJsonObject(response.data) && typeof response.data.timeZone === 'string'
          ? response.data.timeZone
          : null;
      // Jira interprets JQL dates in this zone; without one it uses the server's default, which
      // we cannot know: UTC plus the overlap window is the best guess.
      return zone !== null && isValidTimeZone(zone) ? zone : 'UTC';
    })();
    try {
      return await this.timeZone;
    } catch (error) {
      this.timeZone = null;
      throw error;
    }
  }

  private currentKey(issueId: string): string {
    return `issue:${issueId}`;
  }

  private async issueTransitions(issueId: string, fresh = false): Promise<readonly JiraTransition[] | null> {
    const key = this.currentKey(issueId);
    if (!fresh && this.transitionCache.has(key)) return this.transitionCache.get(key)!;
    const response = await this.http.get<JsonValue>(
      `${this.settings.apiRoot}/issue/${encodeURIComponent(issueId)}/transitions`,
    );
    const transitions = readTransitions(isJsonObject(response.data) ? response.data.transitions : undefined);
    this.transitionCache.set(key, transitions);
    return transitions;
  }

  /**
   * The transitions out of `status` for issues of this type, learned without moving anything:
   * any issue of the project currently in that status lists them (`expand=transitions`).
   * Null when no such issue exists.
   */
  private async learnTransitions(
    issueTypeId: string,
    status: JiraStatus,
  ): Promise<readonly JiraTransition[] | null> {
    const key = `type:${issueTypeId}:status:${status.id}`;
    if (this.transitionCache.has(key)) return this.transitionCache.get(key)!;
    const page = await this.search(
      buildStatusProbeJql(this.settings.projectKey, issueTypeId, status.id),
      1,
      {since: null},
      {expand: 'transitions', fields: ['status']},
    );
    const probe = page.issues[0];
    const transitions = probe === undefined ? null : readTransitions(probe.transitions);
    this.transitionCache.set(key, transitions);
    return transitions;
  }

  private noPathError(
    handle: string,
    start: JiraStatus,
    status: CanonicalStatus,
    issueType: string,
    plan: Extract<TransitionPlan, {kind: 'none'}>,
  ): ConnectorRequestError {
    const reachable = plan.explored.map((s) => `'${s.name}'`).join(', ');
    const unknown = plan.unknown.filter((s) => s.id !== start.id);
    const because =
      unknown.length > 0
        ? ` The transitions out of ${unknown.map((s) => `'${s.name}'`).join(', ')} are unknown: no ${issueType} issue of ${this.settings.projectKey} is in ${unknown.length === 1 ? 'that status' : 'those statuses'} to learn them from.`
        : '';
    return new ConnectorRequestError(
      `Jira cannot move ${handle} from '${start.name}' to ${status}: no sequence of workflow transitions leads to a status that maps to ${status} (reachable: ${reachable}).${because} Nothing was changed.`,
      {
        provider: 'jira',
        failureClass: 'validation',
        hint: `Add the missing transition to the ${issueType} workflow, map a status name with the binding option status_map (e.g. {"In QA": "${status}"}), or move the issue in Jira by hand.`,
      },
    );
  }

  private async createLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    const jira = canonicalLinkToJira(link.type);
    if (jira === null) return;
    const self = issueHandle(ref);
    const other = issueHandle(link.target);
    // The issueLink resource creates "inwardIssue <outward verb> outwardIssue" (the inward issue
    // is the link's source), so "A blocks B" is inwardIssue A, outwardIssue B.
    await this.http.request({
      method: 'POST',
      path: `${this.settings.apiRoot}/issueLink`,
      body: {
        type: {name: jira.name},
        inwardIssue: jira.thisIsSource ? self : other,
        outwardIssue: jira.thisIsSource ? other : self,
      },
    });
  }

  /** Makes the issue's links equal to `wanted`: creates missing ones, deletes ones not wanted. */
  private async replaceLinks(
    ref: ExternalRef,
    raw: JsonObject,
    wanted: readonly CanonicalLink[],
  ): Promise<void> {
    const current = jiraIssueToCanonical(raw, this.settings, this.epicIds);
    const keyOf = (l: CanonicalLink): string => `${l.type}|${l.target.id}`;
    const wantedKeys = new Set(wanted.map(keyOf));
    const currentKeys = new Set(current.links.map(keyOf));
    for (const link of current.links) {
      if (wantedKeys.has(keyOf(link))) continue;
      const id = rawLinkId(raw, link);
      if (id !== null)
        await this.http.request({
          method: 'DELETE',
          path: `${this.settings.apiRoot}/issueLink/${encodeURIComponent(id)}`,
          acceptStatuses: [404],
        });
    }
    for (const link of wanted) {
      if (link.type === 'child_of' || link.type === 'parent_of') await this.upsertLink(ref, link);
      else if (!currentKeys.has(keyOf(link))) await this.createLink(ref, link);
    }
  }

  /** Data Center epic links hold a key: look up the ids of the epics not seen yet, in one search. */
  private async resolveEpicKeys(issues: readonly JsonObject[]): Promise<void> {
    const field = this.settings.epicLinkField;
    if (!field) return;
    const missing = new Set<string>();
    for (const issue of issues) {
      const value = isJsonObject(issue.fields) ? issue.fields[field] : undefined;
      if (typeof value === 'string' && value !== '' && !this.epicIds.has(value)) missing.add(value);
    }
    if (missing.size === 0) return;
    const page = await this.search(
      buildKeysJql([...missing]),
      missing.size,
      {since: null},
      {fields: ['summary']},
    );
    for (const issue of page.issues)
      if (typeof issue.key === 'string') this.epicIds.set(issue.key, String(issue.id));
  }
}

/**
 * The id of the raw `issuelinks` entry that is `link`: same other issue, same link type and the
 * same direction (an entry naming `outwardIssue` is this issue's outward side, e.g. "blocks").
 */
function rawLinkId(raw: JsonObject, link: CanonicalLink): string | null {
  const jira = canonicalLinkToJira(link.type);
  if (jira === null || !isJsonObject(raw.fields) || !Array.isArray(raw.fields.issuelinks)) return null;
  for (const entry of raw.fields.issuelinks) {
    if (!isJsonObject(entry) || entry.id === undefined || !isJsonObject(entry.type)) continue;
    if (String(entry.type.name ?? '').toLowerCase() !== jira.name.toLowerCase()) continue;
    const other = jira.thisIsSource ? entry.outwardIssue : entry.inwardIssue;
    // Relates has no direction worth keeping: either side is the link.
    const either = jira.name === 'Relates' ? (entry.outwardIssue ?? entry.inwardIssue) : other;
    if (isJsonObject(either) && String(either.id) === link.target.id) return String(entry.id);
  }
  return null;
}

function issueHandle(ref: ExternalRef): JsonObject {
  return ref.key ? {key: ref.key} : {id: ref.id};
}

function readTransitions(value: JsonValue | undefined): JiraTransition[] {
  if (!Array.isArray(value)) return [];
  const out: JiraTransition[] = [];
  for (const item of value) {
    if (!isJsonObject(item) || item.id === undefined || item.isAvailable === false) continue;
    const to = readStatus(item.to);
    if (to === null) continue;
    out.push({id: String(item.id), name: String(item.name ?? ''), to});
  }
  return out;
}

function encodeCursor(cursor: JiraCursor): string {
  return JSON.stringify(cursor);
}

function decodeCursor(text: string): JiraCursor {
  try {
    const value = JSON.parse(text) as unknown;
    if (isJsonObject(value as JsonValue) && 'since' in (value as object)) return value as JiraCursor;
  } catch {
    // fall through
  }
  throw new ConnectorRequestError(
    `Jira listing cursor '${text.slice(0, 40)}' is not one this connector wrote.`,
    {
      provider: 'jira',
      failureClass: 'non_retryable',
      hint: 'Reset the pull checkpoint and pull again.',
    },
  );
}
