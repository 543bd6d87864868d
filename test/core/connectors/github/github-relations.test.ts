import {expect} from 'chai';

import {ManualClock, type ExternalRef, type TrackerConnector} from '../../../../src/core/index.js';
import {connectorModule} from '../../../../src/core/connectors/github/index.js';
import {FakeGitHubServer} from '../../../fakes/github/index.js';
import {issueId} from '../../../fakes/github/fake-github-server.js';
import {listAll} from '../../../conformance/connector-conformance.js';
import {GITHUB_OPENAPI, objectViolations, requestViolations} from './openapi-contract.js';

interface Rig {
  server: FakeGitHubServer;
  connector: TrackerConnector;
  ref(n: number): ExternalRef;
  fresh(): TrackerConnector;
}

async function rig(): Promise<Rig> {
  const server = await FakeGitHubServer.start({limits: 'off'});
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const fresh = (): TrackerConnector =>
    connectorModule.create({
      workspace: server.workspace,
      serverUrl: server.url,
      credentials: {token: server.token},
      options: {},
      runtime: {clock, sleep: clock.sleep, random: () => 0.5, pacing: 'off'},
    });
  const ref = (n: number): ExternalRef => ({
    system: 'github',
    workspace: server.workspace,
    id: String(n),
    key: `#${n}`,
    url: null,
  });
  return {server, connector: fresh(), ref, fresh};
}

