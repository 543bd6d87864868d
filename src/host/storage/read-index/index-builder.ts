import {randomBytes} from 'node:crypto';

import {
  isLiveEntry,
  localViewOf,
  type IssueEntry,
  type TrackerState,
} from '../../../core/log/tracker-state.js';
import {packIssue} from '../packed-issue.js';
import {GrowingArray, u32} from './growing-array.js';
import {RelationsSection} from './relations-section.js';
import {
  COLUMN_BYTES,
  FLAG_DELETED,
  FLAG_LIVE,
  FLAG_PENDING,
  INDEX_FORMAT,
  INDEX_VERSION,
  isLittleEndian,
  RECORD_SPAN,
  searchHay,
  SORTS,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  type Dictionary,
  type GlobalState,
  type IndexHeader,
  type IndexRecord,
} from './index-format.js';
import {SectionWriter, type IndexSink} from './section-writer.js';
import {keyOrder, sortedOrder} from './sort-orders.js';
import {EntryFields} from './entry-fields.js';
import {decodeRecord, parseRecord} from './index-file.js';
import {IdentityTable} from './identity-table.js';
import type {SpillFile} from './spill-file.js';
import {TokenPostings} from './token-postings.js';

export type {IndexSink} from './section-writer.js';

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
    extraIds: [...ids].filter((id) => !historyIds.has(id)).sort(),
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
 * Builds a base file from entries handed over one at a time (`add`), in any order: each entry's
 * record goes to a spill file at once, and only what the index's tables need of it stays in
 * memory (its identity, flags and columns, the fields the sort orders compare, its terms and
 * token postings, in flat typed arrays where they can be). An entry folded again later is
 * `drop`ped and added anew. `write` then numbers the records in key order and writes the file.
 */
export class IndexBuilder {
  /** Identity -> the entry last added under it (confirmed by the identity heading its record). */
  private readonly entries = new IdentityTable((e, identity) =>
    this.spill.startsWith(e, Buffer.from(`[${JSON.stringify(identity)},`, 'utf8')),
  );
  private readonly kept = new GrowingArray(Uint8Array);
  private readonly labels = new Map<string, GrowingArray<Uint32Array>>();
  private readonly assignees = new Map<string, GrowingArray<Uint32Array>>();
  private readonly tokens: TokenPostings;
  private readonly relations = new RelationsSection();

  /** Set when entries are described as they are added (see the constructor). */
  private readonly described: EntryFields | null;

  /**
   * `entries`: the number of entries that will be added, when each is added once (a folded
   * state handed over whole): they are then described as they come, from the entry at hand,
   * instead of from their records read back when the base is written.
   */
  constructor(
    private readonly spill: SpillFile,
    options: {entries?: number} = {},
  ) {
    this.tokens = new TokenPostings(spill.sibling());
    this.described = options.entries === undefined ? null : new EntryFields(options.entries, spill.sibling());
  }

  /**
   * Adds an entry; returns its number, for `drop`. Only its record is written: an entry folded
   * again is added again (a work package's issue, drafted, created, linked and closed in
   * different runs, comes back several times), so what the tables need of it is taken when the
   * base is written, from the records kept, once each.
   */
  add(entry: IssueEntry): number {
    const e = this.spill.add(JSON.stringify(recordOf(entry)) + '\n');
    this.entries.set(entry.identity, e);
    this.kept.push(1);
    if (this.described !== null) this.describe(this.described, e, entry);
    return e;
  }

  /** Leaves out entry `e` (it was folded again and will be added anew). */
  drop(e: number): void {
    this.kept.set(e, 0);
  }

  /** The entry `identity` was last added as, when it is still kept (not dropped); else -1. */
  keptEntryOf(identity: string): number {
    const e = this.entries.get(identity);
    return e >= 0 && this.kept.get(e) === 1 ? e : -1;
  }

  /** Entry e's record, from the spill file. */
  recordText(e: number): string {
    return this.spill.text(e);
  }

