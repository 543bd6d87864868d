import {expect} from 'chai';

import {createIssue, type ExternalRef} from '../../../../src/core/index.js';
import {OpenApiContract} from '../../../support/openapi-contract.js';
import {startJira, type JiraRig} from './helpers.js';

const SWAGGER = '/work/shared/specs/jira-platform-swagger-v3.json';

describe('jira relations: Blocks links and the parent', () => {
  let rig: JiraRig;
  afterEach(async () => rig?.fake.close());

  const refOf = (issue: {id: string; key: string}): ExternalRef => ({
    system: 'jira',
    workspace: 'PROJ',
    id: issue.id,
    key: issue.key,
    url: null,
  });
  const linkPosts = () => rig.fake.requestsTo('POST', /\/issueLink$/).length;

  it('removes a Blocks link with one DELETE of the id issuelinks gives, and converges when absent', async () => {
    rig = await startJira();
    const a = refOf(rig.fake.seed({summary: 'a'}));
    const b = refOf(rig.fake.seed({summary: 'b'}));
    const c = refOf(rig.fake.seed({summary: 'c'}));
    await rig.connector.upsertLink(a, {type: 'blocks', target: b});
    await rig.connector.upsertLink(a, {type: 'relates_to', target: b});
    await rig.connector.upsertLink(c, {type: 'blocked_by', target: a});
    expect(rig.fake.links.map((l) => [l.type, l.source, l.destination])).to.deep.equal([
      ['Blocks', a.id, b.id],
      ['Relates', a.id, b.id],
      ['Blocks', a.id, c.id],
    ]);
    // Seen from b, the dependency is blocked_by a; only that link goes, the Relates one stays.
    await rig.connector.removeLink(b, {type: 'blocked_by', target: a});
    expect(rig.fake.links.map((l) => l.type)).to.deep.equal(['Relates', 'Blocks']);
    await rig.connector.removeLink(b, {type: 'blocked_by', target: a});
    await rig.connector.removeLink(a, {type: 'blocked_by', target: c});
    expect(rig.fake.requestsTo('DELETE', /\/issueLink\//)).to.have.length(1);
    const pulledC = (await rig.connector.getIssue(c))!;
    expect(pulledC.links.map((l) => [l.type, l.target.id])).to.deep.equal([['blocked_by', a.id]]);
  });

  it('a duplicate link request is answered as created and stored once (as Jira documents)', async () => {
    rig = await startJira();
    const a = rig.fake.seed({summary: 'a'});
    const b = rig.fake.seed({summary: 'b'});
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${rig.fake.url}/rest/api/3/issueLink`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('dev@example.com:jira-test-token').toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({type: {name: 'Blocks'}, inwardIssue: {key: a.key}, outwardIssue: {key: b.key}}),
      });
      expect(response.status).to.equal(201);
    }
    expect(rig.fake.links).to.have.length(1);
  });

  it('sets the parent (Cloud parent field) once, reads it back on pull, and clears it on removal', async () => {
    rig = await startJira();
    const epic = refOf(rig.fake.seed({summary: 'Mission', type: 'Epic'}));
    const story = refOf(rig.fake.seed({summary: 'WP01', type: 'Story'}));
    await rig.connector.upsertLink(story, {type: 'child_of', target: epic});
    await rig.connector.upsertLink(epic, {type: 'parent_of', target: story});
    expect(rig.fake.requestsTo('PUT', /\/issue\//).map((q) => q.body)).to.deep.equal([
      {fields: {parent: {id: epic.id}}},
    ]);
    const pulled = (await rig.connector.listIssues({updated_since: null, cursor: null, limit: 50})).items;
    expect(pulled.find((i) => i.ref.id === story.id)!.parent).to.deep.include({id: epic.id, key: epic.key});
    await rig.connector.removeLink(story, {type: 'child_of', target: epic});
    expect((await rig.connector.getIssue(story))!.parent).to.equal(null);
    expect(rig.fake.requestsTo('PUT', /\/issue\//).at(-1)!.body).to.deep.equal({fields: {parent: null}});
  });

  it('Data Center: the parent goes to the Epic Link field by key and is read back', async () => {
    rig = await startJira({
      edition: 'datacenter',
      epicLinkField: 'customfield_10008',
      connectorOptions: {epic_link_field: 'customfield_10008'},
    });
    const epic = refOf(rig.fake.seed({summary: 'Mission', type: 'Epic'}));
    const story = refOf(rig.fake.seed({summary: 'WP01', type: 'Story'}));
    await rig.connector.upsertLink(story, {type: 'child_of', target: epic});
    expect(rig.fake.requestsTo('PUT', /\/issue\//).map((q) => q.body)).to.deep.equal([
      {fields: {customfield_10008: epic.key}},
    ]);
    const read = (await rig.connector.getIssue(story))!;
    expect(read.parent).to.deep.include({id: epic.id, key: epic.key});
    await rig.connector.upsertLink(story, {type: 'child_of', target: epic});
    expect(rig.fake.requestsTo('PUT', /\/issue\//)).to.have.length(1);
  });

  it('Data Center without epic_link_field refuses a parent, saying what to set', async () => {
    rig = await startJira({edition: 'datacenter'});
    const epic = refOf(rig.fake.seed({summary: 'Mission', type: 'Epic'}));
    const story = refOf(rig.fake.seed({summary: 'WP01', type: 'Story'}));
    const error = await rig.connector
      .upsertLink(story, {type: 'child_of', target: epic})
      .catch((e: unknown) => e);
    expect((error as Error).message).to.match(/does not support setting a parent/);
    expect((error as {hint?: string}).hint).to.match(/epic_link_field/);
  });

  it('every request of a create with links and parent, link writes and removals fits the Jira Cloud OpenAPI description', async () => {
    rig = await startJira();
    const contract = new OpenApiContract(SWAGGER);
    const epic = refOf(rig.fake.seed({summary: 'Mission', type: 'Epic'}));
    const blocker = refOf(rig.fake.seed({summary: 'WP01', type: 'Story'}));
    const created = await rig.connector.createIssue(
      createIssue({
        ref: {system: 'jira', workspace: 'PROJ', id: 'draft'},
        title: 'WP02',
        issue_type: 'story',
        parent: epic,
        links: [{type: 'blocked_by', target: blocker}],
      }),
      {idempotencyKey: 'create:wp02'},
    );
    await rig.connector.upsertLink(created.ref, {type: 'relates_to', target: blocker});
    await rig.connector.removeLink(created.ref, {type: 'blocked_by', target: blocker});
    await rig.connector.removeLink(created.ref, {type: 'child_of', target: epic});
    await rig.connector.updateIssue(created.ref, {links: []}, {idempotencyKey: 'u'});
    expect(linkPosts()).to.equal(2);
    const problems = rig.fake.requests.flatMap((q) => contract.check(q));
    expect(problems).to.deep.equal([]);
    // The check can fail: a body with an undeclared property is reported.
    expect(
      contract.check({
        method: 'POST',
        path: '/rest/api/3/issueLink',
        query: {},
        body: {type: {name: 'Blocks'}, inwardIssue: {key: 'A-1'}, outwardIssue: {key: 'A-2'}, blocker: true},
      }),
    ).to.deep.equal(['POST /rest/api/3/issueLink body: unknown property blocker']);
  });
});
