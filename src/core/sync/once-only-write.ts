import {ConnectorRequestError, TrackerError} from '../errors.js';
import type {Clock} from '../protocols/runtime.js';
import type {WriteIntent, WriteIntentStore} from '../protocols/write-intent-store.js';
import {retryDelayMs, type RetryContext} from './retry.js';

/**
 * How far before an intent's time a lookup starts: the tracker stamps a write with its own
 * clock, which may be behind ours.
 */
export const LOOKUP_SKEW_MS = 10 * 60 * 1000;

/** One non-idempotent write (a create, a comment) and how to find it again by its marker. */
export interface OnceOnlyWrite<T> {
  readonly intent: Omit<WriteIntent, 'at'>;
  /** Sends the write, marked with `intent.key`. */
  readonly send: () => Promise<T>;
  /**
   * Looks for the write by its marker among what was written since `since`; null when the
   * connector has no way to look (then a write that may have happened is never sent again).
   */
  readonly find: ((since: string) => Promise<T | null>) | null;
  /** Records the outcome in the log; the intent is cleared only after it. */
  readonly record: (result: T) => Promise<void>;
  /**
   * Whether the log already holds the outcome, read again under the intent's hold: another run
   * of this clone may have sent and recorded the write while this one waited.
   */
  readonly recorded: () => Promise<boolean>;
}

export interface OnceOnlyContext {
  readonly intents: WriteIntentStore;
  readonly retry: RetryContext;
  readonly clock: Clock;
}

/**
 * Sends a write at most once. The intent is recorded (durably) before the request; a request
 * whose outcome is unknown (no answer, a timeout, a 5xx, an unreadable answer) leaves it
 * recorded, and the write is then looked for before it is sent again, in this run or the next.
 * A write never attempted is sent without a lookup: it cannot exist. Runs under the intent's
 * exclusive hold, so two runs of this clone never send the same write at once.
 */
export async function sendOnce<T>(
  context: OnceOnlyContext,
  write: OnceOnlyWrite<T>,
): Promise<{result: T | null; adopted: boolean}> {
  return context.intents.exclusive(write.intent.key, () => settleOne(context, write));
}

/** `sendOnce`'s steps, under the caller's hold of the intent. */
async function settleOne<T>(
  context: OnceOnlyContext,
  write: OnceOnlyWrite<T>,
): Promise<{result: T | null; adopted: boolean}> {
  const {intents} = context;
  const {key} = write.intent;
  if (await write.recorded()) {
    // Recorded by another run, or by one that died before deleting its intent: settled.
    await intents.clear(key);
    return {result: null, adopted: false};
  }
  const pending = await intents.get(key);
  if (pending !== null) {
    if (write.find === null) throw uncertainWrite(write.intent, context.retry.provider);
    const find = write.find;
    const found = await withLookupRetry(context, () => find(lookupSince(pending.at)));
    if (found !== null) {
      await write.record(found);
      await intents.clear(key);
      return {result: found, adopted: true};
    }
  }
  // The earliest time is kept: an earlier attempt may still be the one that lands.
  const at = pending?.at ?? context.clock.now().toISOString();
  if (pending === null) await intents.record({...write.intent, at});
  const result = await sendWithLookups(context, write, lookupSince(at));
  await write.record(result.value);
  await intents.clear(key);
  return {result: result.value, adopted: result.found};
}

/** What became of one write of `sendOnceAll`. */
export type OnceOnlyOutcome<T> =
  | {readonly status: 'sent'; readonly result: T; readonly adopted: boolean}
  /** Another run of this clone sent and recorded it meanwhile. */
  | {readonly status: 'recorded_already'}
  | {readonly status: 'failed'; readonly error: unknown}
  /** Not attempted: the batch stopped after a failure that stops everything (`stopAfter`). */
  | {readonly status: 'not_sent'};

export interface OnceOnlyBatch<T> {
  readonly writes: readonly OnceOnlyWrite<T>[];
  /** Runs `body` so that the records it makes are one atomic write (the store's `batch`). */
  readonly inOneWrite: <R>(body: () => Promise<R>) => Promise<R>;
  /** Whether a failure stops the batch (e.g. credentials refused): the rest is not sent. */
  readonly stopAfter: (error: unknown) => boolean;
}

/**
 * `sendOnce` for a batch of writes, with the same guarantee and far fewer flushes: the intents
 * of the batch's fresh writes are recorded in ONE durable write before the first request; the
 * requests go out one after another; their outcomes are recorded in ONE write of the log; only
 * then are those intents cleared. A crash anywhere in between leaves the intents of writes
 * that may have been sent, so the next run looks for each before sending it (a write of the
 * batch that was never sent costs one lookup, never a duplicate). Writes an earlier run left
 * pending are settled one by one as `sendOnce` does. A failure that may have applied its write
 * keeps its intent; writes not sent because the batch stopped have theirs cleared.
 */
export async function sendOnceAll<T>(
  context: OnceOnlyContext,
  batch: OnceOnlyBatch<T>,
): Promise<OnceOnlyOutcome<T>[]> {
  const {writes} = batch;
  const keys = writes.map((write) => write.intent.key);
  return context.intents.exclusiveAll(keys, async () => {
    const outcomes: OnceOnlyOutcome<T>[] = writes.map(() => ({status: 'not_sent'}));
    const pending = await context.intents.getAll(keys);
    const fresh: number[] = [];
    // Recorded by a run that died before deleting their intents: settled, the intents can go.
    const settled: string[] = [];
    let stopped = false;
    for (const [index, write] of writes.entries()) {
      if (await write.recorded()) {
        outcomes[index] = {status: 'recorded_already'};
        if (pending.has(write.intent.key)) settled.push(write.intent.key);
      } else if (!pending.has(write.intent.key)) fresh.push(index);
      else if (!stopped) {
        // An earlier run may have sent it: looked for first, as `sendOnce` does.
        outcomes[index] = await outcomeOf(() => settleOne(context, write));
        stopped = outcomes[index].status === 'failed' && batch.stopAfter(outcomes[index].error);
      }
    }
    if (settled.length > 0) await context.intents.clearAll(settled);
    if (!stopped) await sendFresh(context, batch, fresh, outcomes);
    return outcomes;
  });
}

