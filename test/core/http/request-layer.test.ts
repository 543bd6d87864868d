import {expect} from 'chai';

import {ConnectorRequestError, ManualClock, type RuntimeEvent} from '../../../src/core/index.js';
import {HttpClient, providerPacer, type HttpClientOptions} from '../../../src/core/http/index.js';
import {ENGINE_RETRY_POLICY, withRetry} from '../../../src/core/sync/retry.js';
import {FakeHttpServer, type FakeHandler} from '../../fakes/fake-http-server.js';

async function caught(promise: Promise<unknown>): Promise<ConnectorRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConnectorRequestError);
    return error as ConnectorRequestError;
  }
  throw new Error('expected a rejection');
}

describe('request layer: writes that may have reached the server', () => {
  let server: FakeHttpServer | undefined;
  let clock: ManualClock;
  let events: RuntimeEvent[];

  async function client(handler: FakeHandler, options: Partial<HttpClientOptions> = {}): Promise<HttpClient> {
    await server?.close();
    server = await FakeHttpServer.start(handler);
    clock = new ManualClock('2026-03-01T00:00:00Z');
    events = [];
    return new HttpClient({
      provider: 'example',
      displayName: 'Example',
      baseUrl: `${server.baseUrl}/api`,
      runtime: {clock, sleep: clock.sleep, random: () => 0.5, onEvent: (e) => events.push(e)},
      ...options,
    });
  }

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const engineRetry = () => ({
    policy: ENGINE_RETRY_POLICY,
    clock,
    sleep: clock.sleep,
    provider: 'example',
  });

  it('a comment slower than the timeout is sent once: neither the client nor the engine repeats it', async () => {
    const http = await client(() => ({status: 201, json: {id: 1}, delayMs: 300}), {timeoutMs: 50});
    const post = () => http.request({method: 'POST', path: '/issues/1/comments', body: {body: 'hello'}});
    const error = await caught(withRetry(engineRetry(), post));
    expect(server!.requestsTo('POST', '/api/issues/1/comments')).to.have.length(1);
    expect(error).to.include({failureClass: 'transient', mayHaveBeenApplied: true});
    expect(error.message)
      .to.include('did not answer within 50 ms')
      .and.include('may have reached the server');
  });

  it('a write answered by a gateway error (502) is not repeated either', async () => {
    const http = await client(() => ({status: 502, text: 'bad gateway'}));
    const post = () => http.request({method: 'POST', path: '/issues', body: {title: 't'}});
    const error = await caught(withRetry(engineRetry(), post));
    expect(server!.requestsTo('POST', '/api/issues')).to.have.length(1);
    expect(error.mayHaveBeenApplied).to.equal(true);
  });

  it('a write to a server that refused the connection is retried twice, quickly, then names the server', async () => {
    const http = await client(() => ({status: 201, json: {}}));
    const url = server!.baseUrl;
    await server!.close();
    server = undefined;
    const error = await caught(http.request({method: 'POST', path: '/issues', body: {title: 't'}}));
    const sent = events.filter((e) => e.type === 'request');
    expect(sent).to.have.length(3);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).to.be.at.most(1000);
    expect(error.message).to.include(url).and.include('refused the connection');
    expect(error).to.include({mayHaveBeenApplied: false, retried: true});
    expect(error.hint).to.include('server URL');
  });

  it('an unreachable server fails after at most two quick retries, whatever the policy allows', async () => {
    const http = await client(() => ({status: 200, json: {}}));
    await server!.close();
    server = undefined;
    await caught(http.get('/x'));
    expect(events.filter((e) => e.type === 'request')).to.have.length(3);
    expect(clock.sleeps).to.deep.equal([250, 500]);
  });

  it('an unknown host fails the same way, naming the host', async () => {
    // What Node's fetch throws when a name does not resolve (no DNS query leaves the test).
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND no-such-host.invalid'), {
      code: 'ENOTFOUND',
    });
    let calls = 0;
    const fetchImpl = (async () => {
      calls += 1;
      throw new TypeError('fetch failed', {cause: notFound});
    }) as unknown as typeof fetch;
    const http = new HttpClient({
      provider: 'example',
      displayName: 'Example',
      baseUrl: 'http://no-such-host.invalid/api',
      runtime: {fetch: fetchImpl, clock: new ManualClock(), sleep: async () => undefined, random: () => 0.5},
    });
    const error = await caught(http.get('/x'));
    expect(error.message).to.include('no-such-host.invalid').and.include('is an unknown host');
    expect(calls).to.equal(3);
  });
});

