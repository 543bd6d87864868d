import {CapabilityNotSupportedError} from '../errors.js';
import {
  pickFields,
  type CanonicalIssue,
  type CanonicalLink,
  type IssueField,
} from '../model/canonical-issue.js';
import type {ConflictStrategy} from '../model/enums.js';
import {isDraftRef, refIdentity} from '../model/external-ref.js';
import {compareInstants} from '../model/instant.js';
import {issueToJson} from '../model/issue-json.js';
import type {JsonValue} from '../model/json.js';
import type {ConflictRecord} from '../policy/conflicts.js';
import type {OwnershipPolicy} from '../policy/ownership.js';
import type {CheckpointStore, SyncCheckpoint} from '../protocols/checkpoint-store.js';
import type {Page, TrackerConnector} from '../protocols/connector.js';
import type {IssueStore, MergeInputs, RemoteUpdate, StoredConflict} from '../protocols/issue-store.js';
import type {Clock, RuntimeEventListener, Sleep} from '../protocols/runtime.js';
import type {WriteIntentStore} from '../protocols/write-intent-store.js';
import {InMemoryWriteIntents} from '../memory/in-memory-write-intents.js';
import {canonicalJson} from '../serialization/canonical-json.js';
import {
  BulkChangeGuardError,
  DEFAULT_BULK_GUARD,
  exceedsBulkGuard,
  type BulkChangeSummary,
  type BulkGuardThresholds,
} from './bulk-guard.js';
import {CountingConnector} from './counting-connector.js';
import {updateIdempotencyKey} from './idempotency-key.js';
import {
  diffLinks,
  emptyPlan,
  summarisePlan,
  triagePending,
  type PendingTriage,
  type PlanSummary,
  type SyncPlan,
} from './push-plan.js';
import {ENGINE_RETRY_POLICY, withRetry, type RetryContext, type RetryPolicy} from './retry.js';
import {
  emptyStats,
  failureToString,
  isFatalFailure,
  toSyncFailure,
  type ReportedConflict,
  type SyncFailure,
  type SyncOperation,
  type SyncResult,
  type SyncStats,
} from './sync-result.js';
import {PullBatches} from './pull-batches.js';
import {mergeIssue} from './three-way-merge.js';
import {sendOnce, type OnceOnlyContext} from './once-only-write.js';
import {
  clearSettledCreates,
  DRAFT_BATCH_MAX,
  DRAFT_BATCH_WINDOW_MS,
  pushDrafts,
  type DraftPushSession,
} from './push-drafts.js';

export interface SyncEngineOptions {
  readonly connector: TrackerConnector;
  readonly issues: IssueStore;
  readonly checkpoints: CheckpointStore;
  /**
   * The per-clone journal of creates and comments about to be sent (see `sendOnce`). Default:
   * in memory, which protects retries within the run but not across a crash.
   */
  readonly intents?: WriteIntentStore;
  readonly policy: OwnershipPolicy;
  /** How shared fields changed on both sides are decided. Default `newer_timestamp` (as spec-kitty's Python tracker). */
  readonly strategy?: ConflictStrategy;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly onEvent?: RuntimeEventListener;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * How far before the high-water mark a new incremental listing starts. Providers' timestamps
   * are coarse (seconds, sometimes minutes), so an edit made in the same instant as the last one
   * seen could otherwise be missed. Default 2 minutes.
   */
  readonly overlapMs?: number;
  /** Page size asked of the connector. Default 100. */
  readonly pageSize?: number;
  readonly bulkGuard?: Partial<BulkGuardThresholds>;
  /**
   * Called once a push knows how many creates and updates it will send, before any request;
   * throws to stop it (the long-run guard). `confirmed`: a dry run, or `--yes`.
   */
  readonly beforePush?: (counts: {creates: number; updates: number}, confirmed: boolean) => void;
  /** Where the pull checkpoint lives. Default `pull:<provider>:<workspace>`. */
  readonly checkpointKey?: string;
  /**
   * Lets pending I/O run (a host passes `setImmediate`). A pull calls it now and then while it
   * merges a page, so the response to the next page (already requested) is read meanwhile
   * instead of waiting in the socket until the merge is done. Default: no yielding (tests).
   */
  readonly yieldToIo?: () => Promise<void>;
}

/** An issue about to be updated: the last pulled version, the local view, the remote now. */
interface LoadedUpdate {
  readonly base: CanonicalIssue;
  readonly local: CanonicalIssue;
  readonly current: CanonicalIssue;
}

/** The writes one update sends. */
interface UpdateWrites {
  readonly patchFields: IssueField[];
  readonly transition: boolean;
  readonly added: readonly CanonicalLink[];
  readonly removed: readonly CanonicalLink[];
  /** Whether the remote will have exactly the local links once these are sent. */
  readonly allLinks: boolean;
}

