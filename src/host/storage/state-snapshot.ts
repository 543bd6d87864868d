import {randomBytes} from 'node:crypto';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

import {
  createRef,
  TrackerState,
  type FoldDiagnostic,
  type IssueEntry,
  type IssueEntrySummary,
  type JsonObject,
  type PendingComment,
  type StoredConflict,
  type WorkPackageMapping,
} from '../../core/index.js';
import {closeCacheFile, openCacheFile, parseCacheHeader, readFully} from './cache-file.js';
import {packIssue, SnapshotDamage, unpackEntryFields, unpackIssue, type PackedIssue} from './packed-issue.js';

export {packIssue, SnapshotDamage, unpackIssue};

/**
 * The read cache's snapshot file: the folded `TrackerState` of a scope, laid out so that one
 * issue can be read without reading the rest, and the issue list without parsing any event.
 *
 *   line 1     header (JSON): format, version, snapshot id, the segment listing's digest,
 *              section offsets/lengths/CRC-32s (relative to the end of this line), warnings
 *   records    one JSON array per issue entry, sorted by identity:
 *              [identity, base, draft, overrides|0, editedAt, deleted(0|1), createdAs]
 *              issues packed as arrays in a fixed field order (see `packIssue`)
 *   index      binary, little-endian uint32: B+1 bucket starts, then per record
 *              (offset, length, crc32) grouped by FNV-1a(identity) mod B (B a power of two)
 *   state      one JSON object: everything else `read()` returns (history, insertion order,
 *              conflicts, comments, mappings, diagnostics, counters, folded event ids)
 *   listing    the segment listing the snapshot was folded from (`name stamp` lines)
 *
 * Everything read is checked (lengths, CRC-32s, shapes); anything unexpected throws
 * `SnapshotDamage` and the caller falls back to folding the segments.
 */

export const SNAPSHOT_FORMAT = 'spec-kitty-tracker-read-cache';
/** Bump whenever the layout or the packed forms change: older files are then ignored. */
export const SNAPSHOT_VERSION = 1;

type Section = readonly [offset: number, length: number, crc: number];

export interface SnapshotHeader {
  readonly format: string;
  readonly version: number;
  /** Random; the freshness stamp names the snapshot it vouches for. */
  readonly id: string;
  readonly count: number;
  readonly buckets: number;
  /** Digest of the listing section's text (what `listingDigest` computes). */
  readonly listing: string;
  readonly sections: {
    readonly records: Section;
    readonly index: Section;
    readonly state: Section;
    readonly listing: Section;
  };
  /** Non-fatal problems the fold met (torn tails), replayed on every cache hit. */
  readonly warnings: readonly string[];
}

