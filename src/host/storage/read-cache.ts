import {randomBytes} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type {TrackerState} from '../../core/index.js';
import {assertNoSymlinks, isTempName, TEMP_SUFFIX} from '../fs/safe-fs.js';
import {eventsDirStamp, listingText, listSegments, type SegmentListing} from './segment-listing.js';
import {encodeSnapshot, listingDigest, SnapshotFile, type SnapshotSink} from './state-snapshot.js';

/** The cache folder of a scope: git-ignored (`*\/cache/` and its own `.gitignore`), per clone. */
export const READ_CACHE_DIR = 'cache';
const SNAPSHOT_NAME = `tracker-state.v1.snapshot`;
const FRESH_NAME = `tracker-state.v1.fresh`;
/** Ignores the folder even where `.kittify/tracker/.gitignore` is missing or was edited. */
const SELF_IGNORE = '# Derived read cache of spec-kitty tracker: per clone, never committed.\n*\n';

/**
 * How long after the events folder last changed its stamp may vouch for its contents. File
 * system timestamps are coarse (a kernel tick; 1-2 s on some file systems): a file added in the
 * same tick as the previous change leaves the stamp unchanged. Past this margin, any change gets
 * a new stamp. Until then the cache is still used, checked against the full listing.
 */
const SETTLE_MS = 3000;
/**
 * The margin where the folder's timestamps have sub-second digits (ext4, xfs, btrfs, APFS,
 * tmpfs...): those tick with the kernel's clock (a few milliseconds at most), so a change this
 * long after the last one always gets a new stamp.
 */
const FINE_SETTLE_MS = 100;

/**
 * Below this many bytes of segments a cold fold takes a few tens of milliseconds at most: no
 * cache is built, so small scopes never get cache files (and a read command writes nothing).
 */
const MIN_LOG_BYTES = 1 << 20;

export interface ReadCacheOptions {
  /** Override of the settle margin (tests shorten it to exercise the folder-stamp path). */
  readonly settleMs?: number;
  /** Build a cache only for logs of at least this many bytes (default 1 MiB; tests use 0). */
  readonly minLogBytes?: number;
  /** Use a current cache but never write one (the read index's rebuild folds through it). */
  readonly readOnly?: boolean;
}
/** Temp files of a writer that died are swept after this long. */
const STALE_TEMP_MS = 3600_000;

/**
 * The derived read cache of one scope: a snapshot of the folded state (`state-snapshot.ts`),
 * and a freshness stamp saying "while the events folder has stamp S, the snapshot with id X is
 * current".
 *
 * It is never required and never an error: every failure (missing, torn, damaged, other
 * version, unwritable, a link where a folder should be) makes it a miss, and the caller folds
 * the segments as if it did not exist, then rewrites it. Writes are temp file + rename, so
 * concurrent rebuilds race harmlessly (last rename wins; each file is whole). No lock: the
 * cache is per clone and derived.
 */
export class ReadCache {
  readonly dir: string;
  readonly snapshotPath: string;
  readonly freshPath: string;

  constructor(
    private readonly root: string,
    scopeDir: string,
    private readonly eventsDir: string,
    private readonly display: (name: string) => string,
    private readonly options: ReadCacheOptions = {},
  ) {
    this.dir = path.join(scopeDir, READ_CACHE_DIR);
    this.snapshotPath = path.join(this.dir, SNAPSHOT_NAME);
    this.freshPath = path.join(this.dir, FRESH_NAME);
  }

