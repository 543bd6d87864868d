import {
  requireProvider,
  type ConnectorModule,
  type ProviderDescriptor,
} from '../../core/connectors/registry.js';
import type {ConnectorConfig, PacingOverrides, TrackerConnector} from '../../core/protocols/connector.js';
import {LongRunGuardError} from '../../core/sync/long-run-guard.js';
import {
  LONG_RUN_SECONDS,
  estimateBudget,
  plannedRequests,
  pushRequestsUpperBound,
  type PushCounts,
  type RunBudget,
} from '../../core/sync/run-budget.js';
import {realSleep, systemClock, type RuntimeEventListener} from '../../core/protocols/runtime.js';
import type {SyncRunResult} from '../../core/sync/sync-engine.js';
import {isFatalFailure} from '../../core/sync/sync-result.js';
import {missingCredentialsError, resolveCredentials} from '../config/credentials.js';
import {pacingFromEnv} from '../config/pacing-env.js';
import {nodeFetch} from '../http/node-fetch.js';
import {guardStorage, maskableSecrets, maskingConnector} from './content-guard.js';
import {assertEgressPermitted} from './egress-gate.js';
import {assertServerApproved} from './server-gate.js';
import {loadBoundProject, policyOf, type BoundContext, type ServiceEnvironment} from './service-context.js';
import {openBoundStorage, type TrackerStorageHandle} from './storage-gateway.js';

export type SyncMode = 'pull' | 'push' | 'run';

/**
 * Extra work a caller asks the push to include, run after the gates (egress, credentials) and
 * before the engine, with the opened cache: e.g. `--create-missing` creating drafts for
 * unmapped work packages. A dry run passes `dryRun: true` and the intent must not write.
 */
export interface SyncIntent {
  readonly name: string;
  apply(input: {context: BoundContext; storage: TrackerStorageHandle; dryRun: boolean}): Promise<void>;
  /**
   * Optional second step, after the engine's push (push and run, never a dry run, not after a
   * fatal failure such as bad credentials): records what needed the push's outcome, e.g. the
   * `blocks` links between issues this push just created. Returns true to have the engine push
   * once more (in the same command) to send what it recorded. Must be idempotent: recording
   * nothing new and returning false when there is nothing left to do.
   */
  /**
   * What a dry run of this intent would have recorded for the push (drafts to create, edits,
   * links) but did not, so the engine's dry run cannot see it: counted into the budget.
   */
  wouldRecord?(): PushCounts;
  afterPush?(input: {
    context: BoundContext;
    storage: TrackerStorageHandle;
    result: SyncRunResult;
  }): Promise<boolean>;
}

export interface SyncRequest {
  readonly mode: SyncMode;
  readonly limit?: number;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly full?: boolean;
  readonly onEvent?: RuntimeEventListener;
  readonly intents?: readonly SyncIntent[];
}

export interface SyncReport extends SyncRunResult {
  readonly mode: SyncMode;
  readonly warnings: readonly string[];
  /** A dry run's estimate of what the real run costs on the tracker (absent otherwise). */
  readonly budget?: RunBudget;
}

/** How a connector is built from its module (tests replace it to inject an in-memory connector). */
export type ConnectorFactory = (
  descriptor: ProviderDescriptor,
  config: ConnectorConfig,
) => Promise<TrackerConnector>;

const loadConnector: ConnectorFactory = async (descriptor, config) => {
  const module: ConnectorModule = await descriptor.load();
  return module.create(config);
};

// Kept on globalThis, not in a module variable: a test harness may load this module twice
// (once for the test file, once through oclif's command loader) and both must see one seam.
const FACTORY_SLOT = Symbol.for('spec-kitty.tracker.connectorFactory');
type Slots = Record<symbol, ConnectorFactory | undefined>;

/** Test seam: replaces how connectors are built; `null` restores the registry's modules. */
export function setConnectorFactory(factory: ConnectorFactory | null): void {
  (globalThis as unknown as Slots)[FACTORY_SLOT] = factory ?? undefined;
}

function connectorFactory(
  descriptor: ProviderDescriptor,
  config: ConnectorConfig,
): Promise<TrackerConnector> {
  return ((globalThis as unknown as Slots)[FACTORY_SLOT] ?? loadConnector)(descriptor, config);
}

/**
 * Runs a sync. Gates in order, each before anything leaves the machine: egress consent,
 * doctrine, the server (plain http only to loopback; a server this machine approved for the
 * provider's credentials at `bind`), credentials (naming the env var and the `bind
 * --credential` way); only then the
 * connector is loaded (lazily: offline commands never import HTTP code) and the engine runs.
 * Tracker failures come back in the result; the bulk guard and crashes are thrown.
 */
