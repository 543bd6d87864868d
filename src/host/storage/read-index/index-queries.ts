import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {compareBy} from '../../services/ticket-order.js';
import type {SortKey} from '../../services/ticket-sort.js';
import type {IndexFile} from './index-file.js';
import {FLAG_LIVE, isTokenOnly, searchHay, tokenSeparator} from './index-format.js';
import type {IndexedIssue, ReadIndexView} from './read-index.js';

/**
 * One condition of a listing. `issue` decides on a decoded issue (always given); `base`, when
 * given, decides on a base record from its columns and postings without decoding it. A filter
 * without `base` still works, at the price of decoding every base record (`--text` does that).
 */
export interface ListFilter {
  issue(issue: CanonicalIssue): boolean;
  base?(file: IndexFile): (record: number) => boolean;
}

export interface ListQuery {
  readonly filters: readonly ListFilter[];
  readonly sort: SortKey;
  readonly reverse: boolean;
}

/**
 * The first `limit` issues of a listing and how many match in all. Decodes the `limit` first
 * base matches and the overlay's (a few); counts the rest from columns and postings: the walk in
 * the listing's order stops at the `limit`-th match, and the count goes through the records in
 * file order (no filter: the header's count). A filter that must decode records walks once, all.
 */
export function listFirst(
  view: ReadIndexView,
  query: ListQuery,
  limit: number,
): {total: number; issues: IndexedIssue[]} {
  let total = 0;
  const first: number[] = [];
  if (query.filters.some((f) => !f.base)) {
    scanBase(view, query, (record) => {
      total += 1;
      if (first.length < limit) first.push(record);
      return true;
    });
  } else if (view.base !== null) {
    const tests = query.filters.map((f) => f.base!(view.base!));
    if (limit > 0) scanBase(view, query, (record) => first.push(record) < limit, tests);
    total = countBase(view, tests);
  }
  const decoded = first.length === 0 ? new Map<number, IndexedIssue | null>() : view.baseIssues(first);
  const picked = first.map((record) => decoded.get(record)!);
  const extra = view.overlayLive().filter((found) => query.filters.every((f) => f.issue(found.issue)));
  total += extra.length;
  const all = [...picked, ...extra].sort(orderOf(query));
  return {total, issues: all.slice(0, limit)};
}

/** Every issue of a listing in order, decoded one by one as the caller consumes them. */
export function* listAll(view: ReadIndexView, query: ListQuery): Generator<IndexedIssue> {
  const before = orderOf(query);
  const extra = view
    .overlayLive()
    .filter((found) => query.filters.every((f) => f.issue(found.issue)))
    .sort(before);
  let next = 0;
  let window: number[] = [];
  const flush = function* (): Generator<IndexedIssue> {
    // Nothing to decode (an index of no base records has no base file to read from).
    if (window.length === 0) return;
    const decoded = view.baseIssues(window);
    for (const record of window) {
      const found = decoded.get(record)!;
      while (next < extra.length && before(extra[next]!, found) < 0) yield extra[next++]!;
      yield found;
    }
    window = [];
  };
  for (const match of baseMatches(view, query)) {
    window.push(match.record);
    if (window.length === WINDOW) yield* flush();
  }
  yield* flush();
  while (next < extra.length) yield extra[next++]!;
}

/** Records decoded together by a full listing (read in as few reads as their places allow). */
const WINDOW = 512;

/** `a` before `b` in the listing's order (ties by identity, as the precomputed orders have them). */
function orderOf(query: ListQuery): (a: IndexedIssue, b: IndexedIssue) => number {
  const compare = compareBy(query.sort);
  const sign = query.reverse ? -1 : 1;
  return (a, b) =>
    sign *
    (compare(a.issue, b.issue) ||
      (a.entry.identity < b.entry.identity ? -1 : a.entry.identity > b.entry.identity ? 1 : 0));
}

interface BaseMatch {
  readonly record: number;
}

/** Live base records (not replaced by the overlay) passing every filter, in the query's order. */
function* baseMatches(view: ReadIndexView, query: ListQuery): Generator<BaseMatch> {
  const matches: number[] = [];
  scanBase(view, query, (record) => matches.push(record) > 0);
  for (const record of matches) yield {record};
}

/**
 * Calls `visit` with every live base record (not replaced by the overlay) passing every filter,
 * in the query's order, until it returns false: a tight loop over typed arrays, so that counting
 * 100k matches costs about a millisecond. Filters without a column or postings test decode the
 * record.
 */
function scanBase(
  view: ReadIndexView,
  query: ListQuery,
  visit: (record: number) => boolean,
  tests?: readonly ((record: number) => boolean)[],
): void {
  const base = view.base;
  if (base === null) return;
  const columns = base.columns();
  const fast = tests ?? query.filters.filter((f) => f.base).map((f) => f.base!(base));
  const slow = query.filters.filter((f) => !f.base);
  const order = base.order(query.sort);
  const replaced = view.replaced;
  const n = order.length;
  const step = query.reverse ? -1 : 1;
  for (let k = query.reverse ? n - 1 : 0; k >= 0 && k < n; k += step) {
    const record = order[k]!;
    if ((columns[4 * record]! & FLAG_LIVE) === 0 || (replaced.size > 0 && replaced.has(record))) continue;
    let pass = true;
    for (let f = 0; f < fast.length && pass; f += 1) pass = fast[f]!(record);
    if (!pass) continue;
    if (slow.length > 0) {
      const found = view.baseIssue(record);
      if (found === null || !slow.every((filter) => filter.issue(found.issue))) continue;
    }
    if (!visit(record)) return;
  }
}

