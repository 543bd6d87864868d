import {expect} from 'chai';

import {ConnectorRequestError, createIssue} from '../../../../src/core/index.js';
import {LinearGraphQL} from '../../../../src/core/connectors/linear/linear-graphql.js';
import {
  canonicalPriorityToLinear,
  linearPriorityToCanonical,
} from '../../../../src/core/connectors/linear/linear-mapping.js';
import {startLinear, type LinearRig} from './helpers.js';

async function pullAll(rig: LinearRig, limit: number, since: string | null = null) {
  const ids: string[] = [];
  const times: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: Awaited<ReturnType<typeof rig.connector.listIssues>> = await rig.connector.listIssues({
      updated_since: since,
      cursor,
      limit,
    });
    ids.push(...page.items.map((x) => x.ref.id));
    times.push(...page.items.map((x) => Date.parse(x.updated_at!)));
    cursor = page.next_cursor;
    if (cursor === null) return {ids, times};
  }
  throw new Error('listing did not end');
}

describe('linear quirks', () => {
  let rig: LinearRig;
  afterEach(async () => rig?.fake.close());

  it('pulls pages oldest first with last/before over orderBy: updatedAt', async () => {
    rig = await startLinear();
    const seeded = Array.from({length: 7}, (_, i) => rig.fake.seed({title: `i${i}`}).id);
    const {ids, times} = await pullAll(rig, 3);
    expect(ids).to.deep.equal(seeded);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    const vars = rig.fake.operations.map((o) => o.variables);
    expect(vars.map((v) => v.last)).to.deep.equal([3, 3, 3]);
    expect(vars[0].before).to.equal(null);
    expect(vars[0].filter).to.deep.equal({team: {key: {eq: 'ENG'}}});
  });

  it('waits out a 400 RATELIMITED on the injected clock and resumes without repeating a page', async () => {
    rig = await startLinear();
    const seeded = Array.from({length: 6}, (_, i) => rig.fake.seed({title: `i${i}`}).id);
    rig.fake.rateLimitOn(2, 45_000);
    const {ids} = await pullAll(rig, 2);
    expect(ids).to.deep.equal(seeded);
    expect(new Set(ids).size).to.equal(ids.length);
    // The reset header said 45 s from "now"; the layer adds a second of slack.
    expect(rig.clock.sleeps).to.deep.equal([46_000]);
    const waits = rig.events.filter((e) => e.type === 'wait');
    expect(waits).to.have.length(1);
    expect(waits[0]).to.include({reason: 'rate_limit', provider: 'linear'});
    // Four HTTP requests (one refused), three executed pages, each cursor once.
    expect(rig.fake.requests).to.have.length(4);
    const befores = rig.fake.operations.map((o) => o.variables.before);
    expect(befores).to.have.length(3);
    expect(new Set(befores).size).to.equal(3);
  });

  it('gives up with a rate_limit error naming the reset when the wait would exceed the cap', async () => {
    rig = await startLinear();
    rig.fake.seed({title: 'x'});
    rig.fake.rateLimitOn(1, 24 * 3600_000);
    let caught: unknown;
    try {
      await rig.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConnectorRequestError);
    expect((caught as ConnectorRequestError).failureClass).to.equal('rate_limit');
    expect((caught as Error).message).to.include('Run again after');
  });

  it('refuses a partial answer (data plus errors) clearly', async () => {
    rig = await startLinear();
    rig.fake.seed({title: 'x'});
    rig.fake.partialErrorOn(1);
    let caught: unknown;
    try {
      await rig.connector.listIssues({updated_since: null, cursor: null, limit: 10});
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConnectorRequestError);
    expect((caught as Error).message).to.match(/only in part .*issues\.nodes\.0\.assignee/);
    expect((caught as Error).message).to.include('Nothing from this answer was used');
  });

  it("the fake rejects fields outside Linear's published schema, so a typo fails", async () => {
    rig = await startLinear();
    const api = new LinearGraphQL({
      baseUrl: rig.fake.url,
      apiKey: 'lin_api_test_key',
      runtime: {clock: rig.clock, sleep: rig.clock.sleep},
    });
    let caught: unknown;
    try {
      await api.run('a typo', 'query { issues(first: 1) { nodes { id titel } } }', {});
    } catch (error) {
      caught = error;
    }
    expect((caught as ConnectorRequestError).failureClass).to.equal('validation');
    expect((caught as Error).message).to.include('Cannot query field "titel" on type "Issue"');
  });

  it('maps states by type with a configurable review state, and moves with one issueUpdate', async () => {
    rig = await startLinear({connectorOptions: {in_review_states: ['In Review']}});
    const issue = rig.fake.seed({title: 'x'});
    const ref = {system: 'linear', workspace: 'ENG', id: issue.id, key: null, url: null};
    const moved = await rig.connector.transitionIssue(ref, 'in_review');
    expect(moved.status).to.equal('in_review');
    expect(rig.fake.issues.get(issue.id)!.stateId).to.equal('state-review');
    const updates = rig.fake.operations.filter((o) => o.name === 'SpecKittyIssueUpdate');
    expect(updates.map((u) => (u.variables.input as {stateId?: string}).stateId)).to.deep.equal([
      'state-review',
    ]);
    expect(
      (await rig.connector.transitionIssue(ref, 'blocked')).status,
      'no Blocked state: nearest is in_progress',
    ).to.equal('in_progress');
    const backlog = rig.fake.seed({title: 'b', state: 'Backlog'});
    expect((await rig.connector.getIssue({...ref, id: backlog.id}))!.status).to.equal('todo');
  });

  it('maps priority none/urgent/high/normal/low onto null/0/1/2/3 and back', () => {
    expect([0, 1, 2, 3, 4].map(linearPriorityToCanonical)).to.deep.equal([null, 0, 1, 2, 3]);
    expect([null, 0, 1, 2, 3, 4].map(canonicalPriorityToLinear)).to.deep.equal([0, 1, 2, 3, 4, 4]);
  });

  it('creates with labels (creating missing ones), assignee, parent, relations and a hidden marker', async () => {
    rig = await startLinear();
    const parent = rig.fake.seed({title: 'parent'});
    const other = rig.fake.seed({title: 'other'});
    const parentRef = {system: 'linear', workspace: 'ENG', id: parent.id, key: 'ENG-1', url: null};
    const otherRef = {system: 'linear', workspace: 'ENG', id: other.id, key: 'ENG-2', url: null};
    const created = await rig.connector.createIssue(
      createIssue({
        ref: {system: 'linear', workspace: 'ENG', id: 'draft-x'},
        title: 'child',
        body: 'Body text',
        priority: 1,
        labels: ['bug', 'new-label'],
        assignees: ['user-2'],
        parent: parentRef,
        links: [{type: 'blocked_by', target: otherRef}],
      }),
      {idempotencyKey: 'create:abc'},
    );
    expect(created.body).to.equal('Body text');
    expect(rig.fake.issues.get(created.ref.id)!.description).to.equal(
      'Body text\n\nspec-kitty-key: create:abc',
    );
    expect([...created.labels]).to.deep.equal(['bug', 'new-label']);
    expect(created.assignees).to.deep.equal(['user-2']);
    expect(created.priority).to.equal(1);
    expect(rig.fake.issues.get(created.ref.id)!.priority).to.equal(2);
    expect(created.parent?.id).to.equal(parent.id);
    expect(created.links.map((l) => [l.type, l.target.id])).to.deep.equal([['blocked_by', other.id]]);
    expect(rig.fake.relations).to.deep.equal([
      {id: rig.fake.relations[0].id, type: 'blocks', issueId: other.id, relatedIssueId: created.ref.id},
    ]);
    const otherRead = (await rig.connector.getIssue(otherRef))!;
    expect(otherRead.links.map((l) => [l.type, l.target.id])).to.deep.equal([['blocks', created.ref.id]]);
    expect((await rig.connector.findByIdempotencyKey('create:abc'))!.ref.id).to.equal(created.ref.id);
    expect(await rig.connector.findByIdempotencyKey('create:ab')).to.equal(null);
    const updated = await rig.connector.updateIssue(
      created.ref,
      {body: 'New body', links: []},
      {idempotencyKey: 'u'},
    );
    expect(updated.body).to.equal('New body');
    expect(updated.links).to.deep.equal([]);
    expect(rig.fake.issues.get(created.ref.id)!.description).to.equal(
      'New body\n\nspec-kitty-key: create:abc',
    );
  });

  it('sends the API key as it is and never shows it in errors', async () => {
    rig = await startLinear();
    const {LinearConnector} = await import('../../../../src/core/connectors/linear/linear-connector.js');
    const bad = new LinearConnector({
      workspace: 'ENG',
      serverUrl: rig.fake.url,
      credentials: {api_key: 'lin_api_wrong_secret'},
      options: {},
      runtime: {clock: rig.clock, sleep: rig.clock.sleep},
    });
    let caught: unknown;
    try {
      await bad.listIssues({updated_since: null, cursor: null, limit: 1});
    } catch (error) {
      caught = error;
    }
    expect((caught as ConnectorRequestError).failureClass).to.equal('authentication');
    expect((caught as Error).message).to.not.include('lin_api_wrong_secret');
    expect(rig.fake.requests[0].authScheme).to.equal('unknown');
  });
});
