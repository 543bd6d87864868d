import * as fs from 'node:fs';
import * as path from 'node:path';

import {isLiveEntry, localViewOf, type IssueEntry} from '../../../core/log/tracker-state.js';
import type {CanonicalIssue} from '../../../core/model/canonical-issue.js';
import {SnapshotDamage} from '../packed-issue.js';
import {assertNoSymlinks} from '../../fs/safe-fs.js';
import {eventsDirStamp, listingText, listSegments} from '../segment-listing.js';
import {decodeRecord, IndexFile} from './index-file.js';
import {
  BASE_NAME,
  FLAG_DELETED,
  FLAG_LIVE,
  FLAG_PENDING,
  FRESH_NAME,
  INDEX_FORMAT,
  INDEX_VERSION,
  OVERLAY_NAME,
  type FoldedLog,
  type GlobalState,
  type OverlayFile,
} from './index-format.js';

/** An entry of the index with its local view (what reads print). */
export interface IndexedIssue {
  readonly entry: IssueEntry;
  readonly issue: CanonicalIssue;
}

/** Where an answer came from (tests check that reads take the index, and how it was updated). */
export interface IndexOpenStats {
  update: 'none' | 'rebuilt' | 'overlaid';
  listed: boolean;
}

/**
 * The read index of one scope as a reader sees it: the base file, plus the overlay of entries
 * changed since it was built. Every method answers as the fold of the scope's segments would.
 * `base` is null only when the scope has no segments (an empty cache).
 */
export class ReadIndexView {
  /** Overlay entries by identity, decoded, with their base record number (-1 if none). */
  readonly overlay = new Map<string, {base: number; entry: IssueEntry}>();
  /** Base record numbers an overlay entry replaces. */
  readonly replaced = new Set<number>();
  readonly global: GlobalState;

  constructor(
    readonly base: IndexFile | null,
    overlay: OverlayFile | null,
    readonly stats: IndexOpenStats,
  ) {
    for (const [number, record] of overlay?.entries ?? []) {
      const entry = decodeRecord(record);
      this.overlay.set(entry.identity, {base: number, entry});
      if (number >= 0) this.replaced.add(number);
    }
    this.global = overlay?.global ?? base?.global() ?? EMPTY_GLOBAL;
  }

  close(): void {
    this.base?.close();
  }

  get warnings(): readonly string[] {
    return this.global.warnings;
  }

  /** Live issues, as `TrackerState.liveEntries()` counts them. */
  get liveCount(): number {
    return this.countFlag(FLAG_LIVE);
  }

  /** Live issues that are drafts or carry local edits (`listPending`). */
  get pendingCount(): number {
    return this.countFlag(FLAG_PENDING);
  }

  /** Decoded base record `number` with its local view, or null when it has none. */
  baseIssue(number: number): IndexedIssue | null {
    return withView(decodeRecord(this.base!.record(number)));
  }

  /** Several decoded base records with their local views, read together (see `IndexFile.records`). */
  baseIssues(numbers: readonly number[]): Map<number, IndexedIssue | null> {
    const out = new Map<number, IndexedIssue | null>();
    for (const [number, record] of this.base!.records(numbers))
      out.set(number, withView(decodeRecord(record)));
    return out;
  }

  /** Live overlay entries (with their views). */
  overlayLive(): IndexedIssue[] {
    const out: IndexedIssue[] = [];
    for (const {entry} of this.overlay.values()) {
      const found = isLiveEntry(entry) ? withView(entry) : null;
      if (found) out.push(found);
    }
    return out;
  }

  /** The entry of `identity` (live or not), or null when the log never named it. */
  entry(identity: string): IssueEntry | null {
    const inOverlay = this.overlay.get(identity)?.entry;
    if (inOverlay) return inOverlay;
    if (this.base === null) return null;
    for (const number of this.base.lookupTerms([`i:${identity}`])) {
      if (this.replaced.has(number)) continue;
      const entry = decodeRecord(this.base.record(number));
      if (entry.identity === identity) return entry;
    }
    return null;
  }

  /** The live issue of `identity` with its local view, or null. */
  liveIssue(identity: string): IndexedIssue | null {
    const entry = this.entry(identity);
    return entry && isLiveEntry(entry) ? withView(entry) : null;
  }

  /**
   * Issues whose identity, key or id may be `terms` (a superset: the caller applies the exact
   * rule): live ones and, separately, deleted ones that have a last pulled version.
   */
  candidates(terms: readonly string[]): {live: IndexedIssue[]; deleted: IndexedIssue[]} {
    const live: IndexedIssue[] = [];
    const deleted: IndexedIssue[] = [];
    const add = (entry: IssueEntry): void => {
      if (isLiveEntry(entry)) {
        const found = withView(entry);
        if (found) live.push(found);
      } else if (entry.deleted && entry.base !== null) {
        deleted.push({entry, issue: entry.base});
      }
    };
    if (this.base !== null) {
      const columns = this.base.columns();
      for (const number of this.base.lookupTerms(terms)) {
        if (this.replaced.has(number) || (columns[4 * number]! & (FLAG_LIVE | FLAG_DELETED)) === 0) continue;
        add(decodeRecord(this.base.record(number)));
      }
    }
    for (const {entry} of this.overlay.values()) add(entry);
    return {live, deleted};
  }

  private countFlag(flag: number): number {
    let count =
      this.base === null ? 0 : flag === FLAG_LIVE ? this.base.header.live : this.base.header.pending;
    if (this.base !== null) {
      const columns = this.base.columns();
      for (const number of this.replaced) if (columns[4 * number]! & flag) count -= 1;
    }
    for (const {entry} of this.overlay.values()) {
      if (!isLiveEntry(entry)) continue;
      if (flag === FLAG_LIVE || (entry.base === null && entry.draft !== null) || entry.overrides.size > 0)
        count += 1;
    }
    return count;
  }
}

