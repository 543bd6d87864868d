import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {
  canonicalJson,
  issueToJson,
  ManualClock,
  type CanonicalIssue,
  type TrackerState,
} from '../../../src/core/index.js';
import {isLiveEntry, localViewOf} from '../../../src/core/log/tracker-state.js';
import {compactScope} from '../../../src/host/storage/compaction.js';
import {committedSegmentNames} from '../../../src/host/storage/committed-segments.js';
import {endAllRuns} from '../../../src/host/storage/open-segment.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {
  assigneeFilter,
  issueFilter,
  labelFilter,
  listAll,
  listFirst,
  searchWords,
  statusFilter,
  type ListQuery,
} from '../../../src/host/storage/read-index/index-queries.js';
import {openReadIndex, type ReadIndexView} from '../../../src/host/storage/read-index/read-index.js';
import {OVERLAY_MAX_ENTRIES} from '../../../src/host/storage/read-index/index-update.js';
import {CANONICAL_STATUSES} from '../../../src/core/model/enums.js';
import {compareBy} from '../../../src/host/services/ticket-order.js';
import {ref, remote, scopeOptions, tempRoot, git} from './helpers.js';

const DAY = 24 * 3600 * 1000;
const at = (day: number) => new Date(Date.parse('2026-03-01T00:00:00.000Z') + day * DAY).toISOString();

const storageAt = (root: string, day: number) => {
  clearSegmentCache();
  return openTrackerStorage({...scopeOptions(root), clock: new ManualClock(at(day))});
};

async function indexOf(root: string): Promise<ReadIndexView> {
  const view = await openReadIndex({root, scopeDir: storageAt(root, 0).scopeDir, minLogBytes: 0});
  if (view === null) throw new Error('no index');
  return view;
}

/** What the fold says, in the form the index is compared in. */
async function foldAnswers(root: string): Promise<{state: TrackerState; live: string[]; all: string[]}> {
  clearSegmentCache();
  const storage = openTrackerStorage({...scopeOptions(root), readCache: false});
  const state = await storage.log.read();
  const views = state.liveEntries().map((entry) => ({entry, issue: localViewOf(entry)!}));
  views.sort((a, b) => compareBy('key')(a.issue, b.issue));
  const live = views.map(({entry, issue}) => describeIssue(entry.identity, issue));
  const all = [...state.issues.values()]
    .sort((a, b) => (a.identity < b.identity ? -1 : 1))
    .map((e) => canonicalJson([e.identity, e.deleted, e.createdAs, e.editedAt, [...e.overrides], e.history]));
  return {state, live, all};
}

function describeIssue(identity: string, issue: CanonicalIssue): string {
  return `${identity} ${canonicalJson(issueToJson(issue))}`;
}

/** The index answers exactly as the fold of the segments does: every entry, counts, globals. */
async function expectIndexMatchesFold(root: string): Promise<ReadIndexView> {
  const fold = await foldAnswers(root);
  const view = await indexOf(root);
  const listed = [...listAll(view, {filters: [], sort: 'key', reverse: false})].map((f) =>
    describeIssue(f.entry.identity, f.issue),
  );
  expect(listed).to.deep.equal(fold.live);
  const all = [...fold.state.issues.keys()].sort().map((identity) => {
    const e = view.entry(identity)!;
    return canonicalJson([e.identity, e.deleted, e.createdAs, e.editedAt, [...e.overrides], e.history]);
  });
  expect(all).to.deep.equal(fold.all);
  expect(view.liveCount).to.equal(fold.state.liveEntries().length);
  const pending = fold.state
    .liveEntries()
    .filter((e) => (e.base === null && e.draft !== null) || e.overrides.size > 0).length;
  expect(view.pendingCount).to.equal(pending);
  expect(canonicalJson(view.global.mappings)).to.equal(canonicalJson([...fold.state.mappings]));
  expect(canonicalJson(view.global.comments)).to.equal(canonicalJson([...fold.state.comments.values()]));
  expect(canonicalJson(view.global.conflicts)).to.equal(canonicalJson([...fold.state.conflicts.values()]));
  expect(view.global.last).to.deep.equal(fold.state.last);
  return view;
}

async function check(root: string, update: 'none' | 'rebuilt' | 'overlaid'): Promise<void> {
  const view = await expectIndexMatchesFold(root);
  try {
    expect(view.stats.update).to.equal(update);
  } finally {
    view.close();
  }
}

