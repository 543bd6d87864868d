import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {foldTrackerLog, ManualClock, type TrackerEvent} from '../../../src/core/index.js';
import {compactScope} from '../../../src/host/storage/compaction.js';
import {endAllRuns} from '../../../src/host/storage/open-segment.js';
import {committedSegmentNames} from '../../../src/host/storage/committed-segments.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {seededRandom} from '../../fakes/spec-kitty-project.js';
import {fingerprint, listFiles, ref, remote, scopeOptions, tempRoot, git} from './helpers.js';

// Compaction on two branches, with pulls and edits around it, merged every way git offers.
// The events are shaped to tempt git's rename detection: single-issue segments whose issue has a
// long body, pulled again later with one field changed, are more than half similar to each other.

const SEEDS = Number(process.env.COMPACTION_MERGE_SEEDS ?? 4);
const BODY = Array.from({length: 40}, (_, i) => `Line ${i} of a long issue body that stays the same.`).join(
  '\n',
);

/** Whole numbers below `n`, from the fakes' seeded generator. */
function dice(seed: number): (n: number) => number {
  const next = seededRandom(seed);
  return (n) => Math.floor(next() * n);
}

/** One branch's work: pulls of one issue at a time, edits, comments, compactions, commits. */
class Session {
  private clock: ManualClock;
  constructor(
    private readonly root: string,
    private readonly rand: (n: number) => number,
    start: string,
  ) {
    this.clock = new ManualClock(start);
  }

  private open() {
    clearSegmentCache();
    return openTrackerStorage({...scopeOptions(this.root), clock: this.clock});
  }

  async step(): Promise<void> {
    this.clock.advance(60_000 + this.rand(5) * 1000);
    const id = String(1 + this.rand(4));
    const s = this.open();
    const choice = this.rand(10);
    if (choice < 4) {
      const at = this.clock.now().toISOString();
      await s.stores.recordRemote([
        {
          issue: remote(id, {
            title: `Issue ${id} v${this.rand(3)}`,
            body: BODY,
            labels: ['a'],
            updated_at: at,
          }),
        },
      ]);
    } else if (choice < 6) {
      await s.stores.recordLocalEdit(ref(id), {labels: ['a', `l${this.rand(3)}`]}).catch(() => undefined);
    } else if (choice < 7) {
      await s.stores.addPendingComment(ref(id), `${BODY}\nA comment.`).catch(() => undefined);
    } else if (choice < 9) {
      await this.compact();
    } else {
      this.commit();
    }
    await endAllRuns(); // a command seals its records into one segment when it ends
  }

  /** One pull of many issues: one large segment that a snapshot would mostly consist of. */
  async bulkPull(count: number): Promise<void> {
    this.clock.advance(60_000);
    const at = this.clock.now().toISOString();
    const issues = Array.from({length: count}, (_, i) => ({
      issue: remote(String(i + 1), {body: BODY, updated_at: at}),
    }));
    await this.open().stores.recordRemote(issues);
    await endAllRuns();
  }

  async compact(): Promise<void> {
    const log = this.open().log;
    await compactScope(log, {committed: await committedSegmentNames(this.root, log.eventsDir)});
    await endAllRuns();
  }

  commit(message = 'work'): void {
    git(this.root, 'add', '-A');
    if (git(this.root, 'status', '--porcelain') !== '') git(this.root, 'commit', '-q', '-m', message);
  }
}

async function eventsOf(root: string): Promise<TrackerEvent[]> {
  clearSegmentCache();
  return (await openTrackerStorage(scopeOptions(root)).log.readSegments()).flatMap((s) => s.events);
}

async function printOf(root: string) {
  clearSegmentCache();
  return fingerprint(await openTrackerStorage(scopeOptions(root)).log.read());
}

