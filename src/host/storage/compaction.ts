import {createHash} from 'node:crypto';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {
  canonicalJson,
  canonicalJsonLine,
  createRef,
  foldTrackerLog,
  issueToJson,
  orderEvents,
  refIdentity,
  type IssueEntry,
  type JsonObject,
  type TrackerEvent,
  type TrackerState,
} from '../../core/index.js';
import {StorageError} from '../fs/errors.js';
import type {JsonlEventLog} from './jsonl-event-log.js';
import {fsyncDir, isNotFound} from '../fs/safe-fs.js';
import {isSegmentName} from './segment-file.js';

export interface CompactionOptions {
  /**
   * Only events stamped before this instant may be dropped; later ones are kept verbatim.
   * Merging with a branch stays exact when that branch's own events are all at or after it,
   * so pick a time before the oldest open branch diverged (default: 30 days before now).
   */
  readonly before?: string;
}

export interface CompactionReport {
  readonly segmentsBefore: number;
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  /** The snapshot file (relative to the repository root), or null when nothing changed. */
  readonly snapshot: string | null;
  /** True when verification failed for some issues and their events were kept whole. */
  readonly fellBack: string[];
}

const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;

/**
 * Rewrites a scope's segments into ONE snapshot segment holding the events that still matter,
 * verbatim (same ids, so a branch that did not compact dedupes against them), in fold order.
 * The file name is the hash of its bytes: two machines compacting the same events write the
 * same file. Old segments are deleted only after the snapshot is durable and verified, so a
 * crash in between leaves duplicates that the fold dedupes, never a loss.
 *
 * In git, a branch that did not compact still has the old segments unchanged: the merge sees
 * deletions on one side and nothing on the other (clean), plus that branch's new segments.
 */
