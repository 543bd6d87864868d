import {TrackerError} from '../../core/errors.js';
import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES} from '../../core/model/enums.js';
import {
  CORE_ISSUE_FIELDS,
  pickFields,
  type CanonicalIssue,
  type IssueField,
} from '../../core/model/canonical-issue.js';
import {refIdentity} from '../../core/model/external-ref.js';
import type {PendingComment, StoredConflict} from '../../core/protocols/issue-store.js';
import type {WorkPackageMapping} from '../../core/protocols/mapping-store.js';
import type {IndexedIssue, ReadIndexView} from '../storage/read-index/read-index.js';
import type {ListFilter, ListQuery} from '../storage/read-index/index-queries.js';
import {queryTerms} from '../storage/read-index/index-format.js';
import {resolveIssueKey, UnknownIssueKeyError} from './issue-key.js';
import {hasStorageOpener} from './storage-gateway.js';
import type {BoundContext} from './service-context.js';
import type {SortKey} from './ticket-sort.js';
import {ticketView, type TicketView} from './ticket-view.js';

/**
 * The offline reads answered from the read index (`src/host/storage/read-index/`): the cost
 * follows what a command prints, not how many issues the cache holds. `cache-service.ts` calls
 * these when the index is available, and folds the log itself otherwise (in-memory stores in
 * tests, a big-endian machine).
 */

/** The scope's read index, current; null when reads must take the fold instead. */
export async function openIndexFor(context: BoundContext): Promise<ReadIndexView | null> {
  if (hasStorageOpener()) return null;
  const [{openReadIndex}, {scopeDir}, {SnapshotDamage}] = await Promise.all([
    import('../storage/read-index/read-index.js'),
    import('../storage/scope.js'),
    import('../storage/packed-issue.js'),
  ]);
  const {root} = context.location;
  const {provider, serverUrl, workspace} = context.binding;
  try {
    return await openReadIndex({
      root,
      scopeDir: scopeDir(root, {provider, serverUrl: serverUrl ?? '', workspace}),
    });
  } catch (error) {
    if (error instanceof SnapshotDamage) return null;
    throw error;
  }
}

export function indexMappings(view: ReadIndexView): WorkPackageMapping[] {
  return (view.global.mappings as [string, WorkPackageMapping][])
    .map(([, mapping]) => mapping)
    .sort((a, b) => (a.wp_id === b.wp_id ? cmp(a.ref.system, b.ref.system) : cmp(a.wp_id, b.wp_id)));
}

/** Unsent comments, drafts' comments under their remote identity, oldest first. */
export function indexPendingComments(view: ReadIndexView): PendingComment[] {
  const created = new Map(view.global.createdDrafts);
  return (view.global.comments as (PendingComment & {sent: boolean})[])
    .filter((c) => !c.sent)
    .map(({sent: _sent, ...comment}) => ({
      ...comment,
      identity: created.get(comment.identity) ?? comment.identity,
    }))
    .sort((a, b) => (a.at === b.at ? cmp(a.comment_id, b.comment_id) : cmp(a.at, b.at)));
}

export function indexConflicts(
  view: ReadIndexView,
  query: {openOnly?: boolean; identity?: string},
): StoredConflict[] {
  return (view.global.conflicts as StoredConflict[])
    .filter(
      (c) => (!query.openOnly || c.open) && (query.identity === undefined || c.identity === query.identity),
    )
    .sort((a, b) => (a.at === b.at ? cmp(a.conflict_id, b.conflict_id) : cmp(a.at, b.at)));
}

/** Fields not pushed yet of a live entry, as `listPending` says them. */
export function pendingFieldsOf(found: IndexedIssue): readonly IssueField[] {
  const {entry} = found;
  if (entry.base === null && entry.draft !== null) return CORE_ISSUE_FIELDS;
  return [...entry.overrides.keys()].sort();
}

export function indexedTicket(found: IndexedIssue, mappings: readonly WorkPackageMapping[]): TicketView {
  return ticketView(found.issue, {pendingFields: pendingFieldsOf(found), mappings});
}

/** The issue a key names (live), or the error `show` gives, explaining deleted ones. */
export function resolveIndexed(view: ReadIndexView, key: string): IndexedIssue {
  const {live, deleted} = view.candidates(queryTerms(key.trim()));
  try {
    const issue = resolveIssueKey(
      live.map((found) => found.issue),
      key,
    );
    return live.find((found) => found.issue === issue)!;
  } catch (error) {
    if (error instanceof UnknownIssueKeyError) explainDeleted(deleted, key);
    throw error;
  }
}

function explainDeleted(deleted: readonly IndexedIssue[], key: string): void {
  let found: CanonicalIssue;
  try {
    found = resolveIssueKey(
      deleted.map((d) => d.issue),
      key,
    );
  } catch {
    return;
  }
  const entry = deleted.find((d) => d.issue === found)!.entry;
  const when = [...entry.history].reverse().find((h) => h.kind === 'issue_deleted')?.at;
  throw new TrackerError(
    `Issue ${key} is no longer on the tracker: \`sync pull --full\` marked it deleted${when ? ` on ${when}` : ''}.`,
    {
      hint: `Its last pulled version stays in the log's history (${refIdentity(found.ref)}); a later pull that lists it again restores it.`,
    },
  );
}

export interface IndexListFilters {
  readonly status?: readonly string[];
  readonly label?: readonly string[];
  readonly assignee?: readonly string[];
  readonly type?: readonly string[];
  readonly text?: string;
  readonly sort?: SortKey;
  readonly reverse?: boolean;
}

/** The listing's filters as index filters (each with its column or postings shortcut). */
export async function indexQuery(filters: IndexListFilters): Promise<ListQuery> {
  const q = await import('../storage/read-index/index-queries.js');
  const list: ListFilter[] = [];
  if (filters.status?.length) list.push(q.statusFilter(filters.status, CANONICAL_STATUSES));
  if (filters.type?.length) list.push(q.typeFilter(filters.type, CANONICAL_ISSUE_TYPES));
  if (filters.label?.length) list.push(q.labelFilter(filters.label));
  if (filters.assignee?.length) list.push(q.assigneeFilter(filters.assignee));
  const text = filters.text;
  if (text) list.push(q.issueFilter((issue) => matchesText(issue, text)));
  return {filters: list, sort: filters.sort ?? 'key', reverse: filters.reverse === true};
}

export function matchesText(issue: CanonicalIssue, text: string): boolean {
  const needle = text.toLowerCase();
  return (
    issue.title.toLowerCase().includes(needle) ||
    (issue.body ?? '').toLowerCase().includes(needle) ||
    (issue.ref.key ?? '').toLowerCase() === needle
  );
}

export function localEditsOf(found: IndexedIssue): Record<string, unknown> {
  return {...pickFields(found.issue, [...found.entry.overrides.keys()].sort())};
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
