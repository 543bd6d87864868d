/**
 * `SyncEngine.pull` through the real GitHub and GitLab connectors against their loopback fakes,
 * with in-memory stores: the acceptance criteria of the hosted connectors at engine level (the
 * engine prefetches the next page while it stores the current one, and stores pages in batches).
 */
import {expect} from 'chai';

import {
  ConnectorRequestError,
  InMemoryCheckpointStore,
  InMemoryIssueStore,
  ManualClock,
  SyncEngine,
  createOwnershipPolicy,
  type RuntimeEvent,
  type TrackerConnector,
} from '../../../src/core/index.js';
import {connectorModule as githubModule} from '../../../src/core/connectors/github/index.js';
import {connectorModule as gitlabModule} from '../../../src/core/connectors/gitlab/index.js';
import {HTTP_RETRY_POLICY} from '../../../src/core/http/index.js';
import {ENGINE_RETRY_POLICY, retryDelayMs} from '../../../src/core/sync/retry.js';
import type {RecordedRequest} from '../../fakes/fake-http-server.js';
import {FakeGitHubServer} from '../../fakes/github/index.js';
import {FakeGitLabServer} from '../../fakes/gitlab/index.js';

interface Rig {
  readonly clock: ManualClock;
  readonly events: RuntimeEvent[];
  readonly issues: InMemoryIssueStore;
  readonly checkpoints: InMemoryCheckpointStore;
  /** A new connector and engine over the same stores: a new process after a restart. */
  engine(): SyncEngine;
  /** The issue-list requests the fake received, as `since|page`. */
  listRequests(): string[];
  requests(): RecordedRequest[];
  seed(count: number): void;
  /** Edits issue `id` as a person would, just before the fake answers its `n`-th list request. */
  editBefore(n: number, id: number, title: string): void;
  script429(on: number): void;
  scriptAlways503(): void;
  close(): Promise<void>;
}

type Provider = 'github' | 'gitlab';

async function rig(provider: Provider): Promise<Rig> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const events: RuntimeEvent[] = [];
  const issues = new InMemoryIssueStore(clock);
  const checkpoints = new InMemoryCheckpointStore();
  const runtime = {
    clock,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (e: RuntimeEvent) => events.push(e),
  };
  const now = () => new Date('2026-02-01T00:00:00.000Z');
  let connector: () => TrackerConnector;
  let base: Omit<Rig, 'clock' | 'events' | 'issues' | 'checkpoints' | 'engine'>;
  if (provider === 'github') {
    const server = await FakeGitHubServer.start({now});
    connector = () =>
      githubModule.create({
        workspace: server.workspace,
        serverUrl: server.url,
        credentials: {token: server.token},
        // Paging is what these tests count: no per-issue link reads between the list requests.
        options: {issue_links: 'off'},
        runtime,
      });
    base = {
      listRequests: () =>
        server.requestsTo('GET', /\/issues$/).map((q) => `${String(q.query.since)}|${String(q.query.page)}`),
      requests: () => server.requests,
      seed: (count) => void server.seedRealisticIssues(count, {prEvery: 0}),
      editBefore: (n, id, title) => server.beforeListRequest(n, () => server.remoteEdit(id, {title})),
      script429: (on) => server.script({on, respond: FakeGitHubServer.secondaryRateLimited(2, 429)}),
      scriptAlways503: () =>
        server.script({on: () => true, respond: {status: 503, json: {message: 'down'}}, times: 1000}),
      close: () => server.close(),
    };
  } else {
    const server = await FakeGitLabServer.start({now});
    connector = () =>
      gitlabModule.create({
        workspace: server.projectPath,
        serverUrl: server.url,
        credentials: {token: server.token},
        // Paging is what these tests count: no per-issue link reads between the list requests.
        options: {issue_links: 'off'},
        runtime,
      });
    base = {
      listRequests: () =>
        server
          .requestsTo('GET', /\/issues$/)
          .map((q) => `${String(q.query.updated_after)}|${String(q.query.page)}`),
      requests: () => server.requests,
      seed: (count) => void server.seedRealisticIssues(count),
      editBefore: (n, id, title) => server.beforeListRequest(n, () => server.remoteEdit(id, {title})),
      script429: (on) => server.script({on, respond: FakeGitLabServer.rateLimited(2)}),
      scriptAlways503: () =>
        server.script({on: () => true, respond: {status: 503, text: 'down'}, times: 1000}),
      close: () => server.close(),
    };
  }
  return {
    ...base,
    clock,
    events,
    issues,
    checkpoints,
    engine: () =>
      new SyncEngine({
        connector: connector(),
        issues,
        checkpoints,
        policy: createOwnershipPolicy('external_authoritative'),
        clock,
        sleep: clock.sleep,
        onEvent: (event) => events.push(event),
      }),
  };
}

