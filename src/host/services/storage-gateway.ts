import type {CheckpointStore} from '../../core/protocols/checkpoint-store.js';
import type {IssueStore} from '../../core/protocols/issue-store.js';
import type {MappingStore} from '../../core/protocols/mapping-store.js';
import type {TrackerEventLog} from '../../core/log/event-log.js';
import type {BoundContext} from './service-context.js';

/** One binding's durable cache, as the storage facade opens it. */
export interface TrackerStorageHandle {
  readonly scopeDir: string;
  readonly log: TrackerEventLog;
  readonly stores: IssueStore & MappingStore;
  readonly checkpoints: CheckpointStore;
  /** Damage found while reading (a torn last line...), already skipped; shown to the user. */
  readonly warnings: readonly string[];
}

export interface StorageOpenOptions {
  readonly root: string;
  readonly provider: string;
  readonly serverUrl: string | null;
  readonly workspace: string;
}

export type StorageOpener = (options: StorageOpenOptions) => Promise<TrackerStorageHandle>;

// On globalThis so a harness that loads this module twice still has one seam (see sync-service).
const OPENER_SLOT = Symbol.for('spec-kitty.tracker.storageOpener');
type Slots = Record<symbol, StorageOpener | undefined>;

/**
 * Replaces how storage is opened (tests use this to run commands over in-memory stores while
 * the durable stores are elsewhere). `null` restores the durable storage.
 */
export function setStorageOpener(replacement: StorageOpener | null): void {
  (globalThis as unknown as Slots)[OPENER_SLOT] = replacement ?? undefined;
}

/** Whether a replacement opener is installed (reads then take it instead of the read index). */
export function hasStorageOpener(): boolean {
  return (globalThis as unknown as Slots)[OPENER_SLOT] !== undefined;
}

/** Opens the cache of the bound scope (the durable JSONL stores under `.kittify/tracker/`). */
export async function openBoundStorage(context: BoundContext): Promise<TrackerStorageHandle> {
  const options: StorageOpenOptions = {
    root: context.location.root,
    provider: context.binding.provider,
    serverUrl: context.binding.serverUrl,
    workspace: context.binding.workspace,
  };
  const opener = (globalThis as unknown as Slots)[OPENER_SLOT];
  if (opener) return opener(options);
  return openDurableStorage(options);
}

/** The durable JSONL stores, loaded on first use so `--help` and `providers` never import them. */
async function openDurableStorage(options: StorageOpenOptions): Promise<TrackerStorageHandle> {
  const {openTrackerStorage} = await import('../storage/tracker-storage.js');
  return openTrackerStorage({
    root: options.root,
    provider: options.provider,
    serverUrl: options.serverUrl ?? '',
    workspace: options.workspace,
  });
}
