import {expect} from 'chai';

import {
  InMemoryCheckpointStore,
  InMemoryIssueStore,
  InMemoryWriteIntents,
  ManualClock,
  SyncEngine,
  createIssue,
  createOwnershipPolicy,
  systemClock,
  type Clock,
  type IssueStore,
  type TrackerConnector,
} from '../../../src/core/index.js';
import {connectorModule} from '../../../src/core/connectors/github/index.js';
import {FakeGitHubServer} from '../../fakes/github/index.js';

/** How long the connector waits for an answer in these tests (the CLI waits 30 s). */
const TIMEOUT_MS = 300;

interface Rig {
  fake: FakeGitHubServer;
  store: InMemoryIssueStore;
  intents: InMemoryWriteIntents;
  connector(): TrackerConnector;
  /** `clock`: a clock that stands still during requests makes every batch after the first full. */
  engine(issues?: IssueStore, clock?: Clock): SyncEngine;
  searches(): number;
}

/**
 * The engine over the GitHub connector and the loopback fake GitHub, on the wall clock (the
 * fake stamps writes with it) with instant retry waits; the intent journal survives engines,
 * as the per-clone file does across runs.
 */
async function rig(): Promise<Rig> {
  const fake = await FakeGitHubServer.start();
  fake.seedIssue({number: 1, title: 'First', updated_at: '2026-01-01T00:00:00Z'});
  const store = new InMemoryIssueStore(systemClock);
  const checkpoints = new InMemoryCheckpointStore();
  const intents = new InMemoryWriteIntents();
  const connector = (): TrackerConnector =>
    connectorModule.create({
      workspace: fake.workspace,
      serverUrl: fake.url,
      credentials: {token: fake.token},
      options: {},
      runtime: {clock: systemClock, sleep: async () => undefined, requestTimeoutMs: TIMEOUT_MS},
    });
  return {
    fake,
    store,
    intents,
    connector,
    engine: (issues = store, clock = systemClock) =>
      new SyncEngine({
        connector: connector(),
        issues,
        checkpoints,
        intents,
        policy: createOwnershipPolicy('spec_kitty_authoritative'),
        clock,
        sleep: async () => undefined,
      }),
    searches: () => fake.requestsTo('GET', '/search/issues').length,
  };
}

async function draft(r: Rig, n: number): Promise<string> {
  const workspace = r.fake.workspace;
  const issue = createIssue({ref: {system: 'github', workspace, id: `draft-${n}`}, title: `D${n}`});
  await r.store.createDraft(issue);
  return `github:${workspace}:draft-${n}`;
}

/** The store, except that `method` throws before recording anything: a crash at that point. */
function crashingStore(store: IssueStore, method: 'settleComment' | 'recordRemoteCreated'): IssueStore {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property !== method) return typeof value === 'function' ? value.bind(target) : value;
      return async () => {
        throw new Error('simulated crash');
      };
    },
  });
}

