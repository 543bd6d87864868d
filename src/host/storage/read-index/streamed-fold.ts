import * as fs from 'node:fs';
import * as path from 'node:path';

import {compareEvents, type TrackerEvent} from '../../../core/log/events.js';
import {parseTrackerEvent} from '../../../core/log/events.js';
import {TrackerState, type IssueEntry} from '../../../core/log/tracker-state.js';
import {isNotFound, symlinkError} from '../../fs/safe-fs.js';
import {parseSegmentLine} from '../segment-file.js';
import {readLines} from '../segment-lines.js';
import {listSegments, type SegmentListing} from '../segment-listing.js';
import {identitiesOf} from './event-identities.js';
import {EventIdSet} from './event-id-set.js';
import {EventKeys} from './event-keys.js';
import {globalOf, IndexBuilder} from './index-builder.js';
import {decodeRecord, parseRecord} from './index-file.js';
import type {GlobalState} from './index-format.js';
import {LineReader} from './line-reader.js';
import {segmentsInterleave} from './segment-bounds.js';
import type {SpillFile} from './spill-file.js';

/**
 * Entries a streamed build keeps in memory at most (a few KB each); the others wait in the
 * spill file, as records, until the build writes the base or an event names them again.
 */
export const ENTRY_BUDGET = 256;

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
 * deduplicated by id, first seen in listing order wins, applied in `compareEvents` order with
 * `TrackerState.apply`), without holding the log, the folded state or the event ids as text:
 * segments are read a chunk at a time, entries beyond the budget go to the builder (which keeps
 * their records in the spill file) and come back when a later event names them, and ids are
 * remembered as fingerprints. A log whose events, in listing order, are already in fold order
 * (one writer's history) is read once; otherwise a first pass notes each event's place in fold
 * order and where its line is, and a second reads the lines again in that order. Whenever a
 * fingerprint leaves a doubt (a repeated id the fold cannot confirm), the fold starts over
 * exactly: ids kept as text (`ExactFoldNeeded`).
 */
export function foldStreamed(location: StreamedFoldLocation, newSpill: () => SpillFile): StreamedFold {
  let exact = false;
  for (let attempt = 0; ; attempt += 1) {
    const listing = listSegments(location.root, location.eventsDir, (name) => display(location, name));
    try {
      return foldListing(location, listing, newSpill, exact);
    } catch (error) {
      if (error instanceof ExactFoldNeeded && !exact) exact = true;
      else if (!(error instanceof SegmentChanged) || attempt >= 2) throw error;
    }
  }
}

function foldListing(
  location: StreamedFoldLocation,
  listing: SegmentListing,
  newSpill: () => SpillFile,
  exact: boolean,
): StreamedFold {
  const budget = location.entryBudget ?? ENTRY_BUDGET;
  const fold = (): SpillingFold => {
    const spill = newSpill();
    return new SpillingFold(new IndexBuilder(spill), spill, budget, exact ? new Set() : new EventIdSet());
  };
  const warnings: string[] = [];
  // Segments that surely interleave in time (a merge's) would stop the fold in listing order
  // part way, after reading and applying most of the log for nothing.
  if (!segmentsInterleave(location.eventsDir, [...listing.segments.keys()])) {
    const inOrder = fold();
    try {
      if (foldInListingOrder(location, listing, inOrder, warnings))
        return inOrder.finish(warnings, listing.segments);
    } finally {
      inOrder.disposeUnlessFinished();
    }
    warnings.length = 0;
  }
  const sorted = fold();
  try {
    foldSorted(location, listing, sorted, warnings);
    return sorted.finish(warnings, listing.segments);
  } finally {
    sorted.disposeUnlessFinished();
  }
}

/** A segment disappeared or changed under the fold (a writer sealed it, a compaction ran): start over. */
class SegmentChanged extends Error {}

/** An event id seen twice that fingerprints cannot settle: fold again with ids kept as text. */
class ExactFoldNeeded extends Error {}

/** The fold state with a bounded number of entries in memory. */
class SpillingFold {
  readonly state = new TrackerState();
  /** Ids of applied events no entry's history records (they name no issue, or not as its last event). */
  private readonly extraIds: string[] = [];
  private readonly extraIdSet = new Set<string>();
  private lastPullAt: string | null = null;
  private finished = false;
  last: TrackerEvent | null = null;

  constructor(
    private readonly builder: IndexBuilder,
    private readonly spill: SpillFile,
    private readonly budget: number,
    /** Ids applied: as text (an exact fold), or as fingerprints. */
    private readonly ids: Set<string> | EventIdSet,
  ) {}

  /** Whether ids are kept as text (every answer of `firstSeen` is certain). */
  get exact(): boolean {
    return this.ids instanceof Set;
  }

  /**
   * Whether `event` is seen for the first time (its id was not applied before). A fingerprint
   * match is settled by what the fold holds: every applied event is in the history of an entry
   * it names, or among the extra ids. `strict`: a repeat is not expected here (the sorted pass
   * drops repeats before), so any match is a doubt.
   */
  firstSeen(event: TrackerEvent, strict: boolean): boolean {
    const id = event.event_id;
    if (this.ids instanceof Set) {
      if (this.ids.has(id)) return false;
      this.ids.add(id);
      return true;
    }
    if (this.ids.add(id)) return true;
    if (strict) throw new ExactFoldNeeded();
    if (this.extraIdSet.has(id)) return false;
    for (const identity of identitiesOf(event)) {
      if (identity === null) continue;
      this.load(identity);
      if (this.state.issues.get(identity)?.history.some((h) => h.event_id === id)) return false;
    }
    throw new ExactFoldNeeded();
  }

  apply(event: TrackerEvent): void {
    const named: string[] = [];
    for (const identity of identitiesOf(event)) if (identity !== null) named.push(identity);
    for (const identity of named) this.load(identity);
    this.state.apply(event);
    this.last = event;
    if (
      !named.some((identity) => this.state.issues.get(identity)?.history.at(-1)?.event_id === event.event_id)
    ) {
      this.extraIds.push(event.event_id);
      this.extraIdSet.add(event.event_id);
    }
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
    this.finished = true;
    return {builder: this.builder, global, files};
  }

  /** The spill file goes with a fold that did not finish (the build's caller disposes the others). */
  disposeUnlessFinished(): void {
    if (!this.finished) this.spill.dispose();
  }

  /** Brings `identity`'s entry into memory, or to the end of the table when it is there. */
  private load(identity: string): void {
    const issues = this.state.issues;
    const held = issues.get(identity);
    if (held !== undefined) {
      // Least recently named first out: an issue named by many events (a mission's) stays in.
      issues.delete(identity);
      issues.set(identity, held);
      return;
    }
    const e = this.builder.keptEntryOf(identity);
    if (e === -1) return;
    this.state.issues.set(identity, decodeRecord(parseRecord(this.builder.recordText(e))));
    this.builder.drop(e);
  }

  /**
   * Hands the entries least recently named to the builder until `keep` remain, which move to a
   * new table (see `TrackerState.replaceIssues`: entries stay short-lived, and die young).
   */
  private evict(keep: number): void {
    const issues = this.state.issues;
    let over = issues.size - keep;
    const kept = new Map<string, IssueEntry>();
    for (const [identity, entry] of issues) {
      if (over > 0) {
        this.builder.add(entry);
        over -= 1;
      } else kept.set(identity, entry);
    }
    this.state.replaceIssues(kept);
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
  let inOrder = true;
  for (const name of listing.segments.keys()) {
    readEvents(location, name, warnings, (event) => {
      if (!fold.firstSeen(event, false)) return true;
      if (fold.last !== null && compareEvents(fold.last, event) > 0) return (inOrder = false);
      fold.apply(event);
      return true;
    });
    if (!inOrder) return false;
  }
  return true;
}

/**
 * Two passes: each event's place in fold order and where its line lies; then the lines read
 * again one by one in that order (positional reads) and applied, a repeat of the event before
 * (the same `at` and id: one event stored twice, the first in listing order kept) skipped. An
 * exact fold keeps ids as text and drops repeats in the first pass, in listing order.
 */
function foldSorted(
  location: StreamedFoldLocation,
  listing: SegmentListing,
  fold: SpillingFold,
  warnings: string[],
): void {
  const names = [...listing.segments.keys()];
  const keys = new EventKeys();
  names.forEach((name, s) =>
    readEvents(location, name, warnings, (event, start, length) => {
      if (!fold.exact || fold.firstSeen(event, true)) keys.add(event.at, event.event_id, s, start, length);
      return true;
    }),
  );
  const reader = new LineReader(names.map((name) => path.join(location.eventsDir, name)));
  try {
    let previous = -1;
    for (const k of keys.order()) {
      if (previous !== -1 && keys.same(previous, k)) continue;
      previous = k;
      const text = reader.read(keys.segment(k), keys.start(k), keys.length(k));
      if (text === null) throw new SegmentChanged();
      let event: TrackerEvent;
      try {
        event = parseTrackerEvent(JSON.parse(text));
      } catch {
        throw new SegmentChanged();
      }
      if (fold.exact || fold.firstSeen(event, true)) fold.apply(event);
    }
  } finally {
    reader.close();
  }
}

/**
 * The events of one segment, in order, read a chunk at a time and parsed strictly (a bad line
 * is an error naming file and line; a torn last line a warning), each with where its line lies
 * (byte start and length). `visit` returns false to stop.
 */
function readEvents(
  location: StreamedFoldLocation,
  name: string,
  warnings: string[],
  visit: (event: TrackerEvent, start: number, length: number) => boolean,
): void {
  const file = path.join(location.eventsDir, name);
  const shown = display(location, name);
  const fd = openNoFollow(file);
  try {
    readLines(fd, (text, lineNo, start, length, terminated) => {
      const parsed = parseSegmentLine(shown, lineNo, text, terminated);
      if (parsed === null) return true;
      if ('torn' in parsed) {
        if (!warnings.includes(parsed.torn)) warnings.push(parsed.torn);
        return false;
      }
      return visit(parsed, start, length);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** A segment opened for reading, never through a symbolic link. */
function openNoFollow(file: string): number {
  try {
    return fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    if (isNotFound(error)) throw new SegmentChanged();
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkError(file);
    throw error;
  }
}

function display(location: StreamedFoldLocation, name: string): string {
  return path.relative(location.root, path.join(location.eventsDir, name)).split(path.sep).join('/');
}
