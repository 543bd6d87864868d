/**
 * A write to the tracker that is not idempotent (creating an issue, posting a comment), recorded
 * before its request goes out and cleared once its outcome is in the log. An intent that is
 * still there on the next run marks a write that may have reached the tracker: only then does
 * the engine look for it (by its idempotency marker) before sending it again.
 */
export interface WriteIntent {
  /** The idempotency key the write carries as its marker (draft id, comment id). */
  readonly key: string;
  readonly kind: 'create' | 'comment';
  /** The local issue the write is for (the draft, or the issue commented on). */
  readonly identity: string;
  /** When the intent was recorded: nothing it sent can be older, so a lookup starts here. */
  readonly at: string;
}

/**
 * Per-clone journal of write intents. `record` returns only once the intent is durable; a
 * host keeps it outside the shared log (it says what this clone was about to send, not what
 * happened).
 */
export interface WriteIntentStore {
  get(key: string): Promise<WriteIntent | null>;
  /** Durable when it returns: the request may go out after it. */
  record(intent: WriteIntent): Promise<void>;
  /** The outcome is recorded elsewhere (or the tracker refused the write): forget the intent. */
  clear(key: string): Promise<void>;
  /**
   * Runs `body` while no other run on this clone sends the write `key` (a host holds a lock),
   * so two pushes started at once cannot both send it.
   */
  exclusive<T>(key: string, body: () => Promise<T>): Promise<T>;

  /** Every recorded intent. */
  all(): Promise<WriteIntent[]>;
  /** The recorded intents among `keys` (absent: never attempted, or settled). */
  getAll(keys: readonly string[]): Promise<Map<string, WriteIntent>>;
  /**
   * Records several intents, durable together when it returns (one flush for all of them):
   * the requests of a batch go out after it, one after another.
   */
  recordAll(intents: readonly WriteIntent[]): Promise<void>;
  clearAll(keys: readonly string[]): Promise<void>;
  /** `exclusive` for several keys at once. */
  exclusiveAll<T>(keys: readonly string[], body: () => Promise<T>): Promise<T>;
}
