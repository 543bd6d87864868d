import {expect} from 'chai';

import {endAllRuns} from '../../../src/host/storage/open-segment.js';
import {foldTrackerLog, ManualClock, type TrackerEvent} from '../../../src/core/index.js';
import {compactScope} from '../../../src/host/storage/compaction.js';
import {committedSegmentNames} from '../../../src/host/storage/committed-segments.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {fingerprint, ref, remote, scopeOptions, tempRoot, git} from './helpers.js';

const DAY = 24 * 3600 * 1000;
const at = (day: number) => new Date(Date.parse('2026-03-01T00:00:00.000Z') + day * DAY).toISOString();

const open = (root: string, day: number) => {
  clearSegmentCache();
  return openTrackerStorage({...scopeOptions(root), clock: new ManualClock(at(day))});
};

async function allEvents(root: string): Promise<TrackerEvent[]> {
  return (await open(root, 0).log.readSegments()).flatMap((s) => s.events);
}

async function stateOf(root: string) {
  const storage = open(root, 0);
  const state = await storage.log.read();
  return {print: fingerprint(state), storage};
}

describe('merging tracker logs with real git (no merge driver)', function () {
  this.timeout(30_000);
  let root: string;
  let cleanup: () => Promise<void>;
  let eventsA: TrackerEvent[];
  let eventsB: TrackerEvent[];

  before(async () => {
    ({root, cleanup} = await tempRoot('tracker-git-'));
    git(root, 'init', '-q', '-b', 'main');
    // Base: a few syncs, a settled edit, a sent comment, a mapping.
    let s = open(root, 0);
    await s.stores.recordRemote(['1', '2', '3', '4'].map((id) => ({issue: remote(id, {updated_at: at(0)})})));
    s = open(root, 1);
    await s.stores.recordRemote([{issue: remote('1', {title: 'v2', updated_at: at(1)})}]);
    await s.stores.recordLocalEdit(ref('3'), {status: 'done'});
    const comment = await s.stores.addPendingComment(ref('3'), 'hello');
    s = open(root, 2);
    await s.stores.recordRemote([
      {issue: remote('3', {status: 'done', updated_at: at(2)}), settle: ['status']},
    ]);
    await s.stores.settleComment(comment.comment_id);
    await s.stores.addMapping('WP01', ref('1'));
    await endAllRuns(); // as every command does when it ends
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'base');
    git(root, 'tag', 'base');
    git(root, 'branch', 'b');

    // Branch a: the same new remote version of 1, a new issue, an edit of 2, a comment.
    s = open(root, 3);
    await s.stores.recordRemote([
      {issue: remote('1', {title: 'v3', updated_at: at(3)})},
      {issue: remote('10', {updated_at: at(3)})},
    ]);
    await s.stores.recordLocalEdit(ref('2'), {title: 'A title', labels: ['a', 'from-a']});
    await s.stores.addPendingComment(ref('2'), 'from a');
    await endAllRuns(); // as every command does when it ends
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'a');
    git(root, 'branch', 'a');
    eventsA = await allEvents(root);

    git(root, 'checkout', '-q', 'b');
    s = open(root, 3.5);
    await s.stores.recordRemote([
      {issue: remote('1', {title: 'v3', updated_at: at(3)})},
      {issue: remote('11', {updated_at: at(3)})},
    ]);
    await s.stores.recordLocalEdit(ref('2'), {title: 'B title'});
    await s.stores.addMapping('WP02', ref('11'));
    await endAllRuns(); // as every command does when it ends
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'b');
    eventsB = await allEvents(root);
  });
  after(async () => cleanup());

  // INV-1: a committed segment is never modified or deleted.
  it('a sync only adds files: no committed line is modified', () => {
    const changes = ['a', 'b'].flatMap((branch) =>
      git(root, 'diff', '--name-status', 'base', branch).trim().split('\n'),
    );
    // Each branch's writes (several transactions) were one run: one added segment per branch.
    expect(changes).to.have.length(2);
    for (const change of changes)
      expect(change).to.match(
        /^A\t\.kittify\/tracker\/github-acme-widgets-[0-9a-f]{8}\/events\/[0-9A-Z]{26}\.jsonl$/,
      );
  });

  const union = () => fingerprint(foldTrackerLog([...eventsA, ...eventsB]));

  const strategies: [string, () => void][] = [
    [
      'git merge',
      () => (git(root, 'checkout', '-q', '-f', '-B', 'try', 'a'), git(root, 'merge', '-q', '--no-edit', 'b')),
    ],
    [
      'git merge --squash',
      () => (
        git(root, 'checkout', '-q', '-f', '-B', 'try', 'a'),
        git(root, 'merge', '--squash', 'b'),
        git(root, 'commit', '-q', '-m', 'squash')
      ),
    ],
    [
      'git rebase',
      () => (git(root, 'checkout', '-q', '-f', '-B', 'try', 'b'), git(root, 'rebase', '-q', 'a')),
    ],
  ];
  for (const [name, run] of strategies) {
    // INV-2: the state is a deterministic fold of the set of events, whatever order branches arrive in.
    it(`${name} completes without conflict and folds to the union`, async () => {
      run();
      expect(git(root, 'status', '--porcelain')).to.equal('');
      const {print, storage} = await stateOf(root);
      expect(print).to.deep.equal(union());
      const issue1 = await storage.stores.getIssue(ref('1'));
      expect(issue1!.title).to.equal('v3');
      expect(
        (await storage.log.read()).issues
          .get('github:acme/widgets:1')!
          .history.filter((h) => h.kind === 'issue_pulled'),
      ).to.have.length(4);
      const issue2 = (await storage.stores.getIssue(ref('2')))!;
      expect([issue2.title, issue2.labels]).to.deep.equal(['B title', ['a', 'from-a']]);
      expect((await storage.stores.listIssues()).map((i) => i.ref.id)).to.deep.equal([
        '1',
        '10',
        '11',
        '2',
        '3',
        '4',
      ]);
      expect((await storage.stores.listMappings()).map((m) => m.wp_id)).to.deep.equal(['WP01', 'WP02']);
    });
  }

  it('a compacted branch still merges cleanly (all three ways) with one that did not compact', async () => {
    git(root, 'checkout', '-q', '-f', '-B', 'compacted', 'a');
    let storage = open(root, 4);
    await storage.stores.recordLocalEdit(ref('10'), {title: 'Compacted title'});
    await endAllRuns(); // as every command does when it ends: one sealed segment
    storage = open(root, 4.5);
    await storage.stores.addPendingComment(ref('10'), 'before compacting');
    await endAllRuns();
    const report = await compactScope(storage.log, {
      committed: await committedSegmentNames(root, storage.log.eventsDir),
    });
    expect(report).to.include({squashed: 2, events: 2});
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'compact');
    const compactedEvents = await allEvents(root);
    const union = () => fingerprint(foldTrackerLog([...compactedEvents, ...eventsB]));

    const ways: [string, () => void][] = [
      [
        'merge',
        () => (
          git(root, 'checkout', '-q', '-f', '-B', 'try', 'compacted'),
          git(root, 'merge', '-q', '--no-edit', 'b')
        ),
      ],
      [
        'merge into the other',
        () => (
          git(root, 'checkout', '-q', '-f', '-B', 'try', 'b'),
          git(root, 'merge', '-q', '--no-edit', 'compacted')
        ),
      ],
      [
        'squash',
        () => (
          git(root, 'checkout', '-q', '-f', '-B', 'try', 'b'),
          git(root, 'merge', '--squash', 'compacted'),
          git(root, 'commit', '-q', '-m', 's')
        ),
      ],
      [
        'rebase',
        () => (git(root, 'checkout', '-q', '-f', '-B', 'try', 'b'), git(root, 'rebase', '-q', 'compacted')),
      ],
    ];
    for (const [name, run] of ways) {
      run();
      expect(git(root, 'status', '--porcelain'), name).to.equal('');
      expect((await stateOf(root)).print, name).to.deep.equal(union());
    }
  });
});
