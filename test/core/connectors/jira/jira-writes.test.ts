import {expect} from 'chai';

import {ConnectorConfigError, ManualClock, ValidationError, createIssue} from '../../../../src/core/index.js';
import {JiraConnector} from '../../../../src/core/connectors/jira/jira-connector.js';
import {startJira, type JiraRig} from './helpers.js';

describe('jira writes', () => {
  let rig: JiraRig;
  afterEach(async () => rig?.fake.close());

  const draft = (title: string, extra: Record<string, unknown> = {}) =>
    createIssue({ref: {system: 'jira', workspace: 'PROJ', id: `draft-${title}`}, title, ...extra});

  it('Cloud: sends ADF descriptions, accountId assignees, the sk- marker label and priority names', async () => {
    rig = await startJira();
    const created = await rig.connector.createIssue(
      draft('Rich', {
        body: 'Para one\nline two\n\n```ts\nconst x = 1;\n```',
        assignees: ['acc-42'],
        priority: 0,
        labels: ['x'],
        issue_type: 'bug',
      }),
      {idempotencyKey: 'create:wp01'},
    );
    const body = rig.fake.requestsTo('POST', '/rest/api/3/issue')[0].body as {
      fields: Record<string, unknown>;
    };
    expect(body.fields.description).to.have.property('type', 'doc');
    expect(body.fields.assignee).to.deep.equal({accountId: 'acc-42'});
    expect(body.fields.labels).to.deep.equal(['sk-create:wp01', 'x']);
    expect(body.fields.priority).to.deep.equal({name: 'Highest'});
    expect(body.fields.issuetype).to.deep.equal({name: 'Bug'});
    expect(created.body).to.equal('Para one\nline two\n\n```ts\nconst x = 1;\n```');
    expect(created.assignees).to.deep.equal(['acc-42']);
    expect(created.labels).to.deep.equal(['x']);
    expect(created.priority).to.equal(0);
    expect(created.issue_type).to.equal('bug');
    expect(rig.fake.requestsTo('POST', '/rest/api/3/issue')[0].authScheme).to.equal('basic');
  });

  it('Data Center: Bearer token, wiki text, user names', async () => {
    rig = await startJira({edition: 'datacenter'});
    const created = await rig.connector.createIssue(
      draft('Plain', {body: 'hello\n\n```\ncode\n```', assignees: ['jdoe']}),
      {idempotencyKey: 'k1'},
    );
    const request = rig.fake.requestsTo('POST', '/rest/api/2/issue')[0];
    expect(request.authScheme).to.equal('bearer');
    const fields = (request.body as {fields: Record<string, unknown>}).fields;
    expect(fields.description).to.equal('hello\n\n{code}\ncode\n{code}');
    expect(fields.assignee).to.deep.equal({name: 'jdoe'});
    expect(created.body).to.equal('hello\n\n```\ncode\n```');
    expect(created.assignees).to.deep.equal(['jdoe']);
  });

  it('creates the issue in the wanted status through transitions', async () => {
    rig = await startJira();
    const created = await rig.connector.createIssue(draft('Started', {status: 'in_progress'}), {
      idempotencyKey: 'k2',
    });
    expect(created.status).to.equal('in_progress');
    expect(rig.fake.transitionPosts()).to.deep.equal([[created.ref.id, '11']]);
  });

  it('refuses more than one assignee (multi_assignee is false)', async () => {
    rig = await startJira();
    const issue = rig.fake.seed({summary: 'x'});
    const ref = {system: 'jira', workspace: 'PROJ', id: issue.id, key: issue.key, url: null};
    let caught: unknown;
    try {
      await rig.connector.updateIssue(ref, {assignees: ['a', 'b']}, {idempotencyKey: 'u'});
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ValidationError);
    expect(rig.connector.capabilities().multi_assignee).to.equal(false);
    expect(rig.fake.requestsTo('PUT', /issue/)).to.have.length(0);
  });

  it('links issues with the right direction and reads them back, once', async () => {
    rig = await startJira();
    const a = rig.fake.seed({summary: 'blocker'});
    const b = rig.fake.seed({summary: 'blocked'});
    const refA = {system: 'jira', workspace: 'PROJ', id: a.id, key: a.key, url: null};
    const refB = {system: 'jira', workspace: 'PROJ', id: b.id, key: b.key, url: null};
    await rig.connector.upsertLink(refA, {type: 'blocks', target: refB});
    await rig.connector.upsertLink(refA, {type: 'blocks', target: refB});
    const posts = rig.fake.requestsTo('POST', '/rest/api/3/issueLink');
    expect(posts).to.have.length(1);
    expect(posts[0].body).to.deep.equal({
      type: {name: 'Blocks'},
      inwardIssue: {key: a.key},
      outwardIssue: {key: b.key},
    });
    const readA = (await rig.connector.getIssue(refA))!;
    const readB = (await rig.connector.getIssue(refB))!;
    expect(readA.links.map((l) => [l.type, l.target.id])).to.deep.equal([['blocks', b.id]]);
    expect(readB.links.map((l) => [l.type, l.target.id])).to.deep.equal([['blocked_by', a.id]]);
  });

  it('sets a parent (Cloud parent field) and reads it back', async () => {
    rig = await startJira();
    const epic = rig.fake.seed({summary: 'Epic', type: 'Epic'});
    const story = rig.fake.seed({summary: 'Story', type: 'Story'});
    const epicRef = {system: 'jira', workspace: 'PROJ', id: epic.id, key: epic.key, url: null};
    const storyRef = {system: 'jira', workspace: 'PROJ', id: story.id, key: story.key, url: null};
    const updated = await rig.connector.updateIssue(storyRef, {parent: epicRef}, {idempotencyKey: 'p'});
    expect(updated.parent?.id).to.equal(epic.id);
    expect(updated.parent?.key).to.equal(epic.key);
  });

  it('validates its configuration with clear messages', () => {
    const runtime = {clock: new ManualClock(), sleep: async () => {}};
    const make = (over: Partial<ConstructorParameters<typeof JiraConnector>[0]>) =>
      new JiraConnector({
        workspace: 'PROJ',
        serverUrl: 'https://x.atlassian.net',
        credentials: {token: 't'},
        options: {},
        runtime,
        ...over,
      });
    expect(() => make({credentials: {}})).to.throw(ConnectorConfigError, /needs a token/);
    expect(() => make({serverUrl: null})).to.throw(ConnectorConfigError, /--server-url/);
    expect(() => make({options: {edition: 'cloud'}})).to.throw(ConnectorConfigError, /email/);
    expect(() => make({options: {time_zone: 'Mars/Olympus'}})).to.throw(ConnectorConfigError, /time zone/);
    expect(() => make({options: {status_map: {Blocked: 'stuck'}}})).to.throw(
      ConnectorConfigError,
      /not a canonical status/,
    );
    expect(make({}).settings.edition).to.equal('datacenter');
    expect(make({credentials: {token: 't', email: 'e@x'}}).settings.edition).to.equal('cloud');
  });

  it('never puts the token in an error message', async () => {
    rig = await startJira();
    const bad = new JiraConnector({
      workspace: 'PROJ',
      serverUrl: rig.fake.url,
      credentials: {email: 'dev@example.com', token: 'wrong-secret-token'},
      options: {},
      runtime: {clock: new ManualClock(), sleep: async () => {}},
    });
    let caught: unknown;
    try {
      await bad.listIssues({updated_since: null, cursor: null, limit: 1});
    } catch (error) {
      caught = error;
    }
    expect((caught as {failureClass?: string}).failureClass).to.equal('authentication');
    expect(String((caught as Error).message)).to.not.include('wrong-secret-token');
    expect(String((caught as {hint?: string}).hint)).to.include('JIRA_API_TOKEN');
  });
});
