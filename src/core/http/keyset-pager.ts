/**
 * Paging an "updated since" listing by time (a keyset on `updated_at`) instead of by offset.
 *
 * GitHub (`GET /repos/{o}/{r}/issues?since=&sort=updated&direction=asc`) and GitLab
 * (`GET /projects/:id/issues?updated_after=&order_by=updated_at&sort=asc`) page by offset
 * (`page`). Offsets are unsafe while people edit issues: an issue on a page already fetched that
 * is updated moves to the end of the listing, every later item moves back by one, and the item
 * at the next page boundary is never served. Its `updated_at` is below the high-water mark, so
 * later incremental pulls never see it either.
 *
 * So each request restarts the window at the last item's `updated_at`, sent back verbatim as
 * `since` / `updated_after`, with page 1. Both filters are inclusive (`>=`: GitLab documents "on
 * or after"; GitHub's "updated after" behaves as `>=` at second precision, and both fakes
 * implement `>=`), so the items at that time come again; they are recognised by (id,
 * updated_at) and dropped: `seen` holds the versions returned already that the window lists
 * again. An item edited mid-pull comes again later with a newer `updated_at`: a new version,
 * returned.
 *
 * Invariant (main pass): after a request at window `at`, every item whose current version has
 * `at <= updated_at < last` was on that page (the listing is sorted), and those at `last` are on
 * it or in the next window, which starts at `last`. Only the first page of a window is
 * requested, so no offset can shift: nothing is skipped, whatever is edited in between.
 *
 * The degenerate case: a whole page shares one `updated_at` T (a bulk edit, an import), so the
 * window cannot advance. Within T the pager falls back to offsets (`page` 2, 3, ... of the same
 * window); ties are assumed to come in a stable order between requests. Offsets shift back only
 * when an item already returned from the listing leaves its place (is updated); an item cannot
 * join a past second (one joining the current second is at the newest time, which the next
 * incremental pull reads again: the engine starts it before the high-water mark). Two things can
 * then slide back across a page boundary unseen, and both are caught:
 * - items just after the tie: leaving a tie, the next window starts right after T (one unit of
 *   the server's precision later: a second on GitHub, a millisecond on GitLab), not at the last
 *   time of the page, so they are listed again from the first one after T;
 * - items of the tie itself: the moved item reappears later with a newer `updated_at`, so the
 *   ids of every tie paged by offset are kept (`ties`), and seeing one of them again newer marks
 *   that tie to be listed again (`redo`). When the listing ends, each marked tie is listed from
 *   its page 1 again, returning only its items not returned yet, and the listing then continues
 *   from where it had ended (`resume`) to catch what moved meanwhile. Each pass of a tie is
 *   caused by an item leaving it, and a past tie only shrinks, so this ends.
 * The cursor holds all of this (it grows with the ids of long ties, which are rare), so a pull
 * resumed from a saved cursor after a restart neither skips nor repeats a page.
 */
import {ConnectorRequestError, IssuePayloadContractError} from '../errors.js';

export interface KeysetRow {
  /** The item's stable identifier (GitHub issue number, GitLab iid). */
  readonly id: string;
  /** `updated_at` exactly as the server sent it: it is sent back as the next window's start. */
  readonly updatedAt: string;
}

/** A timestamp paged by offset, and the ids returned at it (kept to notice one leaving it). */
export interface KeysetTie {
  readonly at: string;
  readonly ids: readonly string[];
}

export interface KeysetState {
  /** Page size of every request of this listing (offsets within a tie depend on it). */
  readonly perPage: number;
  /** The window's start (`since` / `updated_after`), verbatim; null for "from the beginning". */
  readonly at: string | null;
  /** Page within the window: 1, or more while paging through a tie by offset. */
  readonly page: number;
  /** Versions (`id@updated_at ms`) returned already that this window lists again. */
  readonly seen: readonly string[];
  /** Ties paged by offset earlier in this listing (the current window excluded). */
  readonly ties: readonly KeysetTie[];
  /** Ties to list again: an item returned from them has left them since. */
  readonly redo: readonly string[];
  /** While a tie is listed again: where the listing had ended, to continue from afterwards. */
  readonly resume: {readonly at: string | null; readonly seen: readonly string[]} | null;
}

/** What to ask the server for. */
export interface KeysetRequest {
  readonly since: string | null;
  readonly page: number;
  readonly perPage: number;
}

export interface KeysetStep {
  /** Per row of the page: return it (true) or drop it as already returned or out of scope. */
  readonly keep: readonly boolean[];
  /** The state of the next request, or null when the listing is complete. */
  readonly next: KeysetState | null;
}

