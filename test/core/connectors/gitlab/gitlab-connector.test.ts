import {expect} from 'chai';

import {
  ConnectorRequestError,
  ManualClock,
  createIssue,
  type CanonicalIssue,
  type Page,
  type RuntimeEvent,
  type TrackerConnector,
} from '../../../../src/core/index.js';
import {connectorModule} from '../../../../src/core/connectors/gitlab/index.js';
import {FakeGitLabServer} from '../../../fakes/gitlab/index.js';
import {listAll, runConnectorConformance} from '../../../conformance/connector-conformance.js';

interface Rig {
  server: FakeGitLabServer;
  connector: TrackerConnector;
  makeConnector: () => TrackerConnector;
  clock: ManualClock;
  events: RuntimeEvent[];
}

async function rig(
  options: {
    token?: string;
    workspace?: string;
    authHeader?: 'bearer';
    now?: string;
    linkHeader?: boolean;
    /** The binding option issue_links (default on); paging tests turn it off to count list requests. */
    issueLinks?: 'on' | 'off';
    tier?: 'free' | 'premium';
  } = {},
): Promise<Rig> {
  const server = await FakeGitLabServer.start({
    ...(options.now === undefined ? {} : {now: () => new Date(options.now!)}),
    ...(options.linkHeader === undefined ? {} : {linkHeader: options.linkHeader}),
    ...(options.tier === undefined ? {} : {tier: options.tier}),
  });
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const events: RuntimeEvent[] = [];
  const makeConnector = (): TrackerConnector =>
    connectorModule.create({
      workspace: options.workspace ?? server.projectPath,
      serverUrl: server.url,
      credentials: {token: options.token ?? server.token},
      options: {
        ...(options.authHeader ? {auth_header: options.authHeader} : {}),
        ...(options.issueLinks ? {issue_links: options.issueLinks} : {}),
      },
      runtime: {clock, sleep: clock.sleep, random: () => 0.5, onEvent: (e) => events.push(e)},
    });
  return {server, connector: makeConnector(), makeConnector, clock, events};
}

runConnectorConformance('gitlab', async () => {
  const {server, connector} = await rig();
  return {
    connector,
    seedIssue: (seed) =>
      String(
        server.seedIssue({
          title: seed.title,
          description: seed.body ?? null,
          labels: seed.labels,
          state: seed.closed ? 'closed' : 'opened',
        }),
      ),
    commentsOf: (id) => server.notesOf(Number(id)),
    close: () => server.close(),
  };
});

