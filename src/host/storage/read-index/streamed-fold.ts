import * as fs from 'node:fs';
import * as path from 'node:path';

import {compareEvents, type TrackerEvent} from '../../../core/log/events.js';
import {parseTrackerEvent} from '../../../core/log/events.js';
import {TrackerState} from '../../../core/log/tracker-state.js';
import {isNotFound, symlinkError} from '../../fs/safe-fs.js';
import {parseSegment} from '../segment-file.js';
import {listSegments, type SegmentListing} from '../segment-listing.js';
import {identitiesOf} from './event-identities.js';
import {globalOf, IndexBuilder} from './index-builder.js';
import {decodeRecord, parseRecord} from './index-file.js';
import type {GlobalState} from './index-format.js';
import {GrowingArray} from './growing-array.js';
import type {SpillFile} from './spill-file.js';

/**
 * Entries a streamed build keeps in memory at most (a few KB each); the others wait in the
 * spill file, as records, until the build writes the base or an event names them again.
 */
export const ENTRY_BUDGET = 1024;

export interface StreamedFoldLocation {
  readonly root: string;
  readonly eventsDir: string;
  /** Entries kept in memory at most (tests pass a handful to make every path run). */
  readonly entryBudget?: number;
}

/** What a streamed fold hands to `IndexBuilder.write`. */
export interface StreamedFold {
  readonly builder: IndexBuilder;
  readonly global: GlobalState;
  /** The segments folded (name -> stamp). */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Folds the scope's segments as `JsonlEventLog.read()` does (every line parsed strictly, events
 * deduplicated by id, first seen wins, applied in `compareEvents` order with
 * `TrackerState.apply`), without holding the log or the folded state: segments are read one
 * at a time, and entries beyond the budget go to the builder (which keeps their records in the
 * spill file) and come back when a later event names them. A log whose events, in listing
 * order, are already in fold order (one writer's history) is read once; otherwise a first pass
 * notes where each event is and a second applies them in order, reading each line again.
 */
export function foldStreamed(location: StreamedFoldLocation, newSpill: () => SpillFile): StreamedFold {
  const budget = location.entryBudget ?? ENTRY_BUDGET;
  for (let attempt = 0; ; attempt += 1) {
    const listing = listSegments(location.root, location.eventsDir, (name) => display(location, name));
    let spill = newSpill();
    try {
      const warnings: string[] = [];
      const fold = new SpillingFold(new IndexBuilder(spill), spill, budget);
      if (foldInListingOrder(location, listing, fold, warnings))
        return fold.finish(warnings, listing.segments);
      spill.dispose();
      spill = newSpill();
      warnings.length = 0;
      const sorted = new SpillingFold(new IndexBuilder(spill), spill, budget);
      foldSorted(location, listing, sorted, warnings);
      return sorted.finish(warnings, listing.segments);
    } catch (error) {
      spill.dispose();
      if (!(error instanceof SegmentChanged) || attempt >= 2) throw error;
    }
  }
}

/** A segment disappeared or changed under the fold (a writer sealed it, a compaction ran): start over. */
class SegmentChanged extends Error {}

/** The fold state with a bounded number of entries in memory. */
class SpillingFold {
  readonly state = new TrackerState();
  private readonly spilled = new Map<string, number>();
  private readonly extraIds: string[] = [];
  private lastPullAt: string | null = null;
  readonly ids = new Set<string>();
  last: TrackerEvent | null = null;

  constructor(
    private readonly builder: IndexBuilder,
    private readonly spill: SpillFile,
    private readonly budget: number,
  ) {}

  apply(event: TrackerEvent): void {
    const named: string[] = [];
    for (const identity of identitiesOf(event)) if (identity !== null) named.push(identity);
    for (const identity of named) this.load(identity);
    this.state.apply(event);
    this.last = event;
    if (
      !named.some((identity) => this.state.issues.get(identity)?.history.at(-1)?.event_id === event.event_id)
    )
      this.extraIds.push(event.event_id);
    if (event.kind === 'issue_pulled' && (this.lastPullAt === null || event.at > this.lastPullAt))
      this.lastPullAt = event.at;
    if (this.state.issues.size > this.budget) this.evict(this.budget >> 1);
  }

  /** Every entry to the builder; the global state as the index keeps it. */
  finish(warnings: readonly string[], files: ReadonlyMap<string, string>): StreamedFold {
    this.evict(0);
    const global = {
      ...globalOf(this.state, new Set(), warnings),
      extraIds: this.extraIds.sort(),
      lastPullAt: this.lastPullAt,
    };
    return {builder: this.builder, global, files};
  }

  private load(identity: string): void {
    if (this.state.issues.has(identity)) return;
    const number = this.spilled.get(identity);
    if (number === undefined) return;
    this.state.issues.set(identity, decodeRecord(parseRecord(this.spill.text(number))));
    this.builder.drop(number);
    this.spilled.delete(identity);
  }

  /** Hands the entries first taken in to the builder until `keep` remain. */
  private evict(keep: number): void {
    for (const [identity, entry] of this.state.issues) {
      if (this.state.issues.size <= keep) break;
      this.spilled.set(identity, this.builder.add(entry));
      this.state.issues.delete(identity);
    }
  }
}

/**
 * Folds segment by segment in listing order while the (deduplicated) events come in fold order;
 * false as soon as one does not (nothing of the partial fold is usable then).
 */
function foldInListingOrder(
  location: StreamedFoldLocation,
  listing: SegmentListing,
  fold: SpillingFold,
  warnings: string[],
): boolean {
  for (const name of listing.segments.keys()) {
    const {events} = parseListed(location, name, warnings);
    for (const event of events) {
      if (fold.ids.has(event.event_id)) continue;
      if (fold.last !== null && compareEvents(fold.last, event) > 0) return false;
      fold.ids.add(event.event_id);
      fold.apply(event);
    }
  }
  return true;
}

/**
 * Two passes: where each (first-seen) event's line lies, and its place in fold order; then the
 * lines read again one by one in that order (positional reads) and applied.
 */
function foldSorted(
  location: StreamedFoldLocation,
  listing: SegmentListing,
  fold: SpillingFold,
  warnings: string[],
): void {
  const names = [...listing.segments.keys()];
  const ats: string[] = [];
  const ids: string[] = [];
  const segments = new GrowingArray(Uint32Array);
  const starts = new GrowingArray(Float64Array);
  const lengths = new GrowingArray(Uint32Array);
  for (let s = 0; s < names.length; s += 1) {
    const {events, spans} = parseListed(location, names[s]!, warnings);
    events.forEach((event, k) => {
      if (fold.ids.has(event.event_id)) return;
      fold.ids.add(event.event_id);
      ats.push(event.at);
      ids.push(event.event_id);
      segments.push(s);
      starts.push(spans[2 * k]!);
      lengths.push(spans[2 * k + 1]!);
    });
  }
  const order = ids
    .map((_, k) => k)
    .sort((a, b) => compareEvents({at: ats[a]!, event_id: ids[a]!}, {at: ats[b]!, event_id: ids[b]!}));
  const reader = new LineReader(location, names);
  try {
    for (const k of order) {
      const text = reader.read(segments.get(k), starts.get(k), lengths.get(k));
      let event: TrackerEvent;
      try {
        event = parseTrackerEvent(JSON.parse(text));
      } catch {
        throw new SegmentChanged();
      }
      if (event.event_id !== ids[k] || event.at !== ats[k]) throw new SegmentChanged();
      fold.apply(event);
    }
  } finally {
    reader.close();
  }
}

/**
 * One segment read and parsed strictly (`parseSegment`: a bad line is an error naming file and
 * line; a torn last line a warning), with where each event's line lies in the file: byte
 * start and length, two numbers per event.
 */
function parseListed(
  location: StreamedFoldLocation,
  name: string,
  warnings: string[],
): {events: TrackerEvent[]; spans: number[]} {
  const bytes = readNoFollow(path.join(location.eventsDir, name));
  const text = bytes.toString('utf8');
  const parsed = parseSegment(name, text, display(location, name));
  for (const warning of parsed.warnings) if (!warnings.includes(warning)) warnings.push(warning);
  return {events: parsed.events, spans: lineSpans(bytes, text, parsed.events.length)};
}

/**
 * A segment's bytes, read synchronously (a build has nothing else to do meanwhile, and 100
 * segments' worth of event loop turns add up), never through a symbolic link.
 */
function readNoFollow(file: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    if (isNotFound(error)) throw new SegmentChanged();
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkError(file);
    throw error;
  }
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Byte start and length of the first `count` non-blank lines (the lines `parseSegment` made
 * events of, in order). Lines end at a `\n` byte, which UTF-8 never uses inside a character,
 * so the text's lines and the bytes' lines correspond one to one.
 */
function lineSpans(bytes: Buffer, text: string, count: number): number[] {
  const spans: number[] = [];
  let byteAt = 0;
  let charAt = 0;
  while (spans.length < 2 * count && charAt < text.length) {
    const charEnd = text.indexOf('\n', charAt);
    const byteEnd = bytes.indexOf(10, byteAt);
    const line = charEnd === -1 ? text.slice(charAt) : text.slice(charAt, charEnd);
    const end = byteEnd === -1 ? bytes.length : byteEnd;
    if (line.trim() !== '') spans.push(byteAt, end - byteAt);
    if (charEnd === -1) break;
    charAt = charEnd + 1;
    byteAt = end + 1;
  }
  return spans;
}

/** Positional reads of event lines, one open file per segment. */
class LineReader {
  private readonly fds = new Map<number, number>();

  constructor(
    private readonly location: StreamedFoldLocation,
    private readonly names: readonly string[],
  ) {}

  read(segment: number, start: number, length: number): string {
    let fd = this.fds.get(segment);
    if (fd === undefined) {
      try {
        fd = fs.openSync(
          path.join(this.location.eventsDir, this.names[segment]!),
          fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW,
        );
      } catch {
        throw new SegmentChanged();
      }
      this.fds.set(segment, fd);
    }
    const buffer = Buffer.allocUnsafe(length);
    for (let done = 0; done < length;) {
      const n = fs.readSync(fd, buffer, done, length - done, start + done);
      if (n === 0) throw new SegmentChanged();
      done += n;
    }
    return buffer.toString('utf8');
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
  }
}

function display(location: StreamedFoldLocation, name: string): string {
  return path.relative(location.root, path.join(location.eventsDir, name)).split(path.sep).join('/');
}
