import {AsyncLocalStorage} from 'node:async_hooks';
import {existsSync, readdirSync, renameSync, unlinkSync} from 'node:fs';
import * as path from 'node:path';

import {
  canonicalJsonLine,
  createUlidFactory,
  foldTrackerLog,
  orderEvents,
  systemClock,
  TrackerState,
  type Clock,
  type IssueEntrySummary,
  type LogTransaction,
  type TrackerEvent,
  type TrackerEventLog,
} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import {ensureIgnoreRules} from './ignore-rules.js';
import {ReadCache, type ReadCacheOptions} from './read-cache.js';
import {readbackMismatch} from './segment-readback.js';
import {
  claimOpenFile,
  isOpenSegmentName,
  openSegmentName,
  ownerIsGone,
  parseOpenSegmentName,
  releaseOpenFile,
  SEAL_AT_EVENTS,
  sealedNameOf,
  trackRun,
  untrackRun,
} from './open-segment.js';
import {
  ensureRealDir,
  fsyncDir,
  isNotFound,
  isTempName,
  readFileNoFollow,
  writeFileAtomic,
} from '../fs/safe-fs.js';
import {readSegment, truncateTornTail, type ParsedSegment} from './segment-file.js';
import {
  listSegments,
  parseListing,
  statStamp,
  type SegmentListing,
  type SegmentStamp,
} from './segment-listing.js';
import {withLock, type HeldLock, type LockOptions} from '../fs/file-lock.js';
import {WRITER_LOCK_NAME} from './scope.js';

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
  /** The derived read cache under `<scope>/cache/`: on by default; false reads the segments only. */
  readonly readCache?: boolean | ReadCacheOptions;
}

/** What this log did so far (tests and benchmarks check where an answer came from). */
export interface ReadStats {
  /** Segment files parsed (a process parses each at most once while it is unchanged). */
  segmentsParsed: number;
  /** Reads answered from the read cache without parsing a segment. */
  cacheHits: number;
  /** Read cache snapshots written. */
  cacheWrites: number;
}

/** The transactions of one `batch` call: decided and folded in memory, written at its end. */
interface WriteBatch {
  readonly state: TrackerState;
  readonly events: TrackerEvent[];
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
 * At most this many parsed events stay cached. The folded state already holds what a log
 * means; keeping every parsed event besides it doubled a large pull's memory. Segments that
 * fall out are parsed again only when a fold has to start from scratch.
 */
const SEGMENT_CACHE_MAX_EVENTS = 20_000;
let segmentCacheEvents = 0;

function rememberSegment(file: string, entry: CachedSegment): void {
  const previous = segmentCache.get(file);
  if (previous) {
    segmentCacheEvents -= previous.parsed.events.length;
    segmentCache.delete(file);
  }
  segmentCache.set(file, entry);
  segmentCacheEvents += entry.parsed.events.length;
  for (const [oldest, cached] of segmentCache) {
    if (segmentCacheEvents <= SEGMENT_CACHE_MAX_EVENTS || oldest === file) break;
    segmentCache.delete(oldest);
    segmentCacheEvents -= cached.parsed.events.length;
  }
}

function forgetSegment(file: string): void {
  const previous = segmentCache.get(file);
  if (previous) segmentCacheEvents -= previous.parsed.events.length;
  segmentCache.delete(file);
}

/**
 * The durable tracker log of one scope: immutable JSONL segments under
 * `<scope>/events/`, one new file per transaction, so branches only ever add files and merge
 * cleanly under any git strategy without a merge driver. Readers never lock; writers hold the
 * scope's writer lock across read-decide-write-verify.
 *
 * Cold reads go through a derived, git-ignored read cache (`<scope>/cache/`, see
 * `read-cache.ts`): when it is current, one issue is one indexed record and the issue list one
 * pass over the records, with no segment parsed or folded; when it is not, the segments are
 * folded (on top of the cached state when only new segments arrived) and the cache rewritten.
 * The answers are the same with or without it.
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
  private readonly cache: ReadCache | null;
  /**
   * Stamps of the segments this instance has listed or written. Segments are immutable, so a
   * name seen before is not stat'ed again: a long pull lists the folder once per write, and
   * stat'ing every segment each time made it quadratic. New names are always stat'ed.
   */
  private readonly known = new Map<string, SegmentStamp>();
  private parentsChecked = false;
  /** Segments this instance is writing right now (see `transact`). */
  private readonly writing = new Set<string>();
  private scopeDirReady = false;
  private eventsDirReady = false;
  /** This run's open segments (see `open-segment.ts`): name -> events it holds. */
  private readonly open = new Map<string, number>();
  /** The batch the current async context writes into (see `batch`). */
  private readonly batchScope = new AsyncLocalStorage<WriteBatch>();
  readonly stats: ReadStats = {segmentsParsed: 0, cacheHits: 0, cacheWrites: 0};