// INV-9: a create or a comment is sent to the tracker at most once.
describe('writes that are never sent twice (engine against the fake GitHub)', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(async () => {
    await r.fake.close();
  });

  it('a comment whose answer comes after the client timeout is posted exactly once', async () => {
    await r.engine().pull();
    const comment = await r.store.addPendingComment('github:' + r.fake.workspace + ':1', 'slow hello');
    // The fake applies the POST, then answers only after the client gave up waiting.
    r.fake.afterApplying({
      on: (req) => req.method === 'POST' && req.path.endsWith('/issues/1/comments'),
      run: () => new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 3)),
    });
    const result = await r.engine().push();
    expect(r.fake.commentsOf(1)).to.have.length(1);
    expect(r.fake.commentsOf(1)[0]).to.match(/^slow hello\n\n<!-- spec-kitty:idempotency=/);
    expect(result.ok, JSON.stringify(result.failures)).to.equal(true);
    expect(await r.store.listPendingComments()).to.deep.equal([]);
    expect(await r.intents.get(comment.comment_id)).to.equal(null);
  });

  it('a crash between the comment POST and its record leaves one comment after the next push', async () => {
    await r.engine().pull();
    await r.store.addPendingComment('github:' + r.fake.workspace + ':1', 'once');
    const crashed = await r
      .engine(crashingStore(r.store, 'settleComment'))
      .push()
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(crashed).to.equal('simulated crash');
    expect(r.fake.commentsOf(1)).to.have.length(1);
    const rerun = await r.engine().push();
    expect(rerun.ok, JSON.stringify(rerun.failures)).to.equal(true);
    expect(r.fake.commentsOf(1)).to.have.length(1);
    expect(await r.store.listPendingComments()).to.deep.equal([]);
    expect(r.searches()).to.equal(0);
  });

  it('a first push makes no search and at most 3 requests per created issue', async () => {
    for (let n = 1; n <= 5; n++) await draft(r, n);
    const before = r.fake.requests.length;
    const result = await r.engine().push();
    expect(result.ok, JSON.stringify(result.failures)).to.equal(true);
    expect(result.stats.pushed_created).to.equal(5);
    expect(r.searches()).to.equal(0);
    expect(r.fake.requests.length - before).to.be.at.most(15);
    expect(r.intents.list()).to.deep.equal([]);
  });

  it('a create whose answer is lost is found through the issue list, not search, and adopted', async () => {
    const identity = await draft(r, 9);
    r.fake.afterApplying({
      on: (req) => req.method === 'POST' && req.path.endsWith('/issues'),
      run: () => new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 3)),
    });
    const result = await r.engine().push();
    expect(result.ok, JSON.stringify(result.failures)).to.equal(true);
    expect(r.fake.requestsTo('POST', `/repos/${r.fake.workspace}/issues`)).to.have.length(1);
    expect(r.searches()).to.equal(0);
    const listed = r.fake.requestsTo('GET', `/repos/${r.fake.workspace}/issues`);
    expect(listed.map((q) => q.query.sort)).to.deep.equal(['created']);
    expect(result.plan.creates[0]!.adopt).to.not.equal(null);
    expect(await r.store.resolveDraft(identity)).to.not.equal(null);
  });

  it('a crash between the create and its record: the next push adopts the issue, creates none', async () => {
    const identity = await draft(r, 3);
    const crashed = await r
      .engine(crashingStore(r.store, 'recordRemoteCreated'))
      .push()
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(crashed).to.equal('simulated crash');
    const rerun = await r.engine().push();
    expect(rerun.ok, JSON.stringify(rerun.failures)).to.equal(true);
    expect(r.fake.requestsTo('POST', `/repos/${r.fake.workspace}/issues`)).to.have.length(1);
    expect(await r.store.resolveDraft(identity)).to.not.equal(null);
    expect(r.searches()).to.equal(0);
  });

  it('creates in batches: one flush of intents and one record per batch, not one per create', async () => {
    for (let n = 1; n <= 40; n++) await draft(r, n);
    const flushes = {intents: 0, records: 0};
    const counted = new Proxy(r.intents, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        if (property !== 'record' && property !== 'recordAll') return bound;
        return (...args: unknown[]) => {
          flushes.intents += 1;
          return bound(...args);
        };
      },
    });
    const store = new Proxy(r.store, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        if (property !== 'batch') return bound;
        return (...args: unknown[]) => {
          flushes.records += 1;
          return bound(...args);
        };
      },
    });
    const engine = new SyncEngine({
      connector: r.connector(),
      issues: store,
      checkpoints: new InMemoryCheckpointStore(),
      intents: counted,
      policy: createOwnershipPolicy('spec_kitty_authoritative'),
      clock: new ManualClock(new Date().toISOString()),
      sleep: async () => undefined,
    });
    const result = await engine.push({yes: true});
    expect(result.ok, JSON.stringify(result.failures)).to.equal(true);
    expect(result.stats.pushed_created).to.equal(40);
    expect(r.fake.requestsTo('POST', `/repos/${r.fake.workspace}/issues`)).to.have.length(40);
    // The first batch is one create (it times the tracker); answers that take no time on the
    // engine's clock make the next batch as large as allowed: the other 39.
    expect(flushes.intents).to.equal(2);
    expect(flushes.records).to.equal(2);
    expect(r.intents.list()).to.deep.equal([]);
  });

  it('a crash after a batch of creates was sent but before it was recorded: the next push adopts them all, creates none', async () => {
    const identities: string[] = [];
    for (let n = 1; n <= 6; n++) identities.push(await draft(r, n));
    // The first batch (one create) is recorded; the second (the other five) is sent, then the run dies.
    let records = 0;
    const crashing = new Proxy(r.store, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property !== 'recordRemoteCreated')
          return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<IssueStore['recordRemoteCreated']>) => {
          if (++records > 1) throw new Error('simulated crash');
          return target.recordRemoteCreated(...args);
        };
      },
    });
    const crashed = await r
      .engine(crashing, new ManualClock(new Date().toISOString()))
      .push()
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(crashed).to.equal('simulated crash');
    expect(r.fake.requestsTo('POST', `/repos/${r.fake.workspace}/issues`)).to.have.length(6);
    expect(r.intents.list()).to.have.length(5);
    const rerun = await r.engine().push();
    expect(rerun.ok, JSON.stringify(rerun.failures)).to.equal(true);
    expect(r.fake.requestsTo('POST', `/repos/${r.fake.workspace}/issues`)).to.have.length(6);
    for (const identity of identities) expect(await r.store.resolveDraft(identity)).to.not.equal(null);
    expect(rerun.plan.creates.filter((c) => c.adopt !== null)).to.have.length(5);
    expect(r.searches()).to.equal(0);
    expect(r.intents.list()).to.deep.equal([]);
  });

  it('a crash after the record and before the intents are deleted: the next push deletes them, sends nothing', async () => {
    const identity = await draft(r, 5);
    const clearAll = r.intents.clearAll.bind(r.intents);
    r.intents.clearAll = async () => {
      throw new Error('simulated crash');
    };
    const crashed = await r
      .engine()
      .push()
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(crashed).to.equal('simulated crash');
    expect(await r.store.resolveDraft(identity)).to.not.equal(null);
    expect(r.intents.list()).to.have.length(1);
    r.intents.clearAll = clearAll;
    const before = r.fake.requests.length;
    const rerun = await r.engine().push();
    expect(rerun.ok, JSON.stringify(rerun.failures)).to.equal(true);
    expect(r.fake.requests.length - before).to.equal(0);
    expect(r.intents.list()).to.deep.equal([]);
  });

  it('two pushes of one clone at once create a draft and post a comment once', async () => {
    await r.engine().pull();
    await draft(r, 4);
    await r.store.addPendingComment('github:' + r.fake.workspace + ':1', 'together');
    // Slow answers (within the timeout) keep the first push inside its request while the second starts.
    r.fake.afterApplying({
      on: (req) => req.method === 'POST',
      run: () => new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 2)),
      times: 4,
    });
    const [a, b] = await Promise.all([r.engine().push(), r.engine().push()]);
    expect(a.ok && b.ok, JSON.stringify([a.failures, b.failures])).to.equal(true);
    expect(r.fake.requestsTo('POST', `/repos/${r.fake.workspace}/issues`)).to.have.length(1);
    expect(r.fake.commentsOf(1)).to.have.length(1);
    expect(a.stats.pushed_created + b.stats.pushed_created).to.equal(1);
  });
});
