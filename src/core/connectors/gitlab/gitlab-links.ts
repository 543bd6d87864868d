/**
 * GitLab issue links (`/projects/:id/issues/:iid/links`), the tracker's own relation between two
 * issues. GitLab keeps at most one link per pair of issues, of type `relates_to` (every tier) or
 * `blocks` (Premium and up, "blocked issues"); an `is_blocked_by` link is a `blocks` link seen
 * from the other side. Other canonical relations have no GitLab issue link: `duplicates` is a
 * state ("closed as duplicate"), and parent/child exist only between work items (tasks, epics),
 * which the REST issue API does not expose.
 *
 * Where the licence refuses `blocks` (403 "Blocked issues not available for current license"),
 * a dependency is written as `relates_to` instead and the run is told once, so the two issues
 * are at least related in GitLab rather than not at all.
 */
import {CapabilityNotSupportedError, ConnectorRequestError} from '../../errors.js';
import type {HttpClient} from '../../http/index.js';
import type {CanonicalLink} from '../../model/canonical-issue.js';
import type {LinkType} from '../../model/enums.js';
import type {ExternalRef} from '../../model/external-ref.js';
import {isJsonObject, type JsonObject, type JsonValue} from '../../model/json.js';
import type {RuntimeEventListener} from '../../protocols/runtime.js';

type GitLabLinkType = 'relates_to' | 'blocks' | 'is_blocked_by';

/** One entry of `GET .../links`: the other issue, the link id and the type seen from this issue. */
export interface GitLabLinkEntry {
  readonly linkId: number;
  readonly other: ExternalRef;
  readonly type: GitLabLinkType;
}

/** A write as GitLab takes it: on `source`'s links, towards `target`. */
interface LinkWrite {
  readonly source: ExternalRef;
  readonly target: ExternalRef;
  readonly type: 'relates_to' | 'blocks';
}

const LICENCE_REFUSAL = /blocked issues not available/i;

export class GitLabIssueLinks {
  /** Set when GitLab refused a `blocks` link for the licence: later dependencies go as `relates_to`. */
  private blocksRefused = false;
  private noticeSent = false;
  /** The bound project's numeric id, learned from the issues read (links name projects by id). */
  private projectId: number | null = null;

  constructor(
    private readonly http: HttpClient,
    private readonly issuePath: (ref: ExternalRef) => string,
    private readonly workspace: string,
    private readonly onEvent: RuntimeEventListener | undefined,
  ) {}

  /** Records the bound project's numeric id from an issue of it. */
  learnProject(issue: JsonObject): void {
    if (this.projectId === null && typeof issue.project_id === 'number') this.projectId = issue.project_id;
  }

  /** The issue's links as canonical links (one request). */
  async read(ref: ExternalRef): Promise<CanonicalLink[]> {
    return (await this.entries(ref)).map((entry) => ({type: canonicalType(entry.type), target: entry.other}));
  }

  async upsert(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    const write = linkWrite(ref, link);
    const existing = (await this.entries(write.source)).find((e) => sameIssue(e.other, write.target));
    if (existing !== undefined) {
      if (existing.type === write.type) return;
      if (existing.type === 'relates_to') {
        // One link a pair: the "relates to" already there stands for the dependency.
        this.notify(
          `GitLab keeps one link per pair of issues: ${label(write.source)} and ${label(write.target)} are already linked as "relates to", which stays.`,
        );
        return;
      }
      throw new ConnectorRequestError(
        `GitLab already has ${label(write.target)} blocking ${label(write.source)}; it allows one link per pair of issues, so ${label(write.source)} cannot also block ${label(write.target)}.`,
        {provider: 'gitlab', failureClass: 'validation'},
      );
    }
    if (write.type === 'blocks' && !this.blocksRefused) {
      const status = await this.post(write, 'blocks');
      if (status !== 'licence') return;
      this.blocksRefused = true;
    }
    if (write.type === 'blocks') this.notifyFallback();
    await this.post(write, 'relates_to');
  }

  async remove(ref: ExternalRef, link: CanonicalLink): Promise<void> {
    const write = linkWrite(ref, link);
    const entries = await this.entries(write.source);
    const found =
      entries.find((e) => sameIssue(e.other, write.target) && e.type === write.type) ??
      // A dependency written as "relates to" for want of `blocks` is removed as such.
      (write.type === 'blocks' && this.blocksRefused
        ? entries.find((e) => sameIssue(e.other, write.target) && e.type === 'relates_to')
        : undefined);
    if (found === undefined) return;
    await this.http.request({
      method: 'DELETE',
      path: `${this.issuePath(write.source)}/links/${found.linkId}`,
      acceptStatuses: [404],
    });
  }