  constructor(options: JsonlEventLogOptions) {
    this.root = path.resolve(options.root);
    this.scopeDir = path.resolve(options.scopeDir);
    this.eventsDir = path.join(this.scopeDir, 'events');
    this.lockPath = path.join(this.scopeDir, WRITER_LOCK_NAME);
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? createUlidFactory(this.clock);
    this.lockOptions = options.lock ?? {};
    this.cache =
      options.readCache === false
        ? null
        : new ReadCache(
            this.root,
            this.scopeDir,
            this.eventsDir,
            (name) => this.display(name),
            typeof options.readCache === 'object' ? options.readCache : {},
          );
  }

  /**
   * Folds every segment, open ones included. Missing folder: empty state. Never takes the lock.
   * An open segment sealed by its writer between listing and reading is read again from the
   * sealed segment (the listing is retried).
   */
  async read(): Promise<TrackerState> {
    // Inside a batch this process holds the writer lock: nothing else can have written.
    const batch = this.batchScope.getStore();
    if (batch) return batch.state;
    return retryWhenSealed(() => this.readOnce());
  }

  private async readOnce(): Promise<TrackerState> {
    const listing = this.listSegments();
    const cached = this.folded;
    if (cached && [...cached.files].every(([name, stamp]) => listing.segments.get(name) === stamp)) {
      const added = [...listing.segments.keys()].filter(
        (name) => !cached.files.has(name) && !this.writing.has(name),
      );
      if (added.length === 0) return cached.state;
      if ((await this.applyOnTop(cached, listing, added)) !== null) return cached.state;
    }
    const fromCache = await this.readThroughCache(listing);
    if (fromCache) return fromCache;
    const all: TrackerEvent[] = [];
    const warnings: string[] = [];
    for (const [name, stamp] of listing.segments) {
      const parsed = await this.segment(name, stamp);
      all.push(...parsed.events);
      warnings.push(...parsed.warnings);
    }
    const state = foldTrackerLog(all);
    const ids = new Set(all.map((event) => event.event_id));
    this.folded = {files: new Map(listing.segments), state, ids};
    this.writeCache({state, ids, listing, warnings});
    return state;
  }

  /**
   * The entry of one identity as `read()` folds it (history aside). Answered from the read
   * cache's index when this instance has not folded yet and the cache is current.
   */
  async readEntry(identity: string): Promise<IssueEntrySummary | null> {
    if (this.folded === null && this.cache) {
      const snapshot = this.cache.openCurrent();
      if (snapshot) {
        try {
          const entry = snapshot.lookup(identity);
          this.addWarnings(snapshot.header.warnings);
          this.stats.cacheHits += 1;
          return entry;
        } catch {
          // damaged: fold below, which rewrites it
        } finally {
          snapshot.close();
        }
      }
    }
    return (await this.read()).issues.get(identity) ?? null;
  }

