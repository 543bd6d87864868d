import {expect} from 'chai';

import {
  ConnectorRequestError,
  ManualClock,
  createIssue,
  type CanonicalIssue,
  type RuntimeEvent,
  type TrackerConnector,
} from '../../../../src/core/index.js';
import {connectorModule} from '../../../../src/core/connectors/github/index.js';
import {FakeGitHubServer} from '../../../fakes/github/index.js';
import {listAll, runConnectorConformance} from '../../../conformance/connector-conformance.js';
import {requestViolations} from './openapi-contract.js';

interface Rig {
  server: FakeGitHubServer;
  connector: TrackerConnector;
  makeConnector: () => TrackerConnector;
  clock: ManualClock;
  events: RuntimeEvent[];
}

async function rig(
  options: {token?: string; statusLabels?: Record<string, string>; now?: string} = {},
): Promise<Rig> {
  const server = await FakeGitHubServer.start(
    options.now === undefined ? {} : {now: () => new Date(options.now!)},
  );
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const events: RuntimeEvent[] = [];
  const workspace = server.workspace;
  const makeConnector = (): TrackerConnector =>
    connectorModule.create({
      workspace,
      serverUrl: server.url,
      credentials: {token: options.token ?? server.token},
      options: options.statusLabels ? {status_labels: options.statusLabels} : {},
      runtime: {clock, sleep: clock.sleep, random: () => 0.5, onEvent: (e) => events.push(e)},
    });
  return {server, connector: makeConnector(), makeConnector, clock, events};
}

/** Lists every page with a new connector each time: a restart between pages, from the cursor. */
async function listWithRestarts(
  r: Rig,
  since: string | null,
  limit: number,
  maxPages: number,
): Promise<CanonicalIssue[]> {
  const out: CanonicalIssue[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result = await r.makeConnector().listIssues({updated_since: since, cursor, limit});
    out.push(...result.items);
    if (result.next_cursor === null) return out;
    cursor = JSON.parse(JSON.stringify(result.next_cursor)) as string; // as a checkpoint stores it
  }
  throw new Error(`listIssues did not finish within ${maxPages} pages`);
}

runConnectorConformance('github', async () => {
  const {server, connector} = await rig();
  return {
    connector,
    seedIssue: (seed) =>
      String(
        server.seedIssue({
          title: seed.title,
          body: seed.body ?? null,
          labels: seed.labels,
          state: seed.closed ? 'closed' : 'open',
        }),
      ),
    commentsOf: (id) => server.commentsOf(Number(id)),
    close: async () => {
      // Every request the connector sent is one GitHub's OpenAPI description documents.
      const violations = server.requests.flatMap((request) => requestViolations(request));
      await server.close();
      expect(violations).to.deep.equal([]);
    },
  };
});