  /** `GET .../links`: every link of the issue (GitLab does not page this list). */
  async entries(ref: ExternalRef): Promise<GitLabLinkEntry[]> {
    const response = await this.http.get<JsonValue>(`${this.issuePath(ref)}/links`);
    if (!Array.isArray(response.data)) {
      throw new ConnectorRequestError(
        `GitLab at ${this.http.server} answered the links of issue #${ref.id} with something that is not a JSON array.`,
        {provider: 'gitlab', failureClass: 'non_retryable'},
      );
    }
    return response.data.filter(isJsonObject).flatMap((item) => this.entry(item));
  }

  private entry(item: JsonObject): GitLabLinkEntry[] {
    const type = item.link_type;
    if (typeof item.iid !== 'number' || typeof item.issue_link_id !== 'number') return [];
    if (type !== 'relates_to' && type !== 'blocks' && type !== 'is_blocked_by') return [];
    return [{linkId: item.issue_link_id, other: this.refOf(item), type}];
  }

  /** The other issue's ref; an issue of another project carries that project's path. */
  private refOf(item: JsonObject): ExternalRef {
    const full = isJsonObject(item.references) ? item.references.full : undefined;
    const path = typeof full === 'string' && full.includes('#') ? full.slice(0, full.lastIndexOf('#')) : null;
    const ours =
      path === null ||
      path === this.workspace ||
      (typeof item.project_id === 'number' &&
        (item.project_id === this.projectId || String(item.project_id) === this.workspace));
    return {
      system: 'gitlab',
      workspace: ours ? this.workspace : path,
      id: String(item.iid),
      key: `#${String(item.iid)}`,
      url: typeof item.web_url === 'string' ? item.web_url : null,
    };
  }

  /** POSTs the link; 'licence' when the tier refuses `blocks`, 'done' otherwise (409: already there). */
  private async post(write: LinkWrite, type: 'relates_to' | 'blocks'): Promise<'done' | 'licence'> {
    const response = await this.http.request<JsonValue>({
      method: 'POST',
      path: `${this.issuePath(write.source)}/links`,
      body: {target_project_id: write.target.workspace, target_issue_iid: write.target.id, link_type: type},
      acceptStatuses: [403, 409],
    });
    if (response.status === 409) return 'done';
    if (response.status !== 403) return 'done';
    const message = isJsonObject(response.data) ? String(response.data.message ?? '') : '';
    if (type === 'blocks' && LICENCE_REFUSAL.test(message)) return 'licence';
    throw new ConnectorRequestError(
      `GitLab at ${this.http.server} refused to link ${label(write.source)} to ${label(write.target)} (403${message ? `: ${message}` : ''}). Check that the token may update both issues (Developer role or higher).`,
      {provider: 'gitlab', failureClass: 'permission', statusCode: 403},
    );
  }

  private notifyFallback(): void {
    this.notify(
      'GitLab refused "blocks" links on this project\'s tier (blocked issues need Premium or Ultimate): dependencies are written as "relates to" links instead.',
    );
  }

  private notify(message: string): void {
    if (this.noticeSent) return;
    this.noticeSent = true;
    this.onEvent?.({type: 'notice', provider: 'gitlab', message});
  }
}

/** Where and how a canonical link is written; blocked_by is written as `blocks` from the blocker. */
function linkWrite(ref: ExternalRef, link: CanonicalLink): LinkWrite {
  if (link.target.system !== 'gitlab') {
    throw new ConnectorRequestError(
      `GitLab cannot link issue #${ref.id} to ${link.target.system} issue ${link.target.key ?? link.target.id}: issue links join GitLab issues only.`,
      {provider: 'gitlab', failureClass: 'validation'},
    );
  }
  switch (link.type) {
    case 'blocks':
      return {source: ref, target: link.target, type: 'blocks'};
    case 'blocked_by':
      return {source: link.target, target: ref, type: 'blocks'};
    case 'relates_to':
      return {source: ref, target: link.target, type: 'relates_to'};
    default:
      throw unsupported(link.type);
  }
}

function unsupported(type: LinkType): CapabilityNotSupportedError {
  return type === 'duplicates'
    ? new CapabilityNotSupportedError('gitlab', 'duplicate links', {
        hint: 'GitLab marks duplicates by closing an issue as a duplicate (/duplicate), not with an issue link.',
      })
    : new CapabilityNotSupportedError('gitlab', `parent/child relations (${type})`, {
        hint: "GitLab's REST issue API has no parent: child tasks and epics are work items, reachable only through GraphQL.",
      });
}

function canonicalType(type: GitLabLinkType): LinkType {
  return type === 'blocks' ? 'blocks' : type === 'is_blocked_by' ? 'blocked_by' : 'relates_to';
}

function sameIssue(a: ExternalRef, b: ExternalRef): boolean {
  return a.id === b.id && a.workspace === b.workspace;
}

function label(ref: ExternalRef): string {
  return ref.key ?? `#${ref.id}`;
}