function countWrites(writes: UpdateWrites): number {
  return (
    writes.patchFields.length + (writes.transition ? 1 : 0) + writes.added.length + writes.removed.length
  );
}

/** A pull lets pending I/O run after merging this many issues (see `yieldToIo`). */
const MERGES_BETWEEN_YIELDS = 20;

export interface PullOptions {
  /** Page size (the CLI's `--limit`). */
  readonly limit?: number;
  /** List everything (ignoring the checkpoint) and mark issues the tracker no longer returns as deleted. */
  readonly full?: boolean;
  /** Stop after this many pages (the checkpoint keeps the place). Default: no limit. */
  readonly maxPages?: number;
  /** Compute the plan only: reads, but no store write, no checkpoint, no remote write. */
  readonly dryRun?: boolean;
}

export interface PushOptions {
  /** At most this many pending issues and drafts. Default: all. */
  readonly limit?: number;
  readonly dryRun?: boolean;
  /** Confirmed: the bulk guard does not stop the run. */
  readonly yes?: boolean;
  /** Overrides the engine's bulk guard thresholds for this run. */
  readonly threshold?: Partial<BulkGuardThresholds>;
}

export interface RunOptions {
  /** Pull page size and push item limit. */
  readonly limit?: number;
  readonly full?: boolean;
  readonly maxPages?: number;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly threshold?: Partial<BulkGuardThresholds>;
}

export interface SyncRunResult extends SyncResult {
  readonly summary: PlanSummary;
  /** What the bulk guard counted (upper bound of remote creates and updates), and whether it tripped. */
  readonly guard: (BulkChangeSummary & {exceeded: boolean; thresholds: BulkGuardThresholds}) | null;
}

/** The state of one public call: counters, the plan being built, what failed. */
interface Session {
  readonly connector: CountingConnector;
  readonly retry: RetryContext;
  readonly dryRun: boolean;
  readonly stats: SyncStats;
  readonly plan: SyncPlan;
  readonly conflicts: ReportedConflict[];
  readonly failures: SyncFailure[];
  checkpoint: SyncCheckpoint | null;
  guard: SyncRunResult['guard'];
  /** Conflicts stored and still open when the session started (not recorded twice). */
  openStored: StoredConflict[];
}

const DEFAULT_OVERLAP_MS = 2 * 60 * 1000;
const DEFAULT_PAGE_SIZE = 100;
/** Where a listing starts (`pullStart`). */
interface PullStart {
  readonly since: string | null;
  readonly cursor: string | null;
  readonly highWater: string | null;
}

/** What a pull accumulates over its pages. */
interface PullState {
  highWater: string | null;
  /** Identities listed (a full listing marks the others deleted). */
  readonly seen: Set<string>;
  conflictsRead: boolean;
  readonly full: boolean;
}

/**
 * Moves changes between one tracker (through its connector) and the local issue store.
 *
 * - `pull` pages through the incremental listing from the saved checkpoint, stores the pages in
 *   batches (one atomic write per batch of pages), then advances the checkpoint, so an interrupted
 *   pull repeats at most one batch. The next page is fetched while the current one is stored.
 * - `push` sends local edits and drafts as ownership allows, after a field-level three-way merge
 *   against the current remote, so a concurrent remote edit is never overwritten blindly.
 * - Creates and comments are sent at most once (`sendOnce`): the draft id or comment id is the
 *   key the connector marks the write with, an intent is recorded before the request, and
 *   only a write that may have happened is looked for (and adopted) before sending again.
 * - Failures of the tracker are returned as typed failures, not thrown; only the bulk guard
 *   (`BulkChangeGuardError`) and errors that are not the tracker's (a crash, a bug) are thrown.
 */
export class SyncEngine {
  private readonly strategy: ConflictStrategy;
  private readonly retryPolicy: RetryPolicy;
  private readonly overlapMs: number;
  private readonly pageSize: number;
  private readonly thresholds: BulkGuardThresholds;
  private readonly intents: WriteIntentStore;
  readonly checkpointKey: string;

  constructor(private readonly options: SyncEngineOptions) {
    this.strategy = options.strategy ?? 'newer_timestamp';
    this.retryPolicy = {...ENGINE_RETRY_POLICY, ...options.retry};
    this.overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.thresholds = {...DEFAULT_BULK_GUARD, ...options.bulkGuard};
    this.intents = options.intents ?? new InMemoryWriteIntents();
    this.checkpointKey =
      options.checkpointKey ?? `pull:${options.connector.provider}:${options.connector.workspace}`;
  }

  private get issues(): IssueStore {
    return this.options.issues;
  }

