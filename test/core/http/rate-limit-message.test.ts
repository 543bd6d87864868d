import {expect} from 'chai';

import {ConnectorRequestError, ManualClock} from '../../../src/core/index.js';
import {HttpClient} from '../../../src/core/http/index.js';
import {FakeHttpServer} from '../../fakes/fake-http-server.js';

describe('the rate-limit message', () => {
  let server: FakeHttpServer | undefined;
  afterEach(async () => server?.close());

  it('reads as one sentence after a server message that ends with a period (no "..")', async () => {
    server = await FakeHttpServer.start(() => ({
      status: 429,
      headers: {'retry-after': '3600'},
      json: {message: 'API rate limit exceeded for user ID 1.'},
    }));
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const http = new HttpClient({
      provider: 'example',
      displayName: 'Example',
      baseUrl: `${server.baseUrl}/api/`,
      headers: {Accept: 'application/json'},
      authHeaders: {Authorization: 'Bearer tok_SECRET_1234567890'},
      runtime: {clock, sleep: clock.sleep, random: () => 0.5},
      retry: {maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalWaitMs: 60_000},
    });
    let error: unknown;
    try {
      await http.get('/x');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConnectorRequestError);
    const message = (error as Error).message;
    expect(message).to.include('API rate limit exceeded for user ID 1. Run again after');
    expect(message).not.to.match(/\.\./);
  });
});
