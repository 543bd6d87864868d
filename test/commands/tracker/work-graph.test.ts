import {existsSync, readFileSync, rmSync, statSync} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import type {CanonicalIssue} from '../../../src/core/model/canonical-issue.js';
import {setStorageOpener} from '../../../src/host/services/storage-gateway.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {
  BOUND_GITHUB,
  exitCode,
  issue,
  makeProject,
  packageRoot,
  parseJson,
  run,
  seedCache,
  type TestProject,
} from './helpers.js';

const ref = (id: number, workspace = 'acme/app') => ({
  system: 'github',
  workspace,
  id: String(id),
  key: `#${id}`,
});
const scope = (root: string) => ({root, provider: 'github', serverUrl: '', workspace: 'acme/app'});

/**
 * A mission's graph, with every relation recorded on one side only (or both), as different
 * trackers and pulls leave them:
 * #1 the mission; #2 (done) its child by its own `parent`; #3 by a `child_of` link; #4 only by
 * the mission's `parent_of` link. #3 is blocked by #2 (done); #3 `blocks` #4 (said by #3 only).
 * #5 waits on an issue of another repository the cache does not hold; #6 and #7 block each other;
 * #8 is marked blocked by hand; #9 blocks #10 (said by both); #11 waits on #12, deleted since;
 * #20 (done) says it is the parent of #2 and of an issue the cache does not hold.
 */
function missionGraph(): CanonicalIssue[] {
  return [
    issue(1, {
      title: 'Mission 020-search',
      issue_type: 'epic',
      status: 'in_progress',
      links: [{type: 'parent_of', target: ref(4)}],
    }),
    issue(2, {title: 'WP01 Scaffold the index', status: 'done', parent: ref(1)}),
    issue(3, {
      title: 'WP02 Tokeniser',
      links: [
        {type: 'child_of', target: ref(1)},
        {type: 'blocked_by', target: ref(2)},
        {type: 'blocks', target: ref(4)},
      ],
    }),
    issue(4, {title: 'WP03 Query parser'}),
    issue(5, {
      title: 'WP04 Ranking',
      parent: ref(1),
      links: [{type: 'blocked_by', target: ref(9, 'acme/other')}],
    }),
    issue(6, {title: 'Cycle A', links: [{type: 'blocked_by', target: ref(7)}]}),
    issue(7, {
      title: 'Cycle B',
      links: [
        {type: 'blocks', target: ref(6)},
        {type: 'blocked_by', target: ref(6)},
      ],
    }),
    issue(8, {title: 'Waiting on legal', status: 'blocked'}),
    issue(9, {title: 'Schema', status: 'in_progress', links: [{type: 'blocks', target: ref(10)}]}),
    issue(10, {title: 'Migration', links: [{type: 'blocked_by', target: ref(9)}]}),
    issue(11, {title: 'Cleanup', links: [{type: 'blocked_by', target: ref(12)}]}),
    issue(12, {title: 'Gone', status: 'in_progress'}),
    // Claims #2 too, but #2's own `parent` field names #1: #1 keeps it.
    issue(20, {
      title: 'Old epic',
      issue_type: 'epic',
      status: 'done',
      links: [
        {type: 'parent_of', target: ref(2)},
        {type: 'parent_of', target: ref(21, 'acme/other')},
      ],
    }),
  ];
}

/** Closed issues with long bodies: enough segment bytes (over 1 MiB) for the cache to be indexed. */
function filler(): CanonicalIssue[] {
  const body = 'Filler text so that the log is large enough to be indexed. '.repeat(70);
  return Array.from({length: 300}, (_, i) => issue(100 + i, {title: `Old ${i}`, status: 'done', body}));
}

async function seed(root: string, large: boolean): Promise<void> {
  await seedCache(root, [...missionGraph(), ...(large ? filler() : [])]);
  const storage = openTrackerStorage(scope(root));
  await storage.stores.deleteIssue('github:acme/app:12');
  await storage.log.endRun();
}

const keys = (stdout: string) => parseJson<{tickets: {key: string}[]}>(stdout).tickets.map((t) => t.key);

/** Runs `args` through the read index and through the fold; both must print the same. */
async function both(args: string[]) {
  const indexed = await run(args);
  setStorageOpener(async (options) => openTrackerStorage({...options, serverUrl: options.serverUrl ?? ''}));
  let folded;
  try {
    folded = await run(args);
  } finally {
    setStorageOpener(null);
  }
  expect(indexed.error?.message).to.equal(folded.error?.message);
  expect(indexed.stdout, args.join(' ')).to.equal(folded.stdout);
  return indexed;
}