  /** Remote -> local. */
  async pull(options: PullOptions = {}): Promise<SyncRunResult> {
    const session = this.session(options.dryRun ?? false);
    await this.pullInto(session, options);
    return this.finish(session);
  }

  /** Local -> remote. Throws `BulkChangeGuardError` when over the threshold and not confirmed. */
  async push(options: PushOptions = {}): Promise<SyncRunResult> {
    const session = this.session(options.dryRun ?? false);
    await this.pushInto(session, options);
    return this.finish(session);
  }

  /** Pull, then push. The guard is checked before anything is written. */
  async run(options: RunOptions = {}): Promise<SyncRunResult> {
    const session = this.session(options.dryRun ?? false);
    const thresholds = {...this.thresholds, ...options.threshold};
    if (!session.dryRun && !options.yes) {
      const triaged = await this.triage(session, options.limit);
      this.checkGuard(session, triaged, thresholds, false);
    }
    await this.pullInto(session, {limit: options.limit, full: options.full, maxPages: options.maxPages});
    if (!session.failures.some(isFatalFailure)) {
      await this.pushInto(session, {limit: options.limit, yes: options.yes, threshold: options.threshold});
    }
    return this.finish(session);
  }

  /** The full plan of a run, computed without writing anywhere (reads only). */
  async plan(options: Omit<RunOptions, 'dryRun' | 'yes'> = {}): Promise<SyncRunResult> {
    return this.run({...options, dryRun: true});
  }

  // ---- pull ----------------------------------------------------------------------------

  /**
   * Pages through the listing from where the checkpoint says, merging each page and storing it
   * in batches (`PullBatches`); a listing that completed moves the checkpoint to its high-water
   * mark (and, for `full`, marks what it did not list as deleted).
   */
  private async pullInto(s: Session, options: PullOptions): Promise<void> {
    const full = options.full ?? false;
    const saved = await this.options.checkpoints.getCheckpoint(this.checkpointKey);
    const start = await this.pullStart(s, saved, full);
    const batches = new PullBatches({
      issues: this.issues,
      checkpoints: this.options.checkpoints,
      key: this.checkpointKey,
      dryRun: s.dryRun,
      clock: this.options.clock,
      saved,
    });
    const state: PullState = {highWater: start.highWater, seen: new Set(), conflictsRead: false, full};
    s.plan.pull ??= {listed: 0, created: [], updated: [], deleted: []};
    const completed = await this.pullPages(s, options, start, batches, state);
    // What the loop left in the batch (the last pages, or the pages before a failed request).
    await batches.flush();
    await batches.settle();
    if (completed) {
      await batches.storeCheckpoint({
        cursor: null,
        updated_since: state.highWater ?? start.since,
        high_water: state.highWater,
      });
      if (full) await this.reconcileDeletes(s, state.seen);
    }
    s.checkpoint = s.dryRun ? saved : batches.lastStored;
  }

  /** Where a listing starts: from scratch, where an interrupted one stopped, or incrementally. */
  private async pullStart(s: Session, saved: SyncCheckpoint | null, full: boolean): Promise<PullStart> {
    if (full) return {since: null, cursor: null, highWater: saved?.high_water ?? null};
    // A listing was interrupted: continue it exactly where it stopped.
    if (saved !== null && saved.cursor !== null)
      return {since: saved.updated_since, cursor: saved.cursor, highWater: saved.high_water};
    const from =
      saved !== null ? saved.updated_since : await this.issues.highWaterMark({system: s.connector.provider});
    return {
      since: from === null ? null : new Date(Date.parse(from) - this.overlapMs).toISOString(),
      cursor: null,
      highWater: saved?.high_water ?? from,
    };
  }

  /** The page loop; true when the listing reached its end. */
  private async pullPages(
    s: Session,
    options: PullOptions,
    start: PullStart,
    batches: PullBatches,
    state: PullState,
  ): Promise<boolean> {
    const {connector} = s;
    const limit = Math.max(1, options.limit ?? this.pageSize);
    const fetchPage = (pageCursor: string | null): Promise<Page<CanonicalIssue>> => {
      const request = {updated_since: start.since, cursor: pageCursor, limit};
      const pending = withRetry(s.retry, () => connector.listIssues(request));
      // Awaited below; until then a failure must not surface as an unhandled rejection.
      pending.catch(() => undefined);
      return pending;
    };
    let next = fetchPage(start.cursor);
    for (let pages = 1; ; pages++) {
      let page: Page<CanonicalIssue> | null;
      try {
        page = await next;
      } catch (error) {
        this.fail(s, error, 'list', null);
        return false;
      }
      const pageCursor = page.next_cursor;
      const last = pageCursor === null;
      const stopHere = !last && options.maxPages !== undefined && pages >= options.maxPages;
      // The next page is requested before this one is merged and stored: the tracker's response
      // time overlaps our work. At most one request is in flight, so pages arrive in order.
      if (!last && !stopHere) {
        next = fetchPage(pageCursor);
        // Let the request go out now rather than after the first part of the merge.
        await this.options.yieldToIo?.();
      }
      // From here on only the merge holds the page (with the provider's payloads); it is let go
      // before the batch is stored, so that payload does not outlive its page.
      const items = newestPerIdentity(page.items);
      page = null;
      this.options.onEvent?.({type: 'page', provider: connector.provider, page: pages, items: items.length});
      await this.mergePage(s, items, batches, state);
      // The final checkpoint (stored by the caller) replaces the batch's.
      const checkpoint = last
        ? null
        : {cursor: pageCursor, updated_since: start.since, high_water: state.highWater};
      await batches.pageDone(checkpoint, stopHere);
      if (last) return true;
      if (stopHere) return false;
    }
  }