// ---- checksums and hashing -------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32Js(data: Buffer, previous = 0): number {
  let crc = ~previous;
  for (let i = 0; i < data.length; i += 1) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32 (zlib's when this Node has it, 20.15+; the same value either way). */
export const crc32: (data: Buffer, previous?: number) => number =
  typeof (zlib as {crc32?: unknown}).crc32 === 'function'
    ? (data, previous = 0) =>
        (zlib as unknown as {crc32: (d: Buffer, p: number) => number}).crc32(data, previous)
    : crc32Js;

/** Whether `text` is ASCII only, where its UTF-8 and latin1 bytes are the same. */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/** FNV-1a over UTF-16 code units: the index's bucket hash. */
export function identityHash(identity: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < identity.length; i += 1) {
    hash ^= identity.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// ---- records ---------------------------------------------------------------------------

type PackedRecord = [
  string,
  PackedIssue | null,
  PackedIssue | null,
  JsonObject | 0,
  string | null,
  0 | 1,
  string | null,
];

function packRecord(entry: IssueEntry): PackedRecord {
  return [
    entry.identity,
    entry.base && packIssue(entry.base),
    entry.draft && packIssue(entry.draft),
    entry.overrides.size === 0 ? 0 : (Object.fromEntries(entry.overrides) as JsonObject),
    entry.editedAt,
    entry.deleted ? 1 : 0,
    entry.createdAs,
  ];
}

function checkRecord(value: unknown): PackedRecord {
  if (!Array.isArray(value) || value.length !== 7 || typeof value[0] !== 'string') {
    throw new SnapshotDamage('bad record');
  }
  return value as PackedRecord;
}

/** A record's flags, read before deciding whether its issues are worth unpacking. */
function recordIsLive(record: PackedRecord): boolean {
  return record[5] === 0 && record[6] === null && (record[1] !== null || record[2] !== null);
}

function unpackRecord(record: PackedRecord): IssueEntrySummary {
  return unpackEntryFields(record);
}

// ---- writing ---------------------------------------------------------------------------

interface StateSection {
  /** Record index of each issue, in the state's Map insertion order. */
  order: number[];
  /** Per record (record order): [event_id, at, kind] of every event that touched it. */
  history: [string, string, string][][];
  created: [string, string][];
  conflicts: StoredConflict[];
  comments: (PendingComment & {sent: boolean})[];
  mappings: [string, WorkPackageMapping][];
  diagnostics: FoldDiagnostic[];
  eventCount: number;
  last: {at: string; event_id: string} | null;
  /** Folded event ids that no issue's history holds (mappings, sends, ...). */
  extraIds: string[];
}

const CHUNK_CHARS = 4 << 20;
/** uint32 offsets in the index. */
const MAX_SECTION_BYTES = 0xffff_fff0;

/** Where `encodeSnapshot` puts its bytes: `write(bytes, position)` in the file. */
export type SnapshotSink = (bytes: Buffer, position: number) => void;

/**
 * Writes a snapshot of `state` (folded from `ids`, listed as `listing`) to `sink` and returns
 * its header; null when the state is too large for the index's 32-bit offsets (the sink may then
 * hold a partial file, to be discarded).
 *
 * The sections are written as they are made, each chunk let go once written, so a large scope
 * never holds a second copy of its cache in memory. The header line comes first in the file but
 * is known last: its place is reserved at the widest the header can be, and it is written at the
 * end padded with spaces (JSON allows them; readers find the line's end as before).
 */
export function encodeSnapshot(
  input: {
    state: TrackerState;
    ids: ReadonlySet<string>;
    listing: string;
    warnings: readonly string[];
  },
  sink: SnapshotSink,
): SnapshotHeader | null {
  const {state} = input;
  const entries = [...state.issues.values()].sort((a, b) =>
    a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0,
  );
  const n = entries.length;
  let buckets = 1;
  while (buckets < n) buckets *= 2;

  const id = randomBytes(12).toString('hex');
  const listingDigestText = listingDigest(input.listing);
  const widest: Section = [MAX_SECTION_BYTES, MAX_SECTION_BYTES, 0xffff_ffff];
  const headerOf = (sections: SnapshotHeader['sections']): SnapshotHeader => ({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    id,
    count: n,
    buckets,
    listing: listingDigestText,
    sections,
    warnings: [...input.warnings],
  });
  const reserved = Buffer.byteLength(
    JSON.stringify(headerOf({records: widest, index: widest, state: widest, listing: widest})),
  );
  const base = reserved + 1;

  const records = writeRecords(entries, (bytes, position) => sink(bytes, base + position));
  if (records === null) return null;
  const indexBuffer = bucketIndex(entries, records, buckets);
  const indexStart = records.length;
  sink(indexBuffer, base + indexStart);

  // Everything else read() returns.
  const stateText = JSON.stringify(stateSectionOf(state, entries, input.ids)) + '\n';
  const stateBuffer = Buffer.from(stateText, isAscii(stateText) ? 'latin1' : 'utf8');
  const stateStart = indexStart + indexBuffer.length;
  sink(stateBuffer, base + stateStart);
  const listingBuffer = Buffer.from(input.listing, 'utf8');
  const listingStart = stateStart + stateBuffer.length;
  sink(listingBuffer, base + listingStart);

  const at = (start: number, buffer: Buffer | number, crc: number): Section => [
    start,
    typeof buffer === 'number' ? buffer : buffer.length,
    crc,
  ];
  const header = headerOf({
    records: at(0, records.length, records.crc),
    index: at(indexStart, indexBuffer, crc32(indexBuffer)),
    state: at(stateStart, stateBuffer, crc32(stateBuffer)),
    listing: at(listingStart, listingBuffer, crc32(listingBuffer)),
  });
  const text = JSON.stringify(header);
  sink(Buffer.from(text + ' '.repeat(reserved - Buffer.byteLength(text)) + '\n', 'utf8'), 0);
  return header;
}

/** Where each record lies in the records section, and the CRCs. */
interface WrittenRecords {
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly crcs: Uint32Array;
  /** Bytes of the whole section, and its CRC. */
  readonly length: number;
  readonly crc: number;
}

/**
 * The records section through `sink` (positions within the section), chunked so that no single
 * string grows without bound. Each chunk is encoded once; per-record CRCs are taken over slices
 * of it (a Buffer per record costs more than the JSON). Null past the 32-bit offsets.
 */
function writeRecords(entries: readonly IssueEntry[], sink: SnapshotSink): WrittenRecords | null {
  const n = entries.length;
  const offsets = new Uint32Array(n);
  const lengths = new Uint32Array(n);
  const crcs = new Uint32Array(n);
  let pending: string[] = [];
  let pendingChars = 0;
  let pendingBytes = 0;
  let firstPending = 0;
  let offset = 0;
  let written = 0;
  let crc = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    // Each record written straight into the chunk's buffer: an ASCII one (most) as latin1, a
    // plain copy; the others as UTF-8. Joining them first and encoding the whole as UTF-8 took
    // several times longer.
    const buffer = Buffer.allocUnsafe(pendingBytes);
    for (let i = 0, at = 0; i < pending.length; i += 1) {
      const line = pending[i]!;
      const length = lengths[firstPending + i]!;
      at += buffer.write(line, at, length === line.length ? 'latin1' : 'utf8');
    }
    crc = crc32(buffer, crc);
    const first = offsets[firstPending]!;
    for (let i = firstPending; i < firstPending + pending.length; i += 1) {
      const at = offsets[i]! - first;
      crcs[i] = crc32(buffer.subarray(at, at + lengths[i]!));
    }
    sink(buffer, written);
    written += buffer.length;
    firstPending += pending.length;
    pending = [];
    pendingChars = 0;
    pendingBytes = 0;
  };
  for (let i = 0; i < n; i += 1) {
    const line = JSON.stringify(packRecord(entries[i]!)) + '\n';
    const length = Buffer.byteLength(line, 'utf8');
    pendingBytes += length;
    offsets[i] = offset;
    lengths[i] = length;
    offset += length;
    if (offset > MAX_SECTION_BYTES) return null;
    pending.push(line);
    pendingChars += line.length;
    if (pendingChars >= CHUNK_CHARS) flush();
  }
  flush();
  return {offsets, lengths, crcs, length: offset, crc};
}

/** The index section: bucket starts, then (offset, length, crc) per record grouped by bucket. */
function bucketIndex(entries: readonly IssueEntry[], records: WrittenRecords, buckets: number): Buffer {
  const n = entries.length;
  const bucketOf = new Uint32Array(n);
  const counts = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i += 1) {
    bucketOf[i] = identityHash(entries[i]!.identity) & (buckets - 1);
    counts[bucketOf[i]! + 1]! += 1;
  }
  for (let b = 0; b < buckets; b += 1) counts[b + 1]! += counts[b]!;
  const index = new Uint32Array(buckets + 1 + 3 * n);
  index.set(counts, 0);
  const cursor = counts.slice(0, buckets);
  for (let i = 0; i < n; i += 1) {
    const slot = buckets + 1 + 3 * cursor[bucketOf[i]!]!;
    cursor[bucketOf[i]!]! += 1;
    index[slot] = records.offsets[i]!;
    index[slot + 1] = records.lengths[i]!;
    index[slot + 2] = records.crcs[i]!;
  }
  const buffer = Buffer.from(index.buffer, index.byteOffset, index.byteLength);
  if (!littleEndian()) swap32(buffer);
  return buffer;
}