describe('the work graph offline: list-tickets --ready/--blocked and show', function () {
  this.timeout(120_000);
  let project: TestProject;
  const cacheDir = () => join(openTrackerStorage(scope(project.root)).scopeDir, 'cache');

  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seed(project.root, true);
  });
  afterEach(() => project.cleanup());

  it('--ready: open, not marked blocked, no blocker still open (unknown ones count as open)', async () => {
    const result = await both(['tracker', 'list-tickets', '--ready', '--json']);
    expect(keys(result.stdout)).to.deep.equal(['#1', '#3', '#9', '#11']);
    expect(existsSync(join(cacheDir(), 'read-index.v1.base'))).to.equal(true);
    const limited = await both(['tracker', 'list-tickets', '--ready', '--limit', '2']);
    expect(limited.stdout).to.contain('#1 ').and.contain('#3 ').and.contain('(2 of 4; raise --limit');
    const narrowed = await both(['tracker', 'list-tickets', '--ready', '--status', 'in_progress', '--json']);
    expect(keys(narrowed.stdout)).to.deep.equal(['#1', '#9']);
  });

  it('--blocked: open with a blocker still open, or marked blocked; a cycle ends', async () => {
    const result = await both(['tracker', 'list-tickets', '--blocked', '--json']);
    expect(keys(result.stdout)).to.deep.equal(['#4', '#5', '#6', '#7', '#8', '#10']);
    const text = await both(['tracker', 'list-tickets', '--blocked', '--type', 'task', '--limit', '50']);
    expect(text.stdout.split('\n')[0]).to.match(/^KEY\s+STATUS/);
  });

  it('--ready and --blocked cannot be combined, nor with --mission', async () => {
    const result = await run(['tracker', 'list-tickets', '--ready', '--blocked']);
    expect(exitCode(result)).to.equal(2);
    expect(result.stderr).to.match(/--blocked=true cannot also be provided when using --ready/);
    const mission = await run(['tracker', 'list-tickets', '--ready', '--mission', '020-search']);
    expect(exitCode(mission)).to.equal(2);
  });

  it('show: the parent, the children with done/total, from whichever side recorded them', async () => {
    const mission = await both(['tracker', 'show', '#1']);
    expect(mission.stdout).to.contain(
      [
        '- children: 1 of 4 done',
        '    #2 WP01 Scaffold the index (done)',
        '    #3 WP02 Tokeniser (todo)',
        '    #4 WP03 Query parser (todo)',
        '    #5 WP04 Ranking (todo)',
      ].join('\n'),
    );
    const json = parseJson<Record<string, unknown>>((await both(['tracker', 'show', '#4', '--json'])).stdout);
    expect(json.parent_issue).to.deep.equal({
      identity: 'github:acme/app:1',
      key: '#1',
      title: 'Mission 020-search',
      status: 'in_progress',
    });
    expect(json.blocked_by).to.deep.equal([
      {identity: 'github:acme/app:3', key: '#3', title: 'WP02 Tokeniser', status: 'todo', blocking: true},
    ]);
    expect(json.ready).to.equal(false);
  });

  it('show: one parent per issue, its own field first; a child not in the cache is counted', async () => {
    const json = parseJson<{children: unknown; parent_issue: unknown}>(
      (await both(['tracker', 'show', '#20', '--json'])).stdout,
    );
    expect(json.children).to.deep.equal({
      done: 0,
      total: 1,
      issues: [{identity: 'github:acme/other:21', key: null, title: null, status: 'unknown'}],
    });
    const wp01 = parseJson<{parent_issue: {key: string}}>(
      (await both(['tracker', 'show', '#2', '--json'])).stdout,
    );
    expect(wp01.parent_issue.key).to.equal('#1');
    expect((await both(['tracker', 'show', '#20'])).stdout).to.contain(
      '- children: 0 of 1 done\n    github:acme/other:21 (not in the cache)',
    );
  });

  it('show: what blocks the issue and what it blocks, with their statuses', async () => {
    const wp02 = await both(['tracker', 'show', '#3']);
    expect(wp02.stdout).to.contain(
      [
        '- parent: #1 Mission 020-search (in_progress)',
        '- updated: 2026-01-03T00:00:00.000Z',
        '- work packages: -',
        '- blocked by: none open of 1',
        '    #2 WP01 Scaffold the index (done)',
        '- blocks: 1',
        '    #4 WP03 Query parser (todo)',
        '- ready: yes',
      ].join('\n'),
    );
    const unknown = await both(['tracker', 'show', '#5']);
    expect(unknown.stdout).to.contain(
      '- blocked by: 1 open of 1\n    github:acme/other:9 (not in the cache: counts as open)',
    );
    const json = parseJson<Record<string, unknown>>((await both(['tracker', 'show', '#5', '--json'])).stdout);
    expect(json.blocked_by).to.deep.equal([
      {identity: 'github:acme/other:9', key: null, title: null, status: 'unknown', blocking: true},
    ]);
    const deleted = await both(['tracker', 'show', '#11', '--json']);
    expect(parseJson<Record<string, unknown>>(deleted.stdout).blocked_by).to.deep.equal([
      {identity: 'github:acme/app:12', key: '#12', title: 'Gone', status: 'deleted', blocking: false},
    ]);
    const cycle = parseJson<Record<string, unknown>>(
      (await both(['tracker', 'show', '#6', '--json'])).stdout,
    );
    expect(cycle.blocked_by).to.have.length(1);
    expect(cycle.blocks).to.deep.equal([
      {identity: 'github:acme/app:7', key: '#7', title: 'Cycle B', status: 'todo'},
    ]);
  });

  it('an issue without relations prints no graph lines and empty lists in --json', async () => {
    const plain = await both(['tracker', 'show', '#8', '--json']);
    const json = parseJson<Record<string, unknown>>(plain.stdout);
    expect(json).to.include({parent_issue: null, ready: false});
    expect(json.children).to.deep.equal({done: 0, total: 0, issues: []});
    const text = await both(['tracker', 'show', '#8']);
    expect(text.stdout).not.to.match(/children|blocked by|blocks|ready/);
  });

  it('the index follows appended events: a blocker closed later makes its issue ready (overlay, no rebuild)', async () => {
    await run(['tracker', 'list-tickets', '--ready', '--limit', '1']);
    const base = join(cacheDir(), 'read-index.v1.base');
    const before = statSync(base);
    expect(existsSync(join(cacheDir(), 'read-index.v1.overlay'))).to.equal(false);
    await seedCache(project.root, [
      issue(3, {
        title: 'WP02 Tokeniser',
        status: 'done',
        updated_at: '2026-02-01T00:00:00.000Z',
        links: [
          {type: 'child_of', target: ref(1)},
          {type: 'blocked_by', target: ref(2)},
          {type: 'blocks', target: ref(4)},
        ],
      }),
      // #5 no longer waits on the other repository's issue.
      issue(5, {title: 'WP04 Ranking', parent: ref(1), updated_at: '2026-02-01T00:00:00.000Z'}),
      // #6 drops its side of the cycle; #7 still says it blocks #6, so #6 stays blocked.
      issue(6, {title: 'Cycle A', updated_at: '2026-02-01T00:00:00.000Z'}),
      // #13 arrives, blocked by #5 (open).
      issue(13, {title: 'WP05 Docs', parent: ref(1), links: [{type: 'blocked_by', target: ref(5)}]}),
    ]);
    const ready = await both(['tracker', 'list-tickets', '--ready', '--json']);
    // The same base file, and an overlay holding the new events.
    const after = statSync(base);
    expect([after.ino, after.mtimeMs]).to.deep.equal([before.ino, before.mtimeMs]);
    expect(readFileSync(join(cacheDir(), 'read-index.v1.overlay'), 'utf8')).to.contain('WP05 Docs');
    expect(keys(ready.stdout)).to.deep.equal(['#1', '#4', '#5', '#9', '#11']);
    const blocked = await both(['tracker', 'list-tickets', '--blocked', '--json']);
    expect(keys(blocked.stdout)).to.deep.equal(['#6', '#7', '#8', '#10', '#13']);
    const mission = await both(['tracker', 'show', '#1']);
    expect(mission.stdout).to.contain('- children: 2 of 5 done');
  });

  it("README's example is what these commands print on this cache", async () => {
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    const start = readme.indexOf("## A mission's work graph, offline");
    const block = /```text\n([\s\S]*?)```/.exec(readme.slice(start))![1]!;
    const commands = block.split(/^\$ spec-kitty /m).filter((part) => part.trim() !== '');
    expect(commands).to.have.length(4);
    for (const part of commands) {
      const [line, ...printed] = part.split('\n');
      const args = line!.split(' ').map((word) => word.replace(/^'(.*)'$/, '$1'));
      const {stdout} = await run(args);
      // Each run of lines between `…` appears in the output, in order.
      let from = 0;
      for (const chunk of printed.join('\n').split(/^…$/m)) {
        const text = chunk.replace(/^\n+|\n+$/g, '');
        if (text === '') continue;
        const at = stdout.indexOf(text, from);
        expect(at, `${line}: ${text}`).to.be.greaterThan(-1);
        from = at + text.length;
      }
    }
  });

  it('a deleted per-clone cache folder is rebuilt and answers the same', async () => {
    const first = await run(['tracker', 'list-tickets', '--blocked', '--json']);
    rmSync(cacheDir(), {recursive: true, force: true});
    const again = await run(['tracker', 'list-tickets', '--blocked', '--json']);
    expect(again.stdout).to.equal(first.stdout);
    expect(existsSync(join(cacheDir(), 'read-index.v1.base'))).to.equal(true);
    expect((await run(['tracker', 'show', '#3', '--json'])).stdout).to.contain('"blocking": false');
  });
});

describe('the work graph offline, in a cache too small to be indexed', function () {
  this.timeout(60_000);
  let project: TestProject;
  before(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seed(project.root, false);
  });
  after(() => project.cleanup());

  it('answers from the fold, the same way', async () => {
    const ready = await run(['tracker', 'list-tickets', '--ready', '--json']);
    expect(keys(ready.stdout)).to.deep.equal(['#1', '#3', '#9', '#11']);
    const blocked = await run(['tracker', 'list-tickets', '--blocked']);
    expect(blocked.stdout).to.contain('#10').and.not.contain('#9 ');
    const cache = join(openTrackerStorage(scope(project.root)).scopeDir, 'cache');
    expect(existsSync(join(cache, 'read-index.v1.base'))).to.equal(false);
    const show = await run(['tracker', 'show', '#1']);
    expect(show.stdout).to.contain('- children: 1 of 4 done');
  });
});
