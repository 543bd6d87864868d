import {expect} from 'chai';

import {
  ConnectorRequestError,
  ManualClock,
  createIssue,
  type RuntimeEvent,
  type TrackerConnector,
} from '../../../../src/core/index.js';
import {connectorModule} from '../../../../src/core/connectors/github/index.js';
import {FakeGitHubServer} from '../../../../src/fakes/github/index.js';
import {listAll, runConnectorConformance} from '../../../conformance/connector-conformance.js';

interface Rig {
  server: FakeGitHubServer;
  connector: TrackerConnector;
  clock: ManualClock;
  events: RuntimeEvent[];
}

async function rig(options: {token?: string; statusLabels?: Record<string, string>} = {}): Promise<Rig> {
  const server = await FakeGitHubServer.start();
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const events: RuntimeEvent[] = [];
  const connector = connectorModule.create({
    workspace: server.workspace,
    serverUrl: server.url,
    credentials: {token: options.token ?? server.token},
    options: options.statusLabels ? {status_labels: options.statusLabels} : {},
    runtime: {clock, sleep: clock.sleep, random: () => 0.5, onEvent: (e) => events.push(e)},
  });
  return {server, connector, clock, events};
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
    close: () => server.close(),
  };
});

describe('github connector', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.server.close();
  });

  it('pulls 1,000 issues over 10 pages through one 429 (Retry-After: 2): one wait, no page twice', async () => {
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
    const pages = r.server.requests.map((q) => q.query.page ?? '1');
    expect(pages).to.deep.equal(['1', '2', '3', '4', '5', '5', '6', '7', '8', '9', '10']);
    expect(r.server.requests[4].index).to.equal(5); // the rate-limited one, repeated once after the wait
  });

  it('lists with only the documented parameters and headers, following Link, dropping pull requests', async () => {
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
    // Later pages follow the Link header (GitHub's own /repositories/{id}/issues form).
    expect(r.server.requests[1].path).to.match(/^\/repositories\/\d+\/issues$/);
    // Seeded minute by minute: since 00:10 inclusive -> items 11..30, minus every 3rd (PRs).
    const expected = Array.from({length: 20}, (_, k) => k + 11)
      .filter((n) => n % 3 !== 0)
      .map(String);
    expect(issues.map((i) => i.ref.id)).to.deep.equal(expected);
    expect(issues.every((i) => i.raw && !('pull_request' in i.raw))).to.equal(true);
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
      await r.connector.updateIssue(created.ref, {links: []}, {idempotencyKey: 'x'});
      expect.fail('expected CapabilityNotSupportedError');
    } catch (e) {
      expect((e as Error).name).to.equal('CapabilityNotSupportedError');
    }
  });
});