  /** Merges one page into the batch. */
  private async mergePage(
    s: Session,
    items: readonly CanonicalIssue[],
    batches: PullBatches,
    state: PullState,
  ): Promise<void> {
    const plan = s.plan.pull!;
    // An issue listed again while an earlier version waits in the batch: store that one first,
    // so the merge below reads it as the base.
    await batches.beforeMerging(items.map((remote) => refIdentity(remote.ref)));
    const inputs = await this.issues.getMergeInputs(items.map((remote) => remote.ref));
    // Open conflicts are read only once an issue with local edits is listed (only those can
    // conflict): a pull of unedited issues never loads the whole cache for them.
    if (!state.conflictsRead && [...inputs.values()].some((input) => input.local !== input.base)) {
      s.openStored = await this.issues.listConflicts({openOnly: true});
      state.conflictsRead = true;
    }
    let merged = 0;
    for (const remote of items) {
      if (this.options.yieldToIo && ++merged % MERGES_BETWEEN_YIELDS === 0) await this.options.yieldToIo();
      const identity = refIdentity(remote.ref);
      if (state.full) state.seen.add(identity);
      plan.listed += 1;
      state.highWater = later(state.highWater, remote.updated_at);
      const input = inputs.get(identity)!;
      const update = this.mergePulled(s, remote, input, input.edited_at ?? null);
      // The provider's payload is never stored: drop it now rather than hold it for a batch.
      if (update !== null)
        batches.add(update.issue.raw === null ? update : {...update, issue: withoutRaw(update.issue)});
    }
  }

  /** Merges one listed issue with the local view; returns the store update (null: stale, ignore). */
  private mergePulled(
    s: Session,
    remote: CanonicalIssue,
    {base, local}: MergeInputs,
    localEditedAt: string | null,
  ): RemoteUpdate | null {
    const identity = refIdentity(remote.ref);
    const plan = s.plan.pull!;
    if (base !== null && isOlder(remote, base)) {
      // A listing can return a version older than one already stored (e.g. pushed since).
      s.stats.skipped += 1;
      return null;
    }
    if (base === null && local === null) {
      s.stats.pulled_created += 1;
      plan.created.push(identity);
      return {issue: remote};
    }
    const merge = mergeIssue({
      base,
      local,
      remote,
      policy: this.options.policy,
      strategy: this.strategy,
      localEditedAt,
    });
    const conflicts = this.reportConflicts(s, identity, merge.conflicts);
    const baseChanged =
      base === null || canonicalJson(issueToJson(base)) !== canonicalJson(issueToJson(remote));
    if (baseChanged || merge.settle.length > 0) {
      s.stats.pulled_updated += 1;
      plan.updated.push({identity, fields: merge.incoming});
    } else {
      s.stats.skipped += 1;
      // The same version, nothing to settle or record: nothing to store (a pull that
      // changed nothing then opens no transaction at all).
      if (conflicts.length === 0) return null;
    }
    return {issue: remote, settle: merge.settle, conflicts};
  }

  private async reconcileDeletes(s: Session, seen: ReadonlySet<string>): Promise<void> {
    const {provider, workspace} = s.connector;
    const local = await this.issues.listIssues({system: provider});
    for (const issue of local) {
      const identity = refIdentity(issue.ref);
      if (issue.ref.workspace !== workspace || isDraftRef(issue.ref) || seen.has(identity)) continue;
      s.plan.pull!.deleted.push(identity);
      if (!s.dryRun) await this.issues.deleteIssue(identity);
    }
  }

  // ---- push ----------------------------------------------------------------------------