  /**
   * `readEntry` for several identities, with one look at the read cache: a pull of a few
   * changed issues into a large cache reads their entries without loading the rest.
   */
  async readEntries(identities: readonly string[]): Promise<Map<string, IssueEntrySummary | null>> {
    const out = new Map<string, IssueEntrySummary | null>();
    if (this.folded === null && this.cache) {
      const snapshot = this.cache.openCurrent();
      if (snapshot) {
        try {
          for (const identity of identities) out.set(identity, snapshot.lookup(identity));
          this.addWarnings(snapshot.header.warnings);
          this.stats.cacheHits += 1;
          return out;
        } catch {
          out.clear(); // damaged: fold below, which rewrites it
        } finally {
          snapshot.close();
        }
      }
    }
    const state = await this.read();
    for (const identity of identities) out.set(identity, state.issues.get(identity) ?? null);
    return out;
  }

  /** `read().liveEntries()`, streamed from the read cache when it is current. */
  async readLiveEntries(): Promise<IssueEntrySummary[]> {
    if (this.folded === null && this.cache) {
      const snapshot = this.cache.openCurrent();
      if (snapshot) {
        try {
          const entries = snapshot.liveEntries();
          this.addWarnings(snapshot.header.warnings);
          this.stats.cacheHits += 1;
          return entries;
        } catch {
          // damaged: fold below, which rewrites it
        } finally {
          snapshot.close();
        }
      }
    }
    return (await this.read()).liveEntries();
  }
  /** Every segment, parsed, in name order (compaction and doctor look at them one by one). */
  async readSegments(): Promise<ParsedSegment[]> {
    return retryWhenSealed(async () => {
      const listing = this.listSegments();
      const out: ParsedSegment[] = [];
      for (const [name, stamp] of listing.segments) out.push(await this.segment(name, stamp));
      return out;
    });
  }

  async transact<T>(
    decide: (state: TrackerState) => LogTransaction<T>,
  ): Promise<{result: T; appended: TrackerEvent[]}> {
    const batch = this.batchScope.getStore();
    if (batch) return this.transactInBatch(batch, decide);
    return this.withWriterLock(async (lock) => {
      const state = await this.read();
      const {events, result} = decide(state);
      if (events.length === 0) return {result, appended: []};
      const at = this.stampTime(state);
      // `at` and `event_id` first: with the payload's keys in order after them (as the stores
      // write them), an event is in canonical key order and serialises without a sort.
      const appended = events.map((payload) => ({at, event_id: this.newId(), ...payload}) as TrackerEvent);
      // A transaction as large as a seal (a pull's batch) is a committed segment of its own;
      // smaller ones are open segments of this run, sealed together when the run ends.
      const direct = appended.length >= SEAL_AT_EVENTS;
      const name = direct ? `${this.newId()}.jsonl` : openSegmentName(this.newId());
      // Until it is folded in below, a read in this process (a pull merges its next pages while
      // a batch is being written) leaves this segment to us instead of parsing it from disk.
      this.writing.add(name);
      try {
        if (!direct) this.noteOpen(name, appended.length);
        await this.writeSegment(name, appended, lock);
        this.foldWritten(state, name, appended);
      } finally {
        this.writing.delete(name);
      }
      if (this.openEvents() >= SEAL_AT_EVENTS) await this.sealOpen(lock);
      return {result, appended};
    });
  }

  /**
   * Runs `body` as ONE transaction: the transactions it makes (from this async context) are
   * decided one after another on the state as the earlier ones left it, as usual, but written
   * together as one segment when `body` returns; reads inside it see them at once. The writer
   * lock is held throughout, so `body` must not wait on anything slow (a request). Durable
   * when `batch` returns; when `body` throws, nothing of it is written. Recording a thousand
   * drafts this way costs one write instead of a thousand fsynced files.
   */
  async batch<T>(body: () => Promise<T>): Promise<T> {
    if (this.batchScope.getStore()) return body();
    return this.withWriterLock(async (lock) => {
      const state = await this.readOnLock();
      const batch: WriteBatch = {state, events: []};
      let result: T;
      try {
        result = await this.batchScope.run(batch, body);
      } catch (error) {
        // The in-memory fold holds events that were never written: fold from the files again.
        if (batch.events.length > 0) this.folded = null;
        throw error;
      }
      if (batch.events.length > 0) await this.writeBatch(batch, lock);
      return result;
    });
  }