/** The fresh writes of a batch: intents, requests, outcomes, then the intents cleared. */
async function sendFresh<T>(
  context: OnceOnlyContext,
  batch: OnceOnlyBatch<T>,
  fresh: readonly number[],
  outcomes: OnceOnlyOutcome<T>[],
): Promise<void> {
  const {writes} = batch;
  const at = context.clock.now().toISOString();
  await context.intents.recordAll(fresh.map((index) => ({...writes[index]!.intent, at})));
  const sent: {index: number; value: T; found: boolean}[] = [];
  for (const index of fresh) {
    try {
      const result = await sendWithLookups(context, writes[index]!, lookupSince(at));
      sent.push({index, ...result});
    } catch (error) {
      outcomes[index] = {status: 'failed', error};
      if (batch.stopAfter(error)) break;
    }
  }
  // Until this write returns, the intents say the writes may have happened.
  await batch.inOneWrite(async () => {
    for (const {index, value} of sent) await writes[index]!.record(value);
  });
  for (const {index, value, found} of sent) outcomes[index] = {status: 'sent', result: value, adopted: found};
  const settledKeys = fresh
    .filter((index) => outcomes[index]!.status !== 'failed')
    .map((index) => writes[index]!.intent.key);
  await context.intents.clearAll(settledKeys);
}

async function outcomeOf<T>(
  body: () => Promise<{result: T | null; adopted: boolean}>,
): Promise<OnceOnlyOutcome<T>> {
  try {
    const {result, adopted} = await body();
    return result === null ? {status: 'recorded_already'} : {status: 'sent', result, adopted};
  } catch (error) {
    return {status: 'failed', error};
  }
}

/** Where a lookup for a write whose intent was recorded at `at` starts. */
export function lookupSince(at: string): string {
  return new Date(Date.parse(at) - LOOKUP_SKEW_MS).toISOString();
}

/**
 * Sends, and after a failure retries only when that is safe: the write is looked for before
 * it is sent again (a create is several requests, so even a refusal may follow an applied
 * first step). A connector that cannot look never sends again; its intent is cleared only when
 * the tracker refused the write outright, so that the next run sends it.
 */
async function sendWithLookups<T>(
  context: OnceOnlyContext,
  write: OnceOnlyWrite<T>,
  since: string,
): Promise<{value: T; found: boolean}> {
  for (let retry = 1; ; retry++) {
    let failure: unknown;
    try {
      return {value: await write.send(), found: false};
    } catch (error) {
      failure = error;
    }
    if (write.find === null) {
      if (wasRefused(failure)) await context.intents.clear(write.intent.key);
      throw failure;
    }
    // Safe to repeat even if it may have been applied: the write is looked for before it is.
    const delay = retryDelayMs(failure, retry, context.retry.policy, {looksUpFirst: true});
    // The intent stays: the next run looks for the write before sending it.
    if (delay === null) throw failure;
    await wait(context, failure, delay, retry);
    const found = await write.find(since);
    if (found !== null) return {value: found, found: true};
  }
}

/** A lookup is a read: retried like any read the HTTP client did not retry itself. */
async function withLookupRetry<T>(context: OnceOnlyContext, lookup: () => Promise<T>): Promise<T> {
  for (let retry = 1; ; retry++) {
    try {
      return await lookup();
    } catch (error) {
      const delay = retryDelayMs(error, retry, context.retry.policy);
      if (delay === null) throw error;
      await wait(context, error, delay, retry);
    }
  }
}

async function wait(context: OnceOnlyContext, error: unknown, delay: number, attempt: number): Promise<void> {
  const {retry} = context;
  const reason = (error as ConnectorRequestError).failureClass === 'rate_limit' ? 'rate_limit' : 'retry';
  retry.onEvent?.({
    type: 'wait',
    provider: retry.provider,
    reason,
    ms: delay,
    until: new Date(retry.clock.now().getTime() + delay).toISOString(),
    attempt,
  });
  await retry.sleep(delay);
}

/**
 * True when the tracker certainly did not apply the write: it answered with a refusal
 * (validation, credentials, permission, not found, a rate limit), or the connector refused
 * before sending. No answer, a 5xx or an unreadable answer may hide an applied write.
 */
export function wasRefused(error: unknown): boolean {
  if (error instanceof ConnectorRequestError) {
    return ['validation', 'authentication', 'permission', 'not_found', 'rate_limit'].includes(
      error.failureClass,
    );
  }
  return error instanceof TrackerError;
}

function uncertainWrite(intent: Omit<WriteIntent, 'at'>, provider: string): ConnectorRequestError {
  const what = intent.kind === 'create' ? 'the creation of' : 'a comment on';
  return new ConnectorRequestError(
    `An earlier run may have sent ${what} ${intent.identity} (key ${intent.key}) without learning the outcome, and this tracker offers no way to look for it; it is not sent again.`,
    {
      provider,
      failureClass: 'non_retryable',
      hint: `Check the tracker by hand; once checked, delete .kittify/tracker/<scope>/state/intents/ entries for ${intent.key} to send it again if it is missing.`,
    },
  );
}