const WAYS: [string, (root: string) => void][] = [
  [
    'git merge',
    (root) => (
      git(root, 'checkout', '-q', '-f', '-B', 'try', 'a'),
      git(root, 'merge', '-q', '--no-edit', 'b')
    ),
  ],
  [
    'git merge --squash',
    (root) => (
      git(root, 'checkout', '-q', '-f', '-B', 'try', 'b'),
      git(root, 'merge', '--squash', 'a'),
      git(root, 'commit', '-q', '-m', 'squash')
    ),
  ],
  [
    'git rebase',
    (root) => (git(root, 'checkout', '-q', '-f', '-B', 'try', 'b'), git(root, 'rebase', '-q', 'a')),
  ],
];

describe('compaction on both branches merges cleanly (real git, rename detection on)', function () {
  this.timeout(120_000);

  it('the reported case: compact and commit on two branches, then merge', async () => {
    const {root, cleanup} = await tempRoot('tracker-compact-merge-');
    try {
      git(root, 'init', '-q', '-b', 'main');
      const base = new Session(root, dice(7), '2026-03-01T00:00:00.000Z');
      await base.bulkPull(20);
      base.commit('base');
      git(root, 'branch', 'b');
      git(root, 'checkout', '-q', '-b', 'a');
      const onA = new Session(root, dice(1), '2026-03-02T00:00:00.000Z');
      await onA.step();
      await onA.compact();
      onA.commit('a');
      git(root, 'checkout', '-q', 'b');
      const onB = new Session(root, dice(2), '2026-03-02T00:00:00.000Z');
      await onB.step();
      await onB.compact();
      onB.commit('b');
      git(root, 'checkout', '-q', 'a');
      git(root, 'merge', '-q', '--no-edit', 'b');
      expect(git(root, 'status', '--porcelain')).to.equal('');
      expect((await eventsOf(root)).length).to.be.greaterThan(4);
    } finally {
      await cleanup();
    }
  });

  for (let seed = 1; seed <= SEEDS; seed++) {
    // INV-1: a committed segment is never modified or deleted (INV-2: every merge folds to the union).
    it(`random history ${seed}: no committed file is deleted, and every way of merging folds to the union`, async () => {
      const {root, cleanup} = await tempRoot('tracker-compact-merge-');
      try {
        git(root, 'init', '-q', '-b', 'main');
        const rand = dice(seed);
        const base = new Session(root, rand, '2026-03-01T00:00:00.000Z');
        await base.bulkPull(6 + rand(10));
        for (let i = 0; i < 6; i++) await base.step();
        base.commit('base');
        git(root, 'tag', 'base');
        git(root, 'branch', 'b');
        git(root, 'checkout', '-q', '-b', 'a');
        for (const branch of ['a', 'b']) {
          git(root, 'checkout', '-q', branch);
          const session = new Session(
            root,
            dice(seed * 31 + branch.charCodeAt(0)),
            '2026-03-02T00:00:00.000Z',
          );
          for (let i = 0; i < 10; i++) await session.step();
          session.commit(branch);
          const diff = git(root, 'diff', '--name-status', '--no-renames', 'base', branch).trim();
          for (const line of diff === '' ? [] : diff.split('\n'))
            expect(line, `${branch}: ${line}`).to.match(/^A\t/);
        }
        git(root, 'checkout', '-q', 'a');
        const eventsA = await eventsOf(root);
        git(root, 'checkout', '-q', 'b');
        const eventsB = await eventsOf(root);
        const union = fingerprint(foldTrackerLog([...eventsA, ...eventsB]));
        for (const [name, merge] of WAYS) {
          merge(root);
          expect(git(root, 'status', '--porcelain'), name).to.equal('');
          expect(await printOf(root), name).to.deep.equal(union);
        }
      } finally {
        await cleanup();
      }
    });
  }
});

