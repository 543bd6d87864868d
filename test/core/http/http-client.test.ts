import {expect} from 'chai';

import {ConnectorRequestError, ManualClock, type RuntimeEvent} from '../../../src/core/index.js';
import {
  HttpClient,
  backoffDelayMs,
  createRedactor,
  githubRateLimit,
  gitlabRateLimit,
  nextLink,
  parseLinkHeader,
  parseRetryAfter,
  redactUrl,
  type HttpClientOptions,
} from '../../../src/core/http/index.js';
import {FakeHttpServer, type FakeHandler} from '../../fakes/fake-http-server.js';

const TOKEN = 'tok_SECRET_1234567890';

async function caught(promise: Promise<unknown>): Promise<ConnectorRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConnectorRequestError);
    return error as ConnectorRequestError;
  }
  throw new Error('expected a rejection');
}

describe('http layer', () => {
  let server: FakeHttpServer;
  let clock: ManualClock;
  let events: RuntimeEvent[];

  async function setup(handler: FakeHandler, options: Partial<HttpClientOptions> = {}): Promise<HttpClient> {
    await server?.close();
    server = await FakeHttpServer.start(handler);
    clock = new ManualClock('2026-03-01T00:00:00Z');
    events = [];
    return new HttpClient({
      provider: 'example',
      displayName: 'Example',
      baseUrl: `${server.baseUrl}/api/v1/`,
      headers: {Accept: 'application/json'},
      authHeaders: {Authorization: `Bearer ${TOKEN}`},
      runtime: {clock, sleep: clock.sleep, random: () => 0.5, onEvent: (e) => events.push(e)},
      retry: {maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalWaitMs: 120_000},
      ...options,
    });
  }

  afterEach(async () => {
    await server?.close();
    server = undefined as unknown as FakeHttpServer;
  });

  const ok: FakeHandler = (req) => ({status: 200, json: {path: req.path, query: req.query}});

  it('joins the base path, encodes the query, sends auth and parses JSON', async () => {
    const http = await setup(ok);
    const res = await http.get<{path: string; query: Record<string, string>}>('/items', {
      a: 'x y',
      b: 2,
      skip: undefined,
      n: null,
    });
    expect(res.status).to.equal(200);
    expect(res.data.path).to.equal('/api/v1/items');
    expect(res.data.query).to.deep.equal({a: 'x y', b: '2'});
    expect(server.requests[0].authScheme).to.equal('bearer');
    expect(server.requests[0].headers).to.not.have.property('authorization');
    expect(server.requests[0].headers.accept).to.equal('application/json');
    expect(events).to.have.length(1);
    expect(events[0]).to.include({type: 'request', provider: 'example', method: 'GET', status: 200});
  });

  it('waits Retry-After seconds on a 429 through the injected sleep, reporting the wait', async () => {
    const http = await setup(ok);
    server.script({
      on: 1,
      respond: {status: 429, headers: {'retry-after': '2'}, json: {message: 'slow down'}},
    });
    const res = await http.get('/x');
    expect(res.attempts).to.equal(2);
    expect(clock.sleeps).to.deep.equal([2000]);
    const waits = events.filter((e) => e.type === 'wait');
    expect(waits).to.deep.equal([
      {
        type: 'wait',
        provider: 'example',
        reason: 'rate_limit',
        ms: 2000,
        until: '2026-03-01T00:00:02.000Z',
        attempt: 1,
      },
    ]);
  });

  it('reads Retry-After as an HTTP date relative to the injected clock', async () => {
    const http = await setup(ok);
    server.script({on: 1, respond: {status: 503, headers: {'retry-after': 'Sun, 01 Mar 2026 00:00:30 GMT'}}});
    await http.get('/x');
    expect(clock.sleeps).to.deep.equal([30_000]);
  });

  it('retries GET on 502/503/504 with full-jitter backoff, but not POST unless told it is safe', async () => {
    const http = await setup(ok);
    server.script({
      on: (r) => r.method === 'GET',
      respond: {status: 502, text: '<html>bad gateway</html>'},
      times: 2,
    });
    await http.get('/x');
    // random() = 0.5: half of 1 s, then half of 2 s.
    expect(clock.sleeps).to.deep.equal([500, 1000]);
    expect(events.filter((e) => e.type === 'wait').map((e) => (e as {reason: string}).reason)).to.deep.equal([
      'retry',
      'retry',
    ]);

    server.script({
      on: (r) => r.method === 'POST',
      respond: {status: 503, json: {message: 'unavailable'}},
      times: 1,
    });
    const error = await caught(http.request({method: 'POST', path: '/x', body: {a: 1}}));
    expect(error.failureClass).to.equal('transient');
    expect(server.requestsTo('POST', '/api/v1/x')).to.have.length(1);

    server.script({
      on: (r) => r.method === 'POST',
      respond: {status: 503, json: {message: 'unavailable'}},
      times: 1,
    });
    await http.request({method: 'POST', path: '/x', body: {a: 1}, idempotent: true});
    expect(server.requestsTo('POST', '/api/v1/x')).to.have.length(3);
  });

  it('retries a rate-limited POST: the server refused it before doing anything', async () => {
    const http = await setup(ok);
    server.script({on: 1, respond: {status: 429, headers: {'retry-after': '1'}}});
    await http.request({method: 'POST', path: '/x', body: {}});
    expect(server.requests.map((r) => r.method)).to.deep.equal(['POST', 'POST']);
  });

  it('gives up after maxAttempts with a message naming provider, server and what to do', async () => {
    const http = await setup(() => ({status: 500, json: {message: 'boom'}}));
    const error = await caught(http.get('/x'));
    expect(server.requests).to.have.length(4);
    expect(error.failureClass).to.equal('transient');
    expect(error.statusCode).to.equal(500);
    expect(error.message)
      .to.include('Example')
      .and.include(server.baseUrl)
      .and.include('HTTP 500')
      .and.include('boom')
      .and.include('after 4 attempts');
    expect(error.message).to.match(/Try again later/);
  });

  it('refuses to wait beyond the total wait cap and reports when to come back', async () => {
    const http = await setup(ok);
    server.script({on: 1, respond: {status: 429, headers: {'retry-after': '3600'}}});
    const error = await caught(http.get('/x'));
    expect(clock.sleeps).to.deep.equal([]);
    expect(error.failureClass).to.equal('rate_limit');
    expect(error.retryAfterSeconds).to.equal(3600);
    expect(error.message)
      .to.include('Run again after 2026-03-01T01:00:00.000Z')
      .and.include('cap on waiting');
  });

  it('classifies 401/403/404/422 without retrying and uses provider advice', async () => {
    const statuses = [401, 403, 404, 422];
    const http = await setup(
      (req) => ({
        status: Number(req.path.split('/').pop()),
        json: {message: 'nope', errors: [{resource: 'Issue', field: 'title', code: 'missing_field'}]},
      }),
      {
        advice: {authentication: 'Check the token in EXAMPLE_TOKEN or the credentials file.'},
      },
    );
    const classes: string[] = [];
    for (const status of statuses) {
      const error = await caught(http.get(`/s/${status}`));
      classes.push(error.failureClass);
      if (status === 401)
        expect(error.message).to.include('Check the token in EXAMPLE_TOKEN or the credentials file.');
      if (status === 422) expect(error.message).to.include('Issue title missing_field');
    }
    expect(classes).to.deep.equal(['authentication', 'permission', 'not_found', 'validation']);
    expect(server.requests).to.have.length(4);
    expect(clock.sleeps).to.deep.equal([]);
  });

  it('returns accepted statuses instead of throwing', async () => {
    const http = await setup(() => ({status: 404, json: {message: 'Not Found'}}));
    const res = await http.request({method: 'GET', path: '/missing', acceptStatuses: [404]});
    expect(res.status).to.equal(404);
  });

  it('retries a truncated body (dropped connection or half JSON) and explains when it persists', async () => {
    const http = await setup(() => ({status: 200, json: {items: Array.from({length: 50}, (_, i) => ({i}))}}));
    server.script({
      on: 1,
      respond: (r) => ({status: 200, json: {items: [1, 2, 3], path: r.path}, truncate: 'socket'}),
    });
    server.script({on: 2, respond: {status: 200, json: {items: [1, 2, 3]}, truncate: 'json'}});
    const res = await http.get<{items: unknown[]}>('/x');
    expect(res.attempts).to.equal(3);
    expect(res.data.items).to.have.length(50);

    const broken = await setup(() => ({status: 200, json: {a: 'b'.repeat(40)}, truncate: 'json'}), {
      retry: {maxAttempts: 2},
    });
    const error = await caught(broken.get('/y'));
    expect(error.message).to.include('not valid JSON').and.include('Example at').and.include('Try again');
  });

  it('times out a slow server per attempt, retries, and names the timeout', async () => {
    const http = await setup(ok, {timeoutMs: 60, retry: {maxAttempts: 2}});
    server.script({on: 1, respond: {status: 200, json: {}, delayMs: 400}});
    const res = await http.get('/slow');
    expect(res.attempts).to.equal(2);
    server.script({on: () => true, respond: {status: 200, json: {}, delayMs: 400}, times: 2});
    const error = await caught(http.get('/slow'));
    expect(error.failureClass).to.equal('transient');
    expect(error.message).to.include('did not answer within 60 ms');
  });

  it('reports an unreachable server as transient, with the server named', async () => {
    const http = await setup(ok, {retry: {maxAttempts: 2}});
    await server.close();
    const error = await caught(http.get('/x'));
    expect(error.failureClass).to.equal('transient');
    expect(error.message).to.include('refused the connection').and.include(server.baseUrl);
    expect(
      events.filter((e) => e.type === 'request').map((e) => (e as {status: number | null}).status),
    ).to.deep.equal([null, null]);
    server = await FakeHttpServer.start(ok); // afterEach closes it
  });

  it('never puts a credential in an error, a hint or an event, even when the server echoes it', async () => {
    const http = await setup(
      (req) => ({
        status: 401,
        json: {message: `token ${TOKEN} is invalid; see ${req.baseUrl}?access_token=${TOKEN}`},
      }),
      {secrets: [TOKEN]},
    );
    const error = await caught(http.get(`/x`, {access_token: TOKEN, private_token: TOKEN}));
    const everything = JSON.stringify({message: error.message, hint: error.hint, events, stack: error.stack});
    expect(everything).to.not.include(TOKEN);
    expect(error.message).to.include('[REDACTED]');
    const request = events.find((e) => e.type === 'request') as {url: string};
    expect(request.url).to.include('access_token=[REDACTED]');
  });

  it('refuses to send credentials to another origin (a hostile pagination link)', async () => {
    const http = await setup(ok);
    const error = await caught(http.get('https://evil.example.com/steal'));
    expect(error.failureClass).to.equal('non_retryable');
    expect(server.requests).to.have.length(0);
  });

  it('follows same-origin 301/302/307/308 redirects of a GET, with the credentials, reporting each hop', async () => {
    const http = await setup((req) =>
      req.path.startsWith('/api/v1/hop')
        ? {
            status: [301, 302, 307, 308][Number(req.path.slice(-1))],
            headers: {
              location:
                req.path === '/api/v1/hop3'
                  ? `${req.baseUrl}/api/v1/final?x=1`
                  : `/api/v1/hop${Number(req.path.slice(-1)) + 1}`,
            },
          }
        : ok(req),
    );
    const res = await http.get<{path: string; query: Record<string, string>}>('/hop0');
    expect(res.data).to.deep.equal({path: '/api/v1/final', query: {x: '1'}});
    expect(res.attempts).to.equal(1);
    expect(server.requests.map((r) => r.path)).to.deep.equal([
      '/api/v1/hop0',
      '/api/v1/hop1',
      '/api/v1/hop2',
      '/api/v1/hop3',
      '/api/v1/final',
    ]);
    expect(server.requests.every((r) => r.authScheme === 'bearer')).to.equal(true);
    expect(
      events.filter((e) => e.type === 'request').map((e) => (e as {status: number}).status),
    ).to.deep.equal([301, 302, 307, 308, 200]);
    expect(clock.sleeps).to.deep.equal([]);
  });

  it('stops after 5 redirects in a row and says where they led, without retrying', async () => {
    const http = await setup(() => ({status: 302, headers: {location: '/api/v1/loop'}}));
    const error = await caught(http.get('/loop'));
    expect(server.requests).to.have.length(6); // the request and 5 redirects followed
    expect(error.failureClass).to.equal('non_retryable');
    expect(error.message).to.include('more than 5 redirects').and.include(`${server.baseUrl}/api/v1/loop`);
    expect(clock.sleeps).to.deep.equal([]);
  });

  it('refuses a redirect to another origin, naming the new location and what to do', async () => {
    const elsewhere = await FakeHttpServer.start(ok);
    try {
      const http = await setup(
        () => ({status: 301, headers: {location: `${elsewhere.baseUrl}/api/v1/moved?a=b`}}),
        {
          movedAdvice: 'Bind to the new name.',
        },
      );
      const error = await caught(http.get('/old'));
      expect(error.failureClass).to.equal('non_retryable');
      expect(error.statusCode).to.equal(301);
      expect(error.message).to.include(`${elsewhere.baseUrl}/api/v1/moved?a=b`).and.include('another host');
      expect(error.hint).to.include(`--server-url ${elsewhere.baseUrl}`).and.include('Bind to the new name.');
      expect(elsewhere.requests).to.have.length(0); // the credentials never went there
      expect(server.requests).to.have.length(1);
    } finally {
      await elsewhere.close();
    }
  });

  it('does not repeat a write at a redirected location', async () => {
    const http = await setup(() => ({status: 307, headers: {location: '/api/v1/new'}}), {
      movedAdvice: 'Rebind.',
    });
    const error = await caught(http.request({method: 'PATCH', path: '/old', body: {a: 1}}));
    expect(error.failureClass).to.equal('non_retryable');
    expect(error.message)
      .to.include('HTTP 307')
      .and.include('/api/v1/new')
      .and.include('PATCH is not repeated');
    expect(error.hint).to.equal('Rebind.');
    expect(server.requests.map((r) => r.method)).to.deep.equal(['PATCH']);
  });

  it('marks the failures it retried itself, so no other layer retries them again', async () => {
    const http = await setup(() => ({status: 503, json: {message: 'down'}}));
    const get = await caught(http.get('/x'));
    expect(server.requests).to.have.length(4);
    expect(get).to.include({failureClass: 'transient', retried: true});
    // A POST is not repeated after a 503 here: the caller may retry it safely (idempotency key).
    const post = await caught(http.request({method: 'POST', path: '/x', body: {}}));
    expect(server.requests).to.have.length(5);
    expect(post).to.include({failureClass: 'transient', retried: false});
    server.script({on: () => true, respond: {status: 429, headers: {'retry-after': '1'}}, times: 4});
    const limited = await caught(http.request({method: 'POST', path: '/x', body: {}}));
    expect(limited).to.include({failureClass: 'rate_limit', retried: true});
    const denied = await caught((await setup(() => ({status: 403, json: {}}))).get('/x'));
    expect(denied).to.include({failureClass: 'permission', retried: false});
  });
});

