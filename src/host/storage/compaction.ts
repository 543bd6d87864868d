import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {orderEvents} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import type {JsonlEventLog} from './jsonl-event-log.js';
import {fsyncDir, isNotFound} from '../fs/safe-fs.js';
import {isOpenSegmentName} from './open-segment.js';
import {isSegmentName} from './segment-file.js';

export interface CompactionOptions {
  /**
   * Names of the segments git has committed (or may have on another branch): they are never
   * deleted. The host asks git (`committedSegmentNames`); outside git the set is empty.
   */
  readonly committed: ReadonlySet<string>;
}

export interface CompactionReport {
  readonly segmentsBefore: number;
  /** Segments merged into the new one (all of them uncommitted). */
  readonly squashed: number;
  /** Committed segments, left exactly as they are. */
  readonly keptCommitted: number;
  /** Events in the new segment (each squashed event once). */
  readonly events: number;
  /** The new segment (relative to the repository root), or null when nothing changed. */
  readonly segment: string | null;
}

/**
 * Squashes the segments this clone wrote and git has never committed into ONE new segment,
 * events verbatim (same ids), then deletes them. Committed segments are never touched.
 *
 * Why only uncommitted ones: deleting a committed file is a change that every other branch's
 * merge must reconcile, and git's rename detection pairs a deleted file with any added file on
 * the same branch that is half similar to it (a later pull of the same issue is). Two branches
 * that both deleted it, one of which also "renamed" it that way, then stop the merge with a
 * rename/delete or rename/rename conflict, and a content merge of event lines writes conflict
 * markers into the log. A file no commit has ever held exists on no other branch, so deleting it
 * is invisible to every merge: two branches that both compact still only add files.
 *
 * The new segment is durable and verified before anything is deleted, so a crash in between
 * leaves duplicates that the fold dedupes by event id, never a loss.
 */
export async function compactScope(
  log: JsonlEventLog,
  options: CompactionOptions,
): Promise<CompactionReport> {
  // Nothing written yet: answer without taking the writer lock, which would create the scope's
  // folder (and `.kittify/tracker/`) only to leave it empty.
  if (!(await mayHoldSegments(log.eventsDir))) {
    return {segmentsBefore: 0, squashed: 0, keptCommitted: 0, events: 0, segment: null};
  }
  return log.withWriterLock(async (lock) => {
    const segments = await log.readSegments();
    // A running command's open segments are its own until it seals them.
    const loose = segments.filter(
      (segment) => !options.committed.has(segment.name) && !isOpenSegmentName(segment.name),
    );
    const keptCommitted = segments.filter((segment) => options.committed.has(segment.name)).length;
    const torn = loose.filter((segment) => segment.tornTailAt !== null);
    if (torn.length > 0) {
      throw new StorageError(`cannot compact: ${log.display(torn[0]!.name)} has a torn last line`, {
        hint: 'Run spec-kitty tracker doctor --fix first.',
      });
    }
    const events = orderEvents(loose.flatMap((segment) => segment.events));
    const report = {
      segmentsBefore: segments.length,
      squashed: 0,
      keptCommitted,
      events: 0,
    };
    if (loose.length < 2) return {...report, segment: null};
    const name = log.newSegmentName();
    await log.writeSegment(name, events, lock);
    for (const segment of loose) {
      lock.check();
      await fs.unlink(path.join(log.eventsDir, segment.name)).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
    await fsyncDir(log.eventsDir);
    log.invalidate();
    return {...report, squashed: loose.length, events: events.length, segment: log.display(name)};
  });
}

/**
 * False only when the events folder is missing or holds no segment file. Any other problem
 * (a file where a folder should be, a link) is left to the locked path, which reports it.
 */
async function mayHoldSegments(eventsDir: string): Promise<boolean> {
  try {
    return (await fs.readdir(eventsDir)).some((name) => isSegmentName(name));
  } catch (error) {
    return !isNotFound(error);
  }
}
