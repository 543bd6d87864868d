import {expect} from 'chai';
import * as http from 'node:http';
import type {AddressInfo} from 'node:net';
import * as zlib from 'node:zlib';

import {nodeFetch} from '../../../src/host/http/node-fetch.js';

/** Two-, three- and four-byte UTF-8 characters, long enough to arrive in many chunks. */
const SPLIT_TEXT = 'é中😀x'.repeat(20_000);

describe('host nodeFetch (the fetch subset over node:http)', () => {
  let server: http.Server;
  let base: string;
  const seen: {method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string}[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({method: req.method, url: req.url, headers: req.headers, body});
        if (req.url === '/moved') {
          res.writeHead(301, {location: '/elsewhere'});
          res.end();
        } else if (req.url === '/gzip') {
          res.writeHead(200, {'content-encoding': 'gzip', link: '<x>; rel="next"'});
          res.end(zlib.gzipSync(JSON.stringify({zipped: 'yes ✓'})));
        } else if (req.url === '/split') {
          // A large body with multi-byte characters, written so that characters straddle writes.
          const bytes = Buffer.from(JSON.stringify({text: SPLIT_TEXT}), 'utf8');
          res.writeHead(200, {'content-type': 'application/json'});
          let at = 0;
          const step = (): void => {
            if (at >= bytes.length) {
              res.end();
              return;
            }
            res.write(bytes.subarray(at, at + 4099));
            at += 4099;
            setImmediate(step);
          };
          step();
        } else if (req.url === '/stall') {
          res.writeHead(200);
          res.write('{"partial": ');
          // never ends: the client's abort must end the wait
        } else {
          res.writeHead(201, {'x-ratelimit-remaining': '42', 'set-cookie': ['a=1', 'b=2']});
          res.end(JSON.stringify({echo: body}));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and body; reads status, headers (any case) and text', async () => {
    const response = await nodeFetch(`${base}/things?q=1`, {
      method: 'POST',
      headers: {Authorization: 'Bearer t0k', 'Content-Type': 'application/json'},
      body: '{"a":"ü"}',
    });
    expect(response.status).to.equal(201);
    expect(response.ok).to.equal(true);
    expect(response.headers.get('X-RateLimit-Remaining')).to.equal('42');
    expect(response.headers.get('set-cookie')).to.equal('a=1, b=2');
    expect(response.headers.get('missing')).to.equal(null);
    expect(JSON.parse(await response.text())).to.deep.equal({echo: '{"a":"ü"}'});
    const request = seen.at(-1)!;
    expect(request).to.deep.include({method: 'POST', url: '/things?q=1', body: '{"a":"ü"}'});
    expect(request.headers.authorization).to.equal('Bearer t0k');
    expect(request.headers['content-length']).to.equal(String(Buffer.byteLength('{"a":"ü"}')));
  });

  it('decodes a body whose multi-byte characters are split between chunks', async () => {
    const response = await nodeFetch(`${base}/split`);
    expect(response.status).to.equal(200);
    const parsed = JSON.parse(await response.text()) as {text: string};
    expect(parsed.text.length).to.equal(SPLIT_TEXT.length);
    expect(parsed.text === SPLIT_TEXT).to.equal(true);
  });

  it('does not follow redirects (the HTTP client decides), and inflates a gzip body', async () => {
    const moved = await nodeFetch(`${base}/moved`, {redirect: 'manual'});
    expect(moved.status).to.equal(301);
    expect(moved.headers.get('location')).to.equal('/elsewhere');
    const zipped = await nodeFetch(`${base}/gzip`);
    expect(JSON.parse(await zipped.text())).to.deep.equal({zipped: 'yes ✓'});
    expect(zipped.headers.get('link')).to.equal('<x>; rel="next"');
  });

  it('an abort ends a stalled body with an error; a closed port is a fetch-style error with its code', async () => {
    const controller = new AbortController();
    const response = await nodeFetch(`${base}/stall`, {signal: controller.signal});
    setTimeout(() => controller.abort(), 50);
    let failed: unknown = null;
    await response.text().catch((error: unknown) => (failed = error));
    expect(failed).to.be.instanceOf(Error);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    let refused: unknown = null;
    await nodeFetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(TypeError);
    expect((refused as {cause?: {code?: string}}).cause?.code).to.equal('ECONNREFUSED');
  });
});