describe('gitlab connector', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.server.close();
  });

  it('pulls 1,000 issues 100 a page through one 429 (Retry-After: 2): one wait, no request twice', async () => {
    r = await rig({issueLinks: 'off'});
    r.server.seedRealisticIssues(1000);
    r.server.script({on: 6, respond: FakeGitLabServer.rateLimited(2)});
    const issues = await listAll(r.connector, null, 100, 20);
    expect(issues).to.have.length(1000);
    expect(new Set(issues.map((i) => i.ref.id)).size).to.equal(1000);
    expect(r.clock.sleeps).to.deep.equal([2000]);
    // Each page restarts at the last item's updated_at (inclusive): 11 pages of which only the
    // rate-limited one is requested twice.
    const asked = r.server.requests.map((q) => `${String(q.query.updated_after)}|${String(q.query.page)}`);
    expect(asked).to.have.length(12);
    expect(asked[5]).to.equal(asked[6]);
    expect(new Set(asked).size).to.equal(11);
    expect(r.server.requests.every((q) => q.query.page === '1')).to.equal(true);
  });

  it('does not skip an issue when one on a fetched page is updated before the next page', async () => {
    r = await rig({now: '2026-02-01T00:00:00.000Z'});
    r.server.seedRealisticIssues(10);
    r.server.beforeListRequest(2, () => r.server.remoteEdit(2, {title: 'edited meanwhile'}));
    const issues = await listAll(r.connector, null, 4);
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
      '2',
    ]);
    expect(issues.at(-1)!.title).to.equal('edited meanwhile');
  });

  it('pages with X-Next-Page when the server sends no Link header', async () => {
    r = await rig({linkHeader: false, issueLinks: 'off'});
    r.server.seedRealisticIssues(12);
    const raw = await fetch(`${r.server.url}/api/v4/projects/278964/issues?per_page=5`, {
      headers: {'private-token': r.server.token},
    });
    expect(raw.headers.get('link')).to.equal(null);
    expect(raw.headers.get('x-next-page')).to.equal('2');
    const before = r.server.requests.length;
    const all = await listAll(r.connector, null, 5);
    expect(all.map((i) => i.ref.id)).to.deep.equal(Array.from({length: 12}, (_, k) => String(k + 1)));
    // 1-5, then 5-9 and 9-12 restarting at the last updated_at; the last answer has no next page.
    expect(r.server.requests.length - before).to.equal(3);
  });

  it('pages within a millisecond a whole page shares, and resumes from a saved cursor', async () => {
    r = await rig({issueLinks: 'off'});
    for (let n = 1; n <= 7; n++)
      r.server.seedIssue({title: `bulk ${n}`, updated_at: '2025-06-01T12:00:00.000Z'});
    r.server.seedIssue({title: 'later', updated_at: '2025-06-01T12:00:00.001Z'});
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      // A new connector per page: a restart between pages, from the cursor a checkpoint keeps.
      const result: Page<CanonicalIssue> = await r
        .makeConnector()
        .listIssues({updated_since: null, cursor, limit: 3});
      ids.push(...result.items.map((i) => i.ref.id));
      cursor = result.next_cursor;
      if (cursor === null) break;
    }
    expect(cursor).to.equal(null);
    expect(ids).to.deep.equal(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(
      r.server.requests.map((q) => `${String(q.query.updated_after)}|${String(q.query.page)}`),
    ).to.deep.equal(['undefined|1', '2025-06-01T12:00:00.000Z|2', '2025-06-01T12:00:00.000Z|3']);
  });

  it('backs off on a 429 without any rate-limit header', async () => {
    r = await rig();
    r.server.seedIssue({title: 'a'});
    r.server.script({on: 1, respond: FakeGitLabServer.rateLimited(null)});
    await r.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    expect(r.clock.sleeps).to.deep.equal([500]); // full jitter, random() = 0.5 of the 1 s ceiling
  });

  it('lists with only the documented parameters, the encoded project path and PRIVATE-TOKEN', async () => {
    r = await rig();
    r.server.seedRealisticIssues(12);
    const since = '2025-01-01T00:05:00.000Z';
    const issues = await listAll(r.connector, since, 5);
    const first = r.server.requests[0];
    expect(first.path).to.equal('/api/v4/projects/octo-group%2Focto-project/issues');
    expect(first.query).to.deep.equal({
      updated_after: since,
      order_by: 'updated_at',
      sort: 'asc',
      per_page: '5',
      page: '1',
    });
    expect(first.authScheme).to.equal('private-token');
    expect(first.headers).to.not.have.property('private-token');
    expect(issues.map((i) => i.ref.id)).to.deep.equal(['6', '7', '8', '9', '10', '11', '12']);
  });

  it('accepts a numeric project id and Bearer auth', async () => {
    r = await rig({workspace: '278964', authHeader: 'bearer'});
    r.server.seedIssue({title: 'x'});
    const page = await r.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    expect(page.items[0].ref.workspace).to.equal('278964');
    expect(r.server.requests[0].path).to.equal('/api/v4/projects/278964/issues');
    expect(r.server.requests[0].authScheme).to.equal('bearer');
  });

  it('maps opened/closed, status labels, the canceled label, priority, weight, milestone and type', async () => {
    r = await rig();
    const s = r.server;
    const a = s.seedIssue({
      title: 'a',
      labels: ['status::in progress', 'priority::1', 'backend'],
      assignees: ['bob'],
      weight: 3,
      milestone: 'v1.0',
      issue_type: 'incident',
    });
    const b = s.seedIssue({title: 'b', state: 'closed', labels: ['status::canceled']});
    const c = s.seedIssue({title: 'c', state: 'closed'});
    const get = (n: number) =>
      r.connector.getIssue({system: 'gitlab', workspace: s.projectPath, id: String(n), key: null, url: null});
    const ia = (await get(a))!;
    expect(ia).to.include({status: 'in_progress', priority: 1, issue_type: 'bug'});
    expect([...ia.labels]).to.deep.equal(['backend']);
    expect([...ia.assignees]).to.deep.equal(['bob']);
    expect(ia.custom_fields).to.deep.equal({milestone: 'v1.0', weight: 3});
    expect((await get(b))!.status).to.equal('canceled');
    expect((await get(c))!.status).to.equal('done');
  });

  it('writes assignees as assignee_ids after one user lookup, and labels as a comma string', async () => {
    r = await rig();
    const created = await r.connector.createIssue(
      createIssue({
        ref: {system: 'gitlab', workspace: r.server.projectPath, id: 'draft-1'},
        title: 'New',
        assignees: ['carol'],
        labels: ['x'],
        status: 'blocked',
      }),
      {idempotencyKey: 'K1'},
    );
    expect(created.status).to.equal('blocked');
    expect([...created.assignees]).to.deep.equal(['carol']);
    const post = r.server.requestsTo('POST', /\/issues$/)[0];
    expect(post.body).to.deep.equal({
      title: 'New',
      description: '<!-- spec-kitty:idempotency=K1 -->',
      labels: 'status::blocked,x',
      assignee_ids: [1002],
    });
    expect(r.server.requestsTo('GET', '/api/v4/users')[0].query).to.deep.equal({username: 'carol'});
    await r.connector.updateIssue(created.ref, {assignees: ['carol', 'alice']}, {idempotencyKey: 'x'});
    expect(r.server.requestsTo('GET', '/api/v4/users')).to.have.length(2); // carol cached
    try {
      await r.connector.updateIssue(created.ref, {assignees: ['nobody']}, {idempotencyKey: 'x'});
      expect.fail('expected a validation error');
    } catch (e) {
      expect((e as ConnectorRequestError).failureClass).to.equal('validation');
    }
  });

  it('closes with state_event and the canceled label, and reopens', async () => {
    r = await rig();
    const n = r.server.seedIssue({title: 't', labels: ['keep']});
    const ref = {system: 'gitlab', workspace: r.server.projectPath, id: String(n), key: null, url: null};
    await r.connector.transitionIssue(ref, 'canceled');
    await r.connector.transitionIssue(ref, 'todo');
    const puts = r.server.requestsTo('PUT', /\/issues\/\d+$/).map((q) => q.body);
    expect(puts).to.deep.equal([
      {labels: 'keep,status::canceled', state_event: 'close'},
      {labels: 'keep', state_event: 'reopen'},
    ]);
  });

  it('reports a bad token naming GitLab, the server and what to do, without the token', async () => {
    r = await rig({token: 'glpat-WRONGwrongWRONG'});
    let error: ConnectorRequestError | undefined;
    try {
      await r.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    } catch (e) {
      error = e as ConnectorRequestError;
    }
    expect(error!.failureClass).to.equal('authentication');
    expect(error!.message)
      .to.include('GitLab')
      .and.include(`${r.server.url}/api/v4`)
      .and.include('GITLAB_TOKEN or the credentials file');
    expect(JSON.stringify({m: error!.message, h: error!.hint, e: r.events})).to.not.include(
      'glpat-WRONGwrongWRONG',
    );
  });

  it('says the project is missing rather than the issue when the project is unknown', async () => {
    r = await rig({workspace: 'nope/nothing'});
    try {
      await r.connector.getIssue({
        system: 'gitlab',
        workspace: 'nope/nothing',
        id: '1',
        key: null,
        url: null,
      });
      expect.fail('expected not_found');
    } catch (e) {
      expect((e as ConnectorRequestError).failureClass).to.equal('not_found');
      expect((e as Error).message).to.include('no project nope/nothing');
    }
  });
});
