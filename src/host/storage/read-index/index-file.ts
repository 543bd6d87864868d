import * as fs from 'node:fs';

import type {IssueEntry} from '../../../core/log/tracker-state.js';
import {closeCacheFile, openCacheFile, parseCacheHeader, readFully} from '../cache-file.js';
import {SnapshotDamage, unpackEntryFields} from '../packed-issue.js';
import {
  COLUMN_BYTES,
  INDEX_FORMAT,
  INDEX_VERSION,
  SECTION_NAMES,
  termHash,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  type Dictionary,
  type GlobalState,
  type IndexHeader,
  type IndexRecord,
  type SectionName,
  type SortName,
} from './index-format.js';

/**
 * An open base file of the read index. Every read is a positional read of what it needs (a
 * record, a slice of a table); nothing reads the whole file. Anything out of bounds or
 * malformed throws `SnapshotDamage`, and the caller rebuilds.
 */
export class IndexFile {
  private columnsCache: Uint8Array | null = null;

  private constructor(
    private readonly fd: number,
    readonly header: IndexHeader,
  ) {}

  /** Opens a base file; null when there is none. Throws `SnapshotDamage` when it is unusable. */
  static open(file: string): IndexFile | null {
    const opened = openCacheFile(file, (fd) => {
      const size = fs.fstatSync(fd).size;
      if (size < TRAILER_BYTES) throw new SnapshotDamage('too short');
      const trailer = readAt(fd, size - TRAILER_BYTES, TRAILER_BYTES);
      if (trailer.toString('latin1', 0, 8) !== TRAILER_MAGIC) throw new SnapshotDamage('no trailer');
      const at = trailer.readUInt32LE(8);
      const length = trailer.readUInt32LE(12);
      if (at + length + TRAILER_BYTES !== size) throw new SnapshotDamage('size mismatch');
      return parseHeader(readAt(fd, at, length).toString('utf8'), at);
    });
    return opened && new IndexFile(opened.fd, opened.value);
  }

  get id(): string {
    return this.header.id;
  }

  close(): void {
    closeCacheFile(this.fd);
  }

  /** Record `i`, parsed (not decoded). */
  record(i: number): IndexRecord {
    if (!(i >= 0 && i < this.header.count)) throw new SnapshotDamage('record number out of range');
    const [offsetsAt] = this.header.sections.offsets;
    const pair = readAt(this.fd, offsetsAt + 4 * i, 8);
    const from = pair.readUInt32LE(0);
    const to = pair.readUInt32LE(4);
    const [recordsAt, recordsLength] = this.header.sections.records;
    if (from >= to || to > recordsLength) throw new SnapshotDamage('bad record offsets');
    return parseRecord(readAt(this.fd, recordsAt + from, to - from).toString('utf8'));
  }

  /**
   * Several records, read in as few reads as their places allow: records close to each other in
   * the file (within `RUN_GAP` bytes) come in one read. A listing reads its records in windows
   * through this; in the default (key) order they are consecutive in the file.
   */
  records(numbers: readonly number[]): Map<number, IndexRecord> {
    const sorted = [...new Set(numbers)].sort((a, b) => a - b);
    // A few records (a page of a listing) need their own offsets only, not the whole table.
    const offsets = sorted.length <= FEW_RECORDS ? this.offsetsOf(sorted) : this.offsets();
    const at = offsets instanceof Map ? (i: number) => offsets.get(i)! : (i: number) => offsets[i]!;
    const [recordsAt] = this.header.sections.records;
    const out = new Map<number, IndexRecord>();
    for (let k = 0; k < sorted.length;) {
      let end = k + 1;
      while (end < sorted.length && at(sorted[end]!) - at(sorted[end - 1]! + 1) <= RUN_GAP) end += 1;
      const from = at(sorted[k]!);
      const to = at(sorted[end - 1]! + 1);
      const bytes = readAt(this.fd, recordsAt + from, to - from);
      for (let j = k; j < end; j += 1) {
        const r = sorted[j]!;
        out.set(r, parseRecord(bytes.toString('utf8', at(r) - from, at(r + 1) - from)));
      }
      k = end;
    }
    return out;
  }

  private offsetsCache: Uint32Array | null = null;