/** The state section: what `read()` returns besides the records, `entries` in record order. */
function stateSectionOf(
  state: TrackerState,
  entries: readonly IssueEntry[],
  ids: ReadonlySet<string>,
): StateSection {
  const position = new Map(entries.map((entry, i) => [entry.identity, i]));
  const historyIds = new Set<string>();
  const history = entries.map((entry) =>
    entry.history.map((h): [string, string, string] => {
      historyIds.add(h.event_id);
      return [h.event_id, h.at, h.kind];
    }),
  );
  return {
    order: [...state.issues.keys()].map((identity) => position.get(identity)!),
    history,
    created: [...state.createdDrafts],
    conflicts: [...state.conflicts.values()],
    comments: [...state.comments.values()],
    mappings: [...state.mappings],
    diagnostics: state.diagnostics,
    eventCount: state.eventCount,
    last: state.last,
    extraIds: [...ids].filter((id) => !historyIds.has(id)),
  };
}

/** Digest of a listing's text: cheap, and only ever compared with itself. */
export function listingDigest(listing: string): string {
  const buffer = Buffer.from(listing, 'utf8');
  return `${buffer.length.toString(16)}-${crc32(buffer).toString(16)}-${crc32(buffer, 0x5bd1e995).toString(16)}`;
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

function swap32(buffer: Buffer): void {
  buffer.swap32();
}

// ---- reading ---------------------------------------------------------------------------

const HEADER_PROBE = 4096;
const MAX_HEADER = 1 << 20;
const READ_CHUNK = 8 << 20;

/**
 * An open snapshot file. Reads are synchronous positional reads: a lookup is four tiny reads,
 * and an async round trip each would cost more than the reads.
 */
export class SnapshotFile {
  private constructor(
    private readonly fd: number,
    readonly header: SnapshotHeader,
    /** File offset where the sections start (just after the header line). */
    private readonly base: number,
    /** Bytes read at a time when streaming the records. */
    private readonly readChunk: number,
  ) {}

  /**
   * Opens and checks the header; null when the file is missing. Throws `SnapshotDamage`.
   * `readChunk`: bytes read at a time when streaming records (smaller in tests, to put record
   * and character boundaries across reads).
   */
  static open(file: string, options: {readChunk?: number} = {}): SnapshotFile | null {
    const opened = openCacheFile(file, (fd) => {
      const size = fs.fstatSync(fd).size;
      let probe = Buffer.alloc(Math.min(HEADER_PROBE, size));
      readFully(fd, probe, 0);
      let end = probe.indexOf(0x0a);
      if (end === -1 && size > probe.length) {
        probe = Buffer.alloc(Math.min(MAX_HEADER, size));
        readFully(fd, probe, 0);
        end = probe.indexOf(0x0a);
      }
      if (end === -1) throw new SnapshotDamage('no header line');
      const header = parseHeader(probe.subarray(0, end).toString('utf8'));
      const {listing} = header.sections;
      if (end + 1 + listing[0] + listing[1] !== size) throw new SnapshotDamage('size mismatch');
      return {header, base: end + 1};
    });
    return (
      opened &&
      new SnapshotFile(opened.fd, opened.value.header, opened.value.base, options.readChunk ?? READ_CHUNK)
    );
  }

  get id(): string {
    return this.header.id;
  }

  close(): void {
    closeCacheFile(this.fd);
  }

  /** The entry of `identity`, or null when the snapshot has none (the log never named it). */
  lookup(identity: string): IssueEntrySummary | null {
    const {buckets, count} = this.header;
    if (count === 0) return null;
    const index = this.header.sections.index;
    const bucket = identityHash(identity) & (buckets - 1);
    const range = this.read(index[0] + 4 * bucket, 8);
    const first = range.readUInt32LE(0);
    const last = range.readUInt32LE(4);
    if (first > last || last > count) throw new SnapshotDamage('bad bucket');
    if (first === last) return null;
    const slots = this.read(index[0] + 4 * (buckets + 1) + 12 * first, 12 * (last - first));
    for (let k = 0; k < last - first; k += 1) {
      const offset = slots.readUInt32LE(12 * k);
      const length = slots.readUInt32LE(12 * k + 4);
      const crc = slots.readUInt32LE(12 * k + 8);
      if (offset + length > this.header.sections.records[1]) throw new SnapshotDamage('bad slot');
      const bytes = this.read(offset, length);
      if (crc32(bytes) !== crc) throw new SnapshotDamage('record checksum');
      const text = bytes.toString('utf8');
      // Cheap pre-check before parsing: the line starts with its identity.
      if (!text.startsWith(`[${JSON.stringify(identity)},`)) continue;
      return unpackRecord(checkRecord(JSON.parse(text)));
    }
    return null;
  }

  /** Every live entry (`TrackerState.liveEntries()`), in identity order, without history. */
  liveEntries(): IssueEntrySummary[] {
    const out: IssueEntrySummary[] = [];
    this.eachRecord((record) => {
      if (recordIsLive(record)) out.push(unpackRecord(record));
    });
    return out;
  }

  /** The whole folded state, as `foldTrackerLog` built it, and the folded event ids. */
  loadState(): {state: TrackerState; ids: Set<string>} {
    const summaries: IssueEntrySummary[] = [];
    this.eachRecord((record) => summaries.push(unpackRecord(record)));
    const section = this.readJsonSection('state') as StateSection;
    if (
      !Array.isArray(section.order) ||
      section.order.length !== summaries.length ||
      !Array.isArray(section.history) ||
      section.history.length !== summaries.length
    ) {
      throw new SnapshotDamage('bad state section');
    }
    const state = new TrackerState();
    const ids = new Set<string>(section.extraIds);
    for (const position of section.order) {
      const summary = summaries[position];
      if (summary === undefined) throw new SnapshotDamage('bad order');
      const entry: IssueEntry = {
        identity: summary.identity,
        base: summary.base,
        draft: summary.draft,
        overrides: summary.overrides,
        editedAt: summary.editedAt,
        deleted: summary.deleted,
        createdAs: summary.createdAs,
        history: section.history[position]!.map(([event_id, at, kind]) => {
          ids.add(event_id);
          return {event_id, at, kind};
        }),
      };
      state.issues.set(entry.identity, entry);
    }
    if (state.issues.size !== summaries.length) throw new SnapshotDamage('duplicate identity');
    for (const [draft, remote] of section.created) state.createdDrafts.set(draft, remote);
    for (const conflict of section.conflicts) state.conflicts.set(conflict.conflict_id, conflict);
    for (const comment of section.comments) state.comments.set(comment.comment_id, comment);
    for (const [key, mapping] of section.mappings) {
      state.mappings.set(key, {...mapping, ref: createRef(mapping.ref as never)});
    }
    state.diagnostics.push(...section.diagnostics);
    state.eventCount = section.eventCount;
    state.last = section.last;
    return {state, ids};
  }

  /** The `name stamp` lines of the segments this snapshot was folded from. */
  listingText(): string {
    return this.readSection('listing').toString('utf8');
  }

  /**
   * Streams the records section in chunks, checking order, count and CRC. One read buffer is
   * reused, and each record is decoded from it on its own: a chunk decoded whole was a string of
   * up to 16 MB (two bytes a character once a body holds any non-ASCII), plus a copy of the
   * chunk to join it to the last one's tail; a cache of a few thousand issues left a hundred
   * megabytes of such garbage before the collector ran.
   */
  private eachRecord(visit: (record: PackedRecord) => void): void {
    const [start, length, expectedCrc] = this.header.sections.records;
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(this.readChunk, length)));
    let crc = 0;
    // The start of a record that did not end in the last chunk, copied out of the reused buffer.
    let carry: Buffer[] = [];
    let seen = 0;
    let previous: string | null = null;
    const take = (text: string): void => {
      const record = checkRecord(JSON.parse(text));
      if (previous !== null && !(previous < record[0])) throw new SnapshotDamage('records out of order');
      previous = record[0];
      seen += 1;
      visit(record);
    };
    for (let position = 0; position < length;) {
      const size = Math.min(buffer.length, length - position);
      const chunk = buffer.subarray(0, size);
      readFully(this.fd, chunk, this.base + start + position);
      position += size;
      crc = crc32(chunk, crc);
      let from = 0;
      for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, from)) {
        if (carry.length === 0) take(chunk.toString('utf8', from, end));
        else take(Buffer.concat([...carry, chunk.subarray(from, end)]).toString('utf8'));
        carry = [];
        from = end + 1;
      }
      if (from < size) carry.push(Buffer.from(chunk.subarray(from)));
    }
    if (carry.length !== 0 || seen !== this.header.count) throw new SnapshotDamage('record count');
    if (crc !== expectedCrc) throw new SnapshotDamage('records checksum');
  }

  private readSection(name: 'state' | 'listing'): Buffer {
    const [start, length, crc] = this.header.sections[name];
    const bytes = this.read(start, length);
    if (crc32(bytes) !== crc) throw new SnapshotDamage(`${name} checksum`);
    return bytes;
  }

  private readJsonSection(name: 'state' | 'listing'): unknown {
    try {
      return JSON.parse(this.readSection(name).toString('utf8'));
    } catch (error) {
      throw error instanceof SnapshotDamage
        ? error
        : new SnapshotDamage(`${name}: ${(error as Error).message}`);
    }
  }

  private read(offset: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    readFully(this.fd, buffer, this.base + offset);
    return buffer;
  }
}