  private readOnLock(): Promise<TrackerState> {
    return retryWhenSealed(() => this.readOnce());
  }

  private transactInBatch<T>(
    batch: WriteBatch,
    decide: (state: TrackerState) => LogTransaction<T>,
  ): {result: T; appended: TrackerEvent[]} {
    const {events, result} = decide(batch.state);
    if (events.length === 0) return {result, appended: []};
    const at = this.stampTime(batch.state);
    const appended = events.map((payload) => ({at, event_id: this.newId(), ...payload}) as TrackerEvent);
    for (const event of orderEvents(appended)) batch.state.apply(event);
    batch.events.push(...appended);
    return {result, appended};
  }

  /** Writes a batch's events as one segment (caller holds the writer lock); see `transact`. */
  private async writeBatch(batch: WriteBatch, lock: HeldLock): Promise<void> {
    const direct = batch.events.length >= SEAL_AT_EVENTS;
    const name = direct ? `${this.newId()}.jsonl` : openSegmentName(this.newId());
    this.writing.add(name);
    try {
      if (!direct) this.noteOpen(name, batch.events.length);
      await this.writeSegment(name, batch.events, lock);
    } catch (error) {
      this.folded = null;
      throw error;
    } finally {
      this.writing.delete(name);
    }
    const folded = this.folded;
    const stamp = this.known.get(name);
    if (folded !== null && folded.state === batch.state && stamp !== undefined) {
      for (const event of batch.events) folded.ids.add(event.event_id);
      folded.files.set(name, stamp);
    } else this.folded = null;
    if (this.openEvents() >= SEAL_AT_EVENTS) await this.sealOpen(lock);
  }

  /**
   * Folds events this instance just wrote into the state it decided them on, so the next read
   * neither lists nor parses them again. They sort after that state (`stampTime`) and their ids
   * are new; when anything else is off, the next read folds from the files as usual.
   */
  private foldWritten(state: TrackerState, name: string, appended: readonly TrackerEvent[]): void {
    const folded = this.folded;
    const stamp = this.known.get(name);
    if (folded === null || folded.state !== state || stamp === undefined) return;
    if (!appended.every((event) => !folded.ids.has(event.event_id) && state.canAppend(event))) return;
    for (const event of orderEvents(appended)) {
      folded.ids.add(event.event_id);
      state.apply(event);
    }
    folded.files.set(name, stamp);
  }

  /** A fresh segment file name (a ULID): unique per clone, so branches only ever add files. */
  newSegmentName(): string {
    return `${this.newId()}.jsonl`;
  }

  /** Runs `body` holding this scope's writer lock (compaction and doctor --fix use it too). */
  async withWriterLock<T>(body: (lock: HeldLock) => Promise<T>): Promise<T> {
    if (!this.scopeDirReady) {
      await ensureRealDir(this.root, this.scopeDir);
      this.scopeDirReady = true;
    }
    return withLock(this.scopeDir, this.lockPath, body, this.lockOptions);
  }

  /**
   * Writes one new immutable segment atomically and reads it back: every event must be there.
   * Caller holds the writer lock.
   */
  async writeSegment(name: string, events: readonly TrackerEvent[], lock: HeldLock): Promise<string> {
    // Once per instance: a long pull writes many segments into the same folders.
    if (!this.eventsDirReady) {
      await ensureIgnoreRules(this.root);
      await ensureRealDir(this.root, this.eventsDir);
      this.eventsDirReady = true;
    }
    const file = path.join(this.eventsDir, name);
    const bytes = await encodeLines(events);
    await writeFileAtomic(file, bytes, {
      beforeRename: () => {
        lock.check();
      },
    });
    lock.check();
    this.verify(name, bytes);
    this.known.set(name, statStamp(file));
    return file;
  }

