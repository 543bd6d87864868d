import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  createRef,
  orderEvents,
  TrackerState,
  type IssueEntry,
  type PendingComment,
  type StoredConflict,
  type TrackerEvent,
  type WorkPackageMapping,
} from '../../../core/index.js';
import {ensureCacheDirSync, listingSettled, writeAtomicSync} from '../read-cache.js';
import {TEMP_SUFFIX} from '../../fs/safe-fs.js';
import {readSegment} from '../segment-file.js';
import {listingText, listSegments, parseListing, type SegmentListing} from '../segment-listing.js';
import {identitiesOf} from './event-identities.js';
import {globalOf, IndexBuilder, recordOf} from './index-builder.js';
import {decodeRecord, IndexFile} from './index-file.js';
import {SpillFile} from './spill-file.js';
import {foldStreamed, type StreamedFold} from './streamed-fold.js';
import {
  BASE_NAME,
  FRESH_NAME,
  identityTerm,
  INDEX_FORMAT,
  INDEX_VERSION,
  OVERLAY_NAME,
  type GlobalState,
  type IndexRecord,
  type FoldedLog,
  type OverlayFile,
} from './index-format.js';

/**
 * An overlay holds at most this many entries (about 1 KB each; every read parses it): past
 * that, the base is rebuilt with them folded in. A sync changing fewer issues than this costs
 * O(changed + overlay); a larger one rebuilds, which costs about what its download did.
 */
export const OVERLAY_MAX_ENTRIES = 1000;

export interface IndexLocation {
  readonly root: string;
  readonly scopeDir: string;
  readonly cacheDir: string;
  readonly eventsDir: string;
  /** A log that has folded the scope already (a sync's): a rebuild takes its state. */
  readonly log?: FoldedLog;
}

/** What an update produced, for tests and the benchmark. */
export type UpdateKind = 'rebuilt' | 'overlaid';

/**
 * Brings the index up to `listing`: folds only the new events into an overlay when the change
 * is "events were added after everything indexed", else rebuilds the base from the fold.
 */
export async function updateReadIndex(
  location: IndexLocation,
  listing: SegmentListing,
  current: {base: IndexFile | null; overlay: OverlayFile | null},
): Promise<UpdateKind | null> {
  if (current.base !== null) {
    try {
      if (await overlayAdded(location, listing, current.base, current.overlay)) return 'overlaid';
    } catch {
      // anything unexpected: rebuild below, from the segments
    }
  }
  return (await rebuildBase(location)) ? 'rebuilt' : null;
}

/**
 * Rebuilds the base from the fold of every segment; drops the overlay. False when this scope
 * cannot be indexed (see `IndexBuilder.write`): reads then fold. Without a folded log at hand,
 * the segments are folded streaming (`foldStreamed`): the log is never held whole, nor the
 * folded state; with one (a sync's), its state is handed over entry by entry.
 */
export async function rebuildBase(location: IndexLocation): Promise<boolean> {
  ensureCacheDirSync(location.root, location.cacheDir);
  sweepTemps(location.cacheDir);
  const spills: SpillFile[] = [];
  const newSpill = (): SpillFile => {
    const spill = new SpillFile(location.cacheDir);
    spills.push(spill);
    return spill;
  };
  try {
    const built = location.log
      ? await fromFoldedLog(location.log, newSpill())
      : foldStreamed({root: location.root, eventsDir: location.eventsDir}, newSpill);
    const listing = listingText(built.files);
    const header = writeAtomicSync(path.join(location.cacheDir, BASE_NAME), (sink) =>
      built.builder.write({global: built.global, listing}, sink),
    );
    removeQuietly(path.join(location.cacheDir, OVERLAY_NAME));
    if (header === null) return false;
    stampFresh(location, `${header.id}:0`, built.files);
    return true;
  } finally {
    for (const spill of spills) spill.dispose();
  }
}

/** A build from the state a log has folded already (a sync's, after its writes). */
async function fromFoldedLog(log: FoldedLog, spill: SpillFile): Promise<StreamedFold> {
  const state = await log.read();
  const source = log.foldedSource();
  if (source === null) throw new Error('read index: the log did not fold');
  const builder = new IndexBuilder(spill, {entries: state.issues.size});
  for (const entry of state.issues.values()) builder.add(entry);
  return {builder, global: globalOf(state, source.ids, log.warnings), files: source.files};
}

/**
 * Folds the events of segments added (or grown) since the index into the overlay. False when
 * that is not how the log changed (a segment gone or shrunk, an event sorting before the
 * indexed state, an event kind this code does not know): the caller rebuilds.
 */
