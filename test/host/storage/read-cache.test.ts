import {execFileSync} from 'node:child_process';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {expect} from 'chai';

import {
  canonicalJson,
  canonicalJsonLine,
  createIssue,
  createRef,
  issueToJson,
  ManualClock,
  type CanonicalIssue,
  type TrackerState,
} from '../../../src/core/index.js';
import {prng} from '../../../bench/lib/github-issue-fixture.js';
import {clearSegmentCache} from '../../../src/host/storage/jsonl-event-log.js';
import {endAllRuns} from '../../../src/host/storage/open-segment.js';
import {packIssue, SnapshotFile, unpackIssue} from '../../../src/host/storage/state-snapshot.js';
import {openTrackerStorage, type TrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {listFiles, ref, remote, scopeOptions, tempRoot, treeHash} from './helpers.js';

const SNAPSHOT = 'tracker-state.v1.snapshot';
const FRESH = 'tracker-state.v1.fresh';
const MISSING = 'github:acme/widgets:no-such-issue';

/**
 * A fresh store object: nothing folded in memory, as in a new process. The cache is built
 * whatever the log's size (by default only from 1 MiB of segments).
 */
const cold = (root: string, options: {readCache?: false | {settleMs?: number}; day?: number} = {}) => {
  clearSegmentCache();
  return openTrackerStorage({
    ...scopeOptions(root),
    readCache: options.readCache === false ? false : {minLogBytes: 0, ...options.readCache},
    clock: new ManualClock(new Date(Date.parse('2026-03-01T00:00:00.000Z') + (options.day ?? 0) * 3600_000)),
  });
};

/** Everything `read()` returns, as plain JSON (Map insertion order included). */
function dump(state: TrackerState): string {
  return canonicalJson({
    issues: [...state.issues.values()].map((e) => ({
      identity: e.identity,
      base: e.base && issueToJson(e.base),
      draft: e.draft && issueToJson(e.draft),
      overrides: [...e.overrides],
      editedAt: e.editedAt,
      deleted: e.deleted,
      createdAs: e.createdAs,
      history: e.history,
    })),
    created: [...state.createdDrafts],
    conflicts: [...state.conflicts],
    comments: [...state.comments],
    mappings: [...state.mappings].map(([k, m]) => [k, {...m, ref: {...m.ref}}]),
    diagnostics: state.diagnostics,
    eventCount: state.eventCount,
    last: state.last,
  });
}

const issuesJson = (issues: readonly (CanonicalIssue | null)[]) =>
  canonicalJson(issues.map((i) => i && issueToJson(i)));

/** Every read answer of a store: the list, each issue (and an unknown key) by three getters. */
async function answers(storage: TrackerStorage, identities: readonly string[]): Promise<string> {
  const list = await storage.stores.listIssues();
  const one: unknown[] = [];
  for (const identity of [...identities, MISSING]) {
    const issue = await storage.stores.getIssue(identity);
    if (issue)
      expect(Object.isFrozen(issue) && Object.isFrozen(issue.ref) && Object.isFrozen(issue.labels)).to.equal(
        true,
      );
    one.push([
      issue && issueToJson(issue),
      (await storage.stores.getBase(identity)) && issueToJson((await storage.stores.getBase(identity))!),
      await storage.stores.getLocalEdits(identity),
    ]);
  }
  return canonicalJson({list: list.map((i) => issueToJson(i)), one, warnings: storage.warnings});
}

async function identitiesOf(root: string): Promise<string[]> {
  return [...(await cold(root, {readCache: false}).log.read()).issues.keys()];
}

/** The answers with the cache (each from a new store object) equal those without it. */
async function expectSameAsUncached(root: string): Promise<void> {
  const identities = await identitiesOf(root);
  const expected = await answers(cold(root, {readCache: false}), identities);
  const expectedState = dump(await cold(root, {readCache: false}).log.read());
  expect(await answers(cold(root), identities)).to.equal(expected);
  expect(dump(await cold(root).log.read())).to.equal(expectedState);
  // The fast paths alone (nothing folded in memory), one store object per question.
  const list = await cold(root).stores.listIssues();
  expect(canonicalJson(list.map((i) => issueToJson(i)))).to.equal(
    canonicalJson((JSON.parse(expected) as {list: unknown}).list),
  );
}

describe('read cache (derived, git-ignored snapshot of the fold)', function () {
  this.timeout(20_000);
  let root: string;
  let cleanup: () => Promise<void>;
  let cacheDir: string;
  let eventsDir: string;
  beforeEach(async () => {
    ({root, cleanup} = await tempRoot('tracker-cache-'));
    const storage = cold(root);
    cacheDir = path.join(storage.scopeDir, 'cache');
    eventsDir = path.join(storage.scopeDir, 'events');
  });
  afterEach(async () => cleanup());

  async function seed(): Promise<void> {
    const storage = cold(root);
    await storage.stores.recordRemote(['1', '2', '3', '4'].map((id) => ({issue: remote(id)})));
    await storage.stores.recordLocalEdit(ref('2'), {title: 'Edited locally', labels: ['x', 'a']});
    await storage.stores.deleteIssue(ref('4'));
    await storage.stores.addMapping('WP01', ref('1'));
    await storage.stores.addPendingComment(ref('3'), 'hello');
  }

  it('a cold read builds it; the next cold reads answer from it without parsing a segment', async () => {
    await seed();
    expect(await listFiles(cacheDir)).to.deep.equal([]); // writers do not build it
    const first = cold(root);
    const expected = await first.stores.listIssues();
    expect(first.log.stats.cacheWrites).to.equal(1);
    expect(await listFiles(cacheDir))
      .to.include(SNAPSHOT)
      .and.include('.gitignore');

    const second = cold(root);
    expect(issuesJson(await second.stores.listIssues())).to.equal(issuesJson(expected));
    expect(issuesJson([await second.stores.getIssue(ref('2'))])).to.equal(
      issuesJson([expected.find((i) => i.ref.id === '2')!]),
    );
    expect((await second.stores.getIssue(ref('2')))!.title).to.equal('Edited locally');
    expect(await second.stores.getIssue(ref('4'))).to.equal(null); // deleted
    expect(await second.stores.getIssue(MISSING)).to.equal(null);
    expect(await second.stores.getLocalEdits(ref('2'))).to.deep.equal({
      labels: ['a', 'x'],
      title: 'Edited locally',
    });
    expect(second.log.stats).to.deep.include({segmentsParsed: 0, cacheWrites: 0});
    expect(second.log.stats.cacheHits).to.be.greaterThan(0);
    // A full read() comes from the snapshot too, and equals the fold.
    const third = cold(root);
    expect(dump(await third.log.read())).to.equal(dump(await cold(root, {readCache: false}).log.read()));
    expect(third.log.stats.segmentsParsed).to.equal(0);
  });

  // INV-10: a command that decides nothing writes nothing, reads included.
  it('a pure read with a current cache writes nothing, the cache included', async () => {
    await seed();
    await cold(root).stores.listIssues();
    const before = await treeHash(path.join(root, '.kittify'));
    await cold(root).stores.listIssues();
    await cold(root).stores.getIssue(ref('1'));
    await cold(root).log.read();
    expect(await treeHash(path.join(root, '.kittify'))).to.equal(before);
  });

  it('a writer that refreshes the cache leaves the next cold read nothing to parse or write', async () => {
    const writer = cold(root);
    await writer.stores.recordRemote(['1', '2', '3'].map((id) => ({issue: remote(id)})));
    await writer.stores.recordLocalEdit(ref('3'), {title: 'Edited'});
    await writer.log.refreshReadCache();
    expect(writer.log.stats.cacheWrites).to.equal(1);
    const before = await treeHash(path.join(root, '.kittify'));
    const reader = cold(root);
    expect((await reader.stores.getIssue(ref('3')))!.title).to.equal('Edited');
    expect(dump(await reader.log.read())).to.equal(dump(await cold(root, {readCache: false}).log.read()));
    expect(reader.log.stats).to.deep.include({segmentsParsed: 0, cacheWrites: 0});
    expect(await treeHash(path.join(root, '.kittify'))).to.equal(before);
    await writer.log.refreshReadCache(); // already current: writes nothing
    expect(writer.log.stats.cacheWrites).to.equal(1);
  });

  it('misses after another process adds a segment, and applies only the new one on top', async () => {
    await seed();
    await cold(root).stores.listIssues();
    const other = cold(root, {day: 1});
    await other.stores.recordRemote([
      {issue: remote('5')},
      {issue: remote('1', {title: 'Renamed remotely', updated_at: '2026-01-03T00:00:00.000Z'})},
    ]);
    const reader = cold(root);
    expect((await reader.stores.getIssue(ref('1')))!.title).to.equal('Renamed remotely');
    expect((await reader.stores.listIssues()).map((i) => i.ref.id)).to.deep.equal(['1', '2', '3', '5']);
    expect(reader.log.stats.segmentsParsed).to.equal(1);
    expect(reader.log.stats.cacheWrites).to.equal(1);
    const next = cold(root);
    expect((await next.stores.getIssue(ref('5')))!.title).to.equal('Issue 5');
    expect(next.log.stats).to.deep.include({segmentsParsed: 0, cacheWrites: 0});
    await expectSameAsUncached(root);
  });

  it('non-ASCII text: segments hold ASCII escapes, the cache raw UTF-8, both read back exactly', async () => {
    const title = 'Café 中文 😀 \u2028 naïve';
    const body = 'Zeile ü\n\ttab "quoted" \\ back ß'.repeat(50);
    const writer = cold(root);
    await writer.stores.recordRemote([{issue: remote('1', {title, body})}, {issue: remote('2')}]);
    const events = path.join(writer.scopeDir, 'events');
    for (const file of await fs.readdir(events)) {
      const bytes = await fs.readFile(path.join(events, file));
      expect(bytes.every((byte) => byte < 0x80)).to.equal(true);
      for (const line of bytes.toString('utf8').trimEnd().split('\n'))
        expect(line + '\n').to.equal(canonicalJsonLine(JSON.parse(line)));
    }
    await writer.log.refreshReadCache();
    for (const readCache of [undefined, false] as const) {
      const reader = cold(root, {readCache});
      const issue = (await reader.stores.getIssue(ref('1')))!;
      expect([issue.title, issue.body]).to.deep.equal([title, body]);
      expect(reader.log.stats.cacheHits > 0).to.equal(readCache === undefined);
    }
  });

  it('reads the same records whatever the read size (records and UTF-8 characters across reads)', async () => {
    const writer = cold(root);
    // Two- three- and four-byte UTF-8 characters, records of very different lengths.
    await writer.stores.recordRemote(
      ['1', '2', '3', '4', '5'].map((id, i) => ({
        issue: remote(id, {title: `Titel ü ${id} 中 😀`, body: `ß中😀 ${id} `.repeat(1 + 40 * i)}),
      })),
    );
    await writer.stores.recordLocalEdit(ref('2'), {title: 'Édité'});
    await writer.stores.addMapping('WP01', ref('1'));
    await writer.log.refreshReadCache();
    const file = path.join(cacheDir, SNAPSHOT);
    const readWith = (readChunk?: number) => {
      const snapshot = SnapshotFile.open(file, {readChunk})!;
      try {
        const live = snapshot.liveEntries().map((e) => [e.identity, e.base && issueToJson(e.base)]);
        return {state: dump(snapshot.loadState().state), live: canonicalJson(live)};
      } finally {
        snapshot.close();
      }
    };
    const whole = readWith();
    expect(whole.state).to.equal(dump(await cold(root, {readCache: false}).log.read()));
    expect(whole.state).to.include('\\u00c9dit\\u00e9'); // the edit is there, escaped by canonicalJson
    for (const readChunk of [1, 2, 3, 5, 7, 64, 1000])
      expect(readWith(readChunk), `read ${readChunk} bytes at a time`).to.deep.equal(whole);
  });

  it('trusts the folder stamp once settled, and a new segment changes the stamp', async () => {
    await seed();
    const past = new Date(Date.now() - 3600_000);
    await fs.utimes(eventsDir, past, past);
    await cold(root, {readCache: {settleMs: 1000}}).stores.listIssues();
    expect(await listFiles(cacheDir)).to.include(FRESH);
    const stamped = JSON.parse(await fs.readFile(path.join(cacheDir, FRESH), 'utf8')) as {snapshot: string};
    expect(stamped.snapshot).to.match(/^[0-9a-f]{24}$/);
    await cold(root, {day: 2}).stores.recordRemote([{issue: remote('6')}]);
    const reader = cold(root, {readCache: {settleMs: 1000}});
    expect((await reader.stores.getIssue(ref('6')))!.title).to.equal('Issue 6');
    await expectSameAsUncached(root);
  });

  it('stamps a folder with sub-second times once it is 100 ms old (no 3 s wait after a pull)', async function () {
    await seed();
    const stat = await fs.stat(eventsDir, {bigint: true});
    if (stat.mtimeNs % 1_000_000_000n === 0n) this.skip(); // whole-second times here: the 3 s rule
    await new Promise((resolve) => setTimeout(resolve, 150));
    await cold(root).stores.listIssues();
    expect(await listFiles(cacheDir)).to.include(FRESH);
    const reader = cold(root);
    expect((await reader.stores.getIssue(ref('1')))!.title).to.equal('Issue 1');
    expect(reader.log.stats).to.deep.include({segmentsParsed: 0, cacheHits: 1});
    await cold(root, {day: 2}).stores.recordRemote([{issue: remote('6')}]);
    expect((await cold(root).stores.getIssue(ref('6')))!.title).to.equal('Issue 6');
    await expectSameAsUncached(root);
  });

  it('does not stamp a folder that changed moments ago (same-tick changes would be invisible)', async () => {
    await seed();
    await cold(root, {readCache: {settleMs: 60_000}}).stores.listIssues();
    expect(await listFiles(cacheDir))
      .to.include(SNAPSHOT)
      .and.not.include(FRESH);
  });

  it('is not built for a small log (a fold is cheap there), so reads write nothing at all', async () => {
    await seed();
    const before = await treeHash(path.join(root, '.kittify'));
    clearSegmentCache();
    const reader = openTrackerStorage(scopeOptions(root)); // default: from 1 MiB of segments
    expect((await reader.stores.listIssues()).length).to.equal(3);
    expect(await treeHash(path.join(root, '.kittify'))).to.equal(before);
    expect(await listFiles(cacheDir)).to.deep.equal([]);
  });

  // INV-11: derived state is rebuildable: losing it loses no data.
  it('a deleted cache gives the same answers and is rebuilt', async () => {
    await seed();
    await cold(root).stores.listIssues();
    await fs.rm(cacheDir, {recursive: true});
    const reader = cold(root);
    expect((await reader.stores.listIssues()).map((i) => i.ref.id)).to.deep.equal(['1', '2', '3']);
    expect(reader.log.stats.cacheWrites).to.equal(1);
    await expectSameAsUncached(root);
  });

  describe('a damaged cache is ignored and rebuilt, never an error', () => {
    const damages: [string, (file: string) => Promise<void>][] = [
      ['truncated', async (file) => fs.truncate(file, Math.floor((await fs.stat(file)).size / 2))],
      ['emptied', async (file) => fs.writeFile(file, '')],
      [
        'garbage header',
        async (file) => fs.writeFile(file, Buffer.concat([Buffer.from('{"nope'), await fs.readFile(file)])),
      ],
      [
        'another version',
        async (file) => {
          const text = await fs.readFile(file, 'utf8');
          await fs.writeFile(file, text.replace('"version":1', '"version":9'));
        },
      ],
      [
        'a flipped byte in a record',
        async (file) => {
          const bytes = await fs.readFile(file);
          const at = bytes.indexOf('Edited locally');
          bytes[at] = 'X'.charCodeAt(0);
          await fs.writeFile(file, bytes);
        },
      ],
      [
        'a flipped byte in the state section',
        async (file) => {
          const bytes = await fs.readFile(file);
          const at = bytes.lastIndexOf('hello');
          bytes[at] = 'J'.charCodeAt(0);
          await fs.writeFile(file, bytes);
        },
      ],
      [
        'replaced by a folder',
        async (file) => {
          await fs.rm(file);
          await fs.mkdir(file);
        },
      ],
    ];
    for (const [what, damage] of damages) {
      it(what, async () => {
        await seed();
        await cold(root).stores.listIssues();
        const file = path.join(cacheDir, SNAPSHOT);
        await damage(file);
        await expectSameAsUncached(root);
        if (what !== 'replaced by a folder') {
          const reader = cold(root);
          await reader.stores.listIssues();
          expect(reader.log.stats).to.deep.include({segmentsParsed: 0, cacheWrites: 0});
        }
      });
    }

    it('a damaged freshness stamp', async () => {
      await seed();
      const past = new Date(Date.now() - 3600_000);
      await fs.utimes(eventsDir, past, past);
      await cold(root, {readCache: {settleMs: 1000}}).stores.listIssues();
      await fs.writeFile(path.join(cacheDir, FRESH), '{"snapshot": 12');
      await expectSameAsUncached(root);
    });

    // INV-8: nothing is read or written through a symbolic link.
    it('a cache folder that is a symbolic link is neither read nor written through', async () => {
      await seed();
      await cold(root).stores.listIssues();
      const elsewhere = path.join(root, 'elsewhere');
      await fs.rename(cacheDir, elsewhere);
      await fs.symlink(elsewhere, cacheDir);
      const before = await treeHash(elsewhere);
      await cold(root, {day: 3}).stores.recordRemote([{issue: remote('7')}]);
      await expectSameAsUncached(root);
      expect(await treeHash(elsewhere)).to.equal(before);
    });
  });

  it('merging a branch (its segment files arrive) invalidates, even with events older than the cache', async () => {
    await seed();
    // The branch forked before day 5 and wrote earlier-stamped events than main did after.
    const branch = (await tempRoot('tracker-cache-branch-')) as {root: string; cleanup: () => Promise<void>};
    try {
      const branchEvents = path.join(cold(branch.root).scopeDir, 'events');
      await fs.mkdir(branchEvents, {recursive: true});
      await fs.cp(eventsDir, branchEvents, {recursive: true});
      await cold(root, {day: 10}).stores.recordLocalEdit(ref('3'), {status: 'done'});
      await cold(root).stores.listIssues(); // cache built on main
      const b = cold(branch.root, {day: 5});
      await b.stores.recordRemote([{issue: remote('8')}]);
      await b.stores.recordLocalEdit(ref('1'), {title: 'From the branch'});
      await b.stores.addMapping('WP02', ref('8'));
      for (const name of await listFiles(branchEvents)) {
        await fs.copyFile(path.join(branchEvents, name), path.join(eventsDir, name));
      }
      const reader = cold(root);
      expect((await reader.stores.getIssue(ref('1')))!.title).to.equal('From the branch');
      expect((await reader.stores.getIssue(ref('3')))!.status).to.equal('done');
      expect(await reader.stores.getByWorkPackage('WP02', 'github')).to.not.equal(null);
      await expectSameAsUncached(root);
      // Compaction (segments removed) invalidates too.
      const {compactScope} = await import('../../../src/host/storage/compaction.js');
      await compactScope(cold(root).log, {committed: new Set()});
      await expectSameAsUncached(root);
    } finally {
      await branch.cleanup();
    }
  });

  // INV-11: per-clone and derived files are git-ignored.
  it('stays out of git, and a real git merge of a branch invalidates it', async function () {
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=T', '-c', 'user.email=t@example.test', '-c', 'commit.gpgsign=false', ...args],
        {
          cwd: root,
          encoding: 'utf8',
          env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null'},
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    git('init', '-q', '-b', 'main');
    await seed();
    await endAllRuns(); // as every command does when it ends
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    git('checkout', '-q', '-b', 'topic');
    await cold(root, {day: 2}).stores.recordRemote([{issue: remote('9')}]);
    await endAllRuns(); // as every command does when it ends
    git('add', '-A');
    git('commit', '-q', '-m', 'topic');
    git('checkout', '-q', 'main');
    await cold(root).stores.listIssues(); // cache of main
    expect(git('status', '--porcelain', '--ignored=no')).to.equal('');
    git('merge', '-q', '--no-edit', 'topic');
    expect((await cold(root).stores.getIssue(ref('9')))!.title).to.equal('Issue 9');
    await expectSameAsUncached(root);
    git('checkout', '-q', 'HEAD~1'); // back: the segment file goes away again
    expect(await cold(root).stores.getIssue(ref('9'))).to.equal(null);
    await expectSameAsUncached(root);
    expect(git('status', '--porcelain', '--ignored=no')).to.equal('');
  });

  it('repairing a torn tail in place drops the cache, and warnings are replayed from it until then', async () => {
    await seed();
    const [segment] = await listFiles(eventsDir);
    await fs.appendFile(path.join(eventsDir, segment!), '{"at": "2026-0');
    const builder = cold(root);
    await builder.stores.listIssues();
    expect(builder.warnings).to.have.length(1);
    const hit = cold(root);
    await hit.stores.getIssue(ref('1'));
    expect(hit.log.stats.segmentsParsed).to.equal(0);
    expect(hit.warnings).to.deep.equal(builder.warnings);
    await hit.log.repairTornTails();
    expect(await listFiles(cacheDir)).to.not.include(SNAPSHOT);
    const after = cold(root);
    await after.stores.listIssues();
    expect(after.warnings).to.deep.equal([]);
  });

  it('packs and unpacks issues to the exact frozen shape createIssue builds', () => {
    const issue = createIssue({
      ref: createRef({system: 'jira', workspace: 'PROJ', id: '10042', key: 'PROJ-7', url: null}),
      title: 'Émoji ✓ and "quotes"\nnewline',
      body: null,
      status: 'in_progress',
      issue_type: 'bug',
      priority: 0,
      assignees: ['b', 'a'],
      labels: [],
      parent: {system: 'jira', workspace: 'PROJ', id: '1'},
      links: [{type: 'blocks', target: {system: 'jira', workspace: 'PROJ', id: '2', key: 'PROJ-2'}}],
      custom_fields: {points: 3, nested: {a: [1, null]}},
      created_at: '2026-01-01T00:00:00Z',
      updated_at: null,
    });
    const back = unpackIssue(JSON.parse(JSON.stringify(packIssue(issue))));
    expect(back).to.deep.equal(issue);
    expect(Object.keys(back)).to.deep.equal(Object.keys(issue));
    for (const value of [
      back,
      back.ref,
      back.parent,
      back.assignees,
      back.labels,
      back.links,
      back.links[0],
      back.links[0]!.target,
    ]) {
      expect(Object.isFrozen(value)).to.equal(true);
    }
  });

  it('property: random logs, branches and merges give the same answers with and without the cache', async function () {
    const rounds = Number(process.env.READ_CACHE_ROUNDS ?? 6);
    this.timeout(20_000 + rounds * 10_000);
    for (let round = 0; round < rounds; round += 1) {
      const random = prng(1000 + round);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const {root: main, cleanup: done} = await tempRoot('tracker-cache-prop-');
      const {root: side, cleanup: doneSide} = await tempRoot('tracker-cache-prop-side-');
      try {
        const ids = ['1', '2', '3', '4', '5', '6'];
        let hour = 0;
        const step = async (where: string): Promise<void> => {
          hour += random() < 0.2 ? -2 : 1; // clocks disagree sometimes: out-of-order stamps
          const s = cold(where, {day: hour});
          const id = pick(ids);
          const roll = random();
          try {
            if (roll < 0.35) {
              const day = 1 + Math.floor(random() * 20);
              await s.stores.recordRemote([
                {
                  issue: remote(id, {
                    title: `T${Math.floor(random() * 5)}`,
                    updated_at: new Date(Date.UTC(2026, 0, day)).toISOString(),
                  }),
                },
              ]);
            } else if (roll < 0.55)
              await s.stores.recordLocalEdit(ref(id), {
                title: `L${Math.floor(random() * 3)}`,
                labels: [pick(['a', 'b'])],
              });
            else if (roll < 0.62) await s.stores.settleLocalEdits(ref(id), ['title']);
            else if (roll < 0.68) await s.stores.deleteIssue(ref(id));
            else if (roll < 0.76) await s.stores.addMapping(`WP0${Math.floor(random() * 3)}`, ref(id));
            else if (roll < 0.8) await s.stores.removeMapping(`WP0${Math.floor(random() * 3)}`);
            else if (roll < 0.87) await s.stores.addPendingComment(ref(id), `c${Math.floor(random() * 9)}`);
            else if (roll < 0.93) {
              const draft = createIssue({
                ref: {system: 'github', workspace: 'acme/widgets', id: `draft-${id}`},
                title: `Draft ${id}`,
              });
              await s.stores.createDraft(draft);
              if (random() < 0.5) await s.stores.recordRemoteCreated(draft.ref, remote(`${id}0`));
            } else {
              await s.stores.recordConflicts(ref(id), [
                {
                  field_name: 'title',
                  base_value: 'a',
                  local_value: 'b',
                  external_value: 'c',
                  resolved_value: 'c',
                  winner: 'external',
                  strategy: 'external_authoritative',
                  manual_review_required: random() < 0.5,
                } as never,
              ]);
            }
          } catch {
            // an operation refused in this state (unknown issue, mapping held): part of the game
          }
        };
        const sideEvents = path.join(cold(side).scopeDir, 'events');
        const mainEvents = path.join(cold(main).scopeDir, 'events');
        for (let k = 0; k < 6; k += 1) await step(main);
        await fs.mkdir(sideEvents, {recursive: true});
        await fs.cp(mainEvents, sideEvents, {recursive: true});
        for (let k = 0; k < 14; k += 1) {
          await step(random() < 0.6 ? main : side);
          if (random() < 0.35) await cold(main).stores.listIssues(); // (re)build the cache at random points
          if (random() < 0.2) await expectSameAsUncached(main);
        }
        for (const name of await listFiles(sideEvents)) {
          await fs.copyFile(path.join(sideEvents, name), path.join(mainEvents, name));
        }
        await expectSameAsUncached(main);
        await step(main);
        await expectSameAsUncached(main);
      } finally {
        await done();
        await doneSide();
      }
    }
  });
});
