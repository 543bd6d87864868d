import {
  InMemoryCheckpointStore,
  InMemoryConnector,
  InMemoryIssueStore,
  ManualClock,
  SyncEngine,
  createIssue,
  createOwnershipPolicy,
  type ConflictStrategy,
  type ConnectorCapabilities,
  type OwnershipPolicy,
  type RuntimeEvent,
  type SyncEngineOptions,
} from '../../../src/core/index.js';

/** One tracker, one local store and an engine between them, on a manual clock. */
export interface Harness {
  clock: ManualClock;
  connector: InMemoryConnector;
  store: InMemoryIssueStore;
  checkpoints: InMemoryCheckpointStore;
  engine: SyncEngine;
  events: RuntimeEvent[];
  /** A new engine over the same stores and connector (e.g. with another strategy). */
  engineWith(overrides: Partial<SyncEngineOptions>): SyncEngine;
  identity(id: string): string;
  /** Stores a local draft `draft-<n>` with this title. */
  draft(n: number | string, title: string, extra?: Record<string, unknown>): Promise<string>;
}

export function harness(
  options: {
    policy?: OwnershipPolicy;
    strategy?: ConflictStrategy;
    capabilities?: Partial<ConnectorCapabilities>;
    engine?: Partial<SyncEngineOptions>;
  } = {},
): Harness {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const connector = new InMemoryConnector({clock, capabilities: options.capabilities});
  const store = new InMemoryIssueStore(clock);
  const checkpoints = new InMemoryCheckpointStore();
  const events: RuntimeEvent[] = [];
  const base: SyncEngineOptions = {
    connector,
    issues: store,
    checkpoints,
    policy: options.policy ?? createOwnershipPolicy('spec_kitty_authoritative'),
    strategy: options.strategy ?? 'external_wins',
    clock,
    sleep: clock.sleep,
    onEvent: (event) => events.push(event),
    ...options.engine,
  };
  return {
    clock,
    connector,
    store,
    checkpoints,
    events,
    engine: new SyncEngine(base),
    engineWith: (overrides) => new SyncEngine({...base, ...overrides}),
    identity: (id) => `memory:test:${id}`,
    async draft(n, title, extra = {}) {
      const issue = createIssue({
        ref: {system: 'memory', workspace: 'test', id: `draft-${n}`},
        title,
        ...extra,
      });
      await store.createDraft(issue);
      return `memory:test:draft-${n}`;
    },
  };
}

export const split = (owners: Record<string, string>): OwnershipPolicy =>
  createOwnershipPolicy('split_ownership', owners);
