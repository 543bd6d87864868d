import type {TrackerEvent, TrackerEventPayload} from './events.js';
import type {IssueEntrySummary, TrackerState} from './tracker-state.js';

/** What a transaction decided: the events to append (possibly none) and the caller's result. */
export interface LogTransaction<T> {
  readonly events: readonly TrackerEventPayload[];
  readonly result: T;
}

/**
 * Persistence of one scope's tracker log. The core ships an in-memory one for tests; hosts
 * ship durable ones (the CLI: JSONL segments under `.kittify/tracker/<scope>/`).
 *
 * `read` never blocks on writers. `transact` is the only way to write: it holds the scope's
 * writer lock, refreshes the state from storage, lets `decide` compute events from that fresh
 * state, stamps them (`event_id`, `at`), and appends them atomically (all or none). A
 * transaction that decides no events writes nothing.
 */
export interface TrackerEventLog {
  read(): Promise<TrackerState>;
  transact<T>(
    decide: (state: TrackerState) => LogTransaction<T>,
  ): Promise<{result: T; appended: TrackerEvent[]}>;
  /**
   * Optional fast path: the entry of one identity, exactly as `read()` would fold it (history
   * aside), or null when the log never named it. A durable log may answer from a derived index
   * without folding everything; `LogBackedStores` uses it when present.
   */
  readEntry?(identity: string): Promise<IssueEntrySummary | null>;
  /** Optional fast path: `readEntry` for several identities at once (null for unknown ones). */
  readEntries?(identities: readonly string[]): Promise<Map<string, IssueEntrySummary | null>>;
  /**
   * Optional: runs `body` as one transaction. The transactions `body` makes are decided in turn
   * (each sees the ones before it) and appended together, atomically, when it returns; nothing
   * is appended when it throws. For many small writes that need no durability in between.
   */
  batch?<T>(body: () => Promise<T>): Promise<T>;
  /** Optional fast path: the live entries (`TrackerState.liveEntries()`), in identity order. */
  readLiveEntries?(): Promise<IssueEntrySummary[]>;
}
