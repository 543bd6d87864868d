import {expect} from 'chai';
import {
  createIssue,
  createOwnershipPolicy,
  mergeIssue,
  type ConflictStrategy,
} from '../../../src/core/index.js';
import {harness, split} from './harness.js';

const ref = {system: 'memory', workspace: 'test', id: '1'};

describe('mergeIssue (pure three-way merge)', () => {
  const base = createIssue({
    ref,
    title: 'base',
    status: 'todo',
    labels: ['a'],
    updated_at: '2026-01-01T00:00:00Z',
  });
  const policy = createOwnershipPolicy('split_ownership');

  it('takes a one-sided change from its side, settles what the remote decides', () => {
    const local = createIssue({...base, status: 'done', labels: ['b']});
    const remote = createIssue({...base, title: 'remote', labels: ['b'], updated_at: '2026-01-02T00:00:00Z'});
    const merge = mergeIssue({base, local, remote, policy, strategy: 'manual_review', localEditedAt: null});
    expect(merge.merged.title).to.equal('remote');
    expect(merge.merged.status).to.equal('done');
    expect(merge.toPush).to.deep.equal(['status']);
    expect(merge.incoming).to.deep.equal(['title']);
    // Both sides made labels ['b']: nothing to push, the local edit is settled.
    expect(merge.settle).to.deep.equal(['labels']);
    expect(merge.conflicts).to.deep.equal([]);
  });

  it('lets the owner decide a field changed on both sides', () => {
    const local = createIssue({...base, title: 'mine'});
    const remote = createIssue({...base, title: 'theirs'});
    const owned = mergeIssue({
      base,
      local,
      remote,
      policy: split({title: 'external'}),
      strategy: 'local_wins',
      localEditedAt: null,
    });
    expect(owned.merged.title).to.equal('theirs');
    expect(owned.settle).to.deep.equal(['title']);
    expect(owned.conflicts[0]).to.include({field_name: 'title', winner: 'external', strategy: 'owner'});
  });

  it('takes everything from the remote when there is no local view', () => {
    const remote = createIssue({...base, title: 'new'});
    const merge = mergeIssue({
      base: null,
      local: null,
      remote,
      policy,
      strategy: 'local_wins',
      localEditedAt: null,
    });
    expect(merge.merged.title).to.equal('new');
    expect(merge.toPush).to.deep.equal([]);
  });
});

