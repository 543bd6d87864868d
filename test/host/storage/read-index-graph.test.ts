import {expect} from 'chai';

import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {listAll, listFirst} from '../../../src/host/storage/read-index/index-queries.js';
import {indexGraph} from '../../../src/host/storage/read-index/index-graph.js';
import {openReadIndex, type ReadIndexView} from '../../../src/host/storage/read-index/read-index.js';
import {graphFilter, issueRelations} from '../../../src/host/services/graph-reads.js';
import {foldGraph} from '../../../src/host/services/fold-graph.js';
import {isLiveEntry, localViewOf} from '../../../src/core/log/tracker-state.js';
import {createRef, LINK_TYPES, refIdentity, type CanonicalIssue} from '../../../src/core/index.js';
import {ref, remote, scopeOptions, tempRoot} from './helpers.js';

/** Counts the base records read from the file (one by one, or several at once). */
function countReads(view: ReadIndexView): () => number {
  const base = view.base!;
  let read = 0;
  const one = base.record.bind(base);
  const many = base.records.bind(base);
  base.record = (n) => {
    read += 1;
    if (process.env.TRACE_READS) console.log(new Error(`record ${n}`).stack);
    return one(n);
  };
  base.records = (ns) => {
    read += ns.length;
    return many(ns);
  };
  return () => read;
}

/**
 * `--ready` over the read index costs what it prints: the graph comes from the relations section
 * and the status column, so listing the first few ready issues of 2,000 decodes those few.
 */
describe('read index: the work graph without decoding the cache', function () {
  this.timeout(60_000);
  let root: string;
  let cleanup: () => Promise<void>;
  let view: ReadIndexView;

  before(async () => {
    ({root, cleanup} = await tempRoot());
    clearSegmentCache();
    const storage = openTrackerStorage(scopeOptions(root));
    // Chains of 4: each issue blocked by the one before it; every third issue done.
    const issues = Array.from({length: 2000}, (_, i) =>
      remote(String(i + 1), {
        status: (i + 1) % 3 === 0 ? 'done' : 'todo',
        parent: i % 4 === 0 ? null : ref(String(i + 1 - (i % 4))),
        links: i % 4 === 0 ? [] : [{type: 'blocked_by', target: ref(String(i))}],
      }),
    );
    await storage.stores.recordRemote(issues.map((issue) => ({issue})));
    await storage.log.endRun();
    view = (await openReadIndex({root, scopeDir: storage.scopeDir, minLogBytes: 0}))!;
  });
  after(async () => {
    view?.close();
    await cleanup();
  });

  it('--ready --limit 5 reads the 5 it returns', () => {
    const decoded = countReads(view);
    const filter = graphFilter(indexGraph(view, {blocking: true}), 'ready');
    const found = listFirst(view, {filters: [filter], sort: 'key', reverse: false}, 5);
    // Ready: open chain heads (1, 5; 9 is done) and open issues whose blocker is done (4, 7, 10).
    expect(found.issues.map((f) => f.issue.ref.id)).to.deep.equal(['1', '4', '5', '7', '10']);
    expect(decoded()).to.equal(5);
    expect(found.total).to.be.greaterThan(600);
  });

  it("show decodes the issue's neighbours only", () => {
    const decoded = countReads(view);
    const relations = issueRelations(
      indexGraph(view, {around: 'github:acme/widgets:1'}),
      'github:acme/widgets:1',
    );
    expect(relations.children.issues.map((c) => c.key)).to.deep.equal(['#2', '#3', '#4']);
    expect(relations.children.done).to.equal(1);
    expect(relations.blocks.map((b) => b.key)).to.deep.equal(['#2']);
    // The issue itself (its key looked up) and the three it names.
    expect(decoded()).to.equal(4);
  });
});

/** A small deterministic generator (tests must not depend on the run). */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/**
 * Random graphs (relations on either side, to issues outside the cache, to deleted ones, cycles,
 * self-relations, competing parents), indexed, then changed by appended events (an overlay): the
 * index answers every `show` and both listings exactly as the fold of the same log does.
 */