describe('github connector', () => {
  let r: Rig;
  afterEach(async () => {
    const violations = r?.server.requests.flatMap((request) => requestViolations(request)) ?? [];
    await r?.server.close();
    // Every request the connector sent is one GitHub's OpenAPI description documents.
    expect(violations).to.deep.equal([]);
  });

  it('pulls 1,000 issues 100 a page through one 429 (Retry-After: 2): one wait, no request twice', async () => {
    r = await rig();
    r.server.seedRealisticIssues(1000, {prEvery: 0});
    r.server.script({
      on: 5,
      respond: {
        status: 429,
        headers: {'retry-after': '2'},
        json: {message: 'You have exceeded a secondary rate limit.'},
      },
    });
    const issues = await listAll(r.connector, null, 100, 20);
    expect(issues).to.have.length(1000);
    expect(new Set(issues.map((i) => i.ref.id)).size).to.equal(1000);
    expect(r.clock.sleeps).to.deep.equal([2000]);
    expect(r.events.filter((e) => e.type === 'wait')).to.have.length(1);
    // Each page restarts at the last item's updated_at (inclusive): 99 new issues a page after
    // the first, so 11 pages; only the rate-limited request is repeated, once.
    const asked = r.server.requests.map((q) => `${String(q.query.since)}|${String(q.query.page)}`);
    expect(asked).to.have.length(12);
    expect(asked[4]).to.equal(asked[5]);
    expect(new Set(asked).size).to.equal(11);
  });

  it('lists with only the documented parameters and headers, paging by updated_at, dropping pull requests', async () => {
    r = await rig();
    r.server.seedRealisticIssues(30, {prEvery: 3});
    const since = '2025-01-01T00:10:00.000Z';
    const issues = await listAll(r.connector, since, 5);
    const first = r.server.requests[0];
    expect(first.method).to.equal('GET');
    expect(first.path).to.equal(`/repos/${r.server.workspace}/issues`);
    expect(first.query).to.deep.equal({
      state: 'all',
      sort: 'updated',
      direction: 'asc',
      per_page: '5',
      since,
    });
    expect(first.headers.accept).to.equal('application/vnd.github+json');
    expect(first.headers['x-github-api-version']).to.equal('2022-11-28');
    expect(first.authScheme).to.equal('bearer');
    expect(first.body).to.equal(null);
    // Later pages restart `since` at the last listed item's updated_at (pull requests included).
    expect(r.server.requests[1].path).to.equal(`/repos/${r.server.workspace}/issues`);
    expect(r.server.requests[1].query).to.deep.equal({...first.query, since: '2025-01-01T00:14:00Z'});
    for (const request of r.server.requests)
      expect(Object.keys(request.query)).to.satisfy((keys: string[]) =>
        keys.every((k) => ['state', 'sort', 'direction', 'per_page', 'since', 'page'].includes(k)),
      );
    // Seeded minute by minute: since 00:10 inclusive -> items 11..30, minus every 3rd (PRs).
    const expected = Array.from({length: 20}, (_, k) => k + 11)
      .filter((n) => n % 3 !== 0)
      .map(String);
    expect(issues.map((i) => i.ref.id)).to.deep.equal(expected);
    expect(issues.every((i) => i.raw && !('pull_request' in i.raw))).to.equal(true);
  });

  it('does not skip an issue when one on a fetched page is updated before the next page', async () => {
    r = await rig({now: '2026-02-01T00:00:00Z'});
    r.server.seedRealisticIssues(10, {prEvery: 0});
    // Between pages 1 and 2, #1 (on page 1) is edited: it moves to the end, everything moves
    // back by one, and with offsets #4 would slide onto page 1, never to be listed.
    r.server.beforeListRequest(2, () => r.server.remoteEdit(1, {title: 'edited meanwhile'}));
    const issues = await listAll(r.connector, null, 3);
    expect(issues.map((i) => i.ref.id)).to.deep.equal([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '1',
    ]);
    expect(issues.at(-1)!.title).to.equal('edited meanwhile');
    expect(issues.at(-1)!.updated_at).to.equal('2026-02-01T00:00:00.000Z');
  });

  it('pages within a second a whole page shares, and lists that tie again when an issue leaves it', async () => {
    r = await rig({now: '2026-02-01T00:00:00Z'});
    const tie = '2025-06-01T12:00:00Z';
    for (let n = 1; n <= 8; n++) r.server.seedIssue({title: `bulk ${n}`, updated_at: tie});
    r.server.seedIssue({title: 'later 9', updated_at: '2025-06-01T12:00:01Z'});
    r.server.seedIssue({title: 'later 10', updated_at: '2025-06-01T12:00:02Z'});
    // While the tie is paged by offset (page 2 of since=tie), #1 leaves it: #4 slides onto page 1.
    r.server.beforeListRequest(2, () => r.server.remoteEdit(1, {title: 'edited meanwhile'}));
    // A new connector per page: resuming from a saved cursor after a restart.
    const issues = await listWithRestarts(r, null, 3, 20);
    const ids = issues.map((i) => i.ref.id);
    expect([...new Set(ids)].sort((a, b) => Number(a) - Number(b))).to.deep.equal(
      Array.from({length: 10}, (_, k) => String(k + 1)),
    );
    // Each version once: #1 twice (before and after the edit), every other issue once.
    expect(ids.filter((id) => id === '1')).to.have.length(2);
    expect(ids).to.have.length(11);
    const pages = r.server.requests.map((q) => `${String(q.query.since)}|${String(q.query.page)}`);
    expect(pages).to.deep.equal([
      'undefined|undefined', // #1..#3, all at the tie's second: page 2 of that second next
      `${tie}|2`, // (#1 edited) #5..#7: #4 slid back onto page 1
      `${tie}|3`, // #8, #9, #10: past the tie
      '2025-06-01T12:00:01Z|undefined', // right after the tie: #9, #10 again, then #1 newer: it left the tie
      `${tie}|undefined`, // so the tie again from its start: #4 found
      `${tie}|2`,
      `${tie}|3`,
      '2026-02-01T00:00:00Z|undefined', // back to where the listing had ended: done
    ]);
  });

  it('resumes from a Link URL saved by an older version as a cursor', async () => {
    r = await rig();
    r.server.seedRealisticIssues(10, {prEvery: 0});
    const legacy = `${r.server.url}/repositories/1296269/issues?state=all&sort=updated&direction=asc&per_page=3&page=2`;
    const page = await r.connector.listIssues({updated_since: null, cursor: legacy, limit: 3});
    expect(page.items.map((i) => i.ref.id)).to.deep.equal(['4', '5', '6']);
    expect(r.server.requests[0].query).to.include({page: '2', per_page: '3'});
    const rest = await listAll(r.connector, null, 3);
    expect(rest).to.have.length(10); // the fresh listing is unaffected
    try {
      await r.connector.listIssues({updated_since: null, cursor: 'not-a-cursor', limit: 3});
      expect.fail('expected a refusal');
    } catch (e) {
      expect((e as ConnectorRequestError).failureClass).to.equal('non_retryable');
      expect((e as ConnectorRequestError).hint).to.include('sync pull --full');
    }
  });

  it('follows the 301 of a renamed repository for reads, and explains what to do for writes', async () => {
    r = await rig();
    const n = r.server.seedIssue({title: 'before the rename'});
    const oldWorkspace = r.server.workspace;
    r.server.renameRepository('new-org', 'new-name');
    const ref = {system: 'github', workspace: oldWorkspace, id: String(n), key: null, url: null};
    expect((await r.connector.getIssue(ref))!.title).to.equal('before the rename');
    const page = await r.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    expect(page.items.map((i) => i.ref.id)).to.deep.equal([String(n)]);
    const moved = r.server.requests.filter((q) => q.path.startsWith('/repositories/1296269/'));
    expect(moved).to.have.length(2);
    expect(moved.every((q) => q.authScheme === 'bearer')).to.equal(true);
    expect(moved[1].query).to.include({state: 'all', sort: 'updated'});
    const before = r.server.requests.length;
    try {
      await r.connector.addComment(ref, 'hello');
      expect.fail('expected a redirect error');
    } catch (e) {
      const error = e as ConnectorRequestError;
      expect(error.failureClass).to.equal('non_retryable');
      expect(error.message).to.include('HTTP 307').and.include('/repositories/1296269/issues/');
      expect(error.hint).to.include('--workspace NEW-OWNER/NEW-NAME');
    }
    expect(r.server.requests.length - before).to.equal(1); // the POST was not repeated anywhere
    expect(r.server.commentsOf(n)).to.deep.equal([]);
  });

  it('maps state, state_reason, status labels, priority labels, milestone, type and parent', async () => {
    r = await rig({statusLabels: {in_review: 'needs review'}});
    const s = r.server;
    const parent = s.seedIssue({title: 'Epic', type: 'Epic'});
    const a = s.seedIssue({
      title: 'Doing',
      labels: ['status: in progress', 'priority: 1', 'ui'],
      assignees: ['hubot', 'monalisa'],
      milestone: 'v1.0',
      type: 'Bug',
      parent,
    });
    const b = s.seedIssue({title: 'Review', labels: ['needs review']});
    const c = s.seedIssue({title: 'Dropped', state: 'closed', state_reason: 'not_planned'});
    const d = s.seedIssue({
      title: 'Shipped',
      state: 'closed',
      state_reason: 'completed',
      labels: ['status: blocked'],
    });
    const e = s.seedIssue({title: 'Same as #1', state: 'closed', state_reason: 'duplicate'});
    const get = (n: number) =>
      r.connector.getIssue({system: 'github', workspace: s.workspace, id: String(n), key: null, url: null});
    const ia = (await get(a))!;
    expect(ia).to.include({status: 'in_progress', priority: 1, issue_type: 'bug'});
    expect([...ia.labels]).to.deep.equal(['ui']);
    expect([...ia.assignees]).to.deep.equal(['hubot', 'monalisa']);
    expect(ia.custom_fields).to.deep.equal({milestone: 'v1.0'});
    expect(ia.parent).to.include({system: 'github', id: String(parent)});
    expect(ia.ref).to.include({key: `#${a}`, url: `https://github.com/${s.workspace}/issues/${a}`});
    expect((await get(b))!.status).to.equal('in_review');
    expect((await get(c))!.status).to.equal('canceled');
    expect((await get(d))!.status).to.equal('done');
    // GitHub's docs list `duplicate` among the reasons: closed as a duplicate was not done.
    expect((await get(e))!.status).to.equal('canceled');
    expect((await get(parent))!.issue_type).to.equal('epic');
  });

  it('transitions with state, state_reason and status labels, keeping other labels', async () => {
    r = await rig();
    const n = r.server.seedIssue({title: 'T', labels: ['ui', 'priority: 2']});
    const ref = {system: 'github', workspace: r.server.workspace, id: String(n), key: null, url: null};
    await r.connector.transitionIssue(ref, 'in_review');
    expect((r.server.issue(n)!.labels as {name: string}[]).map((l) => l.name)).to.have.members([
      'ui',
      'priority: 2',
      'status: in review',
    ]);
    await r.connector.transitionIssue(ref, 'canceled');
    expect(r.server.issue(n)).to.include({state: 'closed', state_reason: 'not_planned'});
    expect((r.server.issue(n)!.labels as {name: string}[]).map((l) => l.name)).to.have.members([
      'ui',
      'priority: 2',
    ]);
    const patches = r.server
      .requestsTo('PATCH', `/repos/${r.server.workspace}/issues/${n}`)
      .map((q) => q.body);
    expect(patches).to.deep.equal([
      {labels: ['priority: 2', 'status: in review', 'ui']},
      {state: 'closed', state_reason: 'not_planned', labels: ['priority: 2', 'ui']},
    ]);
    // Transitioning to the status it already has sends nothing.
    await r.connector.transitionIssue(ref, 'canceled');
    expect(r.server.requestsTo('PATCH', /issues/)).to.have.length(2);
  });

  it('leaves an issue closed as a duplicate alone when asked to cancel it', async () => {
    r = await rig();
    const n = r.server.seedIssue({title: 'dup', state: 'closed', state_reason: 'duplicate'});
    const ref = {system: 'github', workspace: r.server.workspace, id: String(n), key: null, url: null};
    expect((await r.connector.transitionIssue(ref, 'canceled')).status).to.equal('canceled');
    expect(r.server.requestsTo('PATCH', /issues/)).to.have.length(0);
    await r.connector.transitionIssue(ref, 'done');
    expect(r.server.issue(n)).to.include({state: 'closed', state_reason: 'completed'});
  });

  it('creates with the hidden marker and finds it through search, sending only documented fields', async () => {
    r = await rig();
    const draft = createIssue({
      ref: {system: 'github', workspace: r.server.workspace, id: 'draft-1'},
      title: 'New',
      body: 'Body',
      labels: ['x'],
      assignees: ['octocat'],
      priority: 0,
      status: 'done',
    });
    const created = await r.connector.createIssue(draft, {idempotencyKey: '01JABCDEF'});
    expect(created.status).to.equal('done');
    expect(created.priority).to.equal(0);
    const post = r.server.requestsTo('POST', `/repos/${r.server.workspace}/issues`)[0];
    expect(post.body).to.deep.equal({
      title: 'New',
      body: 'Body\n\n<!-- spec-kitty:idempotency=01JABCDEF -->',
      labels: ['priority: 0', 'x'],
      assignees: ['octocat'],
    });
    const found = await r.connector.findByIdempotencyKey('01JABCDEF');
    expect(found!.ref.id).to.equal(created.ref.id);
    const search = r.server.requestsTo('GET', '/search/issues')[0];
    expect(search.query.q).to.equal(
      `repo:${r.server.workspace} is:issue in:body "spec-kitty:idempotency=01JABCDEF"`,
    );
  });

  it('reports a bad token naming GitHub, the server and what to do, without the token, and writes nothing', async () => {
    r = await rig({token: 'ghp_WRONGwrongWRONGwrong123'});
    let error: ConnectorRequestError | undefined;
    try {
      await r.connector.createIssue(
        createIssue({ref: {system: 'github', workspace: r.server.workspace, id: 'draft-x'}, title: 'x'}),
        {idempotencyKey: 'k'},
      );
    } catch (e) {
      error = e as ConnectorRequestError;
    }
    expect(error).to.be.instanceOf(ConnectorRequestError);
    expect(error!.failureClass).to.equal('authentication');
    expect(error!.message)
      .to.include('GitHub')
      .and.include(r.server.url)
      .and.include('GITHUB_TOKEN or the credentials file')
      .and.include('Bad credentials');
    const everything = JSON.stringify({m: error!.message, h: error!.hint, e: r.events, s: error!.stack});
    expect(everything).to.not.include('ghp_WRONGwrongWRONGwrong123');
    expect(r.server.issueCount).to.equal(0);
    expect(r.server.requests).to.have.length(1);
  });

  it('waits for the primary reset on 403 + x-ratelimit-remaining: 0, and 60 s on a bare secondary limit', async () => {
    r = await rig();
    r.server.seedIssue({title: 'one'});
    const reset = Date.parse('2026-03-01T00:05:00Z') / 1000;
    r.server.script({on: 1, respond: FakeGitHubServer.rateLimited(reset)});
    r.server.script({on: 2, respond: FakeGitHubServer.secondaryRateLimited(null)});
    const page = await r.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    expect(page.items).to.have.length(1);
    expect(r.clock.sleeps).to.deep.equal([301_000, 60_000]);
  });

  it('treats a plain 403 as a permission error, and a 422 from the fake as validation', async () => {
    r = await rig();
    r.server.script({
      on: 1,
      respond: {
        status: 403,
        json: {message: 'Resource not accessible by personal access token', documentation_url: 'x'},
      },
    });
    let error: ConnectorRequestError | undefined;
    try {
      await r.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    } catch (e) {
      error = e as ConnectorRequestError;
    }
    expect(error!.failureClass).to.equal('permission');
    expect(error!.message).to.include('Issues read/write access');
    const n = r.server.seedIssue({title: 'a'});
    try {
      await r.connector.updateIssue(
        {system: 'github', workspace: r.server.workspace, id: String(n), key: null, url: null},
        {assignees: ['nobody-here']},
        {idempotencyKey: 'k'},
      );
      expect.fail('expected a validation error');
    } catch (e) {
      expect((e as ConnectorRequestError).failureClass).to.equal('validation');
      expect((e as Error).message).to.include('nobody-here is not a valid assignee');
    }
  });

  it('keeps the marker through a body update and refuses fields it cannot write', async () => {
    r = await rig();
    const created = await r.connector.createIssue(
      createIssue({
        ref: {system: 'github', workspace: r.server.workspace, id: 'draft-2'},
        title: 'M',
        body: 'old',
      }),
      {idempotencyKey: 'KEEP1'},
    );
    await r.connector.updateIssue(created.ref, {body: 'new'}, {idempotencyKey: 'x'});
    expect(r.server.issue(Number(created.ref.id))!.body).to.equal(
      'new\n\n<!-- spec-kitty:idempotency=KEEP1 -->',
    );
    try {
      await r.connector.updateIssue(created.ref, {issue_type: 'bug'}, {idempotencyKey: 'x'});
      expect.fail('expected CapabilityNotSupportedError');
    } catch (e) {
      expect((e as Error).name).to.equal('CapabilityNotSupportedError');
    }
  });
});
