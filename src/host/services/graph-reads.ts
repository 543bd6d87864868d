import type {CanonicalIssue} from '../../core/model/canonical-issue.js';
import {CANONICAL_STATUSES} from '../../core/model/enums.js';
import {refIdentity} from '../../core/model/external-ref.js';
import type {ListFilter} from '../storage/read-index/index-queries.js';
import {
  isFinishedState,
  stateCode,
  stillBlocks,
  STATE_DELETED,
  WorkGraph,
  type GraphSource,
} from './work-graph.js';

/** `list-tickets --ready` or `--blocked`. */
export type GraphListing = 'ready' | 'blocked';

/**
 * The listing filter of `--ready` / `--blocked` (see `WorkGraph.isReady`): base records are
 * decided from their status column and the set of held-back nodes, without decoding them.
 */
export function graphFilter(source: GraphSource, listing: GraphListing): ListFilter {
  const heldBack = source.graph.heldBack();
  const test = listing === 'ready' ? WorkGraph.isReady : WorkGraph.isBlocked;
  return {
    issue: (issue) => test(stateCode(issue.status), heldBack.has(source.nodeOf(refIdentity(issue.ref)))),
    base: (file) => {
      const columns = file.columns();
      return (record) => test(columns[4 * record + 1]!, heldBack.has(record));
    },
  };
}

/** Another issue as `show` names it: `status` is a canonical status, `deleted` or `unknown`. */
export interface RelatedIssue {
  readonly identity: string;
  readonly key: string | null;
  readonly title: string | null;
  readonly status: string;
}

/** A blocker, and whether it still holds the issue back (open, or not in the cache). */
export interface Blocker extends RelatedIssue {
  readonly blocking: boolean;
}

/** What `show` says of an issue's place in the work graph (`--json` keys as they are here). */
export interface IssueRelations {
  readonly parent_issue: RelatedIssue | null;
  /** Children: `done` of them are done or canceled, out of `total` (deleted ones not counted). */
  readonly children: {readonly done: number; readonly total: number; readonly issues: RelatedIssue[]};
  readonly blocked_by: Blocker[];
  readonly blocks: RelatedIssue[];
  /** Open, not marked blocked, and no blocker holding it back (what `list-tickets --ready` lists). */
  readonly ready: boolean;
}

/** The relations of the cached issue `identity`, one step each way. */
export function issueRelations(source: GraphSource, identity: string): IssueRelations {
  const {graph} = source;
  const node = source.nodeOf(identity);
  const parent = graph.parentOf(node);
  const children = graph.childrenOf(node);
  const blockers = graph.blockersOf(node);
  const blocked = graph.blockedBy(node);
  const issues = source.issuesOf([
    ...new Set([...(parent === null ? [] : [parent]), ...children, ...blockers, ...blocked]),
  ]);
  const describe = (n: number): RelatedIssue =>
    related(source.identityOf(n), source.stateOf(n), issues.get(n) ?? null);
  const counted = children.filter((n) => source.stateOf(n) !== STATE_DELETED);
  const blockedBy = blockers
    .map((n) => ({...describe(n), blocking: stillBlocks(source.stateOf(n))}))
    .sort(byKey);
  return {
    parent_issue: parent === null ? null : describe(parent),
    children: {
      done: counted.filter((n) => isFinishedState(source.stateOf(n))).length,
      total: counted.length,
      issues: children.map(describe).sort(byKey),
    },
    blocked_by: blockedBy,
    blocks: blocked.map(describe).sort(byKey),
    ready: WorkGraph.isReady(
      source.stateOf(node),
      blockedBy.some((b) => b.blocking),
    ),
  };
}

function related(identity: string, state: number, issue: CanonicalIssue | null): RelatedIssue {
  const status =
    state < CANONICAL_STATUSES.length
      ? CANONICAL_STATUSES[state]!
      : state === STATE_DELETED
        ? 'deleted'
        : 'unknown';
  return {identity, key: issue?.ref.key ?? null, title: issue?.title ?? null, status};
}

/** Issues the cache holds first, then by number (the key's), then by identity. */
function byKey(a: RelatedIssue, b: RelatedIssue): number {
  if ((a.title === null) !== (b.title === null)) return a.title === null ? 1 : -1;
  const na = Number(a.identity.slice(a.identity.lastIndexOf(':') + 1));
  const nb = Number(b.identity.slice(b.identity.lastIndexOf(':') + 1));
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0;
}
