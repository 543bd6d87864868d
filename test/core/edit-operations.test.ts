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
import {issueToJson} from '../../src/core/model/issue-json.js';

const ID = 'github:a/b:1';
const base = createIssue({
  ref: {system: 'github', workspace: 'a/b', id: '1'},
  title: 'One',
  labels: ['bug'],
  updated_at: '2026-01-01T00:00:00Z',
});
const pulled = parseTrackerEvent({
  at: '2026-01-02T00:00:00.000Z',
  event_id: '01KA0000000000000000000000',
  issue: issueToJson(base),
  kind: 'issue_pulled',
});

/** The events a store writes on top of the pulled issue (each store is one branch or clone). */
async function branch(start: string, edit: (store: InMemoryIssueStore) => Promise<unknown>) {
  const clock = new ManualClock(start);
  const log = new InMemoryEventLog(clock);
  const store = new InMemoryIssueStore(clock, log);
  await log.transact(() => ({events: [{issue: issueToJson(base), kind: 'issue_pulled'}], result: null}));
  await edit(store);
  return log.appended.filter((event) => event.kind === 'issue_edited');
}

const labelsOf = (events: TrackerEvent[]) => {
  const state = foldTrackerLog(events);
  return state.localView(state.issues.get(ID)!)!.labels;
};

describe('local edits as operations', () => {
  it('two edits adding different labels from the same state keep both, in either order', async () => {
    const a = await branch('2026-02-01T00:00:00Z', (s) => s.applyLocalEdit(ID, {labels: {add: ['a']}}));
    const b = await branch('2026-02-01T00:00:01Z', (s) => s.applyLocalEdit(ID, {labels: {add: ['b']}}));
    expect(a[0]).to.deep.include({fields: {labels: ['a', 'bug']}, ops: {labels: {add: ['a']}}});
    expect(labelsOf([pulled, ...a, ...b])).to.deep.equal(['a', 'b', 'bug']);
    expect(labelsOf([...b, pulled, ...a])).to.deep.equal(['a', 'b', 'bug']);
  });

  it('a removal and an addition made at once on two branches both hold', async () => {
    const a = await branch('2026-02-01T00:00:00Z', (s) => s.applyLocalEdit(ID, {labels: {remove: ['bug']}}));
    const b = await branch('2026-02-01T00:00:01Z', (s) => s.applyLocalEdit(ID, {labels: {add: ['x']}}));
    expect(labelsOf([pulled, ...a, ...b])).to.deep.equal(['x']);
  });

  it('still folds edits stored before operations existed (a whole value in fields)', () => {
    const old = parseTrackerEvent({
      at: '2026-02-01T00:00:00.000Z',
      event_id: '01KA0000000000000000000001',
      fields: {labels: ['bug', 'old'], title: 'Renamed'},
      identity: ID,
      kind: 'issue_edited',
    });
    const state = foldTrackerLog([pulled, old]);
    const view = state.localView(state.issues.get(ID)!)!;
    expect(view.labels).to.deep.equal(['bug', 'old']);
    expect(view.title).to.equal('Renamed');
  });

  it('records nothing when the operation changes nothing, and refuses malformed operations', async () => {
    const none = await branch('2026-02-01T00:00:00Z', (s) => s.applyLocalEdit(ID, {labels: {add: ['bug']}}));
    expect(none).to.deep.equal([]);
    const bad = {
      at: '2026-02-01T00:00:00.000Z',
      event_id: '01KA0000000000000000000002',
      fields: {},
      identity: ID,
      kind: 'issue_edited',
    };
    expect(() => parseTrackerEvent({...bad, ops: {title: {add: ['x']}}})).to.throw(/ops.title/);
    expect(() => parseTrackerEvent({...bad, ops: {labels: {add: [1]}}})).to.throw(/ops.labels.add/);
  });
});
