import * as fs from 'node:fs';
import * as path from 'node:path';

import {StorageError} from '../fs/errors.js';
import {assertNoSymlinks, isNotFound, symlinkError} from '../fs/safe-fs.js';
import {isSegmentName} from './segment-name.js';

/**
 * What a segment looked like when listed: `size:mtimeNs:ino`. Segments are immutable, so an
 * unchanged stamp means unchanged bytes (the same assumption git's index makes); a segment
 * rewritten in place by this plugin (doctor truncating a torn tail) drops the read cache.
 */
export type SegmentStamp = string;

/** The segments of one scope, in name order, and the stamp of their folder. */
export interface SegmentListing {
  /** Segment name -> stamp, sorted by name. */
  readonly segments: ReadonlyMap<string, SegmentStamp>;
  /**
   * `dev:ino:mtimeNs:ctimeNs` of the events folder, taken BEFORE it was read: a file added
   * after the read changes it, so an equal folder stamp later means the same names. Null when
   * the folder does not exist.
   */
  readonly dirStamp: string | null;
  /** mtime of the events folder (ms), to tell whether its stamp has settled. */
  readonly dirMtimeMs: number;
  /** Wall clock when the folder stamp was taken. */
  readonly listedAtMs: number;
}

/**
 * The folder stamp alone (one lstat): the cheap freshness check of the read cache. Throws
 * like `listSegments` for links and non-folders.
 */
export function eventsDirStamp(
  root: string,
  eventsDir: string,
  display: string = eventsDir,
  /** The folders above `eventsDir` were already checked by this caller: check only `eventsDir`. */
  parentsChecked = false,
): {stamp: string | null; mtimeMs: number} {
  if (!parentsChecked) assertNoSymlinks(root, eventsDir);
  let stat: fs.BigIntStats;
  try {
    stat = fs.lstatSync(eventsDir, {bigint: true});
  } catch (error) {
    if (isNotFound(error)) return {stamp: null, mtimeMs: 0};
    throw error;
  }
  if (stat.isSymbolicLink()) throw symlinkError(eventsDir);
  if (!stat.isDirectory()) {
    throw new StorageError(`${display} is not a folder`, {path: eventsDir});
  }
  return {
    stamp: `${stat.dev}:${stat.ino}:${stat.mtimeNs}:${stat.ctimeNs}`,
    mtimeMs: Number(stat.mtimeNs / 1_000_000n),
  };
}

/**
 * Lists a scope's segments (sorted) with their stamps, refusing links at every level. Sync on
 * purpose: a cold read lists hundreds of files, and one async round trip per lstat costs more
 * than the lstat itself.
 */
export function listSegments(
  root: string,
  eventsDir: string,
  display: (name: string) => string,
  /** Stamps already known for some names (immutable segments): those are not stat'ed again. */
  known?: ReadonlyMap<string, SegmentStamp>,
  parentsChecked = false,
): SegmentListing {
  const listedAtMs = Date.now();
  const dir = eventsDirStamp(root, eventsDir, display(''), parentsChecked);
  const empty = {segments: new Map<string, SegmentStamp>(), dirStamp: null, dirMtimeMs: 0, listedAtMs};
  if (dir.stamp === null) return empty;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(eventsDir, {withFileTypes: true});
  } catch (error) {
    if (isNotFound(error)) return empty;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new StorageError(`${display('')} is not a folder`, {path: eventsDir});
    }
    throw error;
  }
  const names = entries
    .filter((entry) => isSegmentName(entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const segments = new Map<string, SegmentStamp>();
  for (const entry of names) {
    const file = path.join(eventsDir, entry.name);
    if (entry.isSymbolicLink()) throw symlinkError(file);
    const seen = known?.get(entry.name);
    if (seen !== undefined && entry.isFile()) {
      segments.set(entry.name, seen);
      continue;
    }
    let stat: fs.BigIntStats;
    try {
      stat = fs.lstatSync(file, {bigint: true});
    } catch (error) {
      if (isNotFound(error)) continue; // removed by a concurrent compaction: its events live on in the snapshot
      throw error;
    }
    if (stat.isSymbolicLink()) throw symlinkError(file);
    if (!stat.isFile()) throw new StorageError(`${display(entry.name)} is not a regular file`, {path: file});
    segments.set(entry.name, stampOf(stat));
  }
  return {segments, dirStamp: dir.stamp, dirMtimeMs: dir.mtimeMs, listedAtMs};
}

function stampOf(stat: fs.BigIntStats): SegmentStamp {
  return `${stat.size}:${stat.mtimeNs}:${stat.ino}`;
}

/** The stamp of one segment file (just written by this process). */
export function statStamp(file: string): SegmentStamp {
  return stampOf(fs.lstatSync(file, {bigint: true}));
}

/** One line per segment, `name stamp`: what a read cache records and compares. */
export function listingText(segments: ReadonlyMap<string, SegmentStamp>): string {
  let text = '';
  for (const [name, stamp] of segments) text += `${name} ${stamp}\n`;
  return text;
}

/** The inverse of `listingText`. */
export function parseListing(text: string): Map<string, SegmentStamp> {
  const files = new Map<string, SegmentStamp>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (space <= 0) throw new Error('bad listing line');
    files.set(line.slice(0, space), line.slice(space + 1));
  }
  return files;
}
