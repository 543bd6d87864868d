import {randomBytes} from 'node:crypto';

import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES} from '../../../core/model/enums.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {refIdentity} from '../../../core/model/external-ref.js';
import {
  isLiveEntry,
  localViewOf,
  type IssueEntry,
  type TrackerState,
} from '../../../core/log/tracker-state.js';
import {compareBy} from '../../services/ticket-order.js';
import {packIssue} from '../packed-issue.js';
import {RelationsSection} from './relations-section.js';
import {
  COLUMN_BYTES,
  FLAG_DELETED,
  FLAG_LIVE,
  FLAG_PENDING,
  INDEX_FORMAT,
  INDEX_VERSION,
  isLittleEndian,
  NONE,
  identityTerm,
  refTerms,
  searchHay,
  SORTS,
  termHash,
  tokenSeparator,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  type Dictionary,
  type GlobalState,
  type IndexHeader,
  type IndexRecord,
  type Section,
  type SectionName,
  type SortName,
} from './index-format.js';

/** Writes `bytes` at `position` of the file being built. */
export type IndexSink = (bytes: Buffer, position: number) => void;

/** Records are written in chunks of about this many characters, each let go once written. */
const CHUNK_CHARS = 4 << 20;

/** One entry as a record (the inverse is `decodeRecord` in the reader). */
export function recordOf(entry: IssueEntry): IndexRecord {
  const history: [string, string, string][] = entry.history.map((h) => [h.event_id, h.at, h.kind]);
  return [
    entry.identity,
    entry.base && packIssue(entry.base),
    entry.draft && packIssue(entry.draft),
    entry.overrides.size === 0 ? 0 : Object.fromEntries(entry.overrides),
    entry.editedAt,
    entry.deleted ? 1 : 0,
    entry.createdAs,
    history,
  ];
}

/** The fold's state besides its entries, as the index keeps it. */
export function globalOf(
  state: TrackerState,
  ids: ReadonlySet<string>,
  warnings: readonly string[],
): GlobalState {
  const historyIds = new Set<string>();
  let lastPullAt: string | null = null;
  for (const entry of state.issues.values()) {
    for (const h of entry.history) {
      historyIds.add(h.event_id);
      if (h.kind === 'issue_pulled' && (lastPullAt === null || h.at > lastPullAt)) lastPullAt = h.at;
    }
  }
  return {
    createdDrafts: [...state.createdDrafts],
    conflicts: [...state.conflicts.values()],
    comments: [...state.comments.values()],
    mappings: [...state.mappings],
    diagnostics: [...state.diagnostics],
    eventCount: state.eventCount,
    last: state.last,
    extraIds: [...ids].filter((id) => !historyIds.has(id)),
    lastPullAt,
    warnings: [...warnings],
  };
}

/** Flags of an entry (see `FLAG_*`). */
export function flagsOf(entry: IssueEntry): number {
  if (isLiveEntry(entry)) {
    const pending = (entry.base === null && entry.draft !== null) || entry.overrides.size > 0;
    return FLAG_LIVE | (pending ? FLAG_PENDING : 0);
  }
  return entry.deleted && entry.base !== null ? FLAG_DELETED : 0;
}

/**
 * Writes a base file of `state` (folded from `listing`) through `sink`: sections in order, then
 * the header and the trailer. Returns the header, or null when this machine is big-endian or
 * the scope holds 2M issues or more (the reader then keeps folding).
 */
