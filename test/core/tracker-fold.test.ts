import {expect} from 'chai';

import {
  InMemoryEventLog,
  InMemoryIssueStore,
  ManualClock,
  createIssue,
  foldTrackerLog,
  parseTrackerEvent,
  type TrackerEvent,
} from '../../src/core/index.js';

async function branchEvents(
  build: (store: InMemoryIssueStore, clock: ManualClock) => Promise<void>,
  start: string,
) {
  const clock = new ManualClock(start);
  const ticking = {now: () => (clock.advance(1000), clock.now())};
  const log = new InMemoryEventLog(ticking);
  await build(new InMemoryIssueStore(ticking, log), clock);
  return [...log.appended];
}

const issue = (id: string, title: string, updated: string) =>
  createIssue({ref: {system: 'github', workspace: 'a/b', id}, title, updated_at: updated});

function snapshot(events: TrackerEvent[]) {
  const state = foldTrackerLog(events);
  return state
    .liveEntries()
    .map((entry) => ({view: state.localView(entry), pending: state.pendingFields(entry)}));
}

describe('tracker log fold', () => {
  // INV-2: the state is a deterministic fold of the set of events.
  it('folds to the same state whatever order events arrive in, and dedupes repeats', async () => {
    const a = await branchEvents(async (store) => {
      await store.upsertIssue(issue('1', 'One', '2026-01-01T00:00:00Z'));
      await store.recordLocalEdit('github:a/b:1', {status: 'in_progress'});
      await store.addMapping('m/WP01', issue('1', 'One', '2026-01-01T00:00:00Z').ref);
    }, '2026-02-01T00:00:00Z');
    const b = await branchEvents(async (store) => {
      await store.upsertIssue(issue('1', 'One v2', '2026-01-03T00:00:00Z'));
      await store.upsertIssue(issue('2', 'Two', '2026-01-02T00:00:00Z'));
    }, '2026-02-01T00:00:30Z');
    const forward = snapshot([...a, ...b]);
    const backward = snapshot([...b].reverse().concat([...a].reverse()));
    const repeated = snapshot([...a, ...b, ...a]);
    expect(backward).to.deep.equal(forward);
    expect(repeated).to.deep.equal(forward);
    // Both branches' work survives: the newer remote title, the local status edit, issue 2.
    expect(forward.map((s) => [s.view!.title, s.view!.status, s.pending])).to.deep.equal([
      ['One v2', 'in_progress', ['status']],
      ['Two', 'todo', []],
    ]);
  });

  it('rejects malformed events with the field at fault', () => {
    expect(() =>
      parseTrackerEvent({event_id: 'nope', at: '2026-01-01T00:00:00Z', kind: 'issue_deleted'}),
    ).to.throw(/event_id/);
    expect(() =>
      parseTrackerEvent({
        event_id: '01KKBKV0KZRBCAM4Z495V922ZF',
        at: '2026-01-01T00:00:00Z',
        kind: 'issue_renamed',
      }),
    ).to.throw(/unknown event kind/);
    expect(() =>
      parseTrackerEvent({
        event_id: '01KKBKV0KZRBCAM4Z495V922ZF',
        at: '2026-01-01T00:00:00Z',
        kind: 'issue_edited',
        identity: 'x',
        fields: {colour: 1},
      }),
    ).to.throw(/fields.colour/);
  });

  it('moves mappings from a draft to the remote issue it became', async () => {
    const store = new InMemoryIssueStore(new ManualClock());
    const draft = createIssue({
      ref: {system: 'github', workspace: 'a/b', id: 'draft-01J0000000000000000000000'},
      title: 'New',
    });
    await store.createDraft(draft);
    await store.addMapping('m/WP03', draft.ref);
    await store.recordRemoteCreated(draft.ref, issue('77', 'New', '2026-01-01T00:00:00Z'));
    expect((await store.getByWorkPackage('m/WP03', 'github'))!.ref.id).to.equal('77');
  });
});