export interface KeysetCursorContext {
  readonly provider: string;
  readonly displayName: string;
  /** The window parameter of a legacy cursor (a `Link` URL saved by an older version). */
  readonly sinceParam: string;
}

const PREFIX = 'keyset1.';

export function keysetStart(since: string | null, perPage: number): KeysetState {
  return {perPage, at: since, page: 1, seen: [], ties: [], redo: [], resume: null};
}

/** Provider pages hold at most this many items (GitHub's and GitLab's `per_page` limit). */
const MAX_PER_PAGE = 100;

/**
 * The state a connector's `listIssues` call continues from: a new listing from `updated_since`
 * (with the asked page size, kept within 1..100) when there is no cursor, else the cursor's.
 */
export function keysetStateOf(
  request: {readonly cursor: string | null; readonly updated_since: string | null; readonly limit: number},
  context: KeysetCursorContext,
): KeysetState {
  if (request.cursor !== null) return decodeKeysetCursor(request.cursor, context);
  return keysetStart(request.updated_since, Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(request.limit))));
}

export function keysetRequest(state: KeysetState): KeysetRequest {
  return {since: state.at, page: state.page, perPage: state.perPage};
}

/**
 * Consumes one page (`rows` in the server's order, everything it listed, pull requests
 * included, since they take places in the order too) and decides what to return and what to
 * request next. `hasNext`: the server announced another page (`Link: rel="next"`, `X-Next-Page`).
 */
export function keysetStep(
  state: KeysetState,
  rows: readonly KeysetRow[],
  hasNext: boolean,
  provider: string,
): KeysetStep {
  const page = new PageReading(state, rows, provider);
  // First: noticing items that left a tie changes what the next state carries.
  const keep = page.keepRows();
  const endOfWindow = !hasNext || page.lastMs === null;
  if (page.repairing) return {keep, next: nextWhileRelisting(page, endOfWindow)};
  if (endOfWindow) return {keep, next: nextAtEndOfListing(page)};
  return {keep, next: nextWithinListing(page)};
}

/** A tie is being listed again (`resume` is set): its next page, or what follows it. */
function nextWhileRelisting(page: PageReading, endOfWindow: boolean): KeysetState {
  const {state, atMs} = page;
  const tieAt = state.at!;
  if (!endOfWindow && page.lastMs! <= atMs) {
    // Still inside the tie: its next page.
    return {
      ...page.base(),
      at: tieAt,
      page: state.page + 1,
      seen: page.carry(atMs),
      ties: page.closeTies(null),
    };
  }
  // The tie is listed again in full; keep watching it, then the next tie or back to the end.
  const closed = page.closeTies({at: tieAt, ids: page.tieIds()});
  return nextRepairOrResume(state.perPage, closed, page.redo, state.resume!);
}

/** The listing is complete, unless a tie has to be listed again. */
function nextAtEndOfListing(page: PageReading): KeysetState | null {
  const {state, rows, atMs, lastMs} = page;
  const closed = page.inTie ? page.closeTies({at: state.at!, ids: page.tieIds()}) : page.closeTies(null);
  if (page.redo.length === 0) return null;
  const end = page.inTie
    ? page.afterTie()
    : lastMs !== null && lastMs > atMs
      ? {at: rows[rows.length - 1].updatedAt, seen: page.carry(lastMs)}
      : {at: state.at, seen: page.carry(atMs)};
  return nextRepairOrResume(state.perPage, closed, page.redo, end);
}

/** More pages follow: advance the window to the page's last time, or page within a tie. */
function nextWithinListing(page: PageReading): KeysetState {
  const {state, rows, times, atMs} = page;
  const lastMs = page.lastMs!;
  if (lastMs > atMs) {
    if (page.inTie) {
      const closed = page.closeTies({at: state.at!, ids: page.tieIds()});
      return {...page.base(), ...page.afterTie(), page: 1, ties: closed};
    }
    // The window advances to the last item's time. A first page all at one time is also the
    // first page of the window starting there: go on with that window's page 2 (a tie) instead
    // of requesting the same page again.
    const wholePage = state.page === 1 && times[0] === lastMs;
    const last = rows[rows.length - 1].updatedAt;
    return {
      ...page.base(),
      at: last,
      page: wholePage ? 2 : 1,
      seen: page.carry(lastMs),
      ties: page.closeTies(null),
    };
  }
  // The whole page is at the window's start: the time cannot advance, so page within it.
  return {
    ...page.base(),
    at: state.at,
    page: state.page + 1,
    seen: page.carry(atMs),
    ties: page.closeTies(null),
  };
}

