import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';

/**
 * The subset of `fetch` the core's HTTP client uses (method, headers, string body, an abort
 * signal, `redirect: 'manual'`; a response's status, `headers.get` and `text()`), over node:http.
 *
 * Why not Node's own fetch: on Node 20 its first call loads undici and compiles its WebAssembly
 * HTTP parser, about 70 ms of a sync that changes nothing (most of it, past start-up), and a
 * command that ends soon after waits at exit for V8's background optimisation of that parser.
 * node:http's parser is native and already loaded. Requests reuse connections (keep-alive; idle
 * sockets do not keep the process alive), redirects are never followed here (the client decides),
 * and a compressed body is inflated as fetch would.
 */
export const nodeFetch = ((input: string | URL, init: RequestInit = {}): Promise<Response> =>
  new Promise<Response>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(String(input));
    } catch (error) {
      reject(new TypeError('fetch failed', {cause: error}));
      return;
    }
    const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (transport === null) {
      reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) {
      headers[name.toLowerCase()] = value;
    }
    headers['accept-encoding'] ??= 'gzip, deflate';
    const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : undefined;
    if (body !== undefined) headers['content-length'] = String(body.length);
    const request = transport.request(url, {
      method: init.method ?? 'GET',
      headers,
      agent: url.protocol === 'https:' ? HTTPS_AGENT : HTTP_AGENT,
      signal: init.signal ?? undefined,
    });
    request.on('error', (error) => reject(new TypeError('fetch failed', {cause: error})));
    request.on('response', (response) => {
      const received = readBody(response);
      // Unread until `text()` is called: a failure must not surface as an unhandled rejection.
      received.catch(() => undefined);
      resolve(responseOf(response, received));
    });
    request.end(body);
  })) as unknown as typeof fetch;

const HTTP_AGENT = new http.Agent({keepAlive: true});
const HTTPS_AGENT = new https.Agent({keepAlive: true});

function readBody(response: http.IncomingMessage): Promise<string> {
  const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
  const stream =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? response.pipe(zlib.createGunzip())
      : encoding === 'deflate'
        ? response.pipe(zlib.createInflate())
        : encoding === 'br'
          ? response.pipe(zlib.createBrotliDecompress())
          : response;
  // Decoded chunk by chunk (split characters are carried over): a page of a few hundred kB
  // concatenated as bytes first costs a fresh allocation, and its page faults, per response.
  stream.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const chunks: string[] = [];
    stream.on('data', (chunk: string) => chunks.push(chunk));
    stream.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : chunks.join('')));
    stream.on('error', (error) => reject(new TypeError('fetch failed', {cause: error})));
    response.on('aborted', () => reject(new TypeError('fetch failed: the response was cut off')));
    response.on('close', () => {
      if (!response.complete) reject(new TypeError('fetch failed: the response was cut off'));
    });
    if (stream !== response)
      response.on('error', (error) => reject(new TypeError('fetch failed', {cause: error})));
  });
}

function responseOf(response: http.IncomingMessage, body: Promise<string>): Response {
  const status = response.statusCode ?? 0;
  const raw = response.headers;
  const headers = {
    get(name: string): string | null {
      const value = raw[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
    has(name: string): boolean {
      return raw[name.toLowerCase()] !== undefined;
    },
  };
  return {
    status,
    ok: status >= 200 && status < 300,
    statusText: response.statusMessage ?? '',
    headers,
    text: async () => await body,
    json: async () => JSON.parse(await body) as unknown,
  } as unknown as Response;
}
