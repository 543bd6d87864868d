import {
  CapabilityNotSupportedError,
  ConnectorConfigError,
  ConnectorRequestError,
  ValidationError,
} from '../../errors.js';
import {
  createIssue,
  type CanonicalIssue,
  type CanonicalLink,
  type IssueField,
  type IssuePatch,
} from '../../model/canonical-issue.js';
import type {CanonicalStatus, LinkType} from '../../model/enums.js';
import {createRef, type ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import type {
  ConnectorCapabilities,
  ConnectorConfig,
  ListIssuesRequest,
  Page,
  TrackerConnector,
} from '../../protocols/connector.js';
import {LinearGraphQL} from './linear-graphql.js';
import {completeIssue, completeIssues} from './linear-overflow.js';
import {
  LINEAR_STATUS_FALLBACKS,
  canonicalPriorityToLinear,
  linearPriorityToCanonical,
  linearStateToCanonical,
  pickState,
  type LinearState,
  type StateNames,
} from './linear-mapping.js';
import {
  COMMENT_CREATE_MUTATION,
  COMMENT_QUERY,
  FIND_BY_MARKER_QUERY,
  ISSUES_PAGE_QUERY,
  ISSUE_CREATE_MUTATION,
  ISSUE_QUERY,
  ISSUE_UPDATE_MUTATION,
  LABELS_QUERY,
  LABEL_CREATE_MUTATION,
  LINEAR_MAX_PAGE,
  RELATION_CREATE_MUTATION,
  RELATION_DELETE_MUTATION,
  TEAM_QUERY,
} from './linear-queries.js';
import {linearCommentId} from './comment-id.js';

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

export const LINEAR_CAPABILITIES: ConnectorCapabilities = Object.freeze({
  incremental: true,
  create: true,
  comments: true,
  links: true,
  // issueRelationDelete by the relation id read with the issue; the parent cleared with parentId null.
  link_removal: true,
  hierarchy: true,
  multi_assignee: false,
  custom_fields: false,
  delete: false,
  webhooks: false,
  // Linear has no issue types: issue_type reads as task and is not written.
  writable_fields: WRITABLE,
  idempotency_marker: 'description' as const,
  comment_marker: 'client_id' as const,
});

/** The largest issue page that stays under Linear's complexity cap (see linear-queries.ts). */
export {LINEAR_MAX_PAGE};

/** The idempotency marker: a last line of the description, hidden again on read. */
const MARKER_PREFIX = 'spec-kitty-key: ';
const MARKER_LINE = /\n*spec-kitty-key: (\S+)\s*$/;

interface Team {
  readonly id: string;
  readonly key: string;
  readonly states: readonly LinearState[];
}

/**
 * Linear (GraphQL, personal API key). Workspace = team key. Assignees are Linear user ids;
 * labels are matched by name (created in the team when missing); relations map to links
 * (blocks both ways, related, duplicate); the parent is `parentId`.
 */
export class LinearConnector implements TrackerConnector {
  readonly provider = 'linear';
  readonly workspace: string;
  private readonly api: LinearGraphQL;
  private readonly names: StateNames;
  private team: Promise<Team> | null = null;
  private readonly siteBase: string;

  constructor(config: ConnectorConfig) {
    const key = config.workspace.trim();
    if (key === '')
      throw new ConnectorConfigError('Linear needs a team key as the workspace.', {
        hint: 'Bind with --workspace ENG (the prefix of issue identifiers like ENG-12).',
      });
    const apiKey = (config.credentials.api_key ?? config.credentials.token ?? '').trim();
    if (apiKey === '')
      throw new ConnectorConfigError('Linear needs an API key (credential `api_key`).', {
        hint: 'Create a personal API key in Linear and set LINEAR_API_KEY.',
      });
    this.workspace = key;
    const server = (config.serverUrl ?? 'https://api.linear.app')
      .trim()
      .replace(/\/+$/, '')
      .replace(/\/graphql$/, '');
    this.siteBase = server;
    this.api = new LinearGraphQL({baseUrl: server, apiKey, runtime: config.runtime});
    this.names = {
      inReview: nameSet(config.options.in_review_states ?? config.options.in_review_state, [
        'In Review',
        'Review',
        'Code Review',
      ]),
      blocked: nameSet(config.options.blocked_states ?? config.options.blocked_state, ['Blocked']),
    };
  }

  capabilities(): ConnectorCapabilities {
    return LINEAR_CAPABILITIES;
  }

  // ---- reading -------------------------------------------------------------------------

  async listIssues(request: ListIssuesRequest): Promise<Page<CanonicalIssue>> {
    const filter: JsonObject = {team: {key: {eq: this.workspace}}};
    if (request.updated_since !== null) filter.updatedAt = {gte: request.updated_since};
    const last = Math.min(Math.max(1, Math.floor(request.limit)), LINEAR_MAX_PAGE);
    const data = await this.api.run('the issue listing', ISSUES_PAGE_QUERY, {
      filter,
      last,
      before: request.cursor,
    });
    const connection = isJsonObject(data?.issues) ? data.issues : {};
    const nodes = Array.isArray(connection.nodes) ? connection.nodes.filter(isJsonObject) : [];
    const pageInfo = isJsonObject(connection.pageInfo) ? connection.pageInfo : {};
    const complete = await completeIssues(this.api, nodes);
    const items = complete.map((n) => this.toCanonical(n)).sort(byUpdated);
    const hasMore =
      pageInfo.hasPreviousPage === true && typeof pageInfo.startCursor === 'string' && nodes.length > 0;
    return {items, next_cursor: hasMore ? (pageInfo.startCursor as string) : null};
  }

  async getIssue(ref: ExternalRef): Promise<CanonicalIssue | null> {
    const raw = await this.fetchRaw(ref.id);
    return raw === null ? null : this.toCanonical(raw);
  }

  async findByIdempotencyKey(key: string): Promise<CanonicalIssue | null> {
    const marker = markerLine(key);
    const data = await this.api.run('the idempotency-key search', FIND_BY_MARKER_QUERY, {
      filter: {team: {key: {eq: this.workspace}}, description: {contains: marker}},
    });
    const nodes =
      isJsonObject(data?.issues) && Array.isArray(data.issues.nodes)
        ? data.issues.nodes.filter(isJsonObject)
        : [];
    // `contains` also matches a key that is a prefix of another: check the exact marker.
    const exact = nodes.find(
      (n) => readMarker(typeof n.description === 'string' ? n.description : '') === key,
    );
    return exact ? this.toCanonical(await completeIssue(this.api, exact)) : null;
  }

  // ---- writing -------------------------------------------------------------------------

  async createIssue(issue: CanonicalIssue, options: {idempotencyKey: string}): Promise<CanonicalIssue> {
    const team = await this.loadTeam();
    const input: JsonObject = {
      teamId: team.id,
      title: issue.title,
      description: withMarker(issue.body, options.idempotencyKey),
      priority: canonicalPriorityToLinear(issue.priority),
    };
    const state = this.stateFor(team, issue.status);
    if (state) input.stateId = state.id;
    if (issue.assignees.length > 1) throw tooManyAssignees(issue.assignees);
    if (issue.assignees[0]) input.assigneeId = issue.assignees[0];
    if (issue.labels.length > 0) input.labelIds = await this.labelIds(team, issue.labels);
    if (issue.parent) input.parentId = issue.parent.id;
    const data = await this.api.run('issue creation', ISSUE_CREATE_MUTATION, {input}, {mutation: true});
    const created = await this.payloadIssue(data, 'issueCreate');
    for (const link of issue.links) await this.upsertLink(created.ref, link);
    return issue.links.length > 0 ? ((await this.getIssue(created.ref)) ?? created) : created;
  }

  async updateIssue(
    ref: ExternalRef,
    patch: IssuePatch,
    _options: {idempotencyKey: string},
  ): Promise<CanonicalIssue> {
    if (patch.custom_fields !== undefined && Object.keys(patch.custom_fields).length > 0) {
      throw new CapabilityNotSupportedError('linear', 'writing custom_fields');
    }
    const team = await this.loadTeam();
    const current = await this.fetchRaw(ref.id);
    if (current === null) throw this.notFound(ref);
    const input: JsonObject = {};
    if (patch.title !== undefined) input.title = patch.title;
    if (patch.body !== undefined) {
      const marker = readMarker(typeof current.description === 'string' ? current.description : '');
      input.description = marker === null ? (patch.body ?? '') : withMarker(patch.body, marker);
    }
    if (patch.priority !== undefined) input.priority = canonicalPriorityToLinear(patch.priority);
    if (patch.assignees !== undefined) {
      if (patch.assignees.length > 1) throw tooManyAssignees(patch.assignees);
      input.assigneeId = patch.assignees[0] ?? null;
    }
    if (patch.labels !== undefined) input.labelIds = await this.labelIds(team, patch.labels);
    // Only a different parent is sent: asking again for the parent it has is no write.
    const parentNow = isJsonObject(current.parent) ? String(current.parent.id ?? '') : null;
    if (patch.parent !== undefined && (patch.parent?.id ?? null) !== parentNow)
      input.parentId = patch.parent === null ? null : patch.parent.id;
    if (patch.status !== undefined) {
      const state = this.stateFor(team, patch.status);
      if (state === null) throw this.noState(patch.status);
      if (linearStateToCanonical(readState(current.state), this.names) !== patch.status)
        input.stateId = state.id;
    }
    let result: CanonicalIssue;
    if (Object.keys(input).length > 0) {
      const data = await this.api.run(
        'the issue update',
        ISSUE_UPDATE_MUTATION,
        {id: String(current.id), input},
        {mutation: true},
      );
      result = await this.payloadIssue(data, 'issueUpdate');
    } else {
      result = this.toCanonical(current);
    }
    if (patch.links !== undefined) {
      await this.replaceLinks(result, current, patch.links);
      result = (await this.getIssue(ref)) ?? result;
    }
    return result;
  }

  async transitionIssue(ref: ExternalRef, status: CanonicalStatus): Promise<CanonicalIssue> {
    return this.updateIssue(ref, {status}, {idempotencyKey: `transition:${ref.id}:${status}`});
  }

  /** A relation (`issueRelationCreate`), or the parent (`parentId`); nothing when it is there already. */
  async upsertLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of' || link.type === 'parent_of') {
      const [child, parent] = link.type === 'child_of' ? [ref, link.target] : [link.target, ref];
      await this.updateIssue(child, {parent}, {idempotencyKey: `link:${child.id}`});
      return;
    }
    const current = await this.getIssue(ref);
    if (current === null) throw this.notFound(ref);
    if (current.links.some((l) => l.type === link.type && l.target.id === link.target.id)) return;
    await this.createRelation(ref.id, link);
  }

  /**
   * Deletes the relation (`issueRelationDelete` with the id read with the issue) or clears the
   * parent; nothing when it is not there.
   */
  async removeLink(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    if (link.type === 'child_of' || link.type === 'parent_of') {
      const [child, parent] = link.type === 'child_of' ? [ref, link.target] : [link.target, ref];
      const current = await this.getIssue(child);
      if (current === null || current.parent?.id !== parent.id) return;
      await this.updateIssue(child, {parent: null}, {idempotencyKey: `unlink:${child.id}`});
      return;
    }
    const raw = await this.fetchRaw(ref.id);
    if (raw === null) return;
    const wanted = relationFor(link.type);
    const found = this.relationsOf(raw).find(
      (r) => r.link.type === link.type && r.link.target.id === link.target.id && r.kind === wanted?.type,
    );
    if (found === undefined) return;
    await this.api.run(
      'the relation removal',
      RELATION_DELETE_MUTATION,
      {id: found.relationId},
      {mutation: true},
    );
  }

  async addComment(ref: ExternalRef, body: string, options: {idempotencyKey?: string} = {}): Promise<void> {
    const input: JsonObject = {issueId: ref.id, body};
    if (options.idempotencyKey !== undefined) input.id = linearCommentId(options.idempotencyKey);
    await this.api.run('the comment', COMMENT_CREATE_MUTATION, {input}, {mutation: true});
  }

  async findComment(_ref: ExternalRef, key: string): Promise<boolean> {
    const data = await this.api.run(
      'the comment lookup',
      COMMENT_QUERY,
      {id: linearCommentId(key)},
      {notFoundIsNull: true},
    );
    return data !== null && isJsonObject(data.comment);
  }

  // ---- internals -----------------------------------------------------------------------

  private async fetchRaw(id: string): Promise<JsonObject | null> {
    const data = await this.api.run('the issue lookup', ISSUE_QUERY, {id}, {notFoundIsNull: true});
    return data !== null && isJsonObject(data.issue) ? completeIssue(this.api, data.issue) : null;
  }

  private loadTeam(): Promise<Team> {
    this.team ??= (async () => {
      const data = await this.api.run('the team lookup', TEAM_QUERY, {key: this.workspace});
      const nodes =
        isJsonObject(data?.teams) && Array.isArray(data.teams.nodes)
          ? data.teams.nodes.filter(isJsonObject)
          : [];
      const team = nodes[0];
      if (!team) {
        throw new ConnectorRequestError(
          `Linear has no team with key '${this.workspace}' visible to this API key.`,
          {
            provider: 'linear',
            failureClass: 'not_found',
            hint: 'Check --workspace (the team key, e.g. ENG) and that the key belongs to a member of that team.',
          },
        );
      }
      const states =
        isJsonObject(team.states) && Array.isArray(team.states.nodes)
          ? team.states.nodes.filter(isJsonObject)
          : [];
      return {
        id: String(team.id),
        key: String(team.key),
        states: states.map((s) => ({
          id: String(s.id),
          name: String(s.name),
          type: String(s.type),
          position: typeof s.position === 'number' ? s.position : 0,
        })),
      };
    })();
    return this.team.catch((error: unknown) => {
      this.team = null;
      throw error;
    });
  }

  private stateFor(team: Team, status: CanonicalStatus): LinearState | null {
    for (const wanted of [status, ...LINEAR_STATUS_FALLBACKS[status]]) {
      const state = pickState(team.states, wanted, this.names);
      if (state) return state;
    }
    return null;
  }

  private noState(status: CanonicalStatus): ConnectorRequestError {
    return new ConnectorRequestError(`Linear team ${this.workspace} has no workflow state for ${status}.`, {
      provider: 'linear',
      failureClass: 'validation',
      hint: 'Add a state of the matching type in the team settings (Workflow), or name one with the binding options in_review_states / blocked_states.',
    });
  }

  /** Label names -> ids, creating team labels that do not exist yet. */
  private async labelIds(team: Team, names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const data = await this.api.run('the label lookup', LABELS_QUERY, {filter: {name: {in: [...names]}}});
    const nodes =
      isJsonObject(data?.issueLabels) && Array.isArray(data.issueLabels.nodes)
        ? data.issueLabels.nodes.filter(isJsonObject)
        : [];
    const ids: string[] = [];
    for (const name of names) {
      // A team label wins over a workspace label of the same name; other teams' labels cannot be used.
      const usable = nodes.filter((n) => n.name === name && (!isJsonObject(n.team) || n.team.id === team.id));
      const found = usable.find((n) => isJsonObject(n.team)) ?? usable[0];
      if (found) {
        ids.push(String(found.id));
        continue;
      }
      const created = await this.api.run(
        'the label creation',
        LABEL_CREATE_MUTATION,
        {input: {name, teamId: team.id}},
        {mutation: true},
      );
      const label =
        isJsonObject(created?.issueLabelCreate) && isJsonObject(created.issueLabelCreate.issueLabel)
          ? created.issueLabelCreate.issueLabel
          : null;
      if (!label)
        throw new ConnectorRequestError(`Linear did not create the label '${name}'.`, {
          provider: 'linear',
          failureClass: 'non_retryable',
        });
      ids.push(String(label.id));
    }
    return ids;
  }

  private async payloadIssue(data: JsonObject | null, field: string): Promise<CanonicalIssue> {
    const payload = data !== null && isJsonObject(data[field]) ? data[field] : null;
    if (!payload || payload.success !== true || !isJsonObject(payload.issue)) {
      throw new ConnectorRequestError(`Linear reported ${field} as unsuccessful.`, {
        provider: 'linear',
        failureClass: 'non_retryable',
      });
    }
    return this.toCanonical(await completeIssue(this.api, payload.issue));
  }

  private async createRelation(issueId: string, link: CanonicalLink): Promise<void> {
    const relation = relationFor(link.type);
    if (relation === null) return;
    const input = relation.reversed
      ? {issueId: link.target.id, relatedIssueId: issueId, type: relation.type}
      : {issueId, relatedIssueId: link.target.id, type: relation.type};
    await this.api.run('the relation', RELATION_CREATE_MUTATION, {input}, {mutation: true});
  }

  private async replaceLinks(
    issue: CanonicalIssue,
    raw: JsonObject,
    wanted: readonly CanonicalLink[],
  ): Promise<void> {
    const keyOf = (l: CanonicalLink): string => `${l.type}|${l.target.id}`;
    const wantedKeys = new Set(wanted.map(keyOf));
    for (const {link, relationId} of this.relationsOf(raw)) {
      if (!wantedKeys.has(keyOf(link)))
        await this.api.run(
          'the relation removal',
          RELATION_DELETE_MUTATION,
          {id: relationId},
          {mutation: true},
        );
    }
    const have = new Set(issue.links.map(keyOf));
    for (const link of wanted) {
      if (link.type === 'child_of' || link.type === 'parent_of') await this.upsertLink(issue.ref, link);
      else if (!have.has(keyOf(link))) await this.createRelation(issue.ref.id, link);
    }
  }

  /**
   * `relations` are "this <type> related" and `inverseRelations` "other <type> this": blocks
   * reads as blocks / blocked_by, duplicate as duplicates (inverse: relates_to), related as
   * relates_to; `similar` (suggestions) is ignored.
   */
  private relationsOf(raw: JsonObject): {link: CanonicalLink; relationId: string; kind: string}[] {
    const out: {link: CanonicalLink; relationId: string; kind: string}[] = [];
    const read = (connection: JsonValue | undefined, side: 'relatedIssue' | 'issue'): void => {
      const nodes =
        isJsonObject(connection) && Array.isArray(connection.nodes)
          ? connection.nodes.filter(isJsonObject)
          : [];
      for (const node of nodes) {
        const other = node[side];
        if (!isJsonObject(other) || other.id === undefined) continue;
        let type: LinkType | null = null;
        if (node.type === 'blocks') type = side === 'relatedIssue' ? 'blocks' : 'blocked_by';
        else if (node.type === 'duplicate') type = side === 'relatedIssue' ? 'duplicates' : 'relates_to';
        else if (node.type === 'related') type = 'relates_to';
        if (type === null) continue;
        out.push({
          link: {type, target: this.refOf(other)},
          relationId: String(node.id ?? ''),
          kind: String(node.type),
        });
      }
    };
    read(raw.relations, 'relatedIssue');
    read(raw.inverseRelations, 'issue');
    return out;
  }

  private refOf(node: JsonObject): ExternalRef {
    const identifier = typeof node.identifier === 'string' ? node.identifier : null;
    const team =
      isJsonObject(node.team) && typeof node.team.key === 'string'
        ? node.team.key
        : identifier
          ? identifier.replace(/-\d+$/, '')
          : this.workspace;
    return createRef({
      system: 'linear',
      workspace: team,
      id: String(node.id),
      key: identifier,
      url: typeof node.url === 'string' ? node.url : null,
    });
  }

  private toCanonical(raw: JsonObject): CanonicalIssue {
    if (raw.id === undefined)
      throw new ConnectorRequestError('Linear returned an issue without id.', {
        provider: 'linear',
        failureClass: 'non_retryable',
      });
    const description = typeof raw.description === 'string' ? stripMarker(raw.description) : '';
    const labels =
      isJsonObject(raw.labels) && Array.isArray(raw.labels.nodes)
        ? raw.labels.nodes.filter(isJsonObject).map((l) => String(l.name))
        : [];
    return createIssue({
      ref: this.refOf(raw),
      title:
        typeof raw.title === 'string' && raw.title.trim() !== ''
          ? raw.title
          : String(raw.identifier ?? raw.id),
      body: description === '' ? null : description,
      status: linearStateToCanonical(readState(raw.state), this.names),
      issue_type: 'task',
      priority: linearPriorityToCanonical(typeof raw.priority === 'number' ? raw.priority : null),
      assignees: isJsonObject(raw.assignee) && raw.assignee.id !== undefined ? [String(raw.assignee.id)] : [],
      labels,
      parent: isJsonObject(raw.parent) && raw.parent.id !== undefined ? this.refOf(raw.parent) : null,
      links: this.relationsOf(raw).map((r) => r.link),
      custom_fields: {},
      created_at: typeof raw.createdAt === 'string' ? raw.createdAt : null,
      updated_at: typeof raw.updatedAt === 'string' ? raw.updatedAt : null,
      raw,
    });
  }

  private notFound(ref: ExternalRef): ConnectorRequestError {
    return new ConnectorRequestError(`Linear issue ${ref.key ?? ref.id} was not found.`, {
      provider: 'linear',
      failureClass: 'not_found',
      hint: `It may have been deleted, or the API key cannot see it (${this.siteBase}).`,
    });
  }
}