export async function runSync(environment: ServiceEnvironment, request: SyncRequest): Promise<SyncReport> {
  const context = await loadBoundProject(environment);
  assertEgressPermitted(context);
  const policy = policyOf(context);
  const descriptor = requireProvider(context.binding.provider);
  assertServerApproved(context, descriptor, environment.env);
  const credentials = resolveCredentials(descriptor, environment.env);
  if (credentials.missing.length > 0)
    throw missingCredentialsError(descriptor, credentials.missing, environment.env);

  // Credentials must never reach the committed log: local content carrying one is refused, and
  // this machine's credential values are masked in what the tracker returns (content-guard.ts).
  const secrets = maskableSecrets(environment.env);
  const storage = guardStorage(await openBoundStorage(context), environment.env, secrets);
  const dryRun = request.dryRun ?? false;
  for (const intent of request.intents ?? []) await intent.apply({context, storage, dryRun});

  const pacing = pacingFromEnv(environment.env);
  const runtime = {fetch: nodeFetch, clock: systemClock, sleep: realSleep, onEvent: request.onEvent, pacing};
  const runner =
    descriptor.kind === 'local' ? (await import('../process/index.js')).createProcessRunner() : undefined;
  const connector = maskingConnector(
    await connectorFactory(descriptor, {
      workspace: context.binding.workspace,
      serverUrl: context.binding.serverUrl,
      credentials: credentials.values,
      options: context.binding.options,
      runtime: runner ? {...runtime, runner} : runtime,
    }),
    secrets,
  );

  const {SyncEngine} = await import('../../core/sync/sync-engine.js');
  // Creates and comments about to be sent are journaled per clone, so that only a write that
  // may have happened is looked for on the next run (see the engine's `sendOnce`).
  const {WriteIntentFileStore} = await import('../storage/write-intent-file-store.js');
  const intents = new WriteIntentFileStore({root: context.location.root, scopeDir: storage.scopeDir});
  const threshold = context.binding.bulkThreshold;
  const engine = new SyncEngine({
    connector,
    issues: storage.stores,
    checkpoints: storage.checkpoints,
    intents,
    policy,
    clock: systemClock,
    sleep: realSleep,
    yieldToIo: () => new Promise<void>((resolve) => setImmediate(resolve)),
    onEvent: request.onEvent,
    bulkGuard: threshold === null ? undefined : {maxCreates: threshold, maxUpdates: threshold},
    beforePush: longRunGuard(connector.provider, pacing),
  });
  const options = {limit: request.limit, dryRun, yes: request.yes, full: request.full};
  let result =
    request.mode === 'pull'
      ? await engine.pull({limit: options.limit, dryRun, full: options.full})
      : request.mode === 'push'
        ? await engine.push({limit: options.limit, dryRun, yes: options.yes})
        : await engine.run(options);
  if (request.mode !== 'pull' && !dryRun && !result.failures.some(isFatalFailure)) {
    // Every intent sees the first push's outcome; one follow-up push sends what they recorded.
    let again = false;
    for (const intent of request.intents ?? []) {
      if (intent.afterPush && (await intent.afterPush({context, storage, result}))) again = true;
    }
    if (again) {
      const {combineRunResults} = await import('../../core/sync/combine-results.js');
      result = combineRunResults(result, await engine.push({limit: options.limit, yes: options.yes}));
    }
  }
  if (!dryRun) {
    await endRun(storage.log);
    await refreshReadCache(storage.log);
  }
  const budget = dryRun ? dryRunBudget(connector.provider, result, request.intents ?? [], pacing) : undefined;
  return {...result, mode: request.mode, warnings: storage.warnings, ...(budget ? {budget} : {})};
}

/** A dry run's budget: what the engine's dry run would send, plus what the intents would record. */
function dryRunBudget(
  provider: string,
  result: SyncRunResult,
  intents: readonly SyncIntent[],
  pacing: PacingOverrides | undefined,
): RunBudget {
  const unseen = intents.map((intent) =>
    pushRequestsUpperBound(intent.wouldRecord?.() ?? {creates: 0, updates: 0}),
  );
  return estimateBudget(
    provider,
    [...plannedRequests(result.requests, result.plan), ...unseen.flat()],
    pacing,
  );
}

/**
 * Stops a push that would take more than ten minutes within the provider's limits, unless
 * confirmed: counted from local data before any request (each create looks up, then creates).
 */
function longRunGuard(
  provider: string,
  pacing: PacingOverrides | undefined,
): (counts: {creates: number; updates: number}, confirmed: boolean) => void {
  return (counts, confirmed) => {
    if (confirmed) return;
    const budget = estimateBudget(provider, pushRequestsUpperBound(counts), pacing);
    if (budget.eta_seconds > LONG_RUN_SECONDS) throw new LongRunGuardError(budget, provider);
  };
}

/**
 * Seals what this sync recorded into one committed segment, adopting the open segments of a
 * run that died (a sync is a writer, so it recovers them even when it wrote nothing itself).
 */
async function endRun(log: unknown): Promise<void> {
  const durable = log as {endRun?: (options: {recover: boolean}) => Promise<void>};
  if (typeof durable.endRun === 'function') await durable.endRun({recover: true});
}

/** The durable log keeps a derived read cache: refresh it here, where the writes just happened. */
async function refreshReadCache(log: unknown): Promise<void> {
  const durable = log as {refreshReadCache?: () => Promise<void>};
  if (typeof durable.refreshReadCache === 'function') await durable.refreshReadCache();
}