/** One page read against the state it was requested with: what deciding the next state needs. */
class PageReading {
  readonly atMs: number;
  readonly times: number[];
  /** The version key of each row. */
  readonly keys: string[];
  readonly seen: Set<string>;
  readonly ties: {at: string; atMs: number; ids: Set<string>}[];
  readonly redo: string[];
  /** A tie is being listed again. */
  readonly repairing: boolean;
  /** The current window is itself a tie paged by offset once past its first page. */
  readonly inTie: boolean;
  readonly lastMs: number | null;

  constructor(
    readonly state: KeysetState,
    readonly rows: readonly KeysetRow[],
    provider: string,
  ) {
    this.atMs = state.at === null ? -Infinity : parseTime(state.at, provider);
    this.times = rows.map((row) => parseTime(row.updatedAt, provider));
    this.keys = rows.map((row, i) => versionKey(row.id, this.times[i]));
    this.seen = new Set(state.seen);
    this.ties = state.ties.map((tie) => ({
      at: tie.at,
      atMs: parseTime(tie.at, provider),
      ids: new Set(tie.ids),
    }));
    this.redo = [...state.redo];
    this.repairing = state.resume !== null;
    this.inTie = state.page > 1 && state.at !== null;
    this.lastMs = this.times.length > 0 ? this.times[this.times.length - 1] : null;
  }

  /** Per row: return it or not; marks the ties that an item returned from has left. */
  keepRows(): boolean[] {
    const {state, atMs, seen, keys} = this;
    return this.rows.map((row, i) => {
      const t = this.times[i];
      // An item returned from a tie paged by offset, now newer: it left the tie, so the offsets
      // of that tie may have shifted by one behind us. Noticed once per item (it leaves `ids`).
      for (const tie of this.ties) {
        if (t > tie.atMs && tie.ids.delete(row.id)) this.markRedo(tie.at);
      }
      if (this.inTie && t > atMs && seen.delete(versionKey(row.id, atMs))) this.markRedo(state.at!);
      if (this.repairing) return t === atMs && !seen.has(keys[i]);
      return !seen.has(keys[i]);
    });
  }

  private markRedo(at: string): void {
    if (!this.redo.includes(at)) this.redo.push(at);
  }

  /** The ids returned at the window's time so far: the current tie's members. */
  tieIds(): string[] {
    const suffix = `@${this.atMs}`;
    const ids = [...this.seen, ...this.keys]
      .filter((k) => k.endsWith(suffix))
      .map((k) => k.slice(0, -suffix.length));
    return [...new Set(ids)];
  }

  closeTies(extra: KeysetTie | null): KeysetTie[] {
    const out: KeysetTie[] = this.ties
      .filter((tie) => extra === null || tie.at !== extra.at)
      .map((tie) => ({at: tie.at, ids: [...tie.ids]}));
    if (extra !== null) out.push(extra);
    return out;
  }

  /**
   * What the window starting at `fromMs` will list again that was returned already: the versions
   * seen so far and on this page at or after `fromMs` (usually those at its very start; after a
   * tie, also this page's rows following it).
   */
  carry(fromMs: number): string[] {
    return [...new Set([...this.seen, ...this.keys])].filter((k) => keyTime(k) >= fromMs);
  }

  base(): Pick<KeysetState, 'perPage' | 'redo' | 'resume'> {
    return {perPage: this.state.perPage, redo: this.redo, resume: this.state.resume};
  }

  /**
   * Leaving a window paged by offset: whatever slid back across a page boundary meanwhile sits
   * just after its time too (the items following the tie shift with it), so the next window
   * starts right after the tie's time, not at this page's last time; this page's rows after the
   * tie will come again and are recognised.
   */
  afterTie(): {at: string; seen: string[]} {
    const {rows} = this;
    // The server's own times tell its precision (the window's start may be the engine's).
    const at = nextInstant(this.atMs, rows.length > 0 ? rows[rows.length - 1].updatedAt : this.state.at!);
    return {at, seen: this.carry(Date.parse(at))};
  }
}

/** How a version of an item is recognised when it comes again: its id and `updated_at`. */
function versionKey(id: string, ms: number): string {
  return `${id}@${ms}`;
}

function keyTime(key: string): number {
  return Number(key.slice(key.lastIndexOf('@') + 1));
}

/**
 * The first instant after `atMs` at the precision the server writes its times with (`sample`, one
 * of its times: whole seconds for GitHub, milliseconds for GitLab), in that form: a window
 * starting there holds nothing at `atMs` and everything after it.
 */
