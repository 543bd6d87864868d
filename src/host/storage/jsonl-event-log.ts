import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {
  canonicalJsonLine,
  compareEvents,
  createUlidFactory,
  foldTrackerLog,
  systemClock,
  TrackerState,
  type Clock,
  type LogTransaction,
  type TrackerEvent,
  type TrackerEventLog,
} from '../../core/index.js';
import {StorageError} from './errors.js';
import {ensureIgnoreRules} from './ignore-rules.js';
import {assertNoSymlinks, ensureRealDir, isNotFound, symlinkError, writeFileAtomic} from './safe-fs.js';
import {
  isSegmentName,
  parseSegment,
  readSegment,
  truncateTornTail,
  type ParsedSegment,
} from './segment-file.js';
import {withLock, WRITER_LOCK_NAME, type HeldLock, type LockOptions} from './writer-lock.js';

export interface JsonlEventLogOptions {
  /** Repository root: nothing above it is checked for links, nothing outside it is touched. */
  readonly root: string;
  /** `<root>/.kittify/tracker/<scope>` */
  readonly scopeDir: string;
  /** Stamps `at`; default the system clock. */
  readonly clock?: Clock;
  /** Mints event and segment ids; default a monotonic ULID factory over `clock`. */
  readonly newId?: () => string;
  readonly lock?: LockOptions;
}

interface SegmentStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

interface CachedSegment {
  readonly stamp: SegmentStamp;
  readonly parsed: ParsedSegment;
}

/**
 * Parsed segments, per process, keyed by absolute path and checked by (size, mtime, inode):
 * segments are immutable, so a repeated read only parses what is new.
 */
const segmentCache = new Map<string, CachedSegment>();

/**
 * The durable tracker log of one scope: immutable JSONL segments under
 * `<scope>/events/`, one new file per transaction, so branches only ever add files and merge
 * cleanly under any git strategy without a merge driver. Readers never lock; writers hold the
 * scope's writer lock across read-decide-write-verify.
 */
export class JsonlEventLog implements TrackerEventLog {
  readonly root: string;
  readonly scopeDir: string;
  readonly eventsDir: string;
  readonly lockPath: string;
  /** Problems that did not stop reading (torn tails); the caller prints them. */
  readonly warnings: string[] = [];
  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly lockOptions: LockOptions;
  private folded: {files: Map<string, SegmentStamp>; state: TrackerState; ids: Set<string>} | null = null;

  constructor(options: JsonlEventLogOptions) {
    this.root = path.resolve(options.root);
    this.scopeDir = path.resolve(options.scopeDir);
    this.eventsDir = path.join(this.scopeDir, 'events');
    this.lockPath = path.join(this.scopeDir, WRITER_LOCK_NAME);
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? createUlidFactory(this.clock);
    this.lockOptions = options.lock ?? {};
  }

  /** Folds every segment. Missing folder: empty state. Never takes the lock. */
  async read(): Promise<TrackerState> {
    const listing = await this.listSegments();
    const cached = this.folded;
    if (cached && [...cached.files].every(([name, stamp]) => sameStamp(listing.get(name), stamp))) {
      const added = [...listing.keys()].filter((name) => !cached.files.has(name));
      if (added.length === 0) return cached.state;
      // Only new segments: apply them on top when they all sort after what is folded.
      const fresh: TrackerEvent[] = [];
      for (const name of added) fresh.push(...(await this.segment(name, listing.get(name)!)).events);
      const unseen = fresh.filter((event) => !cached.ids.has(event.event_id)).sort(compareEvents);
      if (unseen.every((event) => cached.state.canAppend(event))) {
        for (const event of unseen) {
          if (cached.ids.has(event.event_id)) continue;
          cached.ids.add(event.event_id);
          cached.state.apply(event);
        }
        for (const name of added) cached.files.set(name, listing.get(name)!);
        return cached.state;
      }
    }
    const all: TrackerEvent[] = [];
    for (const [name, stamp] of listing) all.push(...(await this.segment(name, stamp)).events);
    const state = foldTrackerLog(all);
    this.folded = {files: new Map(listing), state, ids: new Set(all.map((event) => event.event_id))};
    return state;
  }

  /** Every segment, parsed, in name order (compaction and doctor look at them one by one). */
  async readSegments(): Promise<ParsedSegment[]> {
    const listing = await this.listSegments();
    const out: ParsedSegment[] = [];
    for (const [name, stamp] of listing) out.push(await this.segment(name, stamp));
    return out;
  }

  async transact<T>(
    decide: (state: TrackerState) => LogTransaction<T>,
  ): Promise<{result: T; appended: TrackerEvent[]}> {
    return this.withWriterLock(async (lock) => {
      const state = await this.read();
      const {events, result} = decide(state);
      if (events.length === 0) return {result, appended: []};
      const at = this.stampTime(state);
      const appended = events.map((payload) => ({...payload, event_id: this.newId(), at}) as TrackerEvent);
      await this.writeSegment(`${this.newId()}.jsonl`, appended, lock);
      return {result, appended};
    });
  }