async function call(
  server: FakeGitHubServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{status: number; json: Record<string, unknown>}> {
  const response = await fetch(`${server.url}/repos/${server.workspace}${path}`, {
    method,
    headers: {authorization: `Bearer ${server.token}`, 'content-type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {status: response.status, json: (await response.json()) as Record<string, unknown>};
}

describe('github connector: dependencies and sub-issues', () => {
  let r: Rig;
  afterEach(async () => {
    const violations = r?.server.requests.flatMap((request) => requestViolations(request)) ?? [];
    await r?.server.close();
    expect(violations).to.deep.equal([]);
  });

  it('claims links, link removal and hierarchy', async () => {
    r = await rig();
    expect(r.connector.capabilities()).to.include({links: true, link_removal: true, hierarchy: true});
    expect(r.connector.capabilities().writable_fields).to.include.members(['parent', 'links']);
  });

  it('writes "A blocks B" as B blocked by A with A\'s database id, once; a duplicate 422 counts as done', async () => {
    r = await rig();
    const a = r.server.seedIssue({title: 'A'});
    const b = r.server.seedIssue({title: 'B'});
    await r.connector.upsertLink(r.ref(a), {type: 'blocks', target: r.ref(b)});
    const posts = r.server.requestsTo('POST', /\/dependencies\/blocked_by$/);
    expect(posts).to.have.length(1);
    expect(posts[0].path).to.equal(`/repos/${r.server.workspace}/issues/${b}/dependencies/blocked_by`);
    expect(posts[0].body).to.deep.equal({issue_id: issueId(a)});
    expect(r.server.blockedBy(b)).to.deep.equal([a]);
    // An interrupted earlier run wrote it already: a fresh connector's write is refused, then found.
    await r.fresh().upsertLink(r.ref(b), {type: 'blocked_by', target: r.ref(a)});
    expect(r.server.blockedBy(b)).to.deep.equal([a]);
    expect(r.server.requestsTo('GET', /\/dependencies\/blocked_by$/)).to.have.length(1);
  });

  it('refuses, with what GitHub said, a dependency GitHub rejects for another reason', async () => {
    r = await rig();
    const a = r.server.seedIssue({title: 'A'});
    try {
      await r.connector.upsertLink(r.ref(a), {type: 'blocks', target: r.ref(a)});
      expect.fail('expected a refusal');
    } catch (error) {
      expect((error as Error).message).to.match(
        /GitHub refused #1 blocked by #1: Validation Failed; An issue cannot block itself/,
      );
    }
  });

  it('uses database ids seen in listings, reading an issue only for an id never seen', async () => {
    r = await rig();
    const a = r.server.seedIssue({title: 'A'});
    const b = r.server.seedIssue({title: 'B'});
    const c = r.server.seedIssue({title: 'C'});
    await listAll(r.connector, null, 100);
    const before = r.server.requests.length;
    await r.connector.upsertLink(r.ref(b), {type: 'blocked_by', target: r.ref(a)});
    expect(r.server.requests.length - before, 'one write, no read').to.equal(1);
    const other = r.fresh();
    await other.upsertLink(r.ref(c), {type: 'blocked_by', target: r.ref(a)});
    expect(r.server.requestsTo('GET', `/repos/${r.server.workspace}/issues/${a}`)).to.have.length(1);
  });

  it('removes a dependency with DELETE .../blocked_by/{blocker id}; absent counts as done', async () => {
    r = await rig();
    const a = r.server.seedIssue({title: 'A'});
    const b = r.server.seedIssue({title: 'B', blocked_by: [a]});
    await r.connector.removeLink(r.ref(a), {type: 'blocks', target: r.ref(b)});
    expect(r.server.blockedBy(b)).to.deep.equal([]);
    expect(r.server.requestsTo('DELETE', /dependencies/).map((q) => q.path)).to.deep.equal([
      `/repos/${r.server.workspace}/issues/${b}/dependencies/blocked_by/${issueId(a)}`,
    ]);
    await r.connector.removeLink(r.ref(b), {type: 'blocked_by', target: r.ref(a)});
  });

  it("sets, keeps, moves and removes the parent through the sub-issue API with the child's database id", async () => {
    r = await rig();
    const epic = r.server.seedIssue({title: 'Epic'});
    const other = r.server.seedIssue({title: 'Other epic'});
    const child = r.server.seedIssue({title: 'Child'});
    const set = await r.connector.updateIssue(r.ref(child), {parent: r.ref(epic)}, {idempotencyKey: 'k'});
    expect(set.parent?.id).to.equal(String(epic));
    expect(r.server.requestsTo('POST', /sub_issues$/).map((q) => [q.path, q.body])).to.deep.equal([
      [`/repos/${r.server.workspace}/issues/${epic}/sub_issues`, {sub_issue_id: issueId(child)}],
    ]);
    await r.connector.updateIssue(r.ref(child), {parent: r.ref(epic)}, {idempotencyKey: 'k'});
    expect(r.server.requestsTo('POST', /sub_issues$/), 'the same parent again: no write').to.have.length(1);
    await r.connector.updateIssue(r.ref(child), {parent: r.ref(other)}, {idempotencyKey: 'k'});
    expect(r.server.requestsTo('POST', /sub_issues$/)[1].body).to.deep.equal({
      sub_issue_id: issueId(child),
      replace_parent: true,
    });
    expect(r.server.subIssuesOf(other)).to.deep.equal([child]);
    const removed = await r.connector.updateIssue(r.ref(child), {parent: null}, {idempotencyKey: 'k'});
    expect(removed.parent).to.equal(null);
    expect(r.server.requestsTo('DELETE', /sub_issue$/)[0].body).to.deep.equal({sub_issue_id: issueId(child)});
  });

  it('creates an issue under its parent, and never makes a pull request a sub-issue', async () => {
    r = await rig();
    const epic = r.server.seedIssue({title: 'Epic'});
    const pr = r.server.seedIssue({title: 'A PR', pull_request: true});
    const {createIssue} = await import('../../../../src/core/index.js');
    const created = await r.connector.createIssue(
      createIssue({
        ref: {system: 'github', workspace: r.server.workspace, id: 'draft-1'},
        title: 'WP01',
        parent: r.ref(epic),
      }),
      {idempotencyKey: 'K1'},
    );
    expect(created.parent?.id).to.equal(String(epic));
    expect(r.server.subIssuesOf(epic)).to.deep.equal([Number(created.ref.id)]);
    const writes = r.server.requests.filter((q) => q.method !== 'GET').length;
    try {
      await r.connector.upsertLink(r.ref(pr), {type: 'child_of', target: r.ref(epic)});
      expect.fail('a pull request must not become a sub-issue');
    } catch (error) {
      expect((error as Error).message).to.match(/no issue #2/);
    }
    expect(r.server.requests.filter((q) => q.method !== 'GET').length).to.equal(writes);
  });

  it('reads no issue it created this run: before and after its parent and dependencies, the run knows it', async () => {
    r = await rig();
    const {createIssue} = await import('../../../../src/core/index.js');
    const draft = (id: string, title: string) =>
      createIssue({ref: {system: 'github', workspace: r.server.workspace, id}, title});
    const epic = await r.connector.createIssue(draft('d-epic', 'Epic'), {idempotencyKey: 'K-E'});
    const one = await r.connector.createIssue(draft('d-1', 'WP01'), {idempotencyKey: 'K-1'});
    const two = await r.connector.createIssue(draft('d-2', 'WP02'), {idempotencyKey: 'K-2'});
    const before = r.server.requests.length;
    // What the engine does for each: load it, write its parent and links, read it back.
    expect((await r.connector.getIssue(one.ref))?.links).to.deep.equal([]);
    await r.connector.updateIssue(one.ref, {parent: epic.ref}, {idempotencyKey: 'U-1'});
    await r.connector.upsertLink(one.ref, {type: 'blocks', target: two.ref});
    await r.connector.upsertLink(two.ref, {type: 'child_of', target: epic.ref});
    const back = (await r.connector.getIssue(one.ref))!;
    const sent = r.server.requests
      .slice(before)
      .map((q) => `${q.method} ${q.path.replace(/.*issues\//, '')}`);
    expect(sent).to.deep.equal([
      `POST ${epic.ref.id}/sub_issues`,
      `POST ${two.ref.id}/dependencies/blocked_by`,
      `POST ${epic.ref.id}/sub_issues`,
    ]);
    // The state it answers is GitHub's.
    expect(back.parent?.id).to.equal(epic.ref.id);
    expect(back.links.map((l) => `${l.type} ${l.target.id}`)).to.deep.equal([`blocks ${two.ref.id}`]);
    const twoBack = (await r.connector.getIssue(two.ref))!;
    expect(twoBack.links.map((l) => `${l.type} ${l.target.id}`)).to.deep.equal([`blocked_by ${one.ref.id}`]);
    expect(twoBack.parent?.id).to.equal(epic.ref.id);
    expect(r.server.subIssuesOf(Number(epic.ref.id)).sort()).to.deep.equal(
      [Number(one.ref.id), Number(two.ref.id)].sort(),
    );
    expect(r.server.blockedBy(Number(two.ref.id))).to.deep.equal([Number(one.ref.id)]);
    // Once GitHub has listed the issue, it is read like any other (someone may have changed it).
    r.server.remoteEdit(Number(one.ref.id), {title: 'WP01 renamed'});
    await listAll(r.connector, null, 100);
    const reads = r.server.requests.length;
    expect((await r.connector.getIssue(one.ref))?.title).to.equal('WP01 renamed');
    expect(r.server.requests.length).to.be.greaterThan(reads);
  });

  it('reads the graph on pull, asking for dependency lists only where the summary counts some', async () => {
    r = await rig();
    const numbers = r.server.seedRealisticIssues(300, {prEvery: 0});
    const [a, b, c] = numbers;
    r.server.remoteEdit(b, {blockedBy: [a]});
    r.server.remoteEdit(c, {blockedBy: [a, b], parent: a});
    const before = r.server.requests.length;
    const issues = await listAll(r.connector, null, 100);
    const byId = new Map(issues.map((i) => [i.ref.id, i]));
    const lists = r.server.requests.slice(before).filter((q) => q.path.includes('/dependencies/'));
    // a: blocking; b: blocked_by and blocking; c: blocked_by. 297 issues without relations: none.
    expect(lists.map((q) => q.path.replace(/.*issues\//, '')).sort()).to.deep.equal(
      [
        `${a}/dependencies/blocking`,
        `${b}/dependencies/blocked_by`,
        `${b}/dependencies/blocking`,
        `${c}/dependencies/blocked_by`,
      ].sort(),
    );
    const listings = r.server.requests.slice(before).filter((q) => q.path.endsWith('/issues'));
    expect(r.server.requests.length - before, 'the listing and four dependency lists').to.equal(
      listings.length + 4,
    );
    const linkKeys = (id: number) =>
      byId
        .get(String(id))!
        .links.map((l) => `${l.type} ${l.target.id}`)
        .sort();
    expect(linkKeys(a)).to.deep.equal([`blocks ${b}`, `blocks ${c}`]);
    expect(linkKeys(b)).to.deep.equal([`blocked_by ${a}`, `blocks ${c}`]);
    expect(linkKeys(c)).to.deep.equal([`blocked_by ${a}`, `blocked_by ${b}`]);
    expect(byId.get(String(c))!.parent?.id).to.equal(String(a));
  });
});

describe('fake GitHub: relations as GitHub documents them', () => {
  let server: FakeGitHubServer;
  afterEach(async () => server?.close());

  it('takes database ids, not numbers, and answers a duplicate or a self-dependency with 422', async () => {
    server = await FakeGitHubServer.start({limits: 'off'});
    const a = server.seedIssue({title: 'A'});
    const b = server.seedIssue({title: 'B'});
    expect(
      (await call(server, 'POST', `/issues/${b}/dependencies/blocked_by`, {issue_id: a})).status,
    ).to.equal(404);
    expect(
      (await call(server, 'POST', `/issues/${b}/dependencies/blocked_by`, {issue_id: String(issueId(a))}))
        .status,
    ).to.equal(422);
    expect(
      (await call(server, 'POST', `/issues/${b}/dependencies/blocked_by`, {issue_id: issueId(a)})).status,
    ).to.equal(201);
    expect(
      (await call(server, 'POST', `/issues/${b}/dependencies/blocked_by`, {issue_id: issueId(a)})).status,
    ).to.equal(422);
    expect(
      (await call(server, 'POST', `/issues/${a}/dependencies/blocked_by`, {issue_id: issueId(a)})).status,
    ).to.equal(422);
    expect((await call(server, 'DELETE', `/issues/${b}/dependencies/blocked_by/${a}`)).status).to.equal(404);
  });

  it('keeps one parent (422 unless replace_parent), 100 sub-issues with closed ones counted, no pull request', async () => {
    server = await FakeGitHubServer.start({limits: 'off'});
    const parent = server.seedIssue({title: 'Parent'});
    const other = server.seedIssue({title: 'Other'});
    const pr = server.seedIssue({title: 'PR', pull_request: true});
    const add = (p: number, child: number, extra: object = {}) =>
      call(server, 'POST', `/issues/${p}/sub_issues`, {sub_issue_id: issueId(child), ...extra});
    expect((await add(parent, pr)).status).to.equal(422);
    const children: number[] = [];
    for (let i = 0; i < 100; i++)
      children.push(server.seedIssue({title: `C${i}`, state: i % 2 ? 'closed' : 'open'}));
    for (const child of children) expect((await add(parent, child)).status).to.equal(201);
    const extra = server.seedIssue({title: 'one too many'});
    const full = await add(parent, extra);
    expect(full.status).to.equal(422);
    expect(JSON.stringify(full.json)).to.match(/more than 100 sub-issues/);
    expect((await add(parent, children[0])).status, 'a duplicate').to.equal(422);
    expect((await add(other, children[0])).status, 'a second parent').to.equal(422);
    expect((await add(other, children[0], {replace_parent: true})).status).to.equal(201);
    const json = server.issue(parent)!;
    expect(json.sub_issues_summary).to.deep.equal({total: 99, completed: 50, percent_completed: 50});
  });

  it("shapes parent_issue_url and the two summaries as GitHub's OpenAPI description does", async () => {
    server = await FakeGitHubServer.start({limits: 'off'});
    const a = server.seedIssue({title: 'A'});
    const b = server.seedIssue({title: 'B', parent: a, blocked_by: [a]});
    server.seedIssue({title: 'C', state: 'closed', blocked_by: [b]});
    for (const n of [1, 2, 3]) {
      const json = server.issue(n)!;
      const schema = GITHUB_OPENAPI.issue;
      const subset = Object.fromEntries(Object.keys(schema.properties).map((k) => [k, json[k]]));
      expect(
        objectViolations(
          subset,
          {types: ['object'], properties: schema.properties, required: Object.keys(schema.properties)},
          `#${n}`,
        ),
      ).to.deep.equal([]);
    }
    expect(server.issue(b)!.issue_dependencies_summary).to.deep.equal({
      blocked_by: 1,
      blocking: 0,
      total_blocked_by: 1,
      total_blocking: 1,
    });
    expect(server.issue(b)!.parent_issue_url).to.match(new RegExp(`/repos/${server.workspace}/issues/${a}$`));
  });

  it('counts relation writes against the secondary rate limit', async () => {
    server = await FakeGitHubServer.start({
      limits: {writesPerMinute: 2},
      now: () => new Date('2026-03-01T00:00:00Z'),
    });
    const a = server.seedIssue({title: 'A'});
    const b = server.seedIssue({title: 'B'});
    const c = server.seedIssue({title: 'C'});
    expect(
      (await call(server, 'POST', `/issues/${b}/dependencies/blocked_by`, {issue_id: issueId(a)})).status,
    ).to.equal(201);
    expect(
      (await call(server, 'POST', `/issues/${a}/sub_issues`, {sub_issue_id: issueId(c)})).status,
    ).to.equal(201);
    expect(
      (await call(server, 'DELETE', `/issues/${b}/dependencies/blocked_by/${issueId(a)}`)).status,
    ).to.equal(403);
    expect(server.limits.refused.secondary).to.equal(1);
  });

  it('the contract check catches a request GitHub does not document', () => {
    const bad = {
      index: 1,
      method: 'POST',
      path: '/repos/o/r/issues/3/dependencies/blocked_by',
      query: {},
      headers: {},
      body: {issue_number: 3},
      authScheme: 'bearer',
    };
    expect(requestViolations(bad)).to.deep.equal([
      "POST /repos/o/r/issues/3/dependencies/blocked_by: 'issue_number' is not a documented property",
      "POST /repos/o/r/issues/3/dependencies/blocked_by: required 'issue_id' is missing",
    ]);
    expect(requestViolations({...bad, method: 'PUT', body: null})).to.have.length(1);
  });
});
