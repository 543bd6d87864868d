/**
 * Issues this connector created during the run, with their state as its own writes left it.
 *
 * A push creates an issue, then (once the issues it relates to exist too) sets its parent and
 * its dependencies. Reading such an issue back before and after each relation write would
 * cost a GET of the issue and one of each dependency list per write, several times the writes
 * themselves; GitHub's hourly budget makes that hours at the scale of a real repository. The
 * state of an issue created seconds ago is known: the create's answer, then each write this
 * connector made to it (a PATCH answers the whole issue; a relation write answered 2xx is the
 * relation GitHub now has). So these issues are answered from here; every other issue is read.
 *
 * A write someone else makes within the same run is not seen until the next run reads the
 * issue: the same window as a read made a moment before a write. A duplicate relation is still
 * refused by GitHub (422) and looked up, so a stale view never writes a relation twice.
 */
import type {CanonicalLink} from '../../model/canonical-issue.js';
import type {ExternalRef} from '../../model/external-ref.js';
import {refIdentity} from '../../model/external-ref.js';
import type {GitHubIssueJson} from './github-issue-mapper.js';

interface FreshIssue {
  raw: GitHubIssueJson;
  /** Its dependency links (`blocked_by`, `blocks`), as the connector wrote them. */
  links: CanonicalLink[];
}

export class FreshIssues {
  private readonly issues = new Map<number, FreshIssue>();

  /** A payload GitHub answered to the create of an issue: it has no relation yet. */
  created(raw: GitHubIssueJson): void {
    this.issues.set(raw.number, {raw, links: []});
  }

  /** The payload of a fresh issue (undefined: not created by this run, so read it). */
  raw(number: number): GitHubIssueJson | undefined {
    return this.issues.get(number)?.raw;
  }

  /** The dependency links of a fresh issue (undefined: not fresh, so list them). */
  linksOf(number: number): CanonicalLink[] | undefined {
    const fresh = this.issues.get(number);
    return fresh === undefined ? undefined : [...fresh.links];
  }

  /** GitHub answered a read of the issue: from now on it is read like any other. */
  forget(number: number): void {
    this.issues.delete(number);
  }

  /** A PATCH answered the issue as it now is (relations are not part of the payload). */
  patched(raw: GitHubIssueJson): void {
    const fresh = this.issues.get(raw.number);
    if (fresh !== undefined) fresh.raw = raw;
  }

  /** The issue's parent is now `parentUrl` (null: none). */
  parentSet(number: number, parentUrl: string | null): void {
    const fresh = this.issues.get(number);
    if (fresh !== undefined) fresh.raw = {...fresh.raw, parent_issue_url: parentUrl};
  }

  /** `blocked` is now blocked by `blocker` (added true) or no longer (false), on both ends. */
  dependency(blocked: ExternalRef, blocker: ExternalRef, added: boolean): void {
    this.setLink(Number(blocked.id), {type: 'blocked_by', target: blocker}, added);
    this.setLink(Number(blocker.id), {type: 'blocks', target: blocked}, added);
  }

  private setLink(number: number, link: CanonicalLink, added: boolean): void {
    const fresh = this.issues.get(number);
    if (fresh === undefined) return;
    const key = `${link.type}|${refIdentity(link.target)}`;
    const others = fresh.links.filter((l) => `${l.type}|${refIdentity(l.target)}` !== key);
    fresh.links = added ? [...others, link] : others;
  }
}