function readState(value: JsonValue | undefined): LinearState | null {
  return isJsonObject(value)
    ? {id: String(value.id ?? ''), name: String(value.name ?? ''), type: String(value.type ?? '')}
    : null;
}

function relationFor(type: LinkType): {type: string; reversed: boolean} | null {
  switch (type) {
    case 'blocks':
      return {type: 'blocks', reversed: false};
    case 'blocked_by':
      return {type: 'blocks', reversed: true};
    case 'duplicates':
      return {type: 'duplicate', reversed: false};
    case 'relates_to':
      return {type: 'related', reversed: false};
    default:
      return null;
  }
}

function markerLine(key: string): string {
  return `${MARKER_PREFIX}${key.trim().replace(/\s+/g, '_')}`;
}

function withMarker(body: string | null, key: string): string {
  const text = (body ?? '').replace(/\s+$/, '');
  return text === '' ? markerLine(key) : `${text}\n\n${markerLine(key)}`;
}

function readMarker(description: string): string | null {
  const match = MARKER_LINE.exec(description);
  return match ? match[1] : null;
}

function stripMarker(description: string): string {
  return description.replace(MARKER_LINE, '').replace(/\s+$/, '');
}

function byUpdated(a: CanonicalIssue, b: CanonicalIssue): number {
  return (
    Date.parse(a.updated_at ?? '') - Date.parse(b.updated_at ?? '') ||
    (a.ref.id < b.ref.id ? -1 : a.ref.id > b.ref.id ? 1 : 0)
  );
}

function tooManyAssignees(assignees: readonly string[]): ValidationError {
  return new ValidationError(
    'assignees',
    `Linear issues have a single assignee; got ${assignees.length} (${assignees.join(', ')})`,
    {hint: 'Keep one assignee for issues synced with Linear.'},
  );
}

function nameSet(value: JsonValue | undefined, defaults: readonly string[]): ReadonlySet<string> {
  const list =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string')
        : defaults;
  return new Set(list.map((n) => n.trim().toLowerCase()));
}