  private async pushInto(s: Session, options: PushOptions): Promise<void> {
    const thresholds = {...this.thresholds, ...options.threshold};
    const triaged = await this.triage(s, options.limit);
    this.checkGuard(s, triaged, thresholds, s.dryRun || (options.yes ?? false));
    s.openStored = await this.issues.listConflicts({openOnly: true});

    await clearSettledCreates(this.draftSession(s));
    const total = triaged.length;
    for (let done = 0; done < total;) {
      const item = triaged[done]!;
      s.plan.skipped.push(...item.skipped);
      s.plan.unsupported.push(...item.unsupported);
      if (item.change.draft && item.creatable) {
        // Consecutive drafts are created in batches (one flush per batch, see `pushDrafts`).
        const drafts = [item];
        while (done + drafts.length < total && isCreatable(triaged[done + drafts.length]!)) {
          const next = triaged[done + drafts.length]!;
          s.plan.skipped.push(...next.skipped);
          s.plan.unsupported.push(...next.unsupported);
          drafts.push(next);
        }
        if (!(await pushDrafts(this.draftSession(s), drafts, done, total))) return;
        done += drafts.length;
        continue;
      }
      done = await this.pushUpdates(s, triaged, done);
      if (s.failures.some(isFatalFailure)) return;
    }
    await this.pushComments(s);
  }

  /**
   * Existing issues from `from` on, until a draft, about `DRAFT_BATCH_WINDOW_MS` of requests or
   * `DRAFT_BATCH_MAX` issues: what they record goes to the store in one write (a batch) when the
   * store can, instead of one flush per issue. Nothing here needs durability in between: a write
   * whose record a crash loses is planned again by the next push and lands as the same value.
   * Returns where the next step starts.
   */
  private async pushUpdates(s: Session, triaged: readonly PendingTriage[], from: number): Promise<number> {
    const clock = this.options.clock;
    const began = clock.now().getTime();
    let done = from;
    const run = async (): Promise<void> => {
      do {
        const item = triaged[done]!;
        if (done > from) {
          s.plan.skipped.push(...item.skipped);
          s.plan.unsupported.push(...item.unsupported);
        }
        this.options.onEvent?.({type: 'progress', phase: 'push', done, total: triaged.length});
        done += 1;
        if (!item.change.draft && item.sendable.length > 0) await this.pushUpdate(s, item);
        else s.stats.skipped += 1;
        if (s.failures.some(isFatalFailure)) return;
        await this.settleUnwritable(s, item);
      } while (
        done < triaged.length &&
        !triaged[done]!.change.draft &&
        done - from < DRAFT_BATCH_MAX &&
        clock.now().getTime() - began < DRAFT_BATCH_WINDOW_MS
      );
    };
    if (s.dryRun || !this.issues.batch) await run();
    else await this.issues.batch(run);
    return done;
  }

  private draftSession(s: Session): DraftPushSession {
    return {
      connector: s.connector,
      issues: this.issues,
      policy: this.options.policy,
      onceOnly: this.onceOnly(s),
      dryRun: s.dryRun,
      plan: s.plan,
      stats: s.stats,
      onEvent: this.options.onEvent,
      fail: (error, operation, identity) => {
        this.fail(s, error, operation, identity);
        return s.failures.some(isFatalFailure);
      },
    };
  }

  /**
   * Local edits of fields this connector can never write are reported once (in the plan's
   * `unsupported`) and then settled: left pending, they would mark the issue as changed and be
   * reported again on every push, with no command that could ever send them. The tracker's
   * value stays the issue's value.
   */
  private async settleUnwritable(s: Session, item: PendingTriage): Promise<void> {
    if (s.dryRun || item.change.draft) return;
    const fields = item.unsupported
      .filter((u) => u.reason === 'field_not_writable' || u.reason === 'links_not_supported')
      .flatMap((u) => (u.field === null ? [] : [u.field]));
    if (fields.length > 0) await this.issues.settleLocalEdits(item.change.identity, fields);
  }

  /** Pending changes of this connector's workspace, sorted into what may be sent. */
  private async triage(s: Session, limit: number | undefined): Promise<PendingTriage[]> {
    const {provider, workspace} = s.connector;
    const capabilities = s.connector.capabilities();
    const pending = (await this.issues.listPending()).filter(
      (p) => p.ref.system === provider && p.ref.workspace === workspace,
    );
    const selected = limit === undefined ? pending : pending.slice(0, Math.max(0, limit));
    const open = await this.openManualFields();
    return selected.map((change) =>
      triagePending(change, this.options.policy, capabilities, open.get(change.identity) ?? new Set()),
    );
  }