for (const provider of ['github', 'gitlab'] as const) {
  describe(`SyncEngine.pull through the ${provider} connector and its fake`, function () {
    this.timeout(30_000);
    let r: Rig;
    afterEach(async () => {
      await r?.close();
    });

    it('pulls 1,000 issues 100 a page through one 429 (Retry-After: 2): waits once, asks no page twice', async () => {
      r = await rig(provider);
      r.seed(1000);
      r.script429(6);
      const result = await r.engine().pull();
      expect(result.ok, result.errors.join('\n')).to.equal(true);
      expect(result.stats.pulled_created).to.equal(1000);
      expect(result.plan.pull!.listed).to.equal(1000);
      expect(await r.issues.listIssues()).to.have.length(1000);
      // One wait, on the injected clock, reported once (by the HTTP client; the engine adds none).
      expect(r.clock.sleeps).to.deep.equal([2000]);
      const waits = r.events.filter((e) => e.type === 'wait');
      expect(waits).to.have.length(1);
      expect(waits[0]).to.include({reason: 'rate_limit', ms: 2000});
      // Keyset pages: the first, then 10 restarting at the last updated_at (99 new issues each).
      // The rate-limited request is the only one asked twice.
      const asked = r.listRequests();
      expect(asked).to.have.length(12);
      expect(asked[5]).to.equal(asked[6]);
      expect(new Set(asked).size).to.equal(11);
      const newest = (await r.issues.listIssues())
        .map((i) => i.updated_at!)
        .sort()
        .at(-1)!;
      expect(result.checkpoint).to.deep.include({cursor: null});
      expect(Date.parse(result.checkpoint!.high_water!)).to.equal(Date.parse(newest));
    });

    it('misses no issue edited between two page requests, across a restart from the checkpoint', async () => {
      r = await rig(provider);
      r.seed(30);
      // Issue 2 (on page 1) is edited before page 2 is answered; with offsets, issue 11 was lost.
      r.editBefore(2, 2, 'edited during the pull');
      const first = await r.engine().pull({limit: 10, maxPages: 2});
      expect(first.ok, first.errors.join('\n')).to.equal(true);
      const saved = await r.checkpoints.getCheckpoint(`pull:${provider}:${first.workspace}`);
      expect(saved!.cursor).to.be.a('string');
      // A new process: a new connector and engine, resuming from the stored cursor.
      const second = await r.engine().pull({limit: 10});
      expect(second.ok, second.errors.join('\n')).to.equal(true);
      const stored = await r.issues.listIssues();
      expect(stored.map((i) => Number(i.ref.id)).sort((a, b) => a - b)).to.deep.equal(
        Array.from({length: 30}, (_, k) => k + 1),
      );
      expect(stored.find((i) => i.ref.id === '2')!.title).to.equal('edited during the pull');
      const asked = r.listRequests();
      expect(new Set(asked).size, asked.join('\n')).to.equal(asked.length);
      expect(await r.checkpoints.getCheckpoint(`pull:${provider}:${first.workspace}`)).to.deep.include({
        cursor: null,
      });
    });

    it('retries a failing request in the HTTP client only: 6 attempts, not 6 x 4', async () => {
      r = await rig(provider);
      r.seed(5);
      r.scriptAlways503();
      const result = await r.engine().pull();
      expect(result.ok).to.equal(false);
      expect(result.failures).to.have.length(1);
      expect(result.failures[0]).to.include({operation: 'list', failure_class: 'transient', retryable: true});
      expect(r.requests()).to.have.length(DEFAULT_HTTP_ATTEMPTS);
      expect(r.clock.sleeps).to.have.length(DEFAULT_HTTP_ATTEMPTS - 1);
      expect(r.events.filter((e) => e.type === 'wait')).to.have.length(DEFAULT_HTTP_ATTEMPTS - 1);
    });
  });
}

/** The HTTP client's attempts per request. */
const DEFAULT_HTTP_ATTEMPTS = HTTP_RETRY_POLICY.maxAttempts;

describe('engine retries', () => {
  const failure = (retried: boolean) =>
    new ConnectorRequestError('HTTP 503', {
      provider: 'x',
      failureClass: 'transient',
      statusCode: 503,
      retried,
    });

  it('does not retry what the HTTP client already retried, and retries the rest (beads, fp, creates)', () => {
    expect(retryDelayMs(failure(true), 1, ENGINE_RETRY_POLICY)).to.equal(null);
    expect(retryDelayMs(failure(false), 1, ENGINE_RETRY_POLICY)).to.equal(1000);
    expect(retryDelayMs(failure(false), 4, ENGINE_RETRY_POLICY)).to.equal(null);
  });
});