  /**
   * The snapshot, when it is provably current; null otherwise (the caller folds). Current when
   * the freshness stamp names it and the events folder still has that stamp (no listing at
   * all), or else when a full listing of the segments equals the snapshot's. A read never
   * renews the stamp: reads write nothing, not even derived data (the full listing is a few
   * milliseconds of lstat calls).
   */
  openCurrent(): SnapshotFile | null {
    let snapshot: SnapshotFile | null = null;
    try {
      const dir = eventsDirStamp(this.root, this.eventsDir);
      if (dir.stamp === null || !this.cacheDirIsReal()) return null;
      snapshot = SnapshotFile.open(this.snapshotPath);
      if (snapshot === null) return null;
      const fresh = this.readFresh();
      if (fresh !== null && fresh.snapshot === snapshot.id && fresh.events === dir.stamp) return snapshot;
      const listing = listSegments(this.root, this.eventsDir, this.display);
      if (listingDigest(listingText(listing.segments)) !== snapshot.header.listing) {
        snapshot.close();
        return null;
      }
      return snapshot;
    } catch {
      snapshot?.close();
      return null;
    }
  }

  /** The snapshot whatever its freshness (the caller compares listings), or null. */
  open(): SnapshotFile | null {
    try {
      if (!this.cacheDirIsReal()) return null;
      return SnapshotFile.open(this.snapshotPath);
    } catch {
      return null;
    }
  }