  private checkGuard(
    s: Session,
    triaged: readonly PendingTriage[],
    thresholds: BulkGuardThresholds,
    confirmed: boolean,
  ): void {
    const creates = triaged.filter((t) => t.change.draft && t.creatable).map((t) => t.change.identity);
    const updates = triaged
      .filter((t) => !t.change.draft && t.sendable.length > 0)
      .map((t) => t.change.identity);
    const summary: BulkChangeSummary = {
      creates: creates.length,
      updates: updates.length,
      create_identities: creates,
      update_identities: updates,
    };
    const exceeded = exceedsBulkGuard(summary, thresholds);
    s.guard = {...summary, exceeded, thresholds};
    if (exceeded && !confirmed) throw new BulkChangeGuardError(summary, thresholds);
    this.options.beforePush?.({creates: creates.length, updates: updates.length}, confirmed);
  }

  /**
   * One issue's local edits, in named steps: read the remote as it is now, merge field by field,
   * plan the writes (shown by a dry run), then send them and record what reached the tracker.
   */
  private async pushUpdate(s: Session, item: PendingTriage): Promise<void> {
    const identity = item.change.identity;
    const loaded = await this.loadForUpdate(s, identity);
    if (loaded === null) return;
    const merged = this.mergeForPush(s, item, loaded);
    const writes = this.planUpdate(s, identity, loaded, merged.send, merged.links);
    if (s.dryRun) return;
    await this.sendUpdate(s, identity, loaded, writes, merged);
  }

  /** The base, the local view and the remote as it is now (null: nothing to do, or reported). */
  private async loadForUpdate(s: Session, identity: string): Promise<LoadedUpdate | null> {
    const {connector} = s;
    const [base, local] = await Promise.all([this.issues.getBase(identity), this.issues.getIssue(identity)]);
    if (base === null || local === null) {
      s.stats.skipped += 1;
      return null;
    }
    let current: CanonicalIssue | null;
    try {
      current = await withRetry(s.retry, () => connector.getIssue(base.ref));
    } catch (error) {
      this.fail(s, error, 'get', identity);
      return null;
    }
    if (current === null) {
      s.failures.push({
        identity,
        operation: 'get',
        failure_class: 'not_found',
        message: `${base.ref.key ?? base.ref.id} no longer exists in ${connector.provider}`,
        retryable: false,
        status_code: null,
        hint: 'Run `spec-kitty tracker sync pull --full` to reconcile issues deleted in the tracker.',
      });
      return null;
    }
    return {base, local, current};
  }

  /** Field-level three-way merge against the remote as it is now, not as last pulled. */
  private mergeForPush(
    s: Session,
    item: PendingTriage,
    {base, local, current}: LoadedUpdate,
  ): {
    send: IssueField[];
    settle: IssueField[];
    conflicts: ConflictRecord[];
    links: readonly CanonicalLink[];
  } {
    const identity = item.change.identity;
    const merge = mergeIssue({
      base,
      local,
      remote: current,
      policy: this.options.policy,
      strategy: this.strategy,
      localEditedAt: item.change.edited_at,
    });
    const conflicts = this.reportConflicts(s, identity, merge.conflicts);
    const heldNow = merge.conflicts.filter((c) => c.manual_review_required).map((c) => c.field_name);
    if (heldNow.length > 0) s.plan.skipped.push({identity, fields: heldNow, reason: 'manual_review_open'});
    const send = merge.toPush.filter((f) => item.sendable.includes(f) && !heldNow.includes(f));
    return {send, settle: [...merge.settle], conflicts, links: merge.merged.links};
  }

  /**
   * The writes of one update, added to the plan: a patch of plain fields (the parent included),
   * a transition, links to add and to remove (removed only where the connector can; otherwise
   * reported once as unsupported and left in the tracker).
   */
  private planUpdate(
    s: Session,
    identity: string,
    {local, current}: LoadedUpdate,
    send: readonly IssueField[],
    mergedLinks: readonly CanonicalLink[],
  ): UpdateWrites {
    const patchFields = send.filter((f) => f !== 'status' && f !== 'links');
    const key = current.ref.key;
    if (patchFields.length > 0) {
      s.plan.updates.push({
        identity,
        key,
        changes: patchFields.map((field) => ({
          field,
          from: fieldJson(current[field]),
          to: fieldJson(local[field]),
        })),
      });
    }
    const transition = send.includes('status');
    if (transition) s.plan.transitions.push({identity, key, from: current.status, to: local.status});
    // The links the merge decided on (a set merge: the tracker's own additions are kept).
    const links = send.includes('links') ? diffLinks(current.links, mergedLinks) : {added: [], removed: []};
    const canRemove = s.connector.capabilities().link_removal;
    for (const link of links.added) s.plan.links.push({identity, link: fieldJson(link)});
    if (canRemove) for (const link of links.removed) s.plan.unlinks.push({identity, link: fieldJson(link)});
    else if (links.removed.length > 0)
      s.plan.unsupported.push({identity, field: 'links', reason: 'link_removal_not_supported'});
    const writes: UpdateWrites = {
      patchFields,
      transition,
      added: links.added,
      removed: canRemove ? links.removed : [],
      allLinks: canRemove || links.removed.length === 0,
    };
    if (countWrites(writes) > 0) s.stats.pushed_updated += 1;
    else s.stats.skipped += 1;
    return writes;
  }