  /** The start and end offsets of records `sorted` (ascending), checked, in a sparse table. */
  private offsetsOf(sorted: readonly number[]): Uint32Array | Map<number, number> {
    if (this.offsetsCache !== null) return this.offsetsCache;
    const [offsetsAt] = this.header.sections.offsets;
    const [, recordsLength] = this.header.sections.records;
    const offsets = new Map<number, number>();
    for (const i of sorted) {
      if (!(i >= 0 && i < this.header.count)) throw new SnapshotDamage('record number out of range');
      const pair = readAt(this.fd, offsetsAt + 4 * i, 8);
      const from = pair.readUInt32LE(0);
      const to = pair.readUInt32LE(4);
      if (from >= to || to > recordsLength) throw new SnapshotDamage('bad record offsets');
      offsets.set(i, from).set(i + 1, to);
    }
    return offsets;
  }

  /** The whole offsets table (4 bytes per record), checked once. */
  private offsets(): Uint32Array {
    if (this.offsetsCache === null) {
      const offsets = this.u32Section('offsets', this.header.count + 1);
      const length = this.header.sections.records[1];
      for (let i = 0; i < this.header.count; i += 1) {
        if (offsets[i]! >= offsets[i + 1]!) throw new SnapshotDamage('bad record offsets');
      }
      if (offsets[this.header.count] !== length) throw new SnapshotDamage('bad record offsets');
      this.offsetsCache = offsets;
    }
    return this.offsetsCache;
  }

  /** Per record: flags, status, type, priority (`COLUMN_BYTES` each). */
  columns(): Uint8Array {
    if (this.columnsCache === null) {
      const [at, length] = this.header.sections.columns;
      if (length !== this.header.count * COLUMN_BYTES) throw new SnapshotDamage('bad columns');
      this.columnsCache = readAt(this.fd, at, length);
    }
    return this.columnsCache;
  }

  /** A precomputed order of the live records. */
  order(sort: SortName): Uint32Array {
    return this.u32Section(`sort.${sort}`, this.header.live);
  }

  /** Record numbers whose lookup terms hash like one of `terms` (candidates, to be checked). */
  lookupTerms(terms: readonly string[]): number[] {
    const [at, length] = this.header.sections.terms;
    const pairs = length / 8;
    const found = new Set<number>();
    for (const term of terms) {
      const hash = termHash(term);
      let lo = 0;
      let hi = pairs;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (readU32(this.fd, at + 8 * mid, 1)[0]! < hash) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < pairs; k += 1) {
        const pair = readU32(this.fd, at + 8 * k, 2);
        if (pair[0] !== hash) break;
        found.add(pair[1]!);
      }
    }
    return [...found].sort((a, b) => a - b);
  }

  dictionary(): Dictionary {
    return this.json('dictionary') as Dictionary;
  }

  /** `count` postings from `first`. */
  postings(first: number, count: number): Uint32Array {
    const [at, length] = this.header.sections.postings;
    if (4 * (first + count) > length) throw new SnapshotDamage('bad postings range');
    return readU32(this.fd, at + 4 * first, count);
  }

  /**
   * The records whose search tokens contain `word` (lowercase, token characters only): every
   * vocabulary entry holding it, their postings merged into `into` (one byte per record).
   */
  markTokenMatches(word: string, into: Uint8Array): void {
    const text = this.vocabularyText();
    const hits: number[] = [];
    for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) hits.push(at);
    // A few hits (a word of a few letters or more): each token found by binary search with
    // positional reads; many: the tables read whole.
    const few = hits.length <= FEW_HITS;
    const [startsAt, startsLength] = this.header.sections.vocabularyStarts;
    const [rangesAt] = this.header.sections.vocabularyRanges;
    const starts = few ? null : this.u32Section('vocabularyStarts');
    const ranges = few ? null : this.u32Section('vocabularyRanges');
    const startOf = (k: number): number => (starts ? starts[k]! : readU32(this.fd, startsAt + 4 * k, 1)[0]!);
    let lastToken = -1;
    for (const at of hits) {
      // The token holding offset `at`: the last start at or before it.
      let lo = 0;
      let hi = startsLength / 4 - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (startOf(mid) <= at) lo = mid;
        else hi = mid - 1;
      }
      if (lo === lastToken) continue;
      lastToken = lo;
      const range = ranges ? ranges.subarray(2 * lo, 2 * lo + 2) : readU32(this.fd, rangesAt + 8 * lo, 2);
      for (const r of this.postings(range[0]!, range[1]!)) into[r] = 1;
    }
  }

  global(): GlobalState {
    return this.json('global') as GlobalState;
  }

  listing(): string {
    const [at, length] = this.header.sections.listing;
    return readAt(this.fd, at, length).toString('utf8');
  }

  /** The `relations` section: [declaring record, how, target] uint32 triples (relations-section.ts). */
  relations(): Uint32Array {
    const triples = this.u32Section('relations');
    if (triples.length % 3 !== 0) throw new SnapshotDamage('bad relations');
    return triples;
  }

  /** The `targetOrder` section: numbers of the `relations` triples, by target. */
  relationsByTarget(): Uint32Array {
    return this.u32Section('targetOrder');
  }

  /** The `relationTargets` section: identities of related issues the base does not hold. */
  relationTargets(): string[] {
    const targets = this.json('relationTargets');
    if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string'))
      throw new SnapshotDamage('bad relationTargets');
    return targets;
  }

  private vocabularyCache: string | null = null;

  private vocabularyText(): string {
    if (this.vocabularyCache === null) {
      const [at, length] = this.header.sections.vocabulary;
      this.vocabularyCache = readAt(this.fd, at, length).toString('utf16le');
    }
    return this.vocabularyCache;
  }

  private u32Section(name: SectionName, expected?: number): Uint32Array {
    const [at, length] = this.header.sections[name];
    if (length % 4 !== 0 || (expected !== undefined && length !== 4 * expected)) {
      throw new SnapshotDamage(`bad ${name}`);
    }
    return readU32(this.fd, at, length / 4);
  }

  private json(name: SectionName): unknown {
    const [at, length] = this.header.sections[name];
    try {
      return JSON.parse(readAt(this.fd, at, length).toString('utf8'));
    } catch {
      throw new SnapshotDamage(`${name} is not JSON`);
    }
  }
}

