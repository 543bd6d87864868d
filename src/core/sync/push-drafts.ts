import type {CanonicalIssue} from '../model/canonical-issue.js';
import {refIdentity} from '../model/external-ref.js';
import type {OwnershipPolicy} from '../policy/ownership.js';
import type {TrackerConnector} from '../protocols/connector.js';
import type {IssueStore} from '../protocols/issue-store.js';
import type {RuntimeEventListener} from '../protocols/runtime.js';
import {lookupSince, sendOnceAll, type OnceOnlyContext, type OnceOnlyWrite} from './once-only-write.js';
import {prepareDraft, type PendingTriage, type PlannedCreate, type SyncPlan} from './push-plan.js';
import {withRetry} from './retry.js';
import {isFatalFailure, toSyncFailure, type SyncOperation, type SyncStats} from './sync-result.js';

/**
 * Creates are sent in batches whose requests take about this long: the intents of a batch are
 * recorded with one flush and the outcomes with one write, so a fast tracker is not slowed by
 * a flush per create, while a paced one (a create a second) gets a batch of one, as before, and
 * a crash leaves at most this much sending to look up.
 */
export const DRAFT_BATCH_WINDOW_MS = 250;
/** At most this many creates per batch, however fast the tracker answers. */
export const DRAFT_BATCH_MAX = 100;

/** What pushing drafts needs of the engine's session. */
export interface DraftPushSession {
  readonly connector: TrackerConnector;
  readonly issues: IssueStore;
  readonly policy: OwnershipPolicy;
  readonly onceOnly: OnceOnlyContext;
  readonly dryRun: boolean;
  readonly plan: SyncPlan;
  readonly stats: SyncStats;
  readonly onEvent?: RuntimeEventListener;
  /** Records a failure (rethrows what is not the tracker's); true when it stops the push. */
  fail(error: unknown, operation: SyncOperation, identity: string): boolean;
}

/** A draft ready to be created: what the batch sends, and its line in the plan. */
interface DraftWrite {
  readonly write: OnceOnlyWrite<CanonicalIssue>;
  readonly planned: {-readonly [K in keyof PlannedCreate]: PlannedCreate[K]};
  /** Its position in the push (progress). */
  readonly done: number;
}

/**
 * Creates the drafts among consecutive pending items (`first` is the position of the first one
 * in the push, for progress), in batches sized by how fast the tracker answers (see
 * `DRAFT_BATCH_WINDOW_MS`). Returns false when a failure stopped the push.
 */
export async function pushDrafts(
  s: DraftPushSession,
  items: readonly PendingTriage[],
  first: number,
  total: number,
): Promise<boolean> {
  const clock = s.onceOnly.clock;
  let size = 1;
  for (let start = 0; start < items.length;) {
    const batch: DraftWrite[] = [];
    while (batch.length < size && start < items.length) {
      const write = await prepareDraftWrite(s, items[start]!, first + start, total);
      start += 1;
      if (write === 'stop') return false;
      if (write !== null) batch.push(write);
    }
    if (batch.length === 0) continue;
    const began = clock.now().getTime();
    if (!(await sendBatch(s, batch))) return false;
    const msPerSend = (clock.now().getTime() - began) / batch.length;
    size = Math.max(1, Math.min(DRAFT_BATCH_MAX, Math.floor(DRAFT_BATCH_WINDOW_MS / Math.max(msPerSend, 1))));
  }
  return true;
}

/**
 * Deletes the intents of creates whose outcome is in the log: a run that died after recording a
 * batch and before deleting its intents left them, and their drafts, created, are never pushed
 * (nor looked at) again. Under the journal's lock, as any settling of an intent.
 */
export async function clearSettledCreates(s: DraftPushSession): Promise<void> {
  const {intents} = s.onceOnly;
  if (s.dryRun) return;
  await intents.exclusiveAll([], async () => {
    const settled: string[] = [];
    for (const intent of await intents.all()) {
      if (intent.kind === 'create' && (await s.issues.resolveDraft(intent.identity)) !== null)
        settled.push(intent.key);
    }
    if (settled.length > 0) await intents.clearAll(settled);
  });
}

/**
 * One draft's create, prepared: null when there is nothing to send (already created, gone, or
 * a dry run, which plans it and looks for what an earlier run may have sent); 'stop' when that
 * lookup failed fatally.
 */