export function writeBase(
  input: {state: TrackerState; ids: ReadonlySet<string>; listing: string; warnings: readonly string[]},
  sink: IndexSink,
): IndexHeader | null {
  if (!isLittleEndian() || input.state.issues.size >= RECORD_SPAN) return null;
  const {entries, views} = inKeyOrder([...input.state.issues.values()]);
  const n = entries.length;
  const sections = {} as Record<SectionName, Section>;
  let at = 0;
  const put = (name: SectionName, bytes: Buffer): void => {
    sink(bytes, at);
    sections[name] = [at, bytes.length];
    at += bytes.length;
    // Keep every section 4-byte aligned (uint32 arrays are read straight into typed arrays).
    const pad = (4 - (at % 4)) % 4;
    if (pad > 0) {
      sink(Buffer.alloc(pad, 0x20), at);
      at += pad;
    }
  };

  const offsets = new Uint32Array(n + 1);
  const columns = Buffer.alloc(n * COLUMN_BYTES);
  const liveRecords: number[] = [];
  const terms = new GrowingArray(Float64Array);
  const labels = new Map<string, number[]>();
  const assignees = new Map<string, number[]>();
  const tokens = new TokenPostings();
  const relations = new RelationsSection();
  let live = 0;
  let pending = 0;

  // Records, chunked, each chunk written as soon as it is full.
  const recordsStart = at;
  let chunk: string[] = [];
  let chunkChars = 0;
  let written = 0;
  const flush = (): void => {
    const text = chunk.join('');
    const bytes = Buffer.from(text, Buffer.byteLength(text) === text.length ? 'latin1' : 'utf8');
    sink(bytes, recordsStart + written);
    written += bytes.length;
    chunk = [];
    chunkChars = 0;
  };
  let recordBytes = 0;
  for (let i = 0; i < n; i += 1) {
    const entry = entries[i]!;
    const line = JSON.stringify(recordOf(entry)) + '\n';
    offsets[i] = recordBytes;
    recordBytes += Buffer.byteLength(line);
    if (recordBytes > 0xffff_fff0) throw new Error('read index: records exceed 4 GiB');
    chunk.push(line);
    chunkChars += line.length;
    if (chunkChars >= CHUNK_CHARS) flush();

    terms.push(termKey(identityTerm(entry.identity), i));
    const flags = flagsOf(entry);
    const view = views[i]!;
    relations.add(i, entry.identity, flags & FLAG_LIVE ? view : null);
    columns[i * COLUMN_BYTES] = flags;
    if (view === null) continue;
    columns[i * COLUMN_BYTES + 1] = indexOr(CANONICAL_STATUSES, view.status);
    columns[i * COLUMN_BYTES + 2] = indexOr(CANONICAL_ISSUE_TYPES, view.issue_type);
    columns[i * COLUMN_BYTES + 3] =
      view.priority === null || view.priority < 0 || view.priority >= NONE ? NONE : view.priority;
    for (const term of refTerms(view.ref)) terms.push(termKey(term, i));
    if ((flags & FLAG_LIVE) === 0) continue;
    live += 1;
    if (flags & FLAG_PENDING) pending += 1;
    liveRecords.push(i);
    for (const label of view.labels) post(labels, label, i);
    for (const assignee of view.assignees) post(assignees, assignee, i);
    tokens.addText(searchHay(view), i);
  }
  offsets[n] = recordBytes;
  flush();
  sections.records = [recordsStart, recordBytes];
  at = recordsStart + recordBytes;
  const pad = (4 - (at % 4)) % 4;
  if (pad > 0) {
    sink(Buffer.alloc(pad, 0x0a), at);
    at += pad;
  }

  put('offsets', u32(offsets));
  put('columns', columns);
  const sortedTerms = terms.view().sort();
  const termTable = new Uint32Array(sortedTerms.length * 2);
  sortedTerms.forEach((key, k) => {
    termTable[2 * k] = Math.floor(key / RECORD_SPAN);
    termTable[2 * k + 1] = key % RECORD_SPAN;
  });
  put('terms', u32(termTable));

  // Postings: labels, assignees, then tokens, each list in record order.
  const postings = new GrowingArray(Uint32Array);
  const dictionary: Dictionary = {labels: {}, assignees: {}};
  for (const [name, list] of labels) {
    dictionary.labels[name] = [postings.length, list.length];
    for (const r of list) postings.push(r);
  }
  for (const [name, list] of assignees) {
    dictionary.assignees[name] = [postings.length, list.length];
    for (const r of list) postings.push(r);
  }
  const {vocabulary, starts, ranges} = tokens.appendTo(postings);
  put('postings', u32(postings.view()));
  put('dictionary', Buffer.from(JSON.stringify(dictionary), 'utf8'));
  // UTF-16 code units, so that offsets found by `indexOf` in the text are the `starts` values.
  put('vocabulary', Buffer.from(vocabulary, 'utf16le'));
  put('vocabularyStarts', u32(starts));
  put('vocabularyRanges', u32(ranges));
  put('global', Buffer.from(JSON.stringify(globalOf(input.state, input.ids, input.warnings)), 'utf8'));
  put('listing', Buffer.from(input.listing, 'utf8'));

  for (const sort of SORTS) put(`sort.${sort}`, u32(sortedOrder(sort, liveRecords, views)));
  const graph = relations.sections(n);
  put('relations', graph.relations);
  put('targetOrder', graph.targetOrder);
  put('relationTargets', graph.relationTargets);

  const header: IndexHeader = {
    format: INDEX_FORMAT,
    version: INDEX_VERSION,
    id: randomBytes(12).toString('hex'),
    count: n,
    live,
    pending,
    sections,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  sink(headerBytes, at);
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.write(TRAILER_MAGIC, 0, 'latin1');
  trailer.writeUInt32LE(at, 8);
  trailer.writeUInt32LE(headerBytes.length, 12);
  sink(trailer, at + headerBytes.length);
  return header;
}

/**
 * Records are numbered in `list-tickets`' default (key) order, issues a person can name first,
 * then the rest by identity: the default listing then reads the file front to back.
 */
function inKeyOrder(all: IssueEntry[]): {entries: IssueEntry[]; views: (CanonicalIssue | null)[]} {
  const viewOf = new Map<IssueEntry, CanonicalIssue | null>();
  for (const entry of all) viewOf.set(entry, flagsOf(entry) === 0 ? null : localViewOf(entry));
  const byKey = compareBy('key');
  const entries = all.sort((a, b) => {
    const va = viewOf.get(a)!;
    const vb = viewOf.get(b)!;
    if (va !== null && vb !== null) return byKey(va, vb) || cmp(a.identity, b.identity);
    if (va !== null || vb !== null) return va !== null ? -1 : 1;
    return cmp(a.identity, b.identity);
  });
  return {entries, views: entries.map((entry) => viewOf.get(entry)!)};
}

/** Ties of every order go by identity, as a stable sort of the identity-ordered list does. */
function byIdentity(a: CanonicalIssue, b: CanonicalIssue): number {
  return cmp(refIdentity(a.ref), refIdentity(b.ref));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function indexOr(list: readonly string[], value: string): number {
  const index = list.indexOf(value);
  return index === -1 ? NONE : index;
}

function post(map: Map<string, number[]>, key: string, record: number): void {
  const list = map.get(key);
  if (list) list.push(record);
  else map.set(key, [record]);
}

/**
 * Token postings gathered as flat (token, record) pairs in a growing typed array, then grouped
 * by token: tens of millions of pairs at 100k issues, which one small array per token made
 * into a garbage collector's feast.
 */
class TokenPostings {
  private readonly ids = new Map<string, number>();
  private lastRecord = new Int32Array(1024).fill(-1);
  private pairs = new Uint32Array(1 << 20);
  private length = 0;

  /** The distinct tokens of `hay` (a record's search text), for record `record`. */
  addText(hay: string, record: number): void {
    for (const token of hay.split(tokenSeparator())) {
      if (token === '') continue;
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(token, id);
        if (id >= this.lastRecord.length) {
          const grown = new Int32Array(this.lastRecord.length * 2).fill(-1);
          grown.set(this.lastRecord);
          this.lastRecord = grown;
        }
      }
      if (this.lastRecord[id] === record) continue;
      this.lastRecord[id] = record;
      if (this.length + 2 > this.pairs.length) {
        const grown = new Uint32Array(this.pairs.length * 2);
        grown.set(this.pairs);
        this.pairs = grown;
      }
      this.pairs[this.length++] = id;
      this.pairs[this.length++] = record;
    }
  }

  /**
   * Appends every token's records (in record order) to `postings`; returns the sorted
   * vocabulary (one `\n`-terminated line per token), where each token's line starts (in UTF-16
   * code units), and each token's [first, count] in `postings`.
   */
  appendTo(postings: GrowingArray<Uint32Array>): {
    vocabulary: string;
    starts: Uint32Array;
    ranges: Uint32Array;
  } {
    const names = [...this.ids.keys()];
    const order = names.map((_, id) => id).sort((a, b) => (names[a]! < names[b]! ? -1 : 1));
    const rank = new Uint32Array(names.length);
    order.forEach((id, r) => (rank[id] = r));
    const counts = new Uint32Array(names.length + 1);
    for (let k = 0; k < this.length; k += 2) counts[rank[this.pairs[k]!]! + 1]! += 1;
    for (let r = 0; r < names.length; r += 1) counts[r + 1]! += counts[r]!;
    const first = postings.length;
    const grouped = new Uint32Array(this.length / 2);
    const cursor = counts.slice(0, names.length);
    // Pairs were added in record order, so each token's records stay in record order.
    for (let k = 0; k < this.length; k += 2) grouped[cursor[rank[this.pairs[k]!]!]!++] = this.pairs[k + 1]!;
    for (const record of grouped) postings.push(record);
    const starts = new Uint32Array(names.length + 1);
    const ranges = new Uint32Array(names.length * 2);
    let text = 0;
    order.forEach((id, r) => {
      starts[r] = text;
      text += names[id]!.length + 1;
      ranges[2 * r] = first + counts[r]!;
      ranges[2 * r + 1] = counts[r + 1]! - counts[r]!;
    });
    starts[names.length] = text;
    return {vocabulary: order.map((id) => names[id]! + '\n').join(''), starts, ranges};
  }
}

/**
 * The live records in the order `list-tickets --sort` prints them. Timestamps of one shape (the
 * normalised form every issue has) are compared as plain strings, which `compareBy` would
 * answer the same way, without calling it a million times.
 */
function sortedOrder(
  sort: SortName,
  live: readonly number[],
  views: readonly (CanonicalIssue | null)[],
): Uint32Array {
  const compare = compareBy(sort);
  if (sort === 'updated' || sort === 'created') {
    const field = sort === 'updated' ? 'updated_at' : 'created_at';
    const keys = live.map((r) => views[r]![field] ?? '');
    const shape = (text: string): string => text.replace(/[0-9]/g, '0');
    const first = keys.length > 0 ? shape(keys[0]!) : '';
    if (keys.every((key) => /^[0-9TZ:.+-]+$/.test(key) && shape(key) === first)) {
      const ids = live.map((r) => Number(views[r]!.ref.id));
      const byKey = compareBy('key');
      const positions = live.map((_, k) => k);
      positions.sort((a, b) => {
        const ka = keys[a]!;
        const kb = keys[b]!;
        if (ka !== kb) return ka < kb ? 1 : -1;
        const na = ids[a]!;
        const nb = ids[b]!;
        if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
        return byKey(views[live[a]!]!, views[live[b]!]!) || byIdentity(views[live[a]!]!, views[live[b]!]!);
      });
      return Uint32Array.from(positions, (k) => live[k]!);
    }
  }
  return Uint32Array.from(
    [...live].sort((a, b) => compare(views[a]!, views[b]!) || byIdentity(views[a]!, views[b]!)),
  );
}

/**
 * Records per term hash in a term key: hash * RECORD_SPAN + record stays below 2^53, exact in a
 * double, so the terms sort as one Float64Array. A scope of more records is not indexed.
 */
export const RECORD_SPAN = 2 ** 21;

function termKey(term: string, record: number): number {
  return termHash(term) * RECORD_SPAN + record;
}

/** An append-only typed array that doubles when full. */
class GrowingArray<T extends Uint32Array | Float64Array> {
  private data: T;
  length = 0;

  constructor(private readonly kind: {new (length: number): T}) {
    this.data = new kind(1 << 16);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new this.kind(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

function u32(array: Uint32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
