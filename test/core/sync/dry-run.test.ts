import {expect} from 'chai';
import {split, harness} from './harness.js';

describe('SyncEngine plans (--dry-run)', () => {
  async function scenario() {
    const h = harness({policy: split({}), strategy: 'local_wins'});
    h.connector.seed({title: 'one'});
    h.connector.seed({title: 'two'});
    await h.engine.run();
    h.clock.advance(1000);
    await h.store.recordLocalEdit(h.identity('1'), {title: 'one (local)', status: 'in_progress'});
    await h.store.recordLocalEdit(h.identity('2'), {title: 'two (local)'});
    h.connector.remoteEdit('2', {title: 'two (remote)', body: 'remote body'});
    h.connector.seed({title: 'three'});
    await h.draft(1, 'new draft');
    await h.store.addPendingComment(h.identity('1'), 'a comment');
    return h;
  }

  it('computes the whole plan without writing anywhere', async () => {
    const h = await scenario();
    const appended = h.store.memoryLog.appended.length;
    const checkpointWrites = h.checkpoints.writes;
    const checkpoint = await h.checkpoints.getCheckpoint(h.engine.checkpointKey);

    const plan = await h.engine.plan();
    expect(plan.dry_run).to.equal(true);
    expect(h.store.memoryLog.appended.length).to.equal(appended);
    expect(h.checkpoints.writes).to.equal(checkpointWrites);
    expect(await h.checkpoints.getCheckpoint(h.engine.checkpointKey)).to.deep.equal(checkpoint);
    expect(h.connector.writeRequests()).to.deep.equal([]);
    expect(h.connector.countOf('createIssue')).to.equal(0);

    expect(plan.plan.pull).to.deep.include({created: [h.identity('3')]});
    expect(plan.plan.pull!.updated).to.deep.equal([{identity: h.identity('2'), fields: ['body']}]);
    expect(plan.plan.creates).to.deep.equal([
      {draft_identity: h.identity('draft-1'), title: 'new draft', adopt: null, fields: ['title']},
    ]);
    expect(plan.plan.updates).to.deep.equal([
      {identity: h.identity('1'), key: '#1', changes: [{field: 'title', from: 'one', to: 'one (local)'}]},
      {
        identity: h.identity('2'),
        key: '#2',
        changes: [{field: 'title', from: 'two (remote)', to: 'two (local)'}],
      },
    ]);
    expect(plan.plan.transitions).to.deep.equal([
      {identity: h.identity('1'), key: '#1', from: 'todo', to: 'in_progress'},
    ]);
    expect(plan.plan.comments.map((c) => c.identity)).to.deep.equal([h.identity('1')]);
    // The conflict on issue 2 is reported once (the pull and the push plan both see it), and not recorded.
    expect(plan.conflicts).to.have.length(1);
    expect(plan.conflicts[0]).to.include({
      identity: h.identity('2'),
      field_name: 'title',
      winner: 'local',
      recorded: false,
    });
    expect(plan.summary).to.deep.include({
      creates: 1,
      updates: 2,
      field_updates: 2,
      transitions: 1,
      comments: 1,
      conflicts: 1,
      writes: 5,
    });
    // JSON-serialisable as is.
    expect(JSON.parse(JSON.stringify(plan.plan))).to.deep.equal(plan.plan);

    // The real run does what the plan said.
    const real = await h.engine.run();
    expect(real.summary).to.deep.equal(plan.summary);
    expect(real.conflicts.map((c) => ({...c, recorded: false}))).to.deep.equal(plan.conflicts);
    expect(h.connector.remote('2')).to.deep.include({title: 'two (local)', body: 'remote body'});
  });

  it('push and pull accept dryRun too', async () => {
    const h = await scenario();
    const appended = h.store.memoryLog.appended.length;
    const pull = await h.engine.pull({dryRun: true});
    const push = await h.engine.push({dryRun: true});
    expect(pull.stats.pulled_created).to.equal(1);
    expect(push.stats).to.include({pushed_created: 1, pushed_updated: 2});
    expect(h.store.memoryLog.appended.length).to.equal(appended);
    expect(h.connector.writeRequests()).to.deep.equal([]);
  });
});
