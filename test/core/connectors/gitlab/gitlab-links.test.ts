import {expect} from 'chai';

import {
  CapabilityNotSupportedError,
  ConnectorRequestError,
  ManualClock,
  createIssue,
  type CanonicalLink,
  type ExternalRef,
  type RuntimeEvent,
  type TrackerConnector,
} from '../../../../src/core/index.js';
import {connectorModule} from '../../../../src/core/connectors/gitlab/index.js';
import {FakeGitLabServer} from '../../../fakes/gitlab/index.js';
import {listAll} from '../../../conformance/connector-conformance.js';

interface Rig {
  server: FakeGitLabServer;
  connector: TrackerConnector;
  events: RuntimeEvent[];
  ref: (iid: number) => ExternalRef;
}

async function rig(tier: 'free' | 'premium', options: Record<string, string> = {}): Promise<Rig> {
  const server = await FakeGitLabServer.start({tier});
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const events: RuntimeEvent[] = [];
  const connector = connectorModule.create({
    workspace: server.projectPath,
    serverUrl: server.url,
    credentials: {token: server.token},
    options,
    runtime: {clock, sleep: clock.sleep, random: () => 0.5, onEvent: (e) => events.push(e)},
  });
  for (let n = 1; n <= 4; n++) server.seedIssue({title: `WP0${n}`});
  const ref = (iid: number): ExternalRef => ({
    system: 'gitlab',
    workspace: server.projectPath,
    id: String(iid),
    key: `#${iid}`,
    url: null,
  });
  return {server, connector, events, ref};
}

const linksOf = (r: Rig) => r.server.links.all().map((l) => `${l.source} ${l.type} ${l.target}`);
const posts = (r: Rig) => r.server.requestsTo('POST', /\/links$/).length;
const shown = (links: readonly CanonicalLink[]) => links.map((l) => `${l.type} ${l.target.id}`);

describe('gitlab issue links', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.server.close();
  });

  it('writes a dependency as a blocks link on Premium (one POST) and pull reads both directions back', async () => {
    r = await rig('premium');
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    await r.connector.upsertLink(r.ref(3), {type: 'blocked_by', target: r.ref(2)});
    expect(linksOf(r)).to.deep.equal(['1 blocks 2', '2 blocks 3']);
    expect(posts(r)).to.equal(2);
    expect(r.server.requestsTo('POST', /\/links$/).map((q) => q.body)).to.deep.equal([
      {target_project_id: r.server.projectPath, target_issue_iid: '2', link_type: 'blocks'},
      {target_project_id: r.server.projectPath, target_issue_iid: '3', link_type: 'blocks'},
    ]);
    const pulled = new Map((await listAll(r.connector, null, 100)).map((i) => [i.ref.id, shown(i.links)]));
    expect(pulled.get('1')).to.deep.equal(['blocks 2']);
    expect(pulled.get('2')).to.deep.equal(['blocked_by 1', 'blocks 3']);
    expect(pulled.get('3')).to.deep.equal(['blocked_by 2']);
    expect(pulled.get('4')).to.deep.equal([]);
    expect(shown((await r.connector.getIssue(r.ref(2)))!.links)).to.deep.equal(['blocked_by 1', 'blocks 3']);
    expect(r.events.filter((e) => e.type === 'notice')).to.deep.equal([]);
  });

  it('converges on a relation already there: a second upsert reads and writes nothing', async () => {
    r = await rig('premium');
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    await r.connector.upsertLink(r.ref(2), {type: 'blocked_by', target: r.ref(1)});
    expect(posts(r)).to.equal(1);
    expect(linksOf(r)).to.deep.equal(['1 blocks 2']);
  });

  it('takes a 409 (linked meanwhile by someone else) as done', async () => {
    r = await rig('premium');
    // The pair gets linked between the connector's look and its write.
    r.server.script({
      on: (q) => q.method === 'POST' && q.path.endsWith('/links'),
      respond: {status: 409, json: {message: 'Issue(s) already assigned'}},
    });
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    expect(posts(r)).to.equal(1);
  });

  it('on the Free tier writes relates_to after the licence refusal, says so once, and converges', async () => {
    r = await rig('free');
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    await r.connector.upsertLink(r.ref(2), {type: 'blocks', target: r.ref(3)});
    expect(linksOf(r)).to.deep.equal(['1 relates_to 2', '2 relates_to 3']);
    // The refusal is met once: the second dependency goes straight to relates_to.
    expect(
      r.server.requestsTo('POST', /\/links$/).map((q) => (q.body as {link_type: string}).link_type),
    ).to.deep.equal(['blocks', 'relates_to', 'relates_to']);
    const notices = r.events.filter((e) => e.type === 'notice');
    expect(notices).to.have.length(1);
    expect((notices[0] as {message: string}).message).to.match(/relates to/);
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    expect(posts(r)).to.equal(3);
    // Removing the dependency removes the relates_to written for it.
    await r.connector.removeLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    expect(linksOf(r)).to.deep.equal(['2 relates_to 3']);
  });

  it('removes a link with one DELETE, and does nothing when it is absent', async () => {
    r = await rig('premium');
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    await r.connector.upsertLink(r.ref(1), {type: 'relates_to', target: r.ref(3)});
    await r.connector.removeLink(r.ref(2), {type: 'blocked_by', target: r.ref(1)});
    expect(linksOf(r)).to.deep.equal(['1 relates_to 3']);
    await r.connector.removeLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    // A relation of another type between the pair is not the one asked for.
    await r.connector.removeLink(r.ref(1), {type: 'blocks', target: r.ref(3)});
    expect(linksOf(r)).to.deep.equal(['1 relates_to 3']);
    expect(r.server.requestsTo('DELETE', /\/links\/\d+$/)).to.have.length(1);
  });

  it('updateIssue with links makes the issue links equal to the patch', async () => {
    r = await rig('premium');
    await r.connector.upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)});
    const updated = await r.connector.updateIssue(
      r.ref(1),
      {links: [{type: 'blocks', target: r.ref(3)}]},
      {idempotencyKey: 'k'},
    );
    expect(linksOf(r)).to.deep.equal(['1 blocks 3']);
    expect(shown(updated.links)).to.deep.equal(['blocks 3']);
  });

  it('creates an issue with its dependencies as links, and returns it with them', async () => {
    r = await rig('premium');
    const created = await r.connector.createIssue(
      createIssue({
        ref: {system: 'gitlab', workspace: r.server.projectPath, id: 'draft'},
        title: 'WP05',
        links: [{type: 'blocked_by', target: r.ref(1)}],
      }),
      {idempotencyKey: 'create:wp05'},
    );
    expect(linksOf(r)).to.deep.equal([`1 blocks ${created.ref.id}`]);
    expect(shown(created.links)).to.deep.equal(['blocked_by 1']);
  });

  it('refuses what GitLab issue links cannot hold, naming the reason', async () => {
    r = await rig('premium');
    for (const type of ['duplicates', 'parent_of', 'child_of'] as const) {
      const error = await r.connector.upsertLink(r.ref(1), {type, target: r.ref(2)}).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(CapabilityNotSupportedError);
    }
    await r.connector.upsertLink(r.ref(2), {type: 'blocks', target: r.ref(1)});
    // One link per pair: 1 cannot also block 2.
    const error = await r.connector
      .upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)})
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConnectorRequestError);
    expect((error as Error).message).to.match(/one link per pair/);
    expect(r.connector.capabilities()).to.include({links: true, link_removal: true, hierarchy: false});
  });

  it('with issue_links off claims no links and reads none on pull', async () => {
    r = await rig('premium', {issue_links: 'off'});
    expect(r.connector.capabilities()).to.include({links: false, link_removal: false});
    expect(r.connector.capabilities().writable_fields).to.not.include('links');
    await listAll(r.connector, null, 100);
    expect(r.server.requestsTo('GET', /\/links$/)).to.have.length(0);
    const error = await r.connector
      .upsertLink(r.ref(1), {type: 'blocks', target: r.ref(2)})
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CapabilityNotSupportedError);
  });
});