  /**
   * Writes the base file through `sink`: sections in order, then the header and the trailer.
   * Returns the header, or null when this machine is big-endian or the scope holds 2M issues
   * or more (the reader then keeps folding).
   */
  write(input: {global: GlobalState; listing: string}, sink: IndexSink): IndexHeader | null {
    const keptEntries = new GrowingArray(Uint32Array);
    for (let e = 0; e < this.kept.length; e += 1) if (this.kept.get(e) === 1) keptEntries.push(e);
    if (!isLittleEndian() || this.kept.length >= RECORD_SPAN) return null;
    const fields = this.described ?? this.describeKept(keptEntries.view());
    const order = keyOrder(keptEntries.view(), fields);
    const recordOf = new Int32Array(this.kept.length).fill(-1);
    order.forEach((e, r) => (recordOf[e] = r));
    const out = new SectionWriter(sink);
    this.writeRecords(out, order);
    const {columns, live, pending, liveRecords} = columnsOf(order, fields.columns);
    out.put('columns', columns);
    out.put('terms', u32(termTable(fields.terms.view(), recordOf)));
    this.writePostings(out, recordOf);
    out.put('global', Buffer.from(JSON.stringify(input.global), 'utf8'));
    out.put('listing', Buffer.from(input.listing, 'utf8'));
    for (const sort of SORTS) out.put(`sort.${sort}`, u32(sortedOrder(sort, liveRecords, order, fields)));
    const graph = this.relations.sections(recordOf, (identity) => this.entries.get(identity));
    out.put('relations', graph.relations);
    out.put('targetOrder', graph.targetOrder);
    out.put('relationTargets', graph.relationTargets);
    const header: IndexHeader = {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      id: randomBytes(12).toString('hex'),
      count: order.length,
      live,
      pending,
      sections: out.sections,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.write(TRAILER_MAGIC, 0, 'latin1');
    trailer.writeUInt32LE(out.at, 8);
    trailer.writeUInt32LE(headerBytes.length, 12);
    out.finish(headerBytes, trailer);
    return header;
  }

  /** The records, copied from the spill file in record order, and the offsets table. */
  private writeRecords(out: SectionWriter, order: Uint32Array): void {
    const offsets = new Uint32Array(order.length + 1);
    out.begin();
    let recordBytes = 0;
    for (let first = 0; first < order.length; first += RECORDS_PER_READ) {
      const numbers = order.subarray(first, first + RECORDS_PER_READ);
      numbers.forEach((e, k) => {
        offsets[first + k] = recordBytes;
        recordBytes += this.spill.lengthOf(e);
      });
      if (recordBytes > 0xffff_fff0) throw new Error('read index: records exceed 4 GiB');
      this.spill.runs(numbers, (run) => out.append(run));
    }
    offsets[order.length] = recordBytes;
    out.end('records', 0x0a);
    out.put('offsets', u32(offsets));
  }

  /**
   * One pass over the kept records (in the order they were added, which is file order): each
   * one's fields, label and assignee postings, search tokens and stated relations.
   */
  private describeKept(keptEntries: Uint32Array): EntryFields {
    const fields = new EntryFields(this.kept.length, this.spill.sibling());
    this.spill.lines(keptEntries, (line, k) =>
      this.describe(fields, keptEntries[k]!, decodeRecord(parseRecord(line))),
    );
    return fields;
  }

  /** Entry e's fields, label and assignee postings, search tokens and stated relations. */
  private describe(fields: EntryFields, e: number, entry: IssueEntry): void {
    const flags = flagsOf(entry);
    const view = flags === 0 ? null : localViewOf(entry);
    fields.add(e, entry.identity, flags, view);
    if (view === null || (flags & FLAG_LIVE) === 0) return;
    for (const label of view.labels) post(this.labels, label, e);
    for (const assignee of view.assignees) post(this.assignees, assignee, e);
    this.tokens.addText(searchHay(view), e);
    this.relations.declare(e, view);
  }

  /** Postings (labels, assignees, then tokens, each list in record order) and their directories. */
  private writePostings(out: SectionWriter, recordOf: Int32Array): void {
    const postings = new GrowingArray(Uint32Array);
    const dictionary: Dictionary = {labels: {}, assignees: {}};
    for (const [into, lists] of [
      [dictionary.labels, this.labels],
      [dictionary.assignees, this.assignees],
    ] as const) {
      for (const name of [...lists.keys()].sort()) {
        const first = postings.length;
        for (const e of lists.get(name)!.view()) if (recordOf[e]! >= 0) postings.push(recordOf[e]!);
        if (postings.length === first) continue;
        into[name] = [first, postings.length - first];
        postings.view().subarray(first).sort();
      }
    }
    const tokens = this.tokens.group(recordOf, postings.length);
    out.begin();
    out.append(u32(postings.view()));
    out.append(u32(tokens.postings));
    out.end('postings');
    out.put('dictionary', Buffer.from(JSON.stringify(dictionary), 'utf8'));
    // UTF-16 code units, so that offsets found by `indexOf` in the text are the `starts` values.
    out.put('vocabulary', tokens.vocabulary);
    out.put('vocabularyStarts', u32(tokens.starts));
    out.put('vocabularyRanges', u32(tokens.ranges));
  }
}

/** Records copied per read of the spill file. */
const RECORDS_PER_READ = 2048;

function post(map: Map<string, GrowingArray<Uint32Array>>, key: string, entry: number): void {
  let list = map.get(key);
  if (list === undefined) map.set(key, (list = new GrowingArray(Uint32Array, 16)));
  list.push(entry);
}

function columnsOf(
  order: Uint32Array,
  entryColumns: Uint8Array,
): {
  columns: Buffer;
  live: number;
  pending: number;
  liveRecords: Uint32Array;
} {
  const columns = Buffer.alloc(order.length * COLUMN_BYTES);
  const liveRecords = new GrowingArray(Uint32Array);
  let pending = 0;
  order.forEach((e, r) => {
    for (let k = 0; k < COLUMN_BYTES; k += 1)
      columns[r * COLUMN_BYTES + k] = entryColumns[e * COLUMN_BYTES + k]!;
    const flags = columns[r * COLUMN_BYTES]!;
    if ((flags & FLAG_LIVE) === 0) return;
    liveRecords.push(r);
    if (flags & FLAG_PENDING) pending += 1;
  });
  return {columns, live: liveRecords.length, pending, liveRecords: liveRecords.view()};
}

/**
 * (term hash, record) pairs of the kept entries, sorted. `terms` (`hash * RECORD_SPAN + entry`,
 * kept entries only) is rewritten in place with records for entries and sorted.
 */
function termTable(terms: Float64Array, recordOf: Int32Array): Uint32Array {
  for (let k = 0; k < terms.length; k += 1) {
    const key = terms[k]!;
    terms[k] = Math.floor(key / RECORD_SPAN) * RECORD_SPAN + recordOf[key % RECORD_SPAN]!;
  }
  terms.sort();
  const table = new Uint32Array(terms.length * 2);
  terms.forEach((key, k) => {
    table[2 * k] = Math.floor(key / RECORD_SPAN);
    table[2 * k + 1] = key % RECORD_SPAN;
  });
  return table;
}