  /** Sends the planned writes in order; whatever reached the tracker is recorded, even on a failure. */
  private async sendUpdate(
    s: Session,
    identity: string,
    {local, current}: LoadedUpdate,
    writes: UpdateWrites,
    merged: {settle: IssueField[]; conflicts: ConflictRecord[]},
  ): Promise<void> {
    const {connector} = s;
    let latest = current;
    const settled: IssueField[] = [...merged.settle];
    let operation: SyncOperation = 'update';
    let failure: unknown = null;
    let wrote = false;
    let refused = false;
    try {
      if (writes.patchFields.length > 0) {
        const patch = pickFields(local, writes.patchFields);
        const idempotencyKey = updateIdempotencyKey(identity, fieldJson(patch));
        latest = await withRetry(s.retry, () => connector.updateIssue(current.ref, patch, {idempotencyKey}));
        wrote = true;
        settled.push(...writes.patchFields);
      }
      if (writes.transition) {
        operation = 'transition';
        latest = await withRetry(s.retry, () => connector.transitionIssue(current.ref, local.status));
        wrote = true;
        settled.push('status');
      }
      if (writes.added.length + writes.removed.length > 0) {
        operation = 'link';
        for (const link of writes.removed) {
          if (await this.writeLink(s, identity, () => connector.removeLink(current.ref, link))) wrote = true;
          else refused = true;
        }
        for (const link of writes.added) {
          if (await this.writeLink(s, identity, () => connector.upsertLink(current.ref, link))) wrote = true;
          else refused = true;
        }
        // Settled only when the remote now has exactly the local links.
        if (writes.allLinks && !refused) settled.push('links');
        operation = 'get';
        latest = (await withRetry(s.retry, () => connector.getIssue(current.ref))) ?? latest;
      }
    } catch (error) {
      failure = error;
    }
    await this.issues.recordRemote([{issue: latest, settle: settled, conflicts: merged.conflicts}]);
    if (failure !== null) {
      if (!wrote && countWrites(writes) > 0) s.stats.pushed_updated -= 1;
      this.fail(s, failure, operation, identity);
    } else if (refused && !wrote) s.stats.pushed_updated -= 1;
  }

  /**
   * One relation write; false when the connector refuses it as beyond what the tracker can do
   * (reported with the connector's words, once per push by the report): the issue's other writes
   * go on, and nothing is recorded as settled for the links.
   */
  private async writeLink(s: Session, identity: string, write: () => Promise<void>): Promise<boolean> {
    try {
      await withRetry(s.retry, write);
      return true;
    } catch (error) {
      if (!(error instanceof CapabilityNotSupportedError)) throw error;
      const detail = error.hint ? `${error.message}: ${error.hint}` : error.message;
      s.plan.unsupported.push({identity, field: 'links', reason: 'links_not_supported', detail});
      return false;
    }
  }

  private async pushComments(s: Session): Promise<void> {
    const {connector} = s;
    const capabilities = connector.capabilities();
    const canFindComments = capabilities.comment_marker !== 'none';
    for (const comment of await this.issues.listPendingComments()) {
      const base = await this.issues.getBase(comment.identity);
      if (
        base === null ||
        base.ref.system !== connector.provider ||
        base.ref.workspace !== connector.workspace
      ) {
        if (base === null && (await this.issues.getIssue(comment.identity)) !== null) {
          s.plan.skipped.push({identity: comment.identity, fields: [], reason: 'draft_not_created'});
        }
        continue;
      }
      if (this.options.policy.mode === 'external_authoritative') {
        s.plan.skipped.push({identity: comment.identity, fields: [], reason: 'external_authoritative'});
        continue;
      }
      if (!capabilities.comments) {
        s.plan.unsupported.push({identity: comment.identity, field: null, reason: 'comments_not_supported'});
        continue;
      }
      s.plan.comments.push({comment_id: comment.comment_id, identity: comment.identity});
      if (s.dryRun) continue;
      const key = comment.comment_id;
      try {
        await sendOnce(this.onceOnly(s), {
          intent: {key, kind: 'comment', identity: comment.identity},
          send: async () => {
            await connector.addComment(base.ref, comment.body, {idempotencyKey: key});
            return true;
          },
          find: canFindComments
            ? async (since) => ((await connector.findComment(base.ref, key, {since})) ? true : null)
            : null,
          record: () => this.issues.settleComment(key),
          recorded: async () => !(await this.issues.listPendingComments()).some((c) => c.comment_id === key),
        });
      } catch (error) {
        this.fail(s, error, 'comment', comment.identity);
        if (s.failures.some(isFatalFailure)) return;
      }
    }
  }