/**
 * How many live base records (not replaced by the overlay) pass every test (of columns or
 * postings): records in file order (the header's live count when there is no test).
 */
function countBase(view: ReadIndexView, tests: readonly ((record: number) => boolean)[]): number {
  const base = view.base;
  if (base === null) return 0;
  const columns = base.columns();
  let count = 0;
  if (tests.length === 0) {
    count = base.header.live;
    for (const record of view.replaced) if (columns[4 * record]! & FLAG_LIVE) count -= 1;
    return count;
  }
  const replaced = view.replaced;
  for (let record = 0; record < base.header.count; record += 1) {
    if ((columns[4 * record]! & FLAG_LIVE) === 0 || (replaced.size > 0 && replaced.has(record))) continue;
    let pass = true;
    for (let f = 0; f < tests.length && pass; f += 1) pass = tests[f]!(record);
    if (pass) count += 1;
  }
  return count;
}

/** `--status`: any of these (by column). */
export function statusFilter(statuses: readonly string[], known: readonly string[]): ListFilter {
  const codes = new Set(statuses.map((s) => known.indexOf(s)));
  return {
    issue: (issue) => statuses.includes(issue.status),
    base: (file) => {
      const columns = file.columns();
      return (record) => codes.has(columns[4 * record + 1]!);
    },
  };
}

/** `--type`: any of these (by column). */
export function typeFilter(types: readonly string[], known: readonly string[]): ListFilter {
  const codes = new Set(types.map((t) => known.indexOf(t)));
  return {
    issue: (issue) => types.includes(issue.issue_type),
    base: (file) => {
      const columns = file.columns();
      return (record) => codes.has(columns[4 * record + 2]!);
    },
  };
}

/** `--label`: all of these (by postings). */
export function labelFilter(labels: readonly string[]): ListFilter {
  return {
    issue: (issue) => labels.every((l) => issue.labels.includes(l)),
    base: (file) => {
      const dictionary = file.dictionary().labels;
      const marks = new Uint8Array(file.header.count);
      for (const label of labels) {
        const range = Object.hasOwn(dictionary, label) ? dictionary[label]! : [0, 0];
        for (const r of file.postings(range[0], range[1])) marks[r] = (marks[r] ?? 0) + 1;
      }
      const need = new Set(labels).size;
      return (record) => marks[record] === need;
    },
  };
}

/** `--assignee`: any of these (by postings). */
export function assigneeFilter(assignees: readonly string[]): ListFilter {
  return {
    issue: (issue) => assignees.some((a) => issue.assignees.includes(a)),
    base: (file) => {
      const dictionary = file.dictionary().assignees;
      const marks = new Uint8Array(file.header.count);
      for (const assignee of assignees) {
        if (!Object.hasOwn(dictionary, assignee)) continue;
        const [first, count] = dictionary[assignee]!;
        for (const r of file.postings(first, count)) marks[r] = 1;
      }
      return (record) => marks[record] === 1;
    },
  };
}

/** An arbitrary condition on the decoded issue (no shortcut: decodes every base record). */
export function issueFilter(test: (issue: CanonicalIssue) => boolean): ListFilter {
  return {issue: test};
}

/**
 * `issue-search` by words: issues whose search text holds every word, newest update first. A
 * word made only of token characters holds in a text exactly when it is inside one of its
 * tokens, so the token postings answer it; other words (`area:cli`) narrow by their pieces and
 * are checked on the decoded issue.
 */
export function searchWords(
  view: ReadIndexView,
  query: string,
  limit: number,
): {total: number; issues: IndexedIssue[]} {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const matchesAll = (issue: CanonicalIssue): boolean => {
    const hay = searchHay(issue);
    return words.every((word) => hay.includes(word));
  };
  const exact = words.every((word) => isTokenOnly(word));
  const filter: ListFilter = {
    issue: matchesAll,
    base: (file) => {
      let marks: Uint8Array | null = null;
      for (const word of words) {
        const pieces = isTokenOnly(word) ? [word] : word.split(tokenSeparator()).filter((p) => p !== '');
        for (const piece of pieces) {
          const mine = new Uint8Array(file.header.count);
          file.markTokenMatches(piece, mine);
          if (marks === null) marks = mine;
          else for (let r = 0; r < marks.length; r += 1) marks[r] &= mine[r]!;
        }
      }
      const found = marks;
      return found === null ? () => true : (record) => found[record] === 1;
    },
  };
  const filters: ListFilter[] = exact ? [filter] : [filter, {issue: matchesAll}];
  return listFirst(view, {filters, sort: 'updated', reverse: false}, limit);
}
