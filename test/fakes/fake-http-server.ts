/**
 * The loopback HTTP server under every fake tracker: node:http on 127.0.0.1, an OS-chosen
 * port, a record of every request (credentials stripped) and scriptable faults (a 429 on the
 * k-th request, a slow answer, a truncated body) that take precedence over the fake's handler.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

/** A request as the fake saw it. `headers` are lower-case and never include credentials. */
export interface RecordedRequest {
  /** 1-based position among all requests this server received. */
  readonly index: number;
  readonly method: string;
  /** Path without the query string, percent-decoding left as received. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body, the raw text when it is not JSON, null when empty. */
  readonly body: unknown;
  /** Which credential scheme was used (`bearer`, `token`, `private-token`, `basic`), never its value. */
  readonly authScheme: string | null;
}

/** What the handler sees: the recorded request plus the credential, for checking it. */
export interface FakeRequest extends RecordedRequest {
  /** The credential presented, without its scheme; only for the handler to check. */
  readonly credential: string | null;
  /** The server's own base URL (`http://127.0.0.1:PORT`), to build `Link` headers and URLs. */
  readonly baseUrl: string;
}

export interface FakeResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON; ignored when `text` is set. */
  readonly json?: unknown;
  readonly text?: string;
  /** Wait this long before answering (a slow server). */
  readonly delayMs?: number;
  /**
   * `socket`: declare the full Content-Length, send half the body, then drop the connection.
   * `json`: send the first half of the JSON as a complete response (invalid JSON, valid HTTP).
   */
  readonly truncate?: 'socket' | 'json';
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface ScriptedFault {
  /** The 1-based request number to hit, or a predicate over the request. */
  readonly on: number | ((request: FakeRequest) => boolean);
  /** The response to send instead, or a function of the request. */
  readonly respond: FakeResponse | ((request: FakeRequest) => FakeResponse);
  /** How many matching requests to hit (default 1). */
  readonly times?: number;
}

/**
 * Something to do after the handler has applied a request and before its response leaves:
 * hold the response (a server slower than the client's timeout, whose write still happened),
 * or kill the client between the server's write and the client's record of it.
 */
export interface AppliedHook {
  /** The 1-based request number, or a predicate over the request. */
  readonly on: number | ((request: FakeRequest) => boolean);
  readonly run: (request: FakeRequest, response: FakeResponse) => void | Promise<void>;
  /** How many matching requests to hit (default 1). */
  readonly times?: number;
}

const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'private-token',
  'cookie',
  'proxy-authorization',
  'x-api-key',
]);

export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: {fault: ScriptedFault; remaining: number}[] = [];
  private readonly appliedHooks: {hook: AppliedHook; remaining: number}[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  private count = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly handler: FakeHandler,
  ) {}

  /** Starts a server on 127.0.0.1 with an OS-chosen port. */
  static async start(handler: FakeHandler): Promise<FakeHttpServer> {
    let instance: FakeHttpServer | null = null;
    const server = createServer((req, res) => {
      void instance!.handle(req, res);
    });
    // Keep-alive sockets would hold `close()` open; track them to end them.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const {port} = server.address() as AddressInfo;
    instance = new FakeHttpServer(server, `http://127.0.0.1:${port}`, handler);
    server.on('connection', (socket) => {
      instance!.sockets.add(socket);
      socket.on('close', () => instance!.sockets.delete(socket));
    });
    return instance;
  }

  /** Replaces matching responses (e.g. `{on: 5, respond: {status: 429, headers: {'retry-after': '2'}}}`). */
  script(fault: ScriptedFault): void {
    this.faults.push({fault, remaining: fault.times ?? 1});
  }

  /** Runs `hook.run` once the handler has applied a matching request, before answering it. */
  afterApplying(hook: AppliedHook): void {
    this.appliedHooks.push({hook, remaining: hook.times ?? 1});
  }

  /** Requests matching a method and a path pattern. */
  requestsTo(method: string, path: RegExp | string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.baseUrl);
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? all[0] : all;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (CREDENTIAL_HEADERS.has(name) || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const {scheme, credential} = readCredential(req);
    let body: unknown = null;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    const recorded: RecordedRequest = {
      index: ++this.count,
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers,
      body,
      authScheme: scheme,
    };
    this.requests.push(recorded);
    const request: FakeRequest = {...recorded, credential, baseUrl: this.baseUrl};
    let response: FakeResponse;
    try {
      const fault = this.faults.find(
        (f) =>
          f.remaining > 0 &&
          (typeof f.fault.on === 'number' ? f.fault.on === recorded.index : f.fault.on(request)),
      );
      if (fault) {
        fault.remaining -= 1;
        response =
          typeof fault.fault.respond === 'function' ? fault.fault.respond(request) : fault.fault.respond;
      } else {
        response = await this.handler(request);
        const applied = this.appliedHooks.find(
          (h) =>
            h.remaining > 0 &&
            (typeof h.hook.on === 'number' ? h.hook.on === recorded.index : h.hook.on(request)),
        );
        if (applied) {
          applied.remaining -= 1;
          await applied.hook.run(request, response);
        }
      }
    } catch (error) {
      response = {
        status: 500,
        json: {message: `fake server error: ${error instanceof Error ? error.message : String(error)}`},
      };
    }
    await send(res, response);
  }
}

function readCredential(req: IncomingMessage): {scheme: string | null; credential: string | null} {
  const privateToken = req.headers['private-token'];
  if (typeof privateToken === 'string') return {scheme: 'private-token', credential: privateToken};
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return {scheme: null, credential: null};
  const match = /^(\S+)\s+(.*)$/.exec(auth.trim());
  if (!match) return {scheme: 'unknown', credential: auth};
  return {scheme: match[1].toLowerCase(), credential: match[2]};
}

async function send(res: ServerResponse, response: FakeResponse): Promise<void> {
  if (response.delayMs) await new Promise((resolve) => setTimeout(resolve, response.delayMs));
  if (res.destroyed) return;
  const payload = response.text ?? (response.json === undefined ? '' : JSON.stringify(response.json));
  const bytes = Buffer.from(payload, 'utf8');
  const headers: Record<string, string> = {...response.headers};
  if (response.json !== undefined && response.text === undefined)
    headers['content-type'] ??= 'application/json; charset=utf-8';
  if (response.truncate === 'socket') {
    res.writeHead(response.status, {...headers, 'content-length': String(bytes.length)});
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    // Give the half a chance to leave before the connection drops.
    await new Promise((resolve) => setTimeout(resolve, 5));
    res.socket?.destroy();
    return;
  }
  const sent = response.truncate === 'json' ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
  res.writeHead(response.status, {...headers, 'content-length': String(sent.length)});
  res.end(sent);
}