async function overlayAdded(
  location: IndexLocation,
  listing: SegmentListing,
  base: IndexFile,
  overlay: OverlayFile | null,
): Promise<boolean> {
  const indexed = parseListing(overlay?.listing ?? base.listing());
  const changed: string[] = [];
  for (const [name, stamp] of indexed) {
    const now = listing.segments.get(name);
    if (now === undefined) return false;
    if (now === stamp) continue;
    if (sizeOf(now) < sizeOf(stamp)) return false;
    changed.push(name);
  }
  for (const name of listing.segments.keys()) if (!indexed.has(name)) changed.push(name);
  const global: GlobalState = overlay?.global ?? base.global();
  const events: TrackerEvent[] = [];
  const warnings = [...global.warnings];
  for (const name of changed) {
    const file = path.join(location.eventsDir, name);
    const display = path.relative(location.root, file).split(path.sep).join('/');
    const parsed = await readSegment({file, display});
    events.push(...parsed.events);
    for (const warning of parsed.warnings) if (!warnings.includes(warning)) warnings.push(warning);
  }
  const overlaid = new Map<string, [number, IndexRecord]>();
  for (const item of overlay?.entries ?? []) overlaid.set(item[1][0], item);
  const state = stateOf(global);
  const baseNumbers = new Map<string, number>();
  const seen = new Set(global.extraIds);
  for (const identity of events.flatMap((event) => [...identitiesOf(event)])) {
    if (identity === null) return false;
    if (state.issues.has(identity)) continue;
    const found = findEntry(identity, base, overlaid);
    baseNumbers.set(identity, found.base);
    if (found.entry === null) continue;
    state.issues.set(identity, found.entry);
    for (const h of found.entry.history) seen.add(h.event_id);
  }
  const unseen = orderEvents(events.filter((event) => !seen.has(event.event_id)));
  if (!unseen.every((event) => state.canAppend(event))) return false;
  let lastPullAt = global.lastPullAt;
  for (const event of unseen) {
    state.apply(event);
    if (event.kind === 'issue_pulled' && (lastPullAt === null || event.at > lastPullAt))
      lastPullAt = event.at;
  }
  const inHistory = new Set<string>();
  for (const entry of state.issues.values()) {
    for (const h of entry.history) inHistory.add(h.event_id);
    overlaid.set(entry.identity, [baseNumbers.get(entry.identity) ?? -1, recordOf(entry)]);
  }
  if (overlaid.size > OVERLAY_MAX_ENTRIES) return false;
  const next: OverlayFile = {
    format: INDEX_FORMAT,
    version: INDEX_VERSION,
    baseId: base.id,
    seq: (overlay?.seq ?? 0) + 1,
    listing: listingText(listing.segments),
    global: {
      ...globalOf(state, new Set(), warnings),
      extraIds: [...global.extraIds, ...unseen.map((e) => e.event_id).filter((id) => !inHistory.has(id))],
      lastPullAt,
    },
    entries: [...overlaid.values()],
  };
  ensureCacheDirSync(location.root, location.cacheDir);
  writeAtomicSync(path.join(location.cacheDir, OVERLAY_NAME), (sink) => {
    sink(Buffer.from(JSON.stringify(next), 'utf8'), 0);
    return true;
  });
  stampFresh(location, `${base.id}:${next.seq}`, listing.segments, listing);
  return true;
}

/** A state holding the fold's global parts (no entries yet): what new events fold onto. */
function stateOf(global: GlobalState): TrackerState {
  const state = new TrackerState();
  for (const [draft, remote] of global.createdDrafts) state.createdDrafts.set(draft, remote);
  for (const conflict of global.conflicts as StoredConflict[])
    state.conflicts.set(conflict.conflict_id, conflict);
  for (const comment of global.comments as (PendingComment & {sent: boolean})[]) {
    state.comments.set(comment.comment_id, comment);
  }
  for (const [key, mapping] of global.mappings as [string, WorkPackageMapping][]) {
    state.mappings.set(key, {...mapping, ref: createRef(mapping.ref as never)});
  }
  state.diagnostics.push(...(global.diagnostics as TrackerState['diagnostics']));
  state.eventCount = global.eventCount;
  state.last = global.last;
  return state;
}

/** The indexed entry of `identity` (overlay first), and its base record number (-1: none). */
function findEntry(
  identity: string,
  base: IndexFile,
  overlaid: ReadonlyMap<string, [number, IndexRecord]>,
): {entry: IssueEntry | null; base: number} {
  let number = -1;
  for (const candidate of base.lookupTerms([identityTerm(identity)])) {
    if (base.record(candidate)[0] === identity) number = candidate;
  }
  const inOverlay = overlaid.get(identity);
  if (inOverlay) return {entry: decodeRecord(inOverlay[1]), base: inOverlay[0]};
  return {entry: number === -1 ? null : decodeRecord(base.record(number)), base: number};
}

/**
 * Records that this index was made from exactly `files`, when the events folder has settled
 * (see `listingSettled`): the next read then trusts the folder's stamp and lists nothing.
 */
function stampFresh(
  location: IndexLocation,
  id: string,
  files: ReadonlyMap<string, string>,
  listing?: SegmentListing,
): void {
  try {
    let taken = listing;
    if (taken === undefined || !listingSettled(taken)) {
      // Listed again now (the fold took a while): stamped only when the folder still holds
      // exactly the folded segments.
      taken = listSegments(location.root, location.eventsDir, (name) => name);
      if (taken.segments.size !== files.size || ![...files].every(([n, s]) => taken!.segments.get(n) === s))
        return;
      if (!listingSettled(taken)) return;
    }
    const text = JSON.stringify({index: id, events: taken.dirStamp}) + '\n';
    writeAtomicSync(path.join(location.cacheDir, FRESH_NAME), (sink) => {
      sink(Buffer.from(text, 'utf8'), 0);
      return true;
    });
  } catch {
    // a missing stamp only means a full listing next time
  }
}

function sizeOf(stamp: string): number {
  return Number.parseInt(stamp, 10);
}

/** Temp files of a process that died while writing the index are swept after an hour. */
function sweepTemps(dir: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(TEMP_SUFFIX) || !name.includes('read-index')) continue;
    try {
      const file = path.join(dir, name);
      if (writerGone(name) || now - fs.lstatSync(file).mtimeMs > 3600_000) fs.unlinkSync(file);
    } catch {
      // swept by another process
    }
  }
}

/**
 * Whether the process that named a temp file (`.<pid>.<random>` before the suffix) is gone from
 * this machine: a build killed part way leaves its spill files (tens of megabytes at 100k
 * issues), which the next build removes at once instead of an hour later. A live process of
 * that number, ours or not, keeps the file.
 */
function writerGone(name: string): boolean {
  const pid = Number(/\.(\d+)\.[0-9a-f]+$/.exec(name.slice(0, -TEMP_SUFFIX.length))?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // gone already
  }
}