function parseHeader(text: string): SnapshotHeader {
  const header = parseCacheHeader<SnapshotHeader>(text, SNAPSHOT_FORMAT, SNAPSHOT_VERSION);
  const {buckets, count, sections} = header;
  const isSection = (s: unknown): s is Section =>
    Array.isArray(s) && s.length === 3 && s.every((x) => Number.isSafeInteger(x) && x >= 0);
  if (
    typeof header.id !== 'string' ||
    typeof header.listing !== 'string' ||
    !Number.isSafeInteger(count) ||
    count < 0 ||
    !Number.isSafeInteger(buckets) ||
    buckets < 1 ||
    (buckets & (buckets - 1)) !== 0 ||
    !Array.isArray(header.warnings) ||
    !header.warnings.every((w) => typeof w === 'string') ||
    typeof sections !== 'object' ||
    sections === null ||
    !isSection(sections.records) ||
    !isSection(sections.index) ||
    !isSection(sections.state) ||
    !isSection(sections.listing)
  ) {
    throw new SnapshotDamage('bad header');
  }
  const {records, index, state, listing} = sections;
  if (
    records[0] !== 0 ||
    index[0] !== records[1] ||
    index[1] !== 4 * (buckets + 1 + 3 * count) ||
    state[0] !== index[0] + index[1] ||
    listing[0] !== state[0] + state[1]
  ) {
    throw new SnapshotDamage('bad section layout');
  }
  return header;
}
