import {expect} from 'chai';
import {ConnectorRequestError} from '../../../src/core/index.js';
import {harness} from './harness.js';

const listCursors = (h: ReturnType<typeof harness>) =>
  h.connector.requests.filter((r) => r.op === 'listIssues').map((r) => r.request!.cursor);

describe('SyncEngine.pull', () => {
  it('stores each page then advances the checkpoint; a failure on page 3 of 5 resumes at page 3', async () => {
    const h = harness({engine: {pageSize: 2}});
    for (let i = 1; i <= 10; i++) {
      h.connector.seed({title: `issue ${i}`});
      h.clock.advance(1000);
    }
    const failure = new ConnectorRequestError('bad request', {
      provider: 'memory',
      failureClass: 'validation',
      statusCode: 422,
    });
    h.connector.failOn('listIssues', failure, {when: (call) => call === 2});

    const first = await h.engine.pull();
    expect(first.ok).to.equal(false);
    expect(first.failures).to.deep.equal([
      {
        identity: null,
        operation: 'list',
        failure_class: 'validation',
        message: 'bad request',
        retryable: false,
        status_code: 422,
        hint: null,
      },
    ]);
    expect(first.errors).to.deep.equal(['list[listing]: bad request']);
    expect(first.stats.pulled_created).to.equal(4);
    expect((await h.store.listIssues()).length).to.equal(4);
    const saved = await h.checkpoints.getCheckpoint(h.engine.checkpointKey);
    expect(saved).to.deep.include({cursor: '4', updated_since: null});
    expect(listCursors(h)).to.deep.equal([null, '2', '4']);

    const before = h.connector.requests.length;
    const second = await h.engine.pull();
    expect(second.ok).to.equal(true);
    const resumed = h.connector.requests.slice(before).map((r) => r.request!.cursor);
    expect(resumed).to.deep.equal(['4', '6', '8']);
    expect(second.stats.pulled_created).to.equal(6);
    expect((await h.store.listIssues()).length).to.equal(10);
    const done = await h.checkpoints.getCheckpoint(h.engine.checkpointKey);
    const newest = h.connector.allRemote().at(-1)!.updated_at;
    expect(done).to.deep.equal({cursor: null, updated_since: newest, high_water: newest});
  });

  it('retries transient failures a bounded number of times, then records a retryable failure', async () => {
    const h = harness({engine: {pageSize: 2, retry: {maxAttempts: 3, baseDelayMs: 500}}});
    for (let i = 1; i <= 4; i++) h.connector.seed({title: `issue ${i}`});
    const flaky = new ConnectorRequestError('HTTP 503', {
      provider: 'memory',
      failureClass: 'transient',
      statusCode: 503,
    });
    h.connector.failOn('listIssues', flaky, {when: (call) => call >= 1, times: 3});
    const result = await h.engine.pull();
    expect(h.clock.sleeps).to.deep.equal([500, 1000]);
    expect(result.failures).to.have.length(1);
    expect(result.failures[0]).to.include({operation: 'list', failure_class: 'transient', retryable: true});
    expect(result.stats.pulled_created).to.equal(2);
    // The next run resumes at page 2 (the failures are used up) and finishes.
    const again = await h.engine.pull();
    expect(again.ok).to.equal(true);
    expect(again.stats.pulled_created).to.equal(2);
    expect(again.requests).to.deep.equal({listIssues: 1});
  });

  it('waits out a rate limit for the retry-after the provider asked, on the injected clock', async () => {
    const h = harness();
    h.connector.seed({title: 'one'});
    const limited = new ConnectorRequestError('rate limited', {
      provider: 'memory',
      failureClass: 'rate_limit',
      statusCode: 429,
      retryAfterSeconds: 7,
    });
    h.connector.failOn('listIssues', limited);
    const started = h.clock.now().getTime();
    const result = await h.engine.pull();
    expect(result.ok).to.equal(true);
    expect(h.clock.sleeps).to.deep.equal([7000]);
    expect(h.clock.now().getTime() - started).to.equal(7000);
    expect(h.events.filter((e) => e.type === 'wait')).to.deep.equal([
      {
        type: 'wait',
        provider: 'memory',
        reason: 'rate_limit',
        ms: 7000,
        until: new Date(started + 7000).toISOString(),
        attempt: 1,
      },
    ]);
    expect(result.requests).to.deep.equal({listIssues: 2});
    expect(result.stats.pulled_created).to.equal(1);
  });

  it('does not hang on a retry-after longer than allowed: it fails at once with the provider message', async () => {
    const h = harness();
    h.connector.seed({title: 'one'});
    const hourly = new ConnectorRequestError('quota exhausted', {
      provider: 'memory',
      failureClass: 'rate_limit',
      statusCode: 429,
      retryAfterSeconds: 3600,
    });
    h.connector.failOn('listIssues', hourly);
    const result = await h.engine.pull();
    expect(h.clock.sleeps).to.deep.equal([]);
    expect(result.failures[0]).to.include({failure_class: 'rate_limit', message: 'quota exhausted'});
  });

  it('starts a new listing from the high-water mark minus the overlap window and de-duplicates', async () => {
    const h = harness({engine: {overlapMs: 60_000}});
    const a = h.connector.seed({title: 'a'});
    await h.engine.pull();
    const checkpoint = await h.checkpoints.getCheckpoint(h.engine.checkpointKey);
    expect(checkpoint!.high_water).to.equal(a.updated_at);
    h.clock.advance(10_000);
    h.connector.remoteEdit('1', {title: 'a2'});
    const before = h.connector.requests.length;
    const result = await h.engine.pull();
    const request = h.connector.requests[before]!.request!;
    expect(request.updated_since).to.equal(new Date(Date.parse(a.updated_at!) - 60_000).toISOString());
    expect(result.stats).to.include({pulled_updated: 1, pulled_created: 0});
    expect((await h.store.getIssue(h.identity('1')))!.title).to.equal('a2');
  });

  it('without a checkpoint resumes from the store high-water mark (not from scratch)', async () => {
    const h = harness({engine: {overlapMs: 0}});
    h.connector.seed({title: 'a'});
    await h.engine.pull();
    await h.checkpoints.deleteCheckpoint(h.engine.checkpointKey);
    const before = h.connector.requests.length;
    await h.engine.pull();
    expect(h.connector.requests[before]!.request!.updated_since).to.equal(
      h.connector.remote('1')!.updated_at,
    );
  });

  it('collapses an issue listed twice in one page to its newest version', async () => {
    const h = harness();
    const old = h.connector.seed({title: 'old'});
    h.clock.advance(1000);
    const newer = h.connector.remoteEdit('1', {title: 'new'});
    const original = h.connector.listIssues.bind(h.connector);
    h.connector.listIssues = async (request) => ({...(await original(request)), items: [newer, old]});
    const result = await h.engine.pull();
    expect(result.stats.pulled_created).to.equal(1);
    expect((await h.store.getIssue(h.identity('1')))!.title).to.equal('new');
  });

  it('a full pull lists everything and marks issues the tracker no longer returns as deleted', async () => {
    const h = harness();
    h.connector.seed({title: 'keep'});
    h.connector.seed({title: 'gone'});
    await h.engine.pull();
    await h.draft(1, 'local only');
    h.connector.remoteDelete('2');
    const incremental = await h.engine.pull();
    expect(incremental.plan.pull!.deleted).to.deep.equal([]);
    const full = await h.engine.pull({full: true});
    expect(full.plan.pull!.deleted).to.deep.equal([h.identity('2')]);
    expect(await h.store.getIssue(h.identity('2'))).to.equal(null);
    expect(await h.store.getIssue(h.identity('1'))).to.not.equal(null);
    expect(await h.store.getIssue(h.identity('draft-1'))).to.not.equal(null);
    const listRequest = h.connector.requests.filter((r) => r.op === 'listIssues').at(-1)!.request!;
    expect(listRequest.updated_since).to.equal(null);
  });

  it('a full pull that fails part-way deletes nothing', async () => {
    const h = harness({engine: {pageSize: 1}});
    h.connector.seed({title: 'a'});
    h.connector.seed({title: 'b'});
    await h.engine.pull();
    h.connector.failOn(
      'listIssues',
      new ConnectorRequestError('denied', {provider: 'memory', failureClass: 'permission', statusCode: 403}),
      {
        when: (call) => call === 3,
      },
    );
    const result = await h.engine.pull({full: true});
    expect(result.failures).to.have.length(1);
    expect(result.plan.pull!.deleted).to.deep.equal([]);
    expect((await h.store.listIssues()).length).to.equal(2);
  });

  it("lets errors that are not the tracker's (a crash) propagate", async () => {
    const h = harness();
    h.connector.seed({title: 'a'});
    h.connector.failOn('listIssues', new TypeError('boom'));
    let caught: unknown;
    await h.engine.pull().catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(TypeError);
  });
});