describe('read index: answers as the log folds, through git operations', function () {
  this.timeout(60_000);
  let root: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({root, cleanup} = await tempRoot('tracker-index-'));
    git(root, 'init', '-q', '-b', 'main');
    const s = storageAt(root, 0);
    await s.stores.recordRemote(
      ['1', '2', '3', '4', '5'].map((id) => ({
        issue: remote(id, {
          updated_at: at(Number(id) % 3),
          status: id === '2' ? 'done' : 'todo',
          labels: id === '3' ? ['a', 'b'] : ['a'],
          assignees: id === '4' ? ['alice'] : [],
          body: `Crashes on start ${id}`,
        }),
      })),
    );
    await endAllRuns(); // a command seals its records when it ends
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'pull');
  });
  afterEach(() => cleanup());

  it('builds once, then answers without updating; unchanged folders are trusted by their stamp', async () => {
    await check(root, 'rebuilt');
    const again = await indexOf(root);
    expect(again.stats.update).to.equal('none');
    again.close();
  });

  it('folds new segments into the overlay (O(new events)), edits and comments included', async () => {
    await check(root, 'rebuilt');
    const s = storageAt(root, 1);
    await s.stores.recordRemote([
      {issue: remote('6', {updated_at: at(1)})},
      {issue: remote('2', {title: 'v2', updated_at: at(1)})},
    ]);
    await s.stores.recordLocalEdit(ref('3'), {status: 'done'});
    await s.stores.addPendingComment(ref('3'), 'hello');
    await s.stores.addMapping('WP01', ref('1'));
    await check(root, 'overlaid');
    await storageAt(root, 2).stores.recordRemote([{issue: remote('7', {updated_at: at(2)})}]);
    await check(root, 'overlaid');
  });

  it('events appended to a segment already indexed are folded in (a segment that grows)', async () => {
    await check(root, 'rebuilt');
    const s = storageAt(root, 1);
    const eventsDir = path.join(s.scopeDir, 'events');
    const before = new Set(await fs.readdir(eventsDir));
    await s.stores.recordRemote([{issue: remote('2', {title: 'grown', updated_at: at(1)})}]);
    const added = (await fs.readdir(eventsDir)).filter((name) => !before.has(name));
    expect(added).to.have.length(1);
    const grown = [...before].sort()[0]!;
    await fs.appendFile(path.join(eventsDir, grown), await fs.readFile(path.join(eventsDir, added[0]!)));
    await fs.rm(path.join(eventsDir, added[0]!));
    await check(root, 'overlaid');
  });

  it('a command that wrote brings an existing index up to date itself (the next read updates nothing)', async () => {
    await check(root, 'rebuilt');
    const s = storageAt(root, 1);
    await s.stores.recordRemote([{issue: remote('6', {updated_at: at(1)})}]);
    await s.log.refreshReadCache();
    const view = await indexOf(root);
    try {
      expect(view.stats.update).to.equal('none');
      expect(view.liveIssue(ref('6').system + ':acme/widgets:6')?.issue.title).to.equal('Issue 6');
    } finally {
      view.close();
    }
  });

  it('a checkout of another branch (segments gone) rebuilds', async () => {
    git(root, 'checkout', '-q', '-b', 'side');
    await storageAt(root, 1).stores.recordRemote([{issue: remote('9', {updated_at: at(1)})}]);
    await endAllRuns(); // a command seals its records when it ends
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'side');
    await check(root, 'rebuilt');
    git(root, 'checkout', '-q', 'main');
    await check(root, 'rebuilt');
  });

  it('a merge of two branches answers as the union folds', async () => {
    git(root, 'checkout', '-q', '-b', 'side');
    await storageAt(root, 2).stores.recordRemote([{issue: remote('1', {title: 'side', updated_at: at(2)})}]);
    await endAllRuns(); // a command seals its records when it ends
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'side');
    git(root, 'checkout', '-q', 'main');
    await storageAt(root, 1).stores.recordLocalEdit(ref('1'), {title: 'mine'});
    await endAllRuns(); // a command seals its records when it ends
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'main');
    await check(root, 'rebuilt');
    git(root, 'merge', '-q', '--no-edit', 'side');
    const view = await expectIndexMatchesFold(root);
    view.close();
  });

  it('a git pull that adds segments is folded in as an overlay', async () => {
    const {root: cloneParent, cleanup: cleanClone} = await tempRoot('tracker-index-clone-');
    try {
      const clone = path.join(cloneParent, 'clone');
      git(cloneParent, 'clone', '-q', root, clone);
      await check(clone, 'rebuilt');
      await storageAt(root, 3).stores.recordRemote([{issue: remote('8', {updated_at: at(3)})}]);
      await endAllRuns(); // a command seals its records when it ends
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'more');
      git(clone, 'pull', '-q', '--no-rebase', 'origin', 'main');
      await check(clone, 'overlaid');
    } finally {
      await cleanClone();
    }
  });

  it('a compaction rebuilds, and so does a deleted or damaged cache folder', async () => {
    await check(root, 'rebuilt');
    // Two commands' segments, not committed yet: compaction squashes them (removing both files).
    await storageAt(root, 1).stores.recordRemote([{issue: remote('1', {title: 'v2', updated_at: at(1)})}]);
    await endAllRuns();
    await storageAt(root, 2).stores.recordRemote([{issue: remote('2', {title: 'v2', updated_at: at(2)})}]);
    await endAllRuns();
    const s = storageAt(root, 40);
    const report = await compactScope(s.log, {committed: await committedSegmentNames(root, s.log.eventsDir)});
    expect(report.squashed).to.equal(2);
    await check(root, 'rebuilt');
    await fs.rm(path.join(s.scopeDir, 'cache'), {recursive: true});
    await check(root, 'rebuilt');
    await fs.writeFile(path.join(s.scopeDir, 'cache', 'read-index.v1.base'), 'garbage');
    await check(root, 'rebuilt');
  });

  it('rebuilds when the overlay would grow past its bound', async () => {
    await check(root, 'rebuilt');
    const many = Array.from({length: OVERLAY_MAX_ENTRIES + 1}, (_, i) => ({
      issue: remote(String(100 + i), {updated_at: at(1)}),
    }));
    await storageAt(root, 1).stores.recordRemote(many);
    await check(root, 'rebuilt');
  });

  it('listings, filters, sorts and word search agree with filtering the folded issues', async () => {
    const s = storageAt(root, 1);
    await s.stores.recordRemote([{issue: remote('6', {updated_at: at(5), status: 'done', labels: ['b']})}]);
    await s.stores.recordLocalEdit(ref('5'), {status: 'done'});
    const fold = await foldAnswers(root);
    const issues = fold.state
      .liveEntries()
      .filter(isLiveEntry)
      .map((e) => localViewOf(e)!);
    const view = await indexOf(root);
    try {
      const cases: [ListQuery, (i: CanonicalIssue) => boolean][] = [
        [
          {filters: [statusFilter(['done'], CANONICAL_STATUSES)], sort: 'key', reverse: false},
          (i) => i.status === 'done',
        ],
        [
          {filters: [labelFilter(['a', 'b'])], sort: 'updated', reverse: true},
          (i) => i.labels.includes('a') && i.labels.includes('b'),
        ],
        [
          {filters: [assigneeFilter(['alice', 'nobody'])], sort: 'title', reverse: false},
          (i) => i.assignees.includes('alice'),
        ],
        [
          {filters: [issueFilter((i) => i.title.endsWith('1'))], sort: 'priority', reverse: false},
          (i) => i.title.endsWith('1'),
        ],
        [{filters: [], sort: 'created', reverse: true}, () => true],
        [{filters: [], sort: 'title', reverse: false}, () => true],
        [{filters: [], sort: 'status', reverse: true}, () => true],
      ];
      for (const [query, test] of cases) {
        const expected = issues.filter(test).sort(compareBy(query.sort));
        if (query.reverse) expected.reverse();
        const got = listFirst(view, query, 2);
        expect(got.total, query.sort).to.equal(expected.length);
        expect(got.issues.map((f) => f.issue.ref.id)).to.deep.equal(
          expected.slice(0, 2).map((i) => i.ref.id),
        );
        expect([...listAll(view, query)].map((f) => f.issue.ref.id)).to.deep.equal(
          expected.map((i) => i.ref.id),
        );
      }
      for (const query of ['crash', 'START 4', 'on st', 'rashes', 'nothing-here', 'issue 6']) {
        const words = query.toLowerCase().split(/\s+/);
        const expected = issues
          .filter((i) => {
            const hay =
              `${i.title}\n${i.body ?? ''}\n${i.ref.key ?? ''}\n${i.labels.join(' ')}`.toLowerCase();
            return words.every((w) => hay.includes(w));
          })
          .sort(compareBy('updated'));
        const got = searchWords(view, query, 3);
        expect(got.total, query).to.equal(expected.length);
        expect(
          got.issues.map((f) => f.issue.ref.id),
          query,
        ).to.deep.equal(expected.slice(0, 3).map((i) => i.ref.id));
      }
    } finally {
      view.close();
    }
  });
});