describe('compact', function () {
  this.timeout(30_000);

  it('squashes uncommitted segments into one, keeps committed ones byte for byte, and loses no event', async () => {
    const {root, cleanup} = await tempRoot('tracker-compact-');
    try {
      git(root, 'init', '-q', '-b', 'main');
      const session = new Session(root, dice(3), '2026-03-01T00:00:00.000Z');
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const storage = () => (clearSegmentCache(), openTrackerStorage({...scopeOptions(root), clock}));
      await storage().stores.recordRemote([{issue: remote('1')}, {issue: remote('2')}]);
      await endAllRuns();
      session.commit('base');
      const eventsDir = storage().log.eventsDir;
      const committed = await listFiles(eventsDir);
      const committedBytes = await Promise.all(
        committed.map((name) => fs.readFile(path.join(eventsDir, name))),
      );
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        await storage().stores.recordLocalEdit(ref('1'), {labels: ['a', `x${i}`]});
        await endAllRuns();
      }
      const before = await printOf(root);
      const eventsBefore = (await eventsOf(root)).length;
      const log = storage().log;
      const report = await compactScope(log, {committed: await committedSegmentNames(root, eventsDir)});
      expect(report).to.include({segmentsBefore: 6, squashed: 5, keptCommitted: 1, events: 5});
      const after = await listFiles(eventsDir);
      expect(after).to.have.length(2);
      expect(after).to.include.members(committed);
      for (const [i, name] of committed.entries()) {
        expect(await fs.readFile(path.join(eventsDir, name))).to.deep.equal(committedBytes[i]);
      }
      expect(await printOf(root)).to.deep.equal(before);
      expect((await eventsOf(root)).length).to.equal(eventsBefore);
      // Nothing left to squash: a second run changes nothing.
      const again = await compactScope(storage().log, {
        committed: await committedSegmentNames(root, eventsDir),
      });
      expect(again.segment).to.equal(null);
      expect(await listFiles(eventsDir)).to.deep.equal(after);
    } finally {
      await cleanup();
    }
  });

  it('counts a segment as committed when only another branch holds it', async () => {
    const {root, cleanup} = await tempRoot('tracker-compact-');
    try {
      git(root, 'init', '-q', '-b', 'main');
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const storage = () => (clearSegmentCache(), openTrackerStorage({...scopeOptions(root), clock}));
      await fs.writeFile(path.join(root, 'README'), 'x');
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'init');
      git(root, 'checkout', '-q', '-b', 'other');
      await storage().stores.recordRemote([{issue: remote('1')}]);
      await endAllRuns();
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'on other');
      const onOther = await listFiles(storage().log.eventsDir);
      git(root, 'checkout', '-q', 'main');
      // The file is gone from this checkout, but a copy of it must not count as never committed.
      await fs.mkdir(storage().log.eventsDir, {recursive: true});
      await fs.writeFile(
        path.join(storage().log.eventsDir, onOther[0]!),
        await git(
          root,
          'show',
          `other:${path.relative(root, path.join(storage().log.eventsDir, onOther[0]!))}`,
        ),
      );
      clock.advance(1000);
      await storage().stores.recordRemote([{issue: remote('2')}]);
      const names = await committedSegmentNames(root, storage().log.eventsDir);
      expect(names.has(onOther[0]!)).to.equal(true);
      expect(names.size).to.equal(1);
    } finally {
      await cleanup();
    }
  });

  it('outside git every segment is uncommitted, and a snapshot of an earlier version is read and squashed', async () => {
    const {root, cleanup} = await tempRoot('tracker-compact-');
    try {
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const storage = () => (clearSegmentCache(), openTrackerStorage({...scopeOptions(root), clock}));
      await storage().stores.recordRemote([{issue: remote('1')}]);
      await endAllRuns();
      const eventsDir = storage().log.eventsDir;
      const [first] = await listFiles(eventsDir);
      await fs.rename(path.join(eventsDir, first!), path.join(eventsDir, `snapshot-${'a'.repeat(32)}.jsonl`));
      clock.advance(1000);
      await storage().stores.recordLocalEdit(ref('1'), {title: 'Edited'});
      await endAllRuns();
      expect(await committedSegmentNames(root, eventsDir)).to.deep.equal(new Set());
      const report = await compactScope(storage().log, {committed: new Set()});
      expect(report).to.include({segmentsBefore: 2, squashed: 2, keptCommitted: 0, events: 2});
      expect(await listFiles(eventsDir)).to.have.length(1);
      expect((await storage().stores.getIssue(ref('1')))!.title).to.equal('Edited');
    } finally {
      await cleanup();
    }
  });
});