/** Up to this many vocabulary hits, tokens are looked up by positional reads (see `markTokenMatches`). */
const FEW_HITS = 256;

/** Records read with their own offsets (two per record) rather than the whole offsets table. */
const FEW_RECORDS = 64;

/** Records at most this many bytes apart are read together (one read beats two syscalls). */
const RUN_GAP = 16 * 1024;

/** An entry as the fold has it (the read index keeps every field, history included). */
export function decodeRecord(record: IndexRecord): IssueEntry {
  if (!Array.isArray(record[7])) throw new SnapshotDamage('bad history');
  return {
    ...unpackEntryFields(record),
    history: record[7].map(([event_id, at, kind]) => ({event_id, at, kind})),
  };
}

export function parseRecord(text: string): IndexRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotDamage('record is not JSON');
  }
  if (!Array.isArray(value) || value.length !== 8 || typeof value[0] !== 'string') {
    throw new SnapshotDamage('bad record');
  }
  return value as IndexRecord;
}

function parseHeader(text: string, headerAt: number): IndexHeader {
  const header = parseCacheHeader<IndexHeader>(text, INDEX_FORMAT, INDEX_VERSION);
  const whole = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
  if (
    typeof header.id !== 'string' ||
    !whole(header.count) ||
    !whole(header.live) ||
    !whole(header.pending)
  ) {
    throw new SnapshotDamage('bad header');
  }
  for (const name of SECTION_NAMES) {
    const section = header.sections?.[name];
    if (
      !Array.isArray(section) ||
      !whole(section[0]) ||
      !whole(section[1]) ||
      section[0] + section[1] > headerAt
    ) {
      throw new SnapshotDamage(`bad section ${name}`);
    }
  }
  return header;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  readFully(fd, buffer, position);
  return buffer;
}

/** `count` uint32 (little-endian, as written) straight into a typed array. */
function readU32(fd: number, position: number, count: number): Uint32Array {
  const array = new Uint32Array(count);
  readFully(fd, Buffer.from(array.buffer, 0, 4 * count), position);
  return array;
}