async function prepareDraftWrite(
  s: DraftPushSession,
  item: PendingTriage,
  done: number,
  total: number,
): Promise<DraftWrite | null | 'stop'> {
  const {connector} = s;
  const draftIdentity = item.change.identity;
  const key = item.change.ref.id;
  const draft =
    (await s.issues.resolveDraft(draftIdentity)) === null ? await s.issues.getIssue(draftIdentity) : null;
  if (draft === null) {
    s.stats.skipped += 1;
    return null;
  }
  const prepared = prepareDraft(draft, s.policy, connector.capabilities());
  s.plan.skipped.push(...prepared.skipped);
  s.plan.unsupported.push(...prepared.unsupported);
  const canFind = connector.capabilities().idempotency_marker !== 'none';
  const lookup = (since: string) => connector.findByIdempotencyKey(key, {since});
  const find = canFind
    ? async (since: string): Promise<CanonicalIssue | null> => {
        const found = await lookup(since);
        // A create is a POST then, for a closing status, a transition: an interrupted run may
        // have made only the first step. The adopted issue gets the rest.
        const status = prepared.issue.status;
        if (found === null || found.status === status || !prepared.fields.includes('status')) return found;
        return connector.transitionIssue(found.ref, status);
      }
    : null;

  let existing: CanonicalIssue | null = null;
  if (s.dryRun && canFind) {
    // Only a create an earlier run may have sent is looked for: a draft never attempted on
    // this clone cannot exist remotely, so a first push makes no lookup at all.
    const pending = await s.onceOnly.intents.get(key);
    try {
      // Reads only: a dry run finds what it would adopt but completes nothing.
      if (pending !== null)
        existing = await withRetry(s.onceOnly.retry, () => lookup(lookupSince(pending.at)));
    } catch (error) {
      return s.fail(error, 'find_created', draftIdentity) ? 'stop' : null;
    }
  }
  const planned: DraftWrite['planned'] = {
    draft_identity: draftIdentity,
    title: draft.title,
    adopt: existing === null ? null : refIdentity(existing.ref),
    fields: prepared.fields,
  };
  s.plan.creates.push(planned);
  s.stats.pushed_created += 1;
  if (s.dryRun) return null;
  const write: OnceOnlyWrite<CanonicalIssue> = {
    intent: {key, kind: 'create', identity: draftIdentity},
    send: () => {
      s.onEvent?.({type: 'progress', phase: 'push', done, total});
      return connector.createIssue(prepared.issue, {idempotencyKey: key});
    },
    find,
    // Recorded as soon as the batch's requests are done: from then on a retry finds the link
    // and never creates again; until then the intent calls for a lookup.
    record: (remote) => s.issues.recordRemoteCreated(draftIdentity, remote),
    recorded: async () => (await s.issues.resolveDraft(draftIdentity)) !== null,
  };
  return {write, planned, done};
}

/** Sends one batch and books its outcomes; false when a failure stopped the push. */
async function sendBatch(s: DraftPushSession, batch: readonly DraftWrite[]): Promise<boolean> {
  const outcomes = await sendOnceAll(s.onceOnly, {
    writes: batch.map((b) => b.write),
    inOneWrite: (body) => (s.issues.batch ? s.issues.batch(body) : body()),
    stopAfter: stopsThePush,
  });
  let stopped = false;
  for (const [index, outcome] of outcomes.entries()) {
    const {planned} = batch[index]!;
    if (outcome.status === 'sent') {
      if (outcome.adopted) planned.adopt = refIdentity(outcome.result.ref);
      continue;
    }
    s.stats.pushed_created -= 1;
    if (outcome.status === 'failed') {
      if (s.fail(outcome.error, 'create', planned.draft_identity)) stopped = true;
      continue;
    }
    // Created by another run of this clone meanwhile, or never sent because the push stopped.
    if (outcome.status === 'recorded_already') s.stats.skipped += 1;
    s.plan.creates.splice(s.plan.creates.indexOf(planned), 1);
  }
  return !stopped;
}

/** A failure that stops the whole push (credentials refused...) or is not the tracker's. */
function stopsThePush(error: unknown): boolean {
  const failure = toSyncFailure(error, 'create', null);
  return failure === null || isFatalFailure(failure);
}