export function withView(entry: IssueEntry): IndexedIssue | null {
  const issue = localViewOf(entry);
  return issue === null ? null : {entry, issue};
}

const EMPTY_GLOBAL: GlobalState = {
  createdDrafts: [],
  conflicts: [],
  comments: [],
  mappings: [],
  diagnostics: [],
  eventCount: 0,
  last: null,
  extraIds: [],
  lastPullAt: null,
  warnings: [],
};

export interface ReadIndexLocation {
  readonly root: string;
  /** `<root>/.kittify/tracker/<scope>` */
  readonly scopeDir: string;
  /**
   * Below this many bytes of segments no index is built and the caller folds (default 1 MiB,
   * a few tens of milliseconds of folding): small scopes never get index files, and a read
   * command there writes nothing. Tests pass 0.
   */
  readonly minLogBytes?: number;
  /** A log that has folded the scope already: a rebuild takes its state instead of folding. */
  readonly log?: FoldedLog;
}

const MIN_LOG_BYTES = 1 << 20;

/**
 * Opens the scope's read index, current with its segments (null for a log too small to index:
 * fold it instead): when the index is missing, damaged or
 * behind, it is brought up to date first (the update module, which folds, loads only then).
 * Current when the freshness stamp names this base and overlay and the events folder still has
 * the stamped folder stamp; else when a listing of the segments equals the indexed one.
 */
export async function openReadIndex(location: ReadIndexLocation): Promise<ReadIndexView | null> {
  const root = path.resolve(location.root);
  const scopeDir = path.resolve(location.scopeDir);
  const eventsDir = path.join(scopeDir, 'events');
  const cacheDir = path.join(scopeDir, 'cache');
  const display = (name: string): string =>
    path.relative(root, path.join(eventsDir, name)).split(path.sep).join('/');
  const stats: IndexOpenStats = {update: 'none', listed: false};
  for (let attempt = 0; ; attempt += 1) {
    const dir = eventsDirStamp(root, eventsDir, display(''));
    if (dir.stamp === null) return new ReadIndexView(null, null, stats);
    assertNoSymlinks(root, cacheDir);
    const {base, overlay} = openFiles(cacheDir);
    const id = base && `${base.id}:${overlay?.seq ?? 0}`;
    const fresh = readJson(path.join(cacheDir, FRESH_NAME)) as {index?: unknown; events?: unknown} | null;
    if (base && fresh?.index === id && fresh.events === dir.stamp) return view(base, overlay, stats);
    const listing = listSegments(root, eventsDir, display);
    stats.listed = true;
    if (base && listingText(listing.segments) === (overlay?.listing ?? safeListing(base))) {
      return view(base, overlay, stats);
    }
    let bytes = 0;
    for (const stamp of listing.segments.values()) bytes += Number.parseInt(stamp, 10);
    if (bytes < (location.minLogBytes ?? MIN_LOG_BYTES)) {
      base?.close();
      return null;
    }
    if (attempt >= 2) {
      base?.close();
      throw new SnapshotDamage('the read index could not be brought up to date');
    }
    const {updateReadIndex} = await import('./index-update.js');
    try {
      const update = await updateReadIndex(
        {root, scopeDir, cacheDir, eventsDir, log: location.log},
        listing,
        {base, overlay},
      );
      if (update === null) return null;
      stats.update = update;
    } finally {
      base?.close();
    }
  }
}

function view(base: IndexFile, overlay: OverlayFile | null, stats: IndexOpenStats): ReadIndexView {
  try {
    return new ReadIndexView(base, overlay, stats);
  } catch (error) {
    base.close();
    throw error;
  }
}

/** The base and its overlay (an overlay of another base is ignored); damaged files count as missing. */
function openFiles(cacheDir: string): {base: IndexFile | null; overlay: OverlayFile | null} {
  let base: IndexFile | null = null;
  try {
    base = IndexFile.open(path.join(cacheDir, BASE_NAME));
  } catch {
    base = null;
  }
  if (base === null) return {base, overlay: null};
  const overlay = readJson(path.join(cacheDir, OVERLAY_NAME)) as OverlayFile | null;
  const usable =
    overlay !== null &&
    overlay.format === INDEX_FORMAT &&
    overlay.version === INDEX_VERSION &&
    overlay.baseId === base.id &&
    Number.isSafeInteger(overlay.seq) &&
    typeof overlay.listing === 'string' &&
    Array.isArray(overlay.entries) &&
    typeof overlay.global === 'object';
  return {base, overlay: usable ? overlay : null};
}

function safeListing(base: IndexFile): string | null {
  try {
    return base.listing();
  } catch {
    return null;
  }
}

function readJson(file: string): unknown {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    return JSON.parse(fs.readFileSync(fd, 'utf8'));
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * After a command wrote to `log`: brings the read index up to date, when this clone has one, so
 * that the next read answers at once. A new overlay costs what was written; a rebuild takes the
 * state the command folded. Never an error (derived data: the next read would catch up).
 */
export async function refreshReadIndex(log: FoldedLog & {root: string; scopeDir: string}): Promise<void> {
  try {
    const cacheDir = path.join(log.scopeDir, 'cache');
    if (!fs.existsSync(path.join(cacheDir, BASE_NAME))) return;
    (await openReadIndex({root: log.root, scopeDir: log.scopeDir, log, minLogBytes: 0}))?.close();
  } catch {
    // the next read brings it up to date
  }
}