export function nextInstant(atMs: number, sample: string): string {
  const fraction = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(sample)?.[1];
  const unitMs = fraction === undefined ? 1000 : Math.max(1, 10 ** (3 - Math.min(3, fraction.length)));
  const next = new Date(Math.floor(atMs / unitMs) * unitMs + unitMs).toISOString();
  return fraction === undefined ? next.replace(/\.\d{3}Z$/, 'Z') : next;
}

function nextRepairOrResume(
  perPage: number,
  ties: KeysetTie[],
  redo: string[],
  resume: {at: string | null; seen: readonly string[]},
): KeysetState {
  const [tieAt, ...rest] = redo;
  if (tieAt === undefined)
    return {perPage, at: resume.at, page: 1, seen: [...resume.seen], ties, redo: [], resume: null};
  const tie = ties.find((t) => t.at === tieAt);
  const tieMs = Date.parse(tieAt);
  return {
    perPage,
    at: tieAt,
    page: 1,
    seen: tie ? tie.ids.map((id) => versionKey(id, tieMs)) : [],
    ties: ties.filter((t) => t.at !== tieAt),
    redo: rest,
    resume: {at: resume.at, seen: [...resume.seen]},
  };
}

function parseTime(value: string, provider: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new IssuePayloadContractError(
      `${provider} listed an issue whose updated_at '${value}' is not a time.`,
      {
        hint: 'Check that the server URL points at the provider API.',
      },
    );
  }
  return ms;
}

/** The opaque cursor string the engine stores in its checkpoint. */
export function encodeKeysetCursor(state: KeysetState): string {
  const json = JSON.stringify({
    p: state.perPage,
    a: state.at,
    n: state.page,
    s: state.seen,
    t: state.ties.map((tie) => [tie.at, tie.ids]),
    r: state.redo,
    m: state.resume === null ? null : [state.resume.at, state.resume.seen],
  });
  return PREFIX + toBase64Url(json);
}

/**
 * Reads a cursor made by `encodeKeysetCursor`, or a `Link` URL saved by a version that still
 * followed them (its window and page are taken over: the same listing position).
 */
export function decodeKeysetCursor(cursor: string, context: KeysetCursorContext): KeysetState {
  if (/^https?:\/\//i.test(cursor)) {
    let url: URL | null = null;
    try {
      url = new URL(cursor);
    } catch {
      url = null;
    }
    if (url !== null) {
      const perPage = Number(url.searchParams.get('per_page') ?? NaN);
      const page = Number(url.searchParams.get('page') ?? 1);
      if (Number.isInteger(perPage) && perPage >= 1 && Number.isInteger(page) && page >= 1) {
        return {...keysetStart(url.searchParams.get(context.sinceParam), perPage), page};
      }
    }
  } else if (cursor.startsWith(PREFIX)) {
    const state = parseState(cursor.slice(PREFIX.length));
    if (state !== null) return state;
  }
  throw new ConnectorRequestError(
    `The saved position of the ${context.displayName} pull is not one this version understands.`,
    {
      provider: context.provider,
      failureClass: 'non_retryable',
      hint: 'Run `spec-kitty tracker sync pull --full` to list everything again.',
    },
  );
}

function parseState(encoded: string): KeysetState | null {
  let value: unknown;
  try {
    value = JSON.parse(fromBase64Url(encoded));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  const isTime = (x: unknown): x is string | null =>
    x === null || (typeof x === 'string' && !Number.isNaN(Date.parse(x)));
  if (!Number.isInteger(v.p) || (v.p as number) < 1 || !Number.isInteger(v.n) || (v.n as number) < 1)
    return null;
  if (!isTime(v.a) || !isStrings(v.s) || !isStrings(v.r) || !Array.isArray(v.t)) return null;
  const ties: KeysetTie[] = [];
  for (const tie of v.t) {
    if (!Array.isArray(tie) || typeof tie[0] !== 'string' || !isTime(tie[0]) || !isStrings(tie[1]))
      return null;
    ties.push({at: tie[0], ids: tie[1]});
  }
  let resume: KeysetState['resume'] = null;
  if (v.m !== null) {
    if (!Array.isArray(v.m) || !isTime(v.m[0]) || !isStrings(v.m[1])) return null;
    resume = {at: v.m[0], seen: v.m[1]};
  }
  return {
    perPage: v.p as number,
    at: v.a,
    page: v.n as number,
    seen: v.s,
    ties,
    redo: v.r,
    resume,
  };
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', {fatal: true}).decode(bytes);
}
