import {expect} from 'chai';

import {
  createIssue,
  createRef,
  InMemoryEventLog,
  LogBackedStores,
  ManualClock,
} from '../../../src/core/index.js';
import {explainAddedEvents} from '../../../src/host/services/review-explain.js';
import {reviewMarkdown, reviewText} from '../../../src/host/services/review-format.js';

const ref = (id: string) =>
  createRef({system: 'github', workspace: 'acme/app', id, key: `#${id}`, url: null});
const issue = (id: string, fields: Record<string, unknown> = {}) =>
  createIssue({
    ref: ref(id),
    title: `Issue ${id}`,
    status: 'todo',
    updated_at: '2026-01-01T00:00:00Z',
    ...fields,
  });

describe('review: explaining what a branch added to the tracker log', () => {
  it('says what changed from what to what: pulls, edits, pushes, conflicts, comments, mappings', async () => {
    const clock = new ManualClock(new Date('2026-02-01T00:00:00Z'));
    const log = new InMemoryEventLog(clock);
    const stores = new LogBackedStores(log);
    await stores.recordRemote([{issue: issue('1')}, {issue: issue('2', {labels: ['bug']})}]);
    await stores.addMapping('001-x/WP01', ref('1'));
    await stores.addMapping('001-x/WP02', ref('2'));
    const base = [...log.appended];

    clock.advance(60_000);
    await stores.recordRemote([
      {
        issue: issue('2', {labels: ['bug', 'p1'], updated_at: '2026-01-02T00:00:00Z'}),
        conflicts: [
          {
            field_name: 'title',
            base_value: 'Issue 2',
            local_value: 'Mine',
            external_value: 'Theirs',
            resolved_value: 'Theirs',
            winner: 'external',
            strategy: 'newer_timestamp',
            manual_review_required: false,
          },
        ],
      },
    ]);
    await stores.recordLocalEdit(ref('1'), {status: 'in_progress'});
    clock.advance(60_000);
    await stores.recordRemote([
      {issue: issue('1', {status: 'in_progress', updated_at: '2026-01-03T00:00:00Z'}), settle: ['status']},
    ]);
    const comment = await stores.addPendingComment(ref('1'), 'Started');
    await stores.settleComment(comment.comment_id);
    await stores.removeMapping('001-x/WP02');
    await stores.recordRemote([{issue: issue('3')}]);

    const {issues, summary} = explainAddedEvents(base, log.appended.slice(base.length));
    const byId = new Map(issues.map((i) => [i.key, i.changes.map(({at: _at, ...c}) => c)]));
    expect(byId.get('#1')).to.deep.equal([
      {kind: 'edited', field: 'status', from: 'todo', to: 'in_progress'},
      {kind: 'pushed', field: 'status', from: 'todo', to: 'in_progress'},
      {kind: 'comment', to: 'Started', sent: true},
    ]);
    expect(byId.get('#2')).to.deep.equal([
      {kind: 'pulled', field: 'labels', from: ['bug'], to: ['bug', 'p1']},
      {
        kind: 'conflict',
        field: 'title',
        base: 'Issue 2',
        local: 'Mine',
        external: 'Theirs',
        to: 'Theirs',
        winner: 'external',
        strategy: 'newer_timestamp',
        manual_review: false,
      },
      {kind: 'mapping_removed', work_package: '001-x/WP02'},
    ]);
    expect(byId.get('#3')).to.deep.equal([{kind: 'pulled', new: true, to: 'Issue 3'}]);
    // What the branch did comes first; what it only pulled last.
    expect(issues.map((i) => i.key)).to.deep.equal(['#1', '#2', '#3']);
    expect(summary).to.deep.equal({
      created: 0,
      pulled: 2,
      edited: 1,
      comments: 1,
      conflicts: 1,
      mappings_added: 0,
      mappings_removed: 1,
    });

    const report = {
      base: {rev: 'main', commit: 'abc', how: 'merge base with main'},
      segments_added: [],
      segments_removed: [],
      events_added: 9,
      issues,
      summary,
      warnings: [],
    };
    expect(reviewText(report).join('\n')).to.include('conflict on title: local "Mine" vs tracker "Theirs"');
    expect(reviewMarkdown(report).join('\n')).to.include('| 0 | 2 | 1 | 1 | 1 | 0 | 1 |');
  });
});