  /**
   * Writes a snapshot of `state` folded from exactly `listing`; returns whether it did. Never
   * throws. Nothing is written for a log below `minLogBytes` (an empty one included).
   */
  write(input: {
    state: TrackerState;
    ids: ReadonlySet<string>;
    listing: SegmentListing;
    warnings: readonly string[];
  }): boolean {
    if (this.options.readOnly) return false;
    let bytes = 0;
    for (const stamp of input.listing.segments.values()) bytes += Number.parseInt(stamp, 10);
    if (input.listing.segments.size === 0 || bytes < (this.options.minLogBytes ?? MIN_LOG_BYTES))
      return false;
    try {
      if (!this.ensureDir()) return false;
      const header = writeAtomicSync(this.snapshotPath, (sink) =>
        encodeSnapshot(
          {
            state: input.state,
            ids: input.ids,
            listing: listingText(input.listing.segments),
            warnings: input.warnings,
          },
          sink,
        ),
      );
      if (header === null) return false;
      this.stampFresh(header.id, this.settledListing(input.listing));
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the cache (after a segment was rewritten in place). Never throws. */
  discard(): void {
    for (const file of [this.freshPath, this.snapshotPath]) {
      try {
        fs.unlinkSync(file);
      } catch {
        // missing already, or not ours to remove
      }
    }
  }

  /**
   * The listing to stamp the snapshot with: `listing` itself when it had settled; else, when the
   * folder still holds exactly those segments, a listing taken now (after the fold and the
   * snapshot, which take a while), so a cache written right after a write is stamped too.
   */
  private settledListing(listing: SegmentListing): SegmentListing {
    if (this.settled(listing)) return listing;
    try {
      const now = listSegments(this.root, this.eventsDir, this.display);
      const same =
        now.segments.size === listing.segments.size &&
        [...now.segments].every(([name, stamp]) => listing.segments.get(name) === stamp);
      return same ? now : listing;
    } catch {
      return listing;
    }
  }

  /** Whether a change to the events folder after `listing` was taken would change its stamp. */
  private settled(listing: SegmentListing): boolean {
    return listingSettled(listing, this.options.settleMs);
  }

  /**
   * Records that `listing` (whose folder stamp was taken before it was read) is the snapshot's,
   * when the folder has settled and the stamp on disk says otherwise.
   */
  private stampFresh(snapshotId: string, listing: SegmentListing): void {
    if (!this.settled(listing)) return;
    const fresh = this.readFresh();
    if (fresh !== null && fresh.snapshot === snapshotId && fresh.events === listing.dirStamp) return;
    try {
      if (!this.ensureDir()) return;
      writeAtomicSync(this.freshPath, (sink) =>
        sink(Buffer.from(JSON.stringify({snapshot: snapshotId, events: listing.dirStamp}) + '\n'), 0),
      );
    } catch {
      // a stale or missing stamp only means a full listing next time
    }
  }

  private readFresh(): {snapshot: string; events: string} | null {
    try {
      const value = JSON.parse(readTextNoFollow(this.freshPath)) as unknown;
      const fresh = value as {snapshot?: unknown; events?: unknown};
      return typeof fresh?.snapshot === 'string' && typeof fresh.events === 'string'
        ? {snapshot: fresh.snapshot, events: fresh.events}
        : null;
    } catch {
      return null;
    }
  }

  /** True when the cache folder is missing or a real folder (never read through a link). */
  private cacheDirIsReal(): boolean {
    assertNoSymlinks(this.root, this.dir);
    return true;
  }

  /** Creates the folder (no links on the way) with its self-ignore file; false when it cannot. */
  private ensureDir(): boolean {
    ensureCacheDirSync(this.root, this.dir);
    this.sweepTemps();
    return true;
  }

  private sweepTemps(): void {
    const now = Date.now();
    for (const name of fs.readdirSync(this.dir)) {
      if (!isTempName(name)) continue;
      const file = path.join(this.dir, name);
      try {
        if (now - fs.lstatSync(file).mtimeMs > STALE_TEMP_MS) fs.unlinkSync(file);
      } catch {
        // another process swept it
      }
    }
  }
}

/**
 * Whether a change to the events folder after `listing` was taken would change its stamp, so
 * that the stamp may vouch for the listing (see `SETTLE_MS`).
 */
export function listingSettled(listing: SegmentListing, settleMs?: number): boolean {
  if (listing.dirStamp === null) return false;
  const margin = settleMs ?? (hasSubSecondTimes(listing.dirStamp) ? FINE_SETTLE_MS : SETTLE_MS);
  return listing.listedAtMs - listing.dirMtimeMs >= margin;
}

/**
 * Creates a scope's cache folder (no links on the way) with its self-ignore file. Shared by the
 * read cache and the read index, which live side by side in it.
 */
export function ensureCacheDirSync(root: string, dir: string): void {
  assertNoSymlinks(root, dir);
  fs.mkdirSync(dir, {recursive: true});
  assertNoSymlinks(root, dir);
  const ignore = path.join(dir, '.gitignore');
  let current: string | null = null;
  try {
    current = readTextNoFollow(ignore);
  } catch {
    current = null;
  }
  if (current !== SELF_IGNORE) writeAtomicSync(ignore, (sink) => sink(Buffer.from(SELF_IGNORE), 0));
}

function readTextNoFollow(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Temp file + rename (no fsync: a torn cache after a power cut is detected and rebuilt). */
/**
 * Whether the folder stamp (`dev:ino:mtimeNs:ctimeNs`) shows sub-second timestamps. A file
 * system with whole-second (or two-second) times always shows zeros there; a fine-grained one
 * almost never does, and when it does by chance the long margin applies, which is only slower.
 */
function hasSubSecondTimes(dirStamp: string): boolean {
  const [, , mtimeNs, ctimeNs] = dirStamp.split(':');
  try {
    return BigInt(mtimeNs ?? '0') % 1_000_000_000n !== 0n || BigInt(ctimeNs ?? '0') % 1_000_000_000n !== 0n;
  } catch {
    return false;
  }
}

/**
 * Writes a file atomically: `fill` writes its bytes at the positions it chooses into a temp file,
 * which is then renamed into place; a `fill` that returns null abandons it (nothing replaced).
 */
export function writeAtomicSync<T>(target: string, fill: (sink: SnapshotSink) => T | null): T | null {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
  const fd = fs.openSync(
    temp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o644,
  );
  const sink: SnapshotSink = (bytes, position) => {
    for (let done = 0; done < bytes.length;) {
      done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
    }
  };
  try {
    let result: T | null;
    try {
      result = fill(sink);
    } finally {
      fs.closeSync(fd);
    }
    if (result !== null) {
      fs.renameSync(temp, target);
      return result;
    }
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  removeQuietly(temp);
  return null;
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // gone already
  }
}
