/**
 * Issue links as GitLab keeps them (`/projects/:id/issues/:iid/links`):
 *
 * - One link at most between two issues, whatever its type and direction: linking a pair that is
 *   already linked answers 409 `{"message": "Issue(s) already assigned"}`.
 * - `link_type` is `relates_to` (default), `blocks` or `is_blocked_by`; an `is_blocked_by` link is
 *   stored as `blocks` from the other side, so each side lists it in its own direction.
 * - `blocks` and `is_blocked_by` need the blocked-issues feature (Premium and Ultimate): on the
 *   Free tier they are refused with 403 `{"message": "Blocked issues not available for current
 *   license"}` and nothing is created (checked before the 409 above).
 * - The target project and issue must exist (404), an issue cannot be linked to itself (422).
 * - `DELETE .../links/:issue_link_id` removes a link the issue takes part in, else 404.
 * - Linking does not change either issue's `updated_at` here: a client cannot count on it.
 */
import type {FakeResponse} from '../fake-http-server.js';

export type GitLabTier = 'free' | 'premium';

export interface StoredIssueLink {
  readonly id: number;
  readonly source: number;
  readonly target: number;
  readonly type: 'relates_to' | 'blocks';
  readonly createdMs: number;
}

const LINK_TYPES = ['relates_to', 'blocks', 'is_blocked_by'];

export class FakeGitLabLinks {
  private readonly links = new Map<number, StoredIssueLink>();
  private nextId = 1;

  constructor(
    private readonly tier: GitLabTier,
    private readonly now: () => number,
  ) {}

  /** Every link, for tests. */
  all(): StoredIssueLink[] {
    return [...this.links.values()];
  }

  /** Links `iid` takes part in, each seen from `iid`'s side. */
  of(iid: number): {link: StoredIssueLink; other: number; type: 'relates_to' | 'blocks' | 'is_blocked_by'}[] {
    const out: {link: StoredIssueLink; other: number; type: 'relates_to' | 'blocks' | 'is_blocked_by'}[] = [];
    for (const link of this.links.values()) {
      if (link.source === iid)
        out.push({link, other: link.target, type: link.type === 'blocks' ? 'blocks' : 'relates_to'});
      else if (link.target === iid)
        out.push({link, other: link.source, type: link.type === 'blocks' ? 'is_blocked_by' : 'relates_to'});
    }
    return out.sort((a, b) => a.link.createdMs - b.link.createdMs || a.link.id - b.link.id);
  }

  /**
   * Validates and stores a link from `source` (already known to exist); `targetExists` tells
   * whether the target issue is in a project this fake serves.
   */
  create(
    source: number,
    body: Record<string, unknown>,
    targetExists: (project: string, iid: number) => boolean | 'no_project',
  ): FakeResponse | StoredIssueLink {
    for (const key of Object.keys(body)) {
      if (!['target_project_id', 'target_issue_iid', 'link_type'].includes(key))
        return {status: 400, json: {error: `${key} does not have a valid value`}};
    }
    const project = body.target_project_id;
    const rawIid = body.target_issue_iid;
    if (typeof project !== 'string' && typeof project !== 'number')
      return {status: 400, json: {error: 'target_project_id is missing'}};
    if ((typeof rawIid !== 'string' && typeof rawIid !== 'number') || !/^\d+$/.test(String(rawIid)))
      return {status: 400, json: {error: 'target_issue_iid is missing'}};
    const linkType = body.link_type ?? 'relates_to';
    if (typeof linkType !== 'string' || !LINK_TYPES.includes(linkType))
      return {status: 400, json: {error: 'link_type does not have a valid value'}};
    const target = Number(rawIid);
    const exists = targetExists(String(project), target);
    if (exists === 'no_project') return {status: 404, json: {message: '404 Project Not Found'}};
    if (!exists) return {status: 404, json: {message: '404 Not found'}};
    // The licence is checked before the conflict, as GitLab's Premium link service does.
    if (linkType !== 'relates_to' && this.tier === 'free')
      return {status: 403, json: {message: 'Blocked issues not available for current license'}};
    if (this.of(source).some((l) => l.other === target))
      return {status: 409, json: {message: 'Issue(s) already assigned'}};
    if (target === source)
      return {status: 422, json: {message: `#${target} cannot be added: cannot be related to itself`}};
    const reversed = linkType === 'is_blocked_by';
    const link: StoredIssueLink = {
      id: this.nextId++,
      source: reversed ? target : source,
      target: reversed ? source : target,
      type: linkType === 'relates_to' ? 'relates_to' : 'blocks',
      createdMs: this.now(),
    };
    this.links.set(link.id, link);
    return link;
  }

  remove(iid: number, linkId: number): StoredIssueLink | null {
    const link = this.links.get(linkId);
    if (!link || (link.source !== iid && link.target !== iid)) return null;
    this.links.delete(linkId);
    return link;
  }
}
