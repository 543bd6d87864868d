/**
 * Where an incremental pull stands. `cursor` is the provider's cursor for the next page of the
 * listing in progress (null between runs); `updated_since` the lower bound that listing uses;
 * `high_water` the newest `updated_at` stored so far.
 */
export interface SyncCheckpoint {
  readonly cursor: string | null;
  readonly updated_since: string | null;
  readonly high_water: string | null;
}

export interface CheckpointStore {
  getCheckpoint(key: string): Promise<SyncCheckpoint | null>;
  setCheckpoint(key: string, checkpoint: SyncCheckpoint): Promise<void>;
  deleteCheckpoint(key: string): Promise<void>;
}
