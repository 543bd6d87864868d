import {expect} from 'chai';

import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {listFirst} from '../../../src/host/storage/read-index/index-queries.js';
import {indexGraph} from '../../../src/host/storage/read-index/index-graph.js';
import {openReadIndex, type ReadIndexView} from '../../../src/host/storage/read-index/read-index.js';
import {graphFilter, issueRelations} from '../../../src/host/services/graph-reads.js';
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
