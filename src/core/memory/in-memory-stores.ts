import {LogBackedStores} from '../log/log-backed-stores.js';
import type {CheckpointStore, SyncCheckpoint} from '../protocols/checkpoint-store.js';
import {systemClock, type Clock} from '../protocols/runtime.js';
import {InMemoryEventLog} from './in-memory-event-log.js';

/** Issue and mapping stores over an in-memory log: the reference behaviour, for tests. */
export class InMemoryIssueStore extends LogBackedStores {
  readonly memoryLog: InMemoryEventLog;

  constructor(clock: Clock = systemClock, log: InMemoryEventLog = new InMemoryEventLog(clock)) {
    super(log);
    this.memoryLog = log;
  }
}

/** The same class serves as the mapping store; named separately for readability at call sites. */
export const InMemoryMappingStore = InMemoryIssueStore;

export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly checkpoints = new Map<string, SyncCheckpoint>();
  /** How many times `setCheckpoint` ran (tests check a checkpoint is saved per page). */
  writes = 0;

  async getCheckpoint(key: string): Promise<SyncCheckpoint | null> {
    const found = this.checkpoints.get(key);
    return found ? {...found} : null;
  }

  async setCheckpoint(key: string, checkpoint: SyncCheckpoint): Promise<void> {
    this.writes += 1;
    this.checkpoints.set(key, {
      cursor: checkpoint.cursor,
      updated_since: checkpoint.updated_since,
      high_water: checkpoint.high_water,
    });
  }

  async deleteCheckpoint(key: string): Promise<void> {
    this.checkpoints.delete(key);
  }
}