  /**
   * Ends this log's run: under the writer lock, adopts the open segments of runs that died
   * (`recover`, or whenever this run has open segments of its own) and seals all of them into
   * one committed segment. Without open segments and without `recover`, does nothing; with
   * `recover` and nothing to adopt, takes no lock and writes nothing.
   */
  async endRun(options: {recover?: boolean} = {}): Promise<void> {
    if (this.open.size === 0 && !options.recover) return;
    const listing = this.listSegments();
    // Open segments of ours that are gone were sealed by another writer (or the folder went).
    if (![...this.open.keys()].some((name) => listing.segments.has(name))) this.forgetOpen();
    const recover = options.recover === true;
    const nothingLeft = !recover || (this.leftovers(listing).length === 0 && this.tempFiles().length === 0);
    if (this.open.size === 0 && nothingLeft) return;
    await this.withWriterLock(async (lock) => {
      await this.adopt(this.leftovers(this.listSegments()));
      await this.sealOpen(lock);
      // Segment temp files are only ever written under this lock: one seen while holding it was
      // left by a writer that died (or lost the lock) mid-write, and is never renamed now.
      if (recover) for (const name of this.tempFiles()) unlinkIfPresent(path.join(this.eventsDir, name));
    });
    // The sealed names replace open ones the read cache may list: bring it up to date here,
    // from what this process folded, rather than leave the next command a fold from scratch.
    await this.refreshReadCache();
  }

  private tempFiles(): string[] {
    try {
      return readdirSync(this.eventsDir).filter((name) => isTempName(name));
    } catch {
      return [];
    }
  }

  /** Open segments in `listing` that are not this run's and whose run is gone. */
  private leftovers(listing: SegmentListing): string[] {
    const now = Date.now();
    const out: string[] = [];
    for (const [name, stamp] of listing.segments) {
      const owner = parseOpenSegmentName(name);
      if (owner === null || this.open.has(name)) continue;
      const mtimeMs = Number(BigInt(stamp.split(':')[1] ?? '0') / 1_000_000n);
      if (ownerIsGone(path.join(this.eventsDir, name), owner, mtimeMs, now)) out.push(name);
    }
    return out;
  }

  /**
   * Takes dead runs' open segments into this run (caller holds the writer lock). One whose
   * events are all in the segment its run was sealing when it died (named after the run's
   * first open segment) was sealed already: it is only deleted.
   */
  private async adopt(names: readonly string[]): Promise<void> {
    const sealed = new Set<string>();
    for (const name of names) {
      const head = path.join(this.eventsDir, sealedNameOf(parseOpenSegmentName(name)!));
      if (!existsSync(head)) continue;
      const parsed = await readSegment({file: head, display: this.display(path.basename(head))});
      for (const event of parsed.events) sealed.add(event.event_id);
    }
    for (const name of names) {
      const file = path.join(this.eventsDir, name);
      const bytes = await readFileNoFollow(file);
      if (bytes === null) continue;
      const parsed = await readSegment({file, display: this.display(name)});
      if (parsed.events.every((event) => sealed.has(event.event_id))) {
        unlinkIfPresent(file);
        forgetSegment(file);
        this.known.delete(name);
        this.folded?.files.delete(name);
        continue;
      }
      this.noteOpen(name, parsed.events.length);
    }
  }

  private noteOpen(name: string, events: number): void {
    this.open.set(name, events);
    claimOpenFile(path.join(this.eventsDir, name));
    trackRun(this);
  }

  private openEvents(): number {
    let total = 0;
    for (const count of this.open.values()) total += count;
    return total;
  }

