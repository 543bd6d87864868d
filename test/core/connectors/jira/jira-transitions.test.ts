import {expect} from 'chai';

import {ConnectorRequestError} from '../../../../src/core/index.js';
import {startJira, type JiraRig} from './helpers.js';

const refOf = (rig: JiraRig, id: string) => ({
  system: 'jira',
  workspace: rig.fake.projectKey,
  id,
  key: rig.fake.issues.get(id)!.key,
  url: null,
});

describe('jira transitions through the workflow', () => {
  let rig: JiraRig;
  afterEach(async () => rig?.fake.close());

  it('moves To Do -> done with exactly the two transitions the workflow needs', async () => {
    rig = await startJira();
    const issue = rig.fake.seed({summary: 'Ship it'});
    rig.fake.seed({summary: 'Someone else is on it', status: 'In Progress'});
    const moved = await rig.connector.transitionIssue(refOf(rig, issue.id), 'done');
    expect(moved.status).to.equal('done');
    expect(rig.fake.transitionPosts()).to.deep.equal([
      [issue.id, '11'],
      [issue.id, '21'],
    ]);
    expect(rig.fake.issues.get(issue.id)!.statusId).to.equal('10001');
  });

  it('makes no request that changes anything when the issue is already there', async () => {
    rig = await startJira();
    const issue = rig.fake.seed({summary: 'Done already', status: 'Done'});
    const same = await rig.connector.transitionIssue(refOf(rig, issue.id), 'done');
    expect(same.status).to.equal('done');
    expect(rig.fake.transitionPosts()).to.deep.equal([]);
  });

  it('reports a workflow with no path clearly and changes nothing', async () => {
    rig = await startJira();
    const bug = rig.fake.seed({summary: 'Stuck bug', type: 'Bug'});
    rig.fake.seed({summary: 'Another bug', type: 'Bug', status: 'Triage'});
    const before = {...rig.fake.issues.get(bug.id)!};
    let caught: unknown;
    try {
      await rig.connector.transitionIssue(refOf(rig, bug.id), 'done');
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConnectorRequestError);
    const error = caught as ConnectorRequestError;
    expect(error.failureClass).to.equal('validation');
    expect(error.retryable).to.equal(false);
    expect(error.message).to.include(`cannot move ${bug.key} from 'To Do' to done`);
    expect(error.message).to.include("reachable: 'To Do', 'Triage'");
    expect(error.message).to.include('Nothing was changed');
    expect(error.hint).to.include('status_map');
    expect(rig.fake.transitionPosts()).to.deep.equal([]);
    expect(rig.fake.requests.filter((r) => r.method !== 'GET' && !/\/search/.test(r.path))).to.deep.equal([]);
    expect(rig.fake.issues.get(bug.id)!.statusId).to.equal(before.statusId);
    expect(rig.fake.issues.get(bug.id)!.updated).to.equal(before.updated);
  });

  it('refuses to guess when the transitions out of an intermediate status cannot be learned', async () => {
    rig = await startJira();
    const issue = rig.fake.seed({summary: 'Nobody is in progress'});
    let caught: unknown;
    try {
      await rig.connector.transitionIssue(refOf(rig, issue.id), 'done');
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConnectorRequestError);
    expect((caught as Error).message).to.match(/transitions out of 'In Progress'.* are unknown/);
    expect((caught as Error).message).to.include('Nothing was changed');
    expect(rig.fake.transitionPosts()).to.deep.equal([]);
  });

  it('falls back to the nearest status when the workflow has none for the wanted one', async () => {
    rig = await startJira();
    const issue = rig.fake.seed({summary: 'Review me'});
    const moved = await rig.connector.transitionIssue(refOf(rig, issue.id), 'in_review');
    // The standard workflow has no review status: In Progress is the nearest.
    expect(moved.status).to.equal('in_progress');
    expect(rig.fake.transitionPosts()).to.deep.equal([[issue.id, '11']]);
  });

  it('maps status names through status_map overrides', async () => {
    rig = await startJira({connectorOptions: {status_map: {'In Progress': 'in_review'}}});
    const issue = rig.fake.seed({summary: 'Under review', status: 'In Progress'});
    expect((await rig.connector.getIssue(refOf(rig, issue.id)))!.status).to.equal('in_review');
    const canceled = rig.fake.seed({summary: 'Nope', status: "Won't Do"});
    expect((await rig.connector.getIssue(refOf(rig, canceled.id)))!.status).to.equal('canceled');
  });
});