export async function compactScope(
  log: JsonlEventLog,
  options: CompactionOptions & {now: Date},
): Promise<CompactionReport> {
  // Nothing pulled yet: answer without taking the writer lock, which would create the scope's
  // folder (and `.kittify/tracker/`) only to leave it empty. A writer that adds a segment
  // meanwhile is simply compacted next time.
  if (!(await mayHoldSegments(log.eventsDir))) {
    return {segmentsBefore: 0, eventsBefore: 0, eventsAfter: 0, snapshot: null, fellBack: []};
  }
  return log.withWriterLock(async (lock) => {
    const segments = await log.readSegments();
    const torn = segments.filter((s) => s.tornTailAt !== null);
    if (torn.length > 0) {
      throw new StorageError(`cannot compact: ${log.display(torn[0]!.name)} has a torn last line`, {
        hint: 'Run spec-kitty tracker doctor --fix first.',
      });
    }
    const ordered = orderEvents(segments.flatMap((s) => s.events));
    const horizon = options.before ?? new Date(options.now.getTime() - DEFAULT_WINDOW_MS).toISOString();
    const {kept, fellBack} = selectSurvivors(ordered, Date.parse(horizon));
    const text = kept.map((event) => canonicalJsonLine(event)).join('');
    const name = `snapshot-${createHash('sha256').update(text).digest('hex').slice(0, 32)}.jsonl`;
    const report = {
      segmentsBefore: segments.length,
      eventsBefore: ordered.length,
      eventsAfter: kept.length,
      fellBack,
    };
    if (segments.length === 1 && segments[0]!.name === name) return {...report, snapshot: null};
    if (segments.length === 0) return {...report, snapshot: null};
    await log.writeSegment(name, kept, lock);
    for (const segment of segments) {
      if (segment.name === name) continue;
      lock.check();
      await fs.unlink(path.join(log.eventsDir, segment.name)).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
    await fsyncDir(log.eventsDir);
    log.invalidate();
    return {...report, snapshot: log.display(name)};
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

/**
 * The minimal-ish subset of `ordered` (fold order, deduped) that folds to the same state.
 * Before the horizon, per issue: the pull that gave the current base and everything after it,
 * plus the edits still pending; sent comments go; structural events (drafts, conflicts,
 * mappings, deletions) stay. The result is verified by folding it: issues whose state differs
 * keep all their events, and if the whole still differs, nothing is dropped.
 */
export function selectSurvivors(
  ordered: readonly TrackerEvent[],
  horizonMs: number,
): {kept: TrackerEvent[]; fellBack: string[]} {
  const prefix = ordered.filter((event) => Date.parse(event.at) < horizonMs);
  const suffix = ordered.slice(prefix.length);
  const full = foldTrackerLog(prefix);
  const drop = new Set<string>();

  const byIdentity = new Map<string, TrackerEvent[]>();
  for (const event of prefix) {
    const identity = issueIdentityOf(event);
    if (identity === null) continue;
    let list = byIdentity.get(identity);
    if (!list) byIdentity.set(identity, (list = []));
    list.push(event);
  }
  for (const [identity, events] of byIdentity) {
    const entry = full.issues.get(identity);
    if (!entry || entry.base === null) continue;
    const baseJson = canonicalJson(issueToJson(entry.base));
    let k = -1;
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i]!;
      if (event.kind === 'issue_pulled' && canonicalJson(event.issue) === baseJson) {
        k = i;
        break;
      }
    }
    if (k <= 0) continue;
    const pendingEdits = entry.overrides.size > 0;
    for (let i = 0; i < k; i++) {
      const event = events[i]!;
      if (
        event.kind === 'issue_pulled' ||
        (!pendingEdits && (event.kind === 'issue_edited' || event.kind === 'edits_settled'))
      ) {
        drop.add(event.event_id);
      }
    }
  }
  for (const event of prefix) {
    if (event.kind === 'comment_added' && full.comments.get(event.event_id)?.sent) drop.add(event.event_id);
    // Once folded, a send only marks its comment sent; the sent comment is dropped with it.
    if (event.kind === 'comment_sent') drop.add(event.event_id);
  }

  let kept = prefix.filter((event) => !drop.has(event.event_id));
  const fellBack: string[] = [];
  const expected = fingerprint(full);
  let actual = fingerprint(foldTrackerLog(kept));
  for (const [identity, print] of expected.issues) {
    if (actual.issues.get(identity) !== print) fellBack.push(identity);
  }
  for (const identity of actual.issues.keys()) if (!expected.issues.has(identity)) fellBack.push(identity);
  if (fellBack.length > 0) {
    const restore = new Set(fellBack);
    for (const event of prefix) {
      if (restore.has(issueIdentityOf(event) ?? '')) drop.delete(event.event_id);
    }
    kept = prefix.filter((event) => !drop.has(event.event_id));
    actual = fingerprint(foldTrackerLog(kept));
  }
  if (!sameFingerprint(expected, actual)) return {kept: [...prefix, ...suffix], fellBack: ['*']};
  return {kept: [...kept, ...suffix], fellBack: fellBack.sort()};
}

function issueIdentityOf(event: TrackerEvent): string | null {
  switch (event.kind) {
    case 'issue_pulled':
      return refIdentity(createRef((event.issue as JsonObject).ref as never));
    case 'issue_edited':
    case 'edits_settled':
      return event.identity;
    default:
      return null;
  }
}

interface Fingerprint {
  readonly issues: Map<string, string>;
  readonly rest: string;
}

/** Everything in a state that reads or later events can observe (not history or diagnostics). */
export function fingerprint(state: TrackerState): Fingerprint {
  const issues = new Map<string, string>();
  for (const entry of state.issues.values()) {
    if (isEmpty(entry)) continue;
    const observableEditedAt = entry.overrides.size > 0 || (entry.base === null && entry.draft !== null);
    issues.set(
      entry.identity,
      canonicalJson({
        base: entry.base && issueToJson(entry.base),
        draft: entry.draft && issueToJson(entry.draft),
        overrides: Object.fromEntries(entry.overrides),
        edited_at: observableEditedAt ? entry.editedAt : null,
        deleted: entry.deleted,
        created_as: entry.createdAs,
      }),
    );
  }
  const rest = canonicalJson({
    created: Object.fromEntries(state.createdDrafts),
    conflicts: Object.fromEntries(state.conflicts),
    comments: Object.fromEntries([...state.comments].filter(([, c]) => !c.sent)),
    mappings: Object.fromEntries([...state.mappings].map(([key, m]) => [key, {...m, ref: {...m.ref}}])),
  });
  return {issues, rest};
}

function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (a.rest !== b.rest || a.issues.size !== b.issues.size) return false;
  for (const [identity, print] of a.issues) if (b.issues.get(identity) !== print) return false;
  return true;
}

function isEmpty(entry: IssueEntry): boolean {
  return (
    entry.base === null &&
    entry.draft === null &&
    entry.overrides.size === 0 &&
    !entry.deleted &&
    entry.createdAs === null
  );
}