  /**
   * Seals this run's open segments into ONE committed segment (caller holds the writer lock):
   * a lone one is renamed; several are concatenated (complete lines only), written atomically
   * and read back, and only then deleted, the first one last (a crash in between leaves files
   * whose events the sealed segment named after that first one already holds: `adopt` deletes
   * them). Open segments another writer sealed meanwhile are skipped.
   */
  private async sealOpen(lock: HeldLock): Promise<void> {
    const names = [...this.open.keys()].sort().filter((name) => existsSync(path.join(this.eventsDir, name)));
    if (names.length > 0) {
      let target = sealedNameOf(parseOpenSegmentName(names[0]!)!);
      if (existsSync(path.join(this.eventsDir, target))) target = `${this.newId()}.jsonl`;
      this.writing.add(target);
      try {
        await this.writeSealed(names, target, lock);
      } finally {
        this.writing.delete(target);
      }
    }
    this.forgetOpen();
  }

  private forgetOpen(): void {
    for (const name of this.open.keys()) releaseOpenFile(path.join(this.eventsDir, name));
    this.open.clear();
    untrackRun(this);
  }

  private async writeSealed(names: readonly string[], target: string, lock: HeldLock): Promise<void> {
    const file = path.join(this.eventsDir, target);
    const parts: Buffer[] = [];
    let whole = true;
    for (const name of names) {
      const bytes = (await readFileNoFollow(path.join(this.eventsDir, name))) ?? Buffer.alloc(0);
      const parsed = await readSegment({file: path.join(this.eventsDir, name), display: this.display(name)});
      whole &&= parsed.tornTailAt === null;
      parts.push(parsed.tornTailAt === null ? bytes : bytes.subarray(0, parsed.tornTailAt));
    }
    if (names.length === 1 && whole) {
      lock.check();
      renameSync(path.join(this.eventsDir, names[0]!), file);
    } else {
      await writeFileAtomic(file, parts, {beforeRename: () => lock.check()});
      lock.check();
      this.verify(target, parts);
      for (const name of [...names].reverse()) unlinkIfPresent(path.join(this.eventsDir, name));
    }
    // Synchronously after the files moved, so that a read in this process never sees both.
    const stamp = statStamp(file);
    const folded = this.folded;
    const allFolded = folded !== null && names.every((name) => folded.files.has(name));
    for (const name of names) {
      forgetSegment(path.join(this.eventsDir, name));
      this.known.delete(name);
      folded?.files.delete(name);
    }
    this.known.set(target, stamp);
    if (allFolded) folded.files.set(target, stamp);
    await fsyncDir(this.eventsDir);
  }

  /** Removes torn last lines (for `doctor --fix`); returns the files repaired. */
  async repairTornTails(): Promise<string[]> {
    return this.withWriterLock(async () => {
      const repaired: string[] = [];
      for (const segment of await this.readSegments()) {
        if (segment.tornTailAt === null) continue;
        const file = path.join(this.eventsDir, segment.name);
        await truncateTornTail(file, segment.tornTailAt);
        forgetSegment(file);
        repaired.push(this.display(segment.name));
      }
      this.invalidate();
      this.warnings.length = 0;
      return repaired;
    });
  }