  /** Runs `body` holding this scope's writer lock (compaction and doctor --fix use it too). */
  async withWriterLock<T>(body: (lock: HeldLock) => Promise<T>): Promise<T> {
    await ensureRealDir(this.root, this.scopeDir);
    return withLock(this.scopeDir, this.lockPath, body, this.lockOptions);
  }

  /**
   * Writes one new immutable segment atomically and reads it back: every event must be there.
   * Caller holds the writer lock.
   */
  async writeSegment(name: string, events: readonly TrackerEvent[], lock: HeldLock): Promise<string> {
    await ensureIgnoreRules(this.root);
    await ensureRealDir(this.root, this.eventsDir);
    const file = path.join(this.eventsDir, name);
    const text = events.map((event) => canonicalJsonLine(event)).join('');
    await writeFileAtomic(file, text, {
      beforeRename: () => {
        lock.check();
      },
    });
    lock.check();
    await this.verify(name, events);
    return file;
  }

  /** Removes torn last lines (for `doctor --fix`); returns the files repaired. */
  async repairTornTails(): Promise<string[]> {
    return this.withWriterLock(async () => {
      const repaired: string[] = [];
      for (const segment of await this.readSegments()) {
        if (segment.tornTailAt === null) continue;
        const file = path.join(this.eventsDir, segment.name);
        await truncateTornTail(file, segment.tornTailAt);
        segmentCache.delete(file);
        repaired.push(this.display(segment.name));
      }
      this.folded = null;
      this.warnings.length = 0;
      return repaired;
    });
  }

  /** Forgets what this process folded (after files were removed or rewritten). */
  invalidate(): void {
    this.folded = null;
  }

  display(name: string): string {
    return path.relative(this.root, path.join(this.eventsDir, name)).split(path.sep).join('/');
  }

  /**
   * `at` of new events: now, but never at or before the newest event already folded, so a write
   * decided on a state always sorts after that state even when this machine's clock is behind.
   */
  private stampTime(state: TrackerState): string {
    const now = this.clock.now().getTime();
    const last = state.last ? Date.parse(state.last.at) : Number.NEGATIVE_INFINITY;
    return new Date(now > last ? now : last + 1).toISOString();
  }

  private async verify(name: string, events: readonly TrackerEvent[]): Promise<void> {
    const file = path.join(this.eventsDir, name);
    let parsed: ParsedSegment;
    try {
      const bytes = await fs.readFile(file, 'utf8');
      parsed = parseSegment(name, bytes, this.display(name));
    } catch (error) {
      throw new StorageError(`readback of ${this.display(name)} failed: ${(error as Error).message}`, {
        path: file,
        cause: error,
        hint: 'The disk may be full or failing; run spec-kitty tracker doctor.',
      });
    }
    const written = new Set(parsed.events.map((event) => event.event_id));
    const missing = events.filter((event) => !written.has(event.event_id));
    if (missing.length > 0 || parsed.tornTailAt !== null) {
      throw new StorageError(
        `readback of ${this.display(name)} is missing ${missing.length} of ${events.length} events just written`,
        {path: file, hint: 'The disk may be full or failing; run spec-kitty tracker doctor.'},
      );
    }
  }

  /** Segment names (sorted) with their stamps; refuses links at every level. */
  private async listSegments(): Promise<Map<string, SegmentStamp>> {
    await assertNoSymlinks(this.root, this.eventsDir);
    let entries;
    try {
      entries = await fs.readdir(this.eventsDir, {withFileTypes: true});
    } catch (error) {
      if (isNotFound(error)) return new Map();
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new StorageError(`${this.display('')} is not a folder`, {path: this.eventsDir});
      }
      throw error;
    }
    const names = entries
      .filter((entry) => isSegmentName(entry.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const listing = new Map<string, SegmentStamp>();
    for (const entry of names) {
      const file = path.join(this.eventsDir, entry.name);
      if (entry.isSymbolicLink()) throw symlinkError(file);
      let stat;
      try {
        stat = await fs.lstat(file);
      } catch (error) {
        if (isNotFound(error)) continue; // removed by a concurrent compaction: its events live on in the snapshot
        throw error;
      }
      if (stat.isSymbolicLink()) throw symlinkError(file);
      if (!stat.isFile())
        throw new StorageError(`${this.display(entry.name)} is not a regular file`, {path: file});
      listing.set(entry.name, {size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino});
    }
    return listing;
  }

  private async segment(name: string, stamp: SegmentStamp): Promise<ParsedSegment> {
    const file = path.join(this.eventsDir, name);
    const hit = segmentCache.get(file);
    let parsed: ParsedSegment;
    if (hit && sameStamp(hit.stamp, stamp)) {
      parsed = hit.parsed;
    } else {
      parsed = await readSegment({file, display: this.display(name)});
      segmentCache.set(file, {stamp, parsed});
    }
    for (const warning of parsed.warnings) if (!this.warnings.includes(warning)) this.warnings.push(warning);
    return parsed;
  }
}

function sameStamp(a: SegmentStamp | undefined, b: SegmentStamp): boolean {
  return a !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** Drops this process's parsed-segment cache (tests and benchmarks measure cold reads). */
export function clearSegmentCache(): void {
  segmentCache.clear();
}
