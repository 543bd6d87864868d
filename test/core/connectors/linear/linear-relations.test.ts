import {expect} from 'chai';

import type {ExternalRef} from '../../../../src/core/index.js';
import {LINEAR_MAX_COMPLEXITY} from '../../../fakes/linear/linear-complexity.js';
import {startLinear, type LinearRig} from './helpers.js';

describe('linear relations: blocks, removal and the parent', () => {
  let rig: LinearRig;
  afterEach(async () => rig?.fake.close());

  const refOf = (issue: {id: string; number: number}): ExternalRef => ({
    system: 'linear',
    workspace: 'ENG',
    id: issue.id,
    key: `ENG-${issue.number}`,
    url: null,
  });
  const mutations = (name: string) => rig.fake.scored.filter((s) => s.operation === name).length;

  it('writes blocks once, converges on a repeat, removes it with issueRelationDelete, all within the cap', async () => {
    rig = await startLinear();
    const a = refOf(rig.fake.seed({title: 'a'}));
    const b = refOf(rig.fake.seed({title: 'b'}));
    await rig.connector.upsertLink(b, {type: 'blocked_by', target: a});
    await rig.connector.upsertLink(a, {type: 'blocks', target: b});
    await rig.connector.upsertLink(b, {type: 'blocked_by', target: a});
    expect(rig.fake.relations.map((r) => [r.type, r.issueId, r.relatedIssueId])).to.deep.equal([
      ['blocks', a.id, b.id],
    ]);
    expect(mutations('SpecKittyRelationCreate')).to.equal(1);
    await rig.connector.upsertLink(a, {type: 'relates_to', target: b});
    // Only the blocks relation goes; the related one stays; a second removal writes nothing.
    await rig.connector.removeLink(a, {type: 'blocks', target: b});
    await rig.connector.removeLink(b, {type: 'blocked_by', target: a});
    expect(rig.fake.relations.map((r) => r.type)).to.deep.equal(['related']);
    expect(mutations('SpecKittyRelationDelete')).to.equal(1);
    expect(rig.fake.maxComplexity).to.be.at.most(LINEAR_MAX_COMPLEXITY);
  });

  it('sets the parent with parentId only when it differs, reads it back on pull, and clears it', async () => {
    rig = await startLinear();
    const mission = refOf(rig.fake.seed({title: 'mission'}));
    const wp = refOf(rig.fake.seed({title: 'WP01'}));
    await rig.connector.upsertLink(wp, {type: 'child_of', target: mission});
    await rig.connector.upsertLink(mission, {type: 'parent_of', target: wp});
    expect(mutations('SpecKittyIssueUpdate')).to.equal(1);
    const pulled = (await rig.connector.listIssues({updated_since: null, cursor: null, limit: 50})).items;
    expect(pulled.find((i) => i.ref.id === wp.id)!.parent?.id).to.equal(mission.id);
    await rig.connector.removeLink(mission, {type: 'parent_of', target: wp});
    expect(rig.fake.issues.get(wp.id)!.parentId).to.equal(null);
    await rig.connector.removeLink(wp, {type: 'child_of', target: mission});
    expect(mutations('SpecKittyIssueUpdate')).to.equal(2);
  });

  it('the fake refuses a repeated relation, a self relation and a parent loop', async () => {
    rig = await startLinear();
    const a = rig.fake.seed({title: 'a'});
    const b = rig.fake.seed({title: 'b'});
    const run = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${rig.fake.url}/graphql`, {
        method: 'POST',
        headers: {authorization: 'lin_api_test_key', 'content-type': 'application/json'},
        body: JSON.stringify({query, variables}),
      });
      return (await response.json()) as {errors?: {message: string}[]};
    };
    const create = `mutation R($input: IssueRelationCreateInput!) { issueRelationCreate(input: $input) { success } }`;
    expect(
      (await run(create, {input: {issueId: a.id, relatedIssueId: b.id, type: 'blocks'}})).errors,
    ).to.equal(undefined);
    expect(
      (await run(create, {input: {issueId: a.id, relatedIssueId: b.id, type: 'blocks'}})).errors?.[0].message,
    ).to.match(/already exists/);
    expect(
      (await run(create, {input: {issueId: a.id, relatedIssueId: a.id, type: 'related'}})).errors?.[0]
        .message,
    ).to.match(/itself/);
    const update = `mutation U($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success } }`;
    expect((await run(update, {id: b.id, input: {parentId: a.id}})).errors).to.equal(undefined);
    expect((await run(update, {id: a.id, input: {parentId: b.id}})).errors?.[0].message).to.match(/ancestor/);
  });
});