  /**
   * Forgets what this process folded and drops the read cache (after files were removed or
   * rewritten in place: a segment truncated in place keeps the folder's stamp).
   */
  invalidate(): void {
    this.folded = null;
    this.known.clear();
    this.parentsChecked = false;
    this.scopeDirReady = false;
    this.eventsDirReady = false;
    this.cache?.discard();
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

  /** Reads the segment just written back: its bytes must be exactly the bytes meant. */
  private verify(name: string, written: readonly Buffer[]): void {
    const file = path.join(this.eventsDir, name);
    let found: number | null;
    try {
      found = readbackMismatch(file, written);
    } catch (error) {
      throw new StorageError(`readback of ${this.display(name)} failed: ${(error as Error).message}`, {
        path: file,
        cause: error,
        hint: 'The disk may be full or failing; run spec-kitty tracker doctor.',
      });
    }
    if (found !== null) {
      const meant = written.reduce((sum, piece) => sum + piece.length, 0);
      throw new StorageError(
        `readback of ${this.display(name)} differs from what was just written (${found} of ${meant} bytes)`,
        {path: file, hint: 'The disk may be full or failing; run spec-kitty tracker doctor.'},
      );
    }
  }

  /** Segment names (sorted) with their stamps; refuses links at every level. */
  private listSegments(): SegmentListing {
    const display = (name: string) => this.display(name);
    const listing = listSegments(this.root, this.eventsDir, display, this.known, this.parentsChecked);
    // The folders above events/ are checked for links once per instance; events/ itself and
    // every new segment are checked on every listing.
    if (listing.dirStamp !== null) this.parentsChecked = true;
    this.known.clear();
    for (const [name, stamp] of listing.segments) this.known.set(name, stamp);
    return listing;
  }

  /**
   * Applies segments that appeared since `folded` was built, when all their new events sort
   * after it (the usual case: segments are named and stamped in time order). Returns the
   * warnings of the added segments, or null when it could not: the caller folds from scratch.
   */
  private async applyOnTop(
    folded: {files: Map<string, SegmentStamp>; state: TrackerState; ids: Set<string>},
    listing: SegmentListing,
    added: readonly string[],
  ): Promise<string[] | null> {
    const fresh: TrackerEvent[] = [];
    const warnings: string[] = [];
    for (const name of added) {
      const parsed = await this.segment(name, listing.segments.get(name)!);
      fresh.push(...parsed.events);
      warnings.push(...parsed.warnings);
    }
    const unseen = orderEvents(fresh.filter((event) => !folded.ids.has(event.event_id)));
    if (!unseen.every((event) => folded.state.canAppend(event))) return null;
    for (const event of unseen) {
      folded.ids.add(event.event_id);
      folded.state.apply(event);
    }
    for (const name of added) folded.files.set(name, listing.segments.get(name)!);
    return warnings;
  }

  /**
   * A cold read through the read cache: the cached state when it was folded from exactly these
   * segments; the cached state plus the new segments when only segments were added (and the
   * cache is rewritten); null when the cache is missing, damaged or folded from other segments.
   */
  private async readThroughCache(listing: SegmentListing): Promise<TrackerState | null> {
    if (listing.segments.size === 0 || !this.cache) return null;
    const snapshot = this.cache.open();
    if (!snapshot) return null;
    let loaded: {state: TrackerState; ids: Set<string>};
    let cachedFiles: Map<string, SegmentStamp>;
    try {
      cachedFiles = parseListing(snapshot.listingText());
      if (![...cachedFiles].every(([name, stamp]) => listing.segments.get(name) === stamp)) return null;
      loaded = snapshot.loadState();
    } catch {
      return null; // damaged: folded from the segments and rewritten
    } finally {
      snapshot.close();
    }
    const added = [...listing.segments.keys()].filter((name) => !cachedFiles.has(name));
    const folded = {files: cachedFiles, state: loaded.state, ids: loaded.ids};
    if (added.length === 0) {
      this.addWarnings(snapshot.header.warnings);
      this.folded = folded;
      this.stats.cacheHits += 1;
      return folded.state;
    }
    const addedWarnings = await this.applyOnTop(folded, listing, added);
    if (addedWarnings === null) return null;
    this.addWarnings(snapshot.header.warnings);
    this.folded = folded;
    const warnings = [...snapshot.header.warnings, ...addedWarnings];
    this.writeCache({state: folded.state, ids: folded.ids, listing, warnings});
    return folded.state;
  }

  /**
   * Brings the read cache up to date from what this process has folded, after a command's
   * writes, so that the next cold read (usually the next command) answers from the cache and
   * writes nothing itself. Cheap when the cache is current; never an error (the cache is
   * derived data, and a failure to write it only costs the next read a fold).
   */
  async refreshReadCache(): Promise<void> {
    // Nothing folded here means nothing written here: the cache is as current as it was.
    if (!this.cache || this.folded === null) return;
    try {
      await this.read();
      // The read index too, when this clone has one (reads made it): from what was just folded.
      const {refreshReadIndex} = await import('./read-index/read-index.js');
      await refreshReadIndex(this);
      const folded = this.folded;
      if (folded === null || this.cache.openCurrent() !== null) return;
      const listing = this.listSegments();
      if (listing.segments.size !== folded.files.size) return;
      this.writeCache({state: folded.state, ids: folded.ids, listing, warnings: [...this.warnings]});
    } catch {
      // Derived data only: the next read folds the segments instead.
    }
  }

  /**
   * What the last `read()` folded: the segments (name -> stamp) and the event ids. The read
   * index is built from exactly this, so it records the listing its state came from.
   */
  foldedSource(): {files: ReadonlyMap<string, SegmentStamp>; ids: ReadonlySet<string>} | null {
    return this.folded && {files: this.folded.files, ids: this.folded.ids};
  }

  private writeCache(input: Parameters<ReadCache['write']>[0]): void {
    if (this.cache?.write(input)) this.stats.cacheWrites += 1;
  }

  private addWarnings(warnings: readonly string[]): void {
    for (const warning of warnings) if (!this.warnings.includes(warning)) this.warnings.push(warning);
  }

  private async segment(name: string, stamp: SegmentStamp): Promise<ParsedSegment> {
    const file = path.join(this.eventsDir, name);
    const hit = segmentCache.get(file);
    let parsed: ParsedSegment;
    if (hit && hit.stamp === stamp) {
      parsed = hit.parsed;
    } else {
      try {
        parsed = await readSegment({file, display: this.display(name)});
      } catch (error) {
        if (isOpenSegmentName(name) && !existsSync(file)) throw new SealedMeanwhile(name);
        throw error;
      }
      this.stats.segmentsParsed += 1;
      rememberSegment(file, {stamp, parsed});
    }
    this.addWarnings(parsed.warnings);
    return parsed;
  }
}

const YIELD_EVERY_LINES = 100;
/** Characters of lines encoded at a time (see `encodeLines`). */
const ENCODE_CHUNK_CHARS = 1 << 20;

/**
 * Events as canonical JSON lines, in buffers of about a megabyte each, encoded as they come:
 * the lines of a batch of two thousand drafts with their bodies are tens of megabytes, which as
 * one joined string and its encoding were held three times over (lines, text, bytes) while the
 * segment was written and read back.
 */
async function encodeLines(events: readonly TrackerEvent[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let lines: string[] = [];
  let chars = 0;
  for (let i = 0; i < events.length; i++) {
    const line = canonicalJsonLine(events[i]!);
    lines.push(line);
    chars += line.length;
    // Canonical JSON is pure ASCII (it escapes everything past `~`), so its UTF-8 is its latin1:
    // a plain copy, several times faster than the UTF-8 encoder over megabytes of lines.
    if (chars >= ENCODE_CHUNK_CHARS) {
      out.push(Buffer.from(lines.join(''), 'latin1'));
      lines = [];
      chars = 0;
    }
    // A large batch takes a while to serialise: let pending I/O (a pull's next page arriving)
    // run meanwhile rather than stall behind it.
    if (i % YIELD_EVERY_LINES === YIELD_EVERY_LINES - 1) await yieldToIo();
  }
  if (lines.length > 0) out.push(Buffer.from(lines.join(''), 'latin1'));
  return out;
}

function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** An open segment was sealed by its writer between listing and reading it. */
class SealedMeanwhile extends Error {
  constructor(name: string) {
    super(`${name} was sealed while being read`);
  }
}

/** Runs a read again when an open segment it listed was sealed meanwhile (a few times at most). */
async function retryWhenSealed<T>(body: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await body();
    } catch (error) {
      if (!(error instanceof SealedMeanwhile) || attempt >= 5) throw error;
    }
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Drops this process's parsed-segment cache (tests and benchmarks measure cold reads). */
export function clearSegmentCache(): void {
  segmentCache.clear();
  segmentCacheEvents = 0;
}
