import {randomBytes} from 'node:crypto';

import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES} from '../../../core/model/enums.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {
  isLiveEntry,
  localViewOf,
  type IssueEntry,
  type TrackerState,
} from '../../../core/log/tracker-state.js';
import {compareBy} from '../../services/ticket-order.js';
import {packIssue} from '../packed-issue.js';
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
  tokensOf,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  type Dictionary,
  type GlobalState,
  type IndexHeader,
  type IndexRecord,
  type Section,
  type SectionName,
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
 * the header and the trailer. Returns the header, or null when this machine is big-endian (the
 * reader then keeps folding).
 */
export function writeBase(
  input: {state: TrackerState; ids: ReadonlySet<string>; listing: string; warnings: readonly string[]},
  sink: IndexSink,
): IndexHeader | null {
  if (!isLittleEndian()) return null;
  const entries = [...input.state.issues.values()].sort((a, b) =>
    a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0,
  );
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
  const views: (CanonicalIssue | null)[] = new Array(n);
  const liveRecords: number[] = [];
  const terms: [number, number][] = [];
  const labels = new Map<string, number[]>();
  const assignees = new Map<string, number[]>();
  const tokens = new Map<string, number[]>();
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

    terms.push([termHash(identityTerm(entry.identity)), i]);
    const flags = flagsOf(entry);
    const view = flags === 0 ? null : localViewOf(entry);
    views[i] = view;
    columns[i * COLUMN_BYTES] = flags;
    if (view === null) continue;
    columns[i * COLUMN_BYTES + 1] = indexOr(CANONICAL_STATUSES, view.status);
    columns[i * COLUMN_BYTES + 2] = indexOr(CANONICAL_ISSUE_TYPES, view.issue_type);
    columns[i * COLUMN_BYTES + 3] =
      view.priority === null || view.priority < 0 || view.priority >= NONE ? NONE : view.priority;
    for (const term of refTerms(view.ref)) terms.push([termHash(term), i]);
    if ((flags & FLAG_LIVE) === 0) continue;
    live += 1;
    if (flags & FLAG_PENDING) pending += 1;
    liveRecords.push(i);
    for (const label of view.labels) post(labels, label, i);
    for (const assignee of view.assignees) post(assignees, assignee, i);
    for (const token of tokensOf(searchHay(view))) post(tokens, token, i);
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
  terms.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const termTable = new Uint32Array(terms.length * 2);
  terms.forEach(([hash, record], k) => {
    termTable[2 * k] = hash;
    termTable[2 * k + 1] = record;
  });
  put('terms', u32(termTable));

  // Postings: labels, assignees, then tokens, each list in record order.
  const postings: number[] = [];
  const dictionary: Dictionary = {labels: {}, assignees: {}};
  for (const [name, list] of labels) {
    dictionary.labels[name] = [postings.length, list.length];
    for (const r of list) postings.push(r);
  }
  for (const [name, list] of assignees) {
    dictionary.assignees[name] = [postings.length, list.length];
    for (const r of list) postings.push(r);
  }
  const vocabulary = [...tokens.keys()].sort();
  const starts = new Uint32Array(vocabulary.length + 1);
  const ranges = new Uint32Array(vocabulary.length * 2);
  let textLength = 0;
  vocabulary.forEach((token, k) => {
    starts[k] = textLength;
    textLength += token.length + 1;
    const list = tokens.get(token)!;
    ranges[2 * k] = postings.length;
    ranges[2 * k + 1] = list.length;
    for (const r of list) postings.push(r);
  });
  starts[vocabulary.length] = textLength;
  tokens.clear();
  put('postings', u32(Uint32Array.from(postings)));
  put('dictionary', Buffer.from(JSON.stringify(dictionary), 'utf8'));
  // UTF-16 code units, so that offsets found by `indexOf` in the text are the `starts` values.
  put('vocabulary', Buffer.from(vocabulary.join('\n') + '\n', 'utf16le'));
  put('vocabularyStarts', u32(starts));
  put('vocabularyRanges', u32(ranges));
  put('global', Buffer.from(JSON.stringify(globalOf(input.state, input.ids, input.warnings)), 'utf8'));
  put('listing', Buffer.from(input.listing, 'utf8'));

  for (const sort of SORTS) {
    const compare = compareBy(sort);
    const order = [...liveRecords].sort((a, b) => compare(views[a]!, views[b]!) || a - b);
    put(`sort.${sort}`, u32(Uint32Array.from(order)));
  }

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

function indexOr(list: readonly string[], value: string): number {
  const index = list.indexOf(value);
  return index === -1 ? NONE : index;
}

function post(map: Map<string, number[]>, key: string, record: number): void {
  const list = map.get(key);
  if (list) list.push(record);
  else map.set(key, [record]);
}

function u32(array: Uint32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
