import type {TrackerState} from '../../../core/log/tracker-state.js';
import type {PackedEntryFields} from '../packed-issue.js';

/**
 * The read index's on-disk vocabulary, shared by the builder and the reader (docs/READ-INDEX.md
 * is the spec). Kept free of the fold and of core's index: every offline read loads it.
 */

export const INDEX_FORMAT = 'spec-kitty-tracker-read-index';
/** Bump whenever the layout, the record form, the tokeniser or the term forms change. */
export const INDEX_VERSION = 1;
export const BASE_NAME = 'read-index.v1.base';
export const OVERLAY_NAME = 'read-index.v1.overlay';
export const FRESH_NAME = 'read-index.v1.fresh';
/** The last 16 bytes of a base file: magic, header offset, header length (uint32 LE). */
export const TRAILER_MAGIC = 'SKTRIDX1';
export const TRAILER_BYTES = 16;

/** Per-record flags (the `columns` section's first byte). */
export const FLAG_LIVE = 1;
/** Live, and a draft or with local edits not pushed yet. */
export const FLAG_PENDING = 2;
/** Deleted on the tracker with a last pulled version: `show` explains instead of "unknown". */
export const FLAG_DELETED = 4;
/** Bytes per record in the `columns` section: flags, status, type, priority. */
export const COLUMN_BYTES = 4;
/** Column value of a missing priority or an unknown status/type. */
export const NONE = 255;

/** The sort orders kept precomputed, as permutations of the live records. */
export const SORTS = ['key', 'updated', 'created', 'priority', 'status', 'title'] as const;
export type SortName = (typeof SORTS)[number];

/** A section: byte offset in the file and byte length. */
export type Section = readonly [offset: number, length: number];

export interface IndexHeader {
  readonly format: string;
  readonly version: number;
  /** Random: overlays and the freshness stamp name the base they belong to. */
  readonly id: string;
  /** Records (every entry the fold knows, live or not), sorted by identity. */
  readonly count: number;
  readonly live: number;
  readonly pending: number;
  readonly sections: Readonly<Record<SectionName, Section>>;
}

export const SECTION_NAMES = [
  'records',
  'offsets',
  'columns',
  'terms',
  'postings',
  'dictionary',
  'vocabulary',
  'vocabularyStarts',
  'vocabularyRanges',
  'global',
  'listing',
  ...SORTS.map((sort) => `sort.${sort}` as const),
  // The work graph (relations-section.ts). A base written before these existed fails the header
  // check (every section must be there) and is rebuilt, as a damaged one is.
  'relations',
  'targetOrder',
  'relationTargets',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/**
 * A record: one folded entry as a JSON array, `[identity, base, draft, overrides | 0, editedAt,
 * deleted 0|1, createdAs, history]`, issues packed (`packed-issue.ts`), history as
 * `[event_id, at, kind]` triples.
 */
export type IndexRecord = [...PackedEntryFields, history: [string, string, string][]];

/**
 * Everything the fold keeps besides the issue entries: small (it grows with local activity, not
 * with the number of issues), read whole by `status`, `show` and `map list`.
 */
export interface GlobalState {
  readonly createdDrafts: [string, string][];
  readonly conflicts: unknown[];
  readonly comments: unknown[];
  readonly mappings: [string, unknown][];
  readonly diagnostics: unknown[];
  readonly eventCount: number;
  readonly last: {at: string; event_id: string} | null;
  /** Folded event ids that no entry's history holds (mappings, sends, ...): for deduplication. */
  readonly extraIds: string[];
  /** Newest `at` of an `issue_pulled` event. */
  readonly lastPullAt: string | null;
  /** Non-fatal problems the fold met (torn tails), replayed on every read. */
  readonly warnings: string[];
}

/** What a rebuild needs of a log that has folded the scope (`JsonlEventLog`). */
export interface FoldedLog {
  read(): Promise<TrackerState>;
  foldedSource(): {files: ReadonlyMap<string, string>; ids: ReadonlySet<string>} | null;
  readonly warnings: readonly string[];
}

/** Label and assignee postings: name -> [first posting, count] in the `postings` section. */
export interface Dictionary {
  readonly labels: Record<string, [number, number]>;
  readonly assignees: Record<string, [number, number]>;
}

/** The overlay: entries changed since the base was built, and the state they fold to. */
export interface OverlayFile {
  readonly format: string;
  readonly version: number;
  readonly baseId: string;
  /** Grows by one per update: the freshness stamp names `baseId:seq`. */
  readonly seq: number;
  /** The segment listing (`name stamp` lines) this base + overlay was folded from. */
  readonly listing: string;
  readonly global: GlobalState;
  /** [base record number or -1 for an identity the base lacks, the record]. */
  readonly entries: [number, IndexRecord][];
}

/**
 * Characters of a search token (letters, digits, marks, `_`); everything else separates
 * tokens. Made on first use: compiling Unicode classes costs milliseconds a `show` need not pay.
 */
let tokenPatterns: {separator: RegExp; only: RegExp} | null = null;

export function tokenSeparator(): RegExp {
  tokenPatterns ??= {separator: /[^\p{L}\p{N}\p{M}_]+/u, only: /^[\p{L}\p{N}\p{M}_]+$/u};
  return tokenPatterns.separator;
}

/** Whether `word` is made of token characters only. */
export function isTokenOnly(word: string): boolean {
  tokenSeparator();
  return tokenPatterns!.only.test(word);
}

/** The text `issue-search` looks in, lowercased (the same as the scan it replaces). */
export function searchHay(issue: {
  title: string;
  body: string | null;
  ref: {key: string | null};
  labels: readonly string[];
}): string {
  return `${issue.title}\n${issue.body ?? ''}\n${issue.ref.key ?? ''}\n${issue.labels.join(' ')}`.toLowerCase();
}

/** The distinct tokens of a hay. */
export function tokensOf(hay: string): Set<string> {
  const out = new Set<string>();
  for (const token of hay.split(tokenSeparator())) if (token !== '') out.add(token);
  return out;
}

/** FNV-1a over UTF-16 code units: how lookup terms are hashed. */
export function termHash(term: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < term.length; i += 1) {
    hash ^= term.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Lookup terms of a record: `i:` its identity (every record has it), and for an issue a person
 * can name, `d:` its id and `k:` its key, lowercased. `show` and the key search look these up,
 * then check each candidate with the full rule.
 */
export function identityTerm(identity: string): string {
  return `i:${identity}`;
}

export function refTerms(ref: {id: string; key: string | null}): string[] {
  const terms = [`d:${ref.id.toLowerCase()}`];
  if (ref.key !== null) terms.push(`k:${ref.key.toLowerCase()}`);
  return terms;
}

/** The terms to look up for what a person typed (a superset of what can match). */
export function queryTerms(input: string): string[] {
  const lower = input.toLowerCase();
  const bare = lower.replace(/^#/, '');
  const terms = [`i:${input}`, `k:${lower}`, `k:#${bare}`, `d:${bare}`];
  if (lower.startsWith('#')) terms.push(`k:${bare}`);
  return [...new Set(terms)];
}

export function isLittleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

/**
 * Records per term hash in a term key: hash * RECORD_SPAN + record stays below 2^53, exact in a
 * double, so the terms sort as one Float64Array. A scope of more records is not indexed.
 */
export const RECORD_SPAN = 2 ** 21;