describe('request layer: pacing to published budgets', () => {
  const write = {method: 'POST', path: '/repos/o/r/issues'};
  const search = {method: 'GET', path: '/search/issues'};

  it('spreads GitHub writes evenly over the minute (80 a minute, and a second apart in bulk)', () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const pacer = providerPacer('github', clock);
    expect(pacer.reserve(write)).to.equal(null);
    const next = pacer.reserve(write)!;
    expect(next.ms).to.equal(1000);
    expect(next.label).to.equal("GitHub's limit of 80 writes a minute, a second apart");
    // Reads are not writes: they do not queue behind them.
    expect(pacer.reserve({method: 'GET', path: '/repos/o/r/issues/1'})).to.equal(null);
  });

  it('keeps to 500 writes in any hour, and 30 searches a minute (one every 2 s and a little)', () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const pacer = providerPacer('github', clock);
    let last = null;
    for (let i = 0; i < 501; i++) {
      last = pacer.reserve(write);
      if (last) clock.advance(last.ms);
    }
    // 500 writes a second apart take 500 s; the 501st waits for the first to leave the hour,
    // and a second more: the server counts arrivals, which jitter.
    expect(last!.label).to.equal("GitHub's limit of 500 writes an hour");
    expect(clock.now().toISOString()).to.equal('2026-03-01T01:00:01.000Z');
    const searches = providerPacer('github', clock);
    searches.reserve(search);
    // 30 a minute, spread so that 30 of them span a minute and a second.
    expect(searches.reserve(search)!.ms).to.equal(2034);
  });

  it('takes scaled-down budgets for a test server, and none when pacing is off', () => {
    const clock = new ManualClock();
    const scaled = providerPacer('github', clock, {writes_per_minute: 30, searches_per_minute: 10});
    scaled.reserve(write);
    expect(scaled.reserve(write)!.ms).to.equal(2034);
    scaled.reserve(search);
    expect(scaled.reserve(search)!.ms).to.equal(6100);
    const off = providerPacer('github', clock, 'off');
    off.reserve(write);
    expect(off.reserve(write)).to.equal(null);
  });

  it('waits for the reset when a reported budget is spent (GitHub x-ratelimit-*, GitLab RateLimit-*)', () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const reset = Date.parse('2026-03-01T00:10:00Z') / 1000;
    const github = providerPacer('github', clock);
    github.observe(
      new Headers({
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      }),
    );
    expect(github.reserve({method: 'GET', path: '/repos/o/r'})!.ms).to.equal(601_000);
    const gitlab = providerPacer('gitlab', clock);
    gitlab.observe(
      new Headers({'ratelimit-limit': '100', 'ratelimit-remaining': '4', 'ratelimit-reset': String(reset)}),
    );
    // Four left for ten minutes, spent evenly: after the first, three for ten minutes, one every 200 s.
    expect(gitlab.reserve({method: 'GET', path: '/x'})).to.equal(null);
    expect(gitlab.reserve({method: 'GET', path: '/x'})!.ms).to.equal(200_000);
  });

  it("honours Linear's request and complexity budgets, costing a query at its last X-Complexity", () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const reset = Date.parse('2026-03-01T00:30:00Z');
    const linear = providerPacer('linear', clock);
    linear.observe(
      new Headers({
        'x-ratelimit-requests-limit': '5000',
        'x-ratelimit-requests-remaining': '4000',
        'x-ratelimit-requests-reset': String(reset),
        'x-ratelimit-complexity-limit': '250000',
        'x-ratelimit-complexity-remaining': '3000',
        'x-ratelimit-complexity-reset': String(reset),
        'x-complexity': '2000',
      }),
    );
    expect(linear.reserve({method: 'POST', path: '/graphql'})).to.equal(null);
    const wait = linear.reserve({method: 'POST', path: '/graphql'})!;
    expect(wait.label).to.equal("Linear's limit of 250,000 complexity points an hour");
    expect(wait.ms).to.equal(30 * 60_000 + 1000);
  });

  it('reports each pacing wait with what it waits for', async () => {
    const server = await FakeHttpServer.start(() => ({status: 201, json: {}}));
    try {
      const clock = new ManualClock();
      const events: RuntimeEvent[] = [];
      const http = new HttpClient({
        provider: 'github',
        displayName: 'GitHub',
        baseUrl: server.baseUrl,
        runtime: {clock, sleep: clock.sleep, onEvent: (e) => events.push(e), pacing: {writes_per_minute: 30}},
      });
      for (let i = 0; i < 3; i++) await http.request({method: 'POST', path: '/repos/o/r/issues', body: {}});
      const waits = events.filter((e) => e.type === 'wait');
      expect(waits.map((w) => (w as {detail?: string}).detail)).to.deep.equal([
        "GitHub's limit of 30 writes a minute",
        "GitHub's limit of 30 writes a minute",
      ]);
      expect(clock.sleeps).to.deep.equal([2034, 2034]);
    } finally {
      await server.close();
    }
  });
});