describe('http helpers', () => {
  it('parses Link headers', () => {
    const header =
      '<https://api.github.com/repositories/1/issues?page=2&per_page=100>; rel="next", <https://x/y?page=9>; rel="last"';
    expect(parseLinkHeader(header)).to.deep.equal({
      next: 'https://api.github.com/repositories/1/issues?page=2&per_page=100',
      last: 'https://x/y?page=9',
    });
    expect(nextLink('<https://a/b?c=1,2>; rel="prev first"')).to.equal(null);
    expect(parseLinkHeader('<https://a/b?c=1,2>; rel="prev first"')).to.deep.equal({
      prev: 'https://a/b?c=1,2',
      first: 'https://a/b?c=1,2',
    });
    expect(parseLinkHeader(null)).to.deep.equal({});
  });

  it('parses Retry-After seconds and dates, and rejects garbage', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).to.equal(2000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 00:01:00 GMT', now)).to.equal(60_000);
    expect(parseRetryAfter('Sat, 28 Feb 2026 00:01:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon', now)).to.equal(null);
    expect(parseRetryAfter(null, now)).to.equal(null);
  });

  it('bounds full-jitter backoff by the doubling ceiling and the max', () => {
    const policy = {baseDelayMs: 1000, maxDelayMs: 5000};
    expect(backoffDelayMs(1, policy, () => 0.999)).to.be.below(1000);
    expect(backoffDelayMs(3, policy, () => 0.5)).to.equal(2000);
    expect(backoffDelayMs(10, policy, () => 0.5)).to.equal(2500);
    expect(backoffDelayMs(2, policy, () => 0)).to.equal(0);
  });

  it('reads GitHub primary and secondary limits, and leaves a plain 403 alone', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const reset = String(now.getTime() / 1000 + 120);
    const h = (o: Record<string, string>) => new Headers(o);
    const primary = githubRateLimit(
      {
        status: 403,
        headers: h({'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset}),
        bodyText: '{"message":"API rate limit exceeded"}',
      },
      {now, backoffMs: 10},
    );
    expect(primary).to.deep.equal({waitMs: 121_000, kind: 'primary', retryAfterSeconds: 121});
    const secondary = githubRateLimit(
      {status: 403, headers: h({}), bodyText: '{"message":"You have exceeded a secondary rate limit"}'},
      {now, backoffMs: 10},
    );
    expect(secondary).to.deep.equal({waitMs: 60_000, kind: 'secondary', retryAfterSeconds: null});
    const told = githubRateLimit(
      {status: 429, headers: h({'retry-after': '7'}), bodyText: ''},
      {now, backoffMs: 10},
    );
    expect(told).to.deep.equal({waitMs: 7000, kind: 'secondary', retryAfterSeconds: 7});
    expect(
      githubRateLimit(
        {
          status: 403,
          headers: h({'x-ratelimit-remaining': '4999'}),
          bodyText: '{"message":"Resource not accessible by integration"}',
        },
        {now, backoffMs: 10},
      ),
    ).to.equal(null);
  });

  it('reads GitLab RateLimit-Reset and falls back to backoff for a bare 429', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const reset = String(now.getTime() / 1000 + 30);
    expect(
      gitlabRateLimit(
        {status: 429, headers: new Headers({'ratelimit-reset': reset}), bodyText: ''},
        {now, backoffMs: 10},
      ),
    ).to.deep.equal({waitMs: 31_000, kind: 'primary', retryAfterSeconds: 31});
    expect(
      gitlabRateLimit({status: 429, headers: new Headers(), bodyText: 'Retry later'}, {now, backoffMs: 1234}),
    ).to.deep.equal({waitMs: 1234, kind: 'fallback', retryAfterSeconds: null});
  });

  it('redacts secrets and secret-looking URL parts', () => {
    const redact = createRedactor(['Bearer abcd1234efgh', 'x']);
    expect(redact('got abcd1234efgh and Bearer abcd1234efgh')).to.equal('got [REDACTED] and [REDACTED]');
    expect(redactUrl('https://user:pw@host/p?private_token=abc&page=2')).to.equal(
      'https://host/p?private_token=[REDACTED]&page=2',
    );
  });
});
