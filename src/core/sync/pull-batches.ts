import {refIdentity} from '../model/external-ref.js';
import type {CheckpointStore, SyncCheckpoint} from '../protocols/checkpoint-store.js';
import type {IssueStore, RemoteUpdate} from '../protocols/issue-store.js';
import type {Clock} from '../protocols/runtime.js';

/** A pull stores its pages once this many issues are waiting... */
const PULL_BATCH_ISSUES = 1_000;
/** ...or once this long has passed since the last store, so a slow tracker's progress is kept. */
const PULL_BATCH_MS = 2_000;

/**
 * How a pull stores what it merged. Pages are stored in batches: one atomic write (and one
 * checkpoint) per batch instead of per page, since each durable write costs fsyncs. The
 * checkpoint of a batch is written only after its issues are durable, so it is never ahead of
 * the data.
 *
 * A batch is stored while the next pages are merged (its fsyncs overlap that work), with at most
 * one batch in flight: the next one waits for it, and so does a page that lists an issue of it
 * again (its merge must read the stored version as the base).
 */
export class PullBatches {
  private batch: RemoteUpdate[] = [];
  private batched = new Set<string>();
  private batchCheckpoint: SyncCheckpoint | null = null;
  private lastFlush: number;
  private inFlight: Promise<void> | null = null;
  private inFlightIds = new Set<string>();
  /** The checkpoint last written (the saved one until then). */
  lastStored: SyncCheckpoint | null;

  constructor(
    private readonly options: {
      readonly issues: IssueStore;
      readonly checkpoints: CheckpointStore;
      readonly key: string;
      readonly dryRun: boolean;
      readonly clock: Clock;
      readonly saved: SyncCheckpoint | null;
    },
  ) {
    this.lastFlush = options.clock.now().getTime();
    this.lastStored = options.saved;
  }

  /** Before merging a page: stores (or waits for) a batch holding an issue the page lists again. */
  async beforeMerging(identities: readonly string[]): Promise<void> {
    if (identities.some((identity) => this.batched.has(identity))) await this.flush();
    if (this.inFlightIds.size > 0 && identities.some((identity) => this.inFlightIds.has(identity)))
      await this.settle();
  }

  add(update: RemoteUpdate): void {
    this.batch.push(update);
    this.batched.add(refIdentity(update.issue.ref));
  }

  /** A page was merged: the checkpoint to store with its batch; stores it when the batch is due. */
  async pageDone(checkpoint: SyncCheckpoint | null, force: boolean): Promise<void> {
    this.batchCheckpoint = checkpoint;
    const due =
      this.batch.length >= PULL_BATCH_ISSUES ||
      this.options.clock.now().getTime() - this.lastFlush >= PULL_BATCH_MS;
    if (checkpoint !== null && (due || force)) await this.flush();
  }

  /** Starts storing the batch (after the one in flight), without waiting for it. */
  async flush(): Promise<void> {
    await this.settle();
    const updates = this.batch;
    const checkpoint = this.batchCheckpoint;
    this.inFlightIds = this.batched;
    this.batch = [];
    this.batched = new Set();
    this.batchCheckpoint = null;
    this.lastFlush = this.options.clock.now().getTime();
    const storing = (async () => {
      if (!this.options.dryRun && updates.length > 0) await this.options.issues.recordRemote(updates);
      if (checkpoint !== null) await this.storeCheckpoint(checkpoint);
    })();
    // Awaited by `settle`; until then a failure must not surface as an unhandled rejection.
    storing.catch(() => undefined);
    this.inFlight = storing;
  }

  /** Waits for the batch in flight. */
  async settle(): Promise<void> {
    const pending = this.inFlight;
    this.inFlight = null;
    this.inFlightIds = new Set();
    if (pending !== null) await pending;
  }

  async storeCheckpoint(checkpoint: SyncCheckpoint): Promise<void> {
    if (this.options.dryRun || sameCheckpoint(this.lastStored, checkpoint)) return;
    await this.options.checkpoints.setCheckpoint(this.options.key, checkpoint);
    this.lastStored = checkpoint;
  }
}

function sameCheckpoint(a: SyncCheckpoint | null, b: SyncCheckpoint): boolean {
  return (
    a !== null &&
    a.cursor === b.cursor &&
    a.updated_since === b.updated_since &&
    a.high_water === b.high_water
  );
}