  private onceOnly(s: Session): OnceOnlyContext {
    return {intents: this.intents, retry: s.retry, clock: this.options.clock};
  }

  // ---- shared --------------------------------------------------------------------------

  private session(dryRun: boolean): Session {
    const connector = new CountingConnector(this.options.connector);
    return {
      connector,
      retry: {
        policy: this.retryPolicy,
        clock: this.options.clock,
        sleep: this.options.sleep,
        provider: connector.provider,
        onEvent: this.options.onEvent,
      },
      dryRun,
      stats: emptyStats(),
      plan: emptyPlan(),
      conflicts: [],
      failures: [],
      checkpoint: null,
      guard: null,
      openStored: [],
    };
  }

  private async openManualFields(): Promise<Map<string, Set<IssueField>>> {
    const out = new Map<string, Set<IssueField>>();
    for (const conflict of await this.issues.listConflicts({openOnly: true})) {
      if (!conflict.manual_review_required) continue;
      const fields = out.get(conflict.identity) ?? new Set<IssueField>();
      fields.add(conflict.field_name);
      out.set(conflict.identity, fields);
    }
    return out;
  }

  /**
   * Reports conflicts and returns those to record: an identical conflict still open (same
   * field, same local and remote values) is not recorded again on every run.
   */
  private reportConflicts(
    s: Session,
    identity: string,
    conflicts: readonly ConflictRecord[],
  ): ConflictRecord[] {
    const toRecord: ConflictRecord[] = [];
    for (const conflict of conflicts) {
      // Reported once per run (a dry run plans the pull and the push of the same issue).
      if (s.conflicts.some((c) => c.identity === identity && sameConflict(c, conflict))) continue;
      const stored = isAlreadyOpen(s.openStored, identity, conflict);
      if (!stored) toRecord.push(conflict);
      s.conflicts.push({...conflict, identity, recorded: !s.dryRun && !stored});
    }
    return toRecord;
  }

  private fail(s: Session, error: unknown, operation: SyncOperation, identity: string | null): void {
    const failure = toSyncFailure(error, operation, identity);
    if (failure === null) throw error;
    s.failures.push(failure);
  }

  private finish(s: Session): SyncRunResult {
    s.plan.conflicts = s.conflicts;
    return {
      provider: s.connector.provider,
      workspace: s.connector.workspace,
      dry_run: s.dryRun,
      stats: s.stats,
      conflicts: s.conflicts,
      failures: s.failures,
      errors: s.failures.map(failureToString),
      requests: s.connector.snapshot(),
      plan: s.plan,
      summary: summarisePlan(s.plan),
      checkpoint: s.checkpoint,
      guard: s.guard,
      ok: s.failures.length === 0,
    };
  }
}

function isCreatable(item: PendingTriage): boolean {
  return item.change.draft && item.creatable;
}

function sameConflict(a: ConflictRecord, b: ConflictRecord): boolean {
  return (
    a.field_name === b.field_name &&
    canonicalJson(fieldJson(a.local_value)) === canonicalJson(fieldJson(b.local_value)) &&
    canonicalJson(fieldJson(a.external_value)) === canonicalJson(fieldJson(b.external_value))
  );
}

/** Stored conflicts that are open and identical to `conflict` (so it need not be recorded again). */
export function isAlreadyOpen(
  open: readonly StoredConflict[],
  identity: string,
  conflict: ConflictRecord,
): boolean {
  return open.some((c) => c.open && c.identity === identity && sameConflict(c, conflict));
}

/** A field value in plain JSON form (refs and links as their persisted objects). */
function fieldJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

function withoutRaw(issue: CanonicalIssue): CanonicalIssue {
  return Object.freeze({...issue, raw: null});
}

function newestPerIdentity(items: readonly CanonicalIssue[]): CanonicalIssue[] {
  const byIdentity = new Map<string, CanonicalIssue>();
  for (const item of items) {
    const identity = refIdentity(item.ref);
    const previous = byIdentity.get(identity);
    if (previous === undefined || !isOlder(item, previous)) byIdentity.set(identity, item);
  }
  return [...byIdentity.values()];
}

function isOlder(candidate: CanonicalIssue, current: CanonicalIssue): boolean {
  if (candidate.updated_at === null || current.updated_at === null) return false;
  return Date.parse(candidate.updated_at) < Date.parse(current.updated_at);
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareInstants(b, a) > 0 ? b : a;
}