describe('SyncEngine conflicts', () => {
  async function pulled(strategy: ConflictStrategy) {
    const h = harness({strategy, policy: split({})});
    h.connector.seed({title: 'original', status: 'todo'});
    await h.engine.run();
    h.clock.advance(1000);
    return h;
  }

  it('remote changes the title while local changes the status: both survive, no conflict', async () => {
    const h = await pulled('manual_review');
    await h.store.recordLocalEdit(h.identity('1'), {status: 'in_progress'});
    h.clock.advance(1000);
    h.connector.remoteEdit('1', {title: 'renamed remotely'});
    const result = await h.engine.run();
    expect(result.ok).to.equal(true);
    expect(result.conflicts).to.deep.equal([]);
    expect(await h.store.listConflicts()).to.deep.equal([]);
    expect(h.connector.remote('1')).to.include({title: 'renamed remotely', status: 'in_progress'});
    expect(await h.store.getIssue(h.identity('1'))).to.include({
      title: 'renamed remotely',
      status: 'in_progress',
    });
    expect(await h.store.listPending()).to.deep.equal([]);
  });

  const cases: {strategy: ConflictStrategy; localNewer: boolean; winner: 'local' | 'external'}[] = [
    {strategy: 'external_wins', localNewer: true, winner: 'external'},
    {strategy: 'local_wins', localNewer: false, winner: 'local'},
    {strategy: 'newer_timestamp', localNewer: false, winner: 'external'},
    {strategy: 'newer_timestamp', localNewer: true, winner: 'local'},
  ];
  for (const {strategy, localNewer, winner} of cases) {
    it(`both change the title: ${strategy} (${localNewer ? 'local' : 'remote'} edit newer) -> ${winner} wins, conflict stored`, async () => {
      const h = await pulled(strategy);
      const editLocal = () => h.store.recordLocalEdit(h.identity('1'), {title: 'local title'});
      const editRemote = () => h.connector.remoteEdit('1', {title: 'remote title'});
      if (localNewer) {
        editRemote();
        h.clock.advance(5000);
        await editLocal();
      } else {
        await editLocal();
        h.clock.advance(5000);
        editRemote();
      }
      const result = await h.engine.run();
      const expected = winner === 'local' ? 'local title' : 'remote title';
      expect(h.connector.remote('1')!.title).to.equal(expected);
      expect((await h.store.getIssue(h.identity('1')))!.title).to.equal(expected);
      expect(result.conflicts).to.have.length(1);
      expect(result.conflicts[0]).to.include({
        identity: h.identity('1'),
        field_name: 'title',
        winner,
        strategy,
        recorded: true,
      });
      const stored = await h.store.listConflicts();
      expect(stored).to.have.length(1);
      expect(stored[0]).to.include({
        field_name: 'title',
        base_value: 'original',
        local_value: 'local title',
        external_value: 'remote title',
        resolved_value: expected,
        winner,
        strategy,
        open: false,
      });
      // Converged: a second run finds nothing to do and records nothing.
      const appended = h.store.memoryLog.appended.length;
      const again = await h.engine.run();
      expect(again.conflicts).to.deep.equal([]);
      expect(h.store.memoryLog.appended.length).to.equal(appended);
    });
  }

  it('manual_review keeps the local value, leaves the conflict open, holds the field and never re-records it', async () => {
    const h = await pulled('manual_review');
    await h.store.recordLocalEdit(h.identity('1'), {title: 'local title'});
    h.connector.remoteEdit('1', {title: 'remote title'});
    const result = await h.engine.run();
    expect(result.conflicts[0]).to.include({manual_review_required: true, winner: 'local'});
    expect((await h.store.getIssue(h.identity('1')))!.title).to.equal('local title');
    expect(h.connector.remote('1')!.title).to.equal('remote title');
    expect(h.connector.writeRequests()).to.deep.equal([]);
    expect(result.plan.skipped).to.deep.include({
      identity: h.identity('1'),
      fields: ['title'],
      reason: 'manual_review_open',
    });
    expect(await h.store.listConflicts({openOnly: true})).to.have.length(1);

    const appended = h.store.memoryLog.appended.length;
    const again = await h.engine.run();
    expect(again.plan.skipped).to.deep.include({
      identity: h.identity('1'),
      fields: ['title'],
      reason: 'manual_review_open',
    });
    expect(h.store.memoryLog.appended.length).to.equal(appended);
    expect(await h.store.listConflicts()).to.have.length(1);

    // Once a person closes it, the kept local value goes out.
    await h.store.closeConflicts(h.identity('1'));
    await h.engine.run();
    expect(h.connector.remote('1')!.title).to.equal('local title');
  });

  it('push merges against the current remote: a remote edit made after the pull is not overwritten', async () => {
    const h = await pulled('external_wins');
    await h.store.recordLocalEdit(h.identity('1'), {title: 'local title'});
    h.connector.remoteEdit('1', {body: 'written remotely after the pull', labels: ['remote']});
    const result = await h.engine.push();
    expect(result.ok).to.equal(true);
    const update = h.connector.requests.find((r) => r.op === 'updateIssue')!;
    expect(update.patch).to.deep.equal({title: 'local title'});
    expect(h.connector.remote('1')).to.deep.include({
      title: 'local title',
      body: 'written remotely after the pull',
      labels: ['remote'],
    });
    expect(await h.store.getIssue(h.identity('1'))).to.deep.include({
      title: 'local title',
      body: 'written remotely after the pull',
    });
  });

  it('push that finds the same field changed remotely applies the strategy instead of overwriting', async () => {
    const h = await pulled('external_wins');
    await h.store.recordLocalEdit(h.identity('1'), {title: 'local title'});
    h.connector.remoteEdit('1', {title: 'concurrent remote title'});
    const result = await h.engine.push();
    expect(h.connector.writeRequests()).to.deep.equal([]);
    expect(result.conflicts[0]).to.include({field_name: 'title', winner: 'external'});
    expect((await h.store.getIssue(h.identity('1')))!.title).to.equal('concurrent remote title');
    expect(await h.store.listPending()).to.deep.equal([]);
    expect(await h.store.listConflicts()).to.have.length(1);
  });
});