describe('fake GitLab issue links follow GitLab', () => {
  let server: FakeGitLabServer;
  afterEach(async () => {
    await server?.close();
  });

  async function post(iid: number, body: unknown): Promise<{status: number; json: unknown}> {
    const response = await fetch(`${server.url}/api/v4/projects/${server.projectId}/issues/${iid}/links`, {
      method: 'POST',
      headers: {'private-token': server.token, 'content-type': 'application/json'},
      body: JSON.stringify(body),
    });
    return {status: response.status, json: await response.json()};
  }

  it('refuses blocks on Free (403), a second link for a pair (409), a missing target (404)', async () => {
    server = await FakeGitLabServer.start({tier: 'free'});
    server.seedIssue({title: 'a'});
    server.seedIssue({title: 'b'});
    const target = {target_project_id: server.projectPath, target_issue_iid: 2};
    expect(await post(1, {...target, link_type: 'blocks'})).to.deep.equal({
      status: 403,
      json: {message: 'Blocked issues not available for current license'},
    });
    expect((await post(1, target)).status).to.equal(201);
    expect(await post(2, {target_project_id: server.projectPath, target_issue_iid: 1})).to.deep.equal({
      status: 409,
      json: {message: 'Issue(s) already assigned'},
    });
    expect((await post(1, {...target, target_issue_iid: 99})).status).to.equal(404);
    expect((await post(1, {...target, target_project_id: 'other/project'})).status).to.equal(404);
    expect((await post(1, {...target, link_type: 'duplicates'})).status).to.equal(400);
  });

  it('stores is_blocked_by as blocks from the other side (Premium)', async () => {
    server = await FakeGitLabServer.start({tier: 'premium'});
    server.seedIssue({title: 'a'});
    server.seedIssue({title: 'b'});
    const created = await post(1, {
      target_project_id: server.projectId,
      target_issue_iid: '2',
      link_type: 'is_blocked_by',
    });
    expect(created.status).to.equal(201);
    expect(server.links.all().map((l) => [l.source, l.type, l.target])).to.deep.equal([[2, 'blocks', 1]]);
  });
});