describe('read index: the work graph answers as the fold does (random graphs)', function () {
  this.timeout(60_000);
  const statuses = ['todo', 'in_progress', 'in_review', 'blocked', 'done', 'canceled'] as const;
  const other = (id: number | string) =>
    createRef({system: 'github', workspace: 'acme/widgets', id: String(id), key: `#${id}`});

  function randomIssue(random: () => number, id: number, version: number): CanonicalIssue {
    const pick = () => 1 + Math.floor(random() * 130);
    const links = Array.from({length: Math.floor(random() * 4)}, () => ({
      type: LINK_TYPES[Math.floor(random() * LINK_TYPES.length)]!,
      target: other(pick()),
    }));
    return remote(String(id), {
      status: statuses[Math.floor(random() * statuses.length)],
      parent: random() < 0.4 ? other(pick()) : null,
      links,
      updated_at: `2026-01-0${version}T00:00:00.000Z`,
    });
  }

  async function expectSameAnswers(root: string, scopeDir: string, expected: 'rebuilt' | 'overlaid') {
    clearSegmentCache();
    const state = await openTrackerStorage({...scopeOptions(root), readCache: false}).log.read();
    const view = (await openReadIndex({root, scopeDir, minLogBytes: 0}))!;
    try {
      // After the append the index holds an overlay (made by this read, or by the write itself).
      if (expected === 'rebuilt') expect(view.stats.update).to.equal('rebuilt');
      else expect(view.overlay.size).to.be.greaterThan(0);
      const folded = foldGraph(state);
      const live = [...state.issues.values()].filter(isLiveEntry).map((e) => localViewOf(e)!);
      for (const listing of ['ready', 'blocked'] as const) {
        const indexed = [
          ...listAll(view, {
            filters: [graphFilter(indexGraph(view, {blocking: true}), listing)],
            sort: 'key',
            reverse: false,
          }),
        ];
        const test = graphFilter(folded, listing).issue;
        const byFold = live
          .filter(test)
          .map((i) => refIdentity(i.ref))
          .sort();
        expect(indexed.map((f) => f.entry.identity).sort(), listing).to.deep.equal(byFold);
      }
      const all = new Map<string, ReturnType<typeof issueRelations>>();
      for (const issue of live) {
        const identity = refIdentity(issue.ref);
        const byFold = issueRelations(folded, identity);
        expect(issueRelations(indexGraph(view, {around: identity}), identity), identity).to.deep.equal(
          byFold,
        );
        all.set(identity, byFold);
      }
      return all;
    } finally {
      view.close();
    }
  }

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}`, async () => {
      const {root, cleanup} = await tempRoot();
      try {
        clearSegmentCache();
        const random = prng(seed);
        const storage = openTrackerStorage(scopeOptions(root));
        const first = Array.from({length: 120}, (_, i) => randomIssue(random, i + 1, 2));
        await storage.stores.recordRemote(first.map((issue) => ({issue})));
        for (let k = 0; k < 6; k += 1)
          await storage.stores.deleteIssue(`github:acme/widgets:${1 + Math.floor(random() * 120)}`);
        // Relations naming local drafts, two of them created on the tracker before the index is
        // built and one after: a relation to a created draft is the created issue's.
        for (const d of [1, 2, 3]) await storage.stores.createDraft(remote(`draft-${d}`));
        await storage.stores.recordRemote([
          {
            issue: remote('200', {
              links: [{type: 'blocked_by', target: other('draft-1')}],
              parent: other('draft-2'),
            }),
          },
          {issue: remote('201', {links: [{type: 'blocks', target: other('draft-3')}]})},
        ]);
        await storage.stores.recordRemoteCreated('github:acme/widgets:draft-1', remote('300'));
        await storage.stores.recordRemoteCreated('github:acme/widgets:draft-2', remote('301'));
        await storage.log.endRun();
        await expectSameAnswers(root, storage.scopeDir, 'rebuilt');
        const changed = Array.from({length: 25}, () =>
          randomIssue(random, 1 + Math.floor(random() * 128), 3),
        );
        const later = openTrackerStorage(scopeOptions(root));
        await later.stores.recordRemote(changed.map((issue) => ({issue})));
        await later.stores.recordRemoteCreated('github:acme/widgets:draft-3', remote('302'));
        await later.log.endRun();
        const relations = await expectSameAnswers(root, storage.scopeDir, 'overlaid');
        expect(relations.get('github:acme/widgets:300')!.blocks.map((b) => b.key)).to.deep.equal(['#200']);
        expect(relations.get('github:acme/widgets:301')!.children.issues.map((c) => c.key)).to.deep.equal([
          '#200',
        ]);
        expect(relations.get('github:acme/widgets:302')!.blocked_by.map((b) => b.key)).to.deep.equal([
          '#201',
        ]);
      } finally {
        await cleanup();
      }
    });
  }
});
