/**
 * Issue 16 (reads at scale): every offline read as a user runs it (the CLI as a child process)
 * on a repository holding the fake GitHub's 100k listed items (85,714 issues once pull requests
 * are left out), against `node -e 0` measured in the same run; the first read in a fresh clone;
 * `list-tickets --json` of everything.
 */
import {execFileSync} from 'node:child_process';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';

import {runProcess} from '../../scripts/demo/cli.js';
import {INDEX_BUILD_NODE_FLAGS} from '../../src/host/services/first-read.js';
import {assertOk, githubSandbox, WORKSPACE, type GitHubSandbox} from '../lib/github-sandbox.js';
import {
  compareRow,
  measured,
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const PROBES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'probes');
const RSS_PROBE = path.join(PROBES, 'max-rss.mjs');
const SQLITE_PROBE = path.join(PROBES, 'sqlite-get.mjs');

const T = {
  read: {op: '<=', value: 3, on: 'ratio', text: '<= 3x node -e 0'},
  showRss: {op: '<=', value: 120, on: 'ours', text: '<= 120 MB'},
  firstShow: {op: '<=', value: 12, on: 'ratio', text: '<= 12x node -e 0'},
  listAllTime: {op: '<=', value: 2500, on: 'ours', text: '<= 2.5 s'},
  listAllRss: {op: '<=', value: 250, on: 'ours', text: '<= 250 MB'},
  sideBySide: {op: '<=', value: Number.POSITIVE_INFINITY, on: 'ratio', text: 'side by side, no target'},
} satisfies Record<string, Target>;

/** The commands measured against `node -e 0`; `KEY` and `WORD` are filled in per run. */
const READS: readonly {id: string; metric: string; args: readonly string[]}[] = [
  {id: 'reads.show', metric: 'show KEY', args: ['tracker', 'show', 'KEY']},
  {id: 'reads.list', metric: 'list-tickets --limit 20', args: ['tracker', 'list-tickets', '--limit', '20']},
  {
    id: 'reads.list-status',
    metric: 'list-tickets --status done --limit 20',
    args: ['tracker', 'list-tickets', '--status', 'done', '--limit', '20'],
  },
  {
    id: 'reads.search',
    metric: 'issue-search --query WORD --limit 20',
    args: ['tracker', 'issue-search', '--query', 'WORD', '--limit', '20'],
  },
  {id: 'reads.status', metric: 'status --json', args: ['tracker', 'status', '--json']},
  {id: 'reads.map-list', metric: 'map list --json', args: ['tracker', 'map', 'list', '--json']},
];

const WORD = 'webhook';

export const readsSuite: BenchSuite = {
  name: 'reads',
  issue: 16,
  rows: [
    ...READS.map((r) => ({id: r.id, metric: `${r.metric} at 100k issues`, target: T.read})),
    {id: 'reads.show-rss', metric: 'show KEY at 100k issues: peak RSS', target: T.showRss},
    {
      id: 'reads.show-vs-sqlite',
      metric: 'show KEY against a bare SQLite lookup (side by side)',
      target: T.sideBySide,
    },
    {
      id: 'reads.first-show',
      metric: 'First show in a fresh clone (answered from the segments, index built in the background)',
      target: T.firstShow,
    },
    {
      id: 'reads.first-show-rss',
      metric: 'Index build in a fresh clone (inline): peak RSS, all issues against a quarter of them',
      target: T.sideBySide,
    },
    {id: 'reads.list-all-time', metric: 'list-tickets --json of every issue: time', target: T.listAllTime},
    {id: 'reads.list-all-rss', metric: 'list-tickets --json of every issue: peak RSS', target: T.listAllRss},
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n, note} = scaledSize(settings, 85_714, 8_571);
    const sandbox = await githubSandbox(settings, n);
    settings.log(`  pulling ${sandbox.issueCount} issues into a project and committing them`);
    const project = await sandbox.newProject('reads');
    assertOk(await sandbox.cli(project, ['tracker', 'sync', 'pull', '--json']), 'tracker sync pull');
    git(project, 'add', '-A');
    git(project, 'commit', '-q', '-m', 'tracker cache');
    const key = `#${pickKey(sandbox)}`;
    await mapOne(sandbox, project, key);
    const args = (list: readonly string[]) => list.map((a) => (a === 'KEY' ? key : a === 'WORD' ? WORD : a));
    const reps = Math.max(settings.reps, 5);
    // One warm-up each: the first read after the pull builds the index.
    for (const read of READS) assertOk(await sandbox.cli(project, args(read.args)), read.metric);

    settings.log(`  ${READS.length} reads and node -e 0, ${reps} interleaved runs each`);
    const nodeMs: number[] = [];
    const readMs = new Map<string, number[]>(READS.map((r) => [r.id, []]));
    const showRss: number[] = [];
    for (let rep = 0; rep < reps; rep += 1) {
      nodeMs.push((await nodeNoop(sandbox, project)).ms);
      for (const read of READS) {
        const rssFile = path.join(settings.workDir, `rss-${read.id}-${rep}`);
        const result = await sandbox.cli(
          project,
          args(read.args),
          read.id === 'reads.show' ? ['--import', RSS_PROBE] : [],
          read.id === 'reads.show' ? {BENCH_RSS_FILE: rssFile} : {},
        );
        assertOk(result, read.metric);
        readMs.get(read.id)!.push(result.ms);
        if (read.id === 'reads.show') showRss.push(Number(await fs.readFile(rssFile, 'utf8')) / 2 ** 20);
      }
    }
    const node = {...measured(nodeMs, 'ms'), label: 'node -e 0'};
    const rows: BenchRow[] = READS.map((read) =>
      compareRow({
        id: read.id,
        issue: 16,
        metric: `${read.metric} at 100k issues`,
        ours: measured(readMs.get(read.id)!, 'ms'),
        baseline: node,
        target: T.read,
        note: `${note} issues; ${args(read.args).slice(1).join(' ')}; child process, ${reps} runs interleaved with node -e 0`,
      }),
    );
    rows.push(
      valueRow({
        id: 'reads.show-rss',
        issue: 16,
        metric: 'show KEY at 100k issues: peak RSS',
        ours: measured(showRss, 'MB'),
        target: T.showRss,
        note: `${note} issues; maxRSS of the child (bench/probes/max-rss.mjs)`,
      }),
    );
    rows.push(await sqliteSideBySide(settings, sandbox, project, key, readMs.get('reads.show')!, note));
    rows.push(...(await firstShow(settings, sandbox, project, key, note, reps)));
    rows.push(...(await listAll(settings, sandbox, project, note, reps)));
    return rows;
  },
};

/**
 * The same issue looked up by a child process over SQLite (better-sqlite3, a development
 * dependency): the same issues stored in the benchmark's SQLite store, then `node
 * bench/probes/sqlite-get.mjs` per lookup. No CLI framework on that side: a floor for what an
 * embedded database would give, to read next to ours.
 */
async function sqliteSideBySide(
  settings: BenchSettings,
  sandbox: GitHubSandbox,
  project: string,
  key: string,
  oursMs: readonly number[],
  note: string,
): Promise<BenchRow> {
  const [{openTrackerStorage}, {SqliteIssueStore}] = await Promise.all([
    import('../../src/host/storage/tracker-storage.js'),
    import('../lib/sqlite-issue-store.js'),
  ]);
  settings.log('  the same issues in SQLite, and one lookup per child process');
  const storage = openTrackerStorage({
    root: project,
    provider: 'github',
    serverUrl: sandbox.fake.url,
    workspace: WORKSPACE,
  });
  const issues = await storage.stores.listIssues();
  const file = path.join(settings.workDir, 'reads.sqlite');
  const sqlite = new SqliteIssueStore(file);
  for (let start = 0; start < issues.length; start += 1000) {
    await sqlite.recordRemote(issues.slice(start, start + 1000).map((issue) => ({issue})));
  }
  sqlite.close();
  const identity = `github:${WORKSPACE}:${key.slice(1)}`;
  const ms: number[] = [];
  for (let rep = 0; rep < oursMs.length; rep += 1) {
    const result = await runProcess(process.execPath, [SQLITE_PROBE, file, identity], {
      cwd: project,
      env: sandbox.env,
    });
    assertOk(result, 'the SQLite lookup');
    ms.push(result.ms);
  }
  const ours = measured(oursMs, 'ms');
  const baseline = {...measured(ms, 'ms'), label: 'node + better-sqlite3, one indexed lookup'};
  return {
    ...compareRow({
      id: 'reads.show-vs-sqlite',
      issue: 16,
      metric: 'show KEY against a bare SQLite lookup (side by side)',
      ours,
      baseline,
      target: T.sideBySide,
      note: `${note} issues; ours is the show row above; informative only (no target)`,
    }),
    met: null,
  };
}

/** A key from the middle of the fake's issues. */
function pickKey(sandbox: GitHubSandbox): number {
  // Every 7th listed item is a pull request: numbers that are multiples of 7 are not issues.
  let number = Math.floor((sandbox.issueCount * 7) / 12);
  while (number % 7 === 0) number += 1;
  return number;
}

/** One mapping, so that `map list` has a title to look up. */
async function mapOne(sandbox: GitHubSandbox, project: string, key: string): Promise<void> {
  const result = await sandbox.cli(project, [
    'tracker',
    'map',
    'add',
    '--wp-id',
    'WP01',
    '--external-id',
    key.slice(1),
  ]);
  assertOk(result, 'tracker map add');
}

function nodeNoop(sandbox: GitHubSandbox, cwd: string) {
  return runProcess(process.execPath, ['-e', '0'], {cwd, env: sandbox.env});
}

/**
 * `show` in a clone with no per-clone files: it builds the index from the segments first. Then
 * the same in a clone holding only the first quarter of the segments: how the build's peak
 * memory grows with the log (a build that held the log or the folded state grew with it).
 */
async function firstShow(
  settings: BenchSettings,
  sandbox: GitHubSandbox,
  project: string,
  key: string,
  note: string,
  reps: number,
): Promise<BenchRow[]> {
  settings.log(`  first show in a fresh clone, ${reps} runs (per-clone folders removed before each)`);
  const show = (k: string) => ({args: ['tracker', 'show', k], nodeFlags: [] as string[]});
  const full = await firstShowRuns(
    settings,
    sandbox,
    project,
    'reads-clone',
    show(key),
    reps,
    1,
    'background',
  );
  // The same show with the index built inline first (what it cost before the scan).
  const built = await firstShowRuns(settings, sandbox, project, 'reads-clone', show(key), reps, 1, 'inline');
  // The build's own memory: the background process that show starts, run as it starts it, on
  // all the segments and on the first quarter of them.
  const builder = {args: ['tracker', 'index-build'], nodeFlags: [...INDEX_BUILD_NODE_FLAGS]};
  const build = await firstShowRuns(settings, sandbox, project, 'reads-clone', builder, reps, 1, 'inline');
  const quarter = await firstShowRuns(
    settings,
    sandbox,
    project,
    'reads-clone-quarter',
    builder,
    reps,
    0.25,
    'inline',
  );
  return [
    compareRow({
      id: 'reads.first-show',
      issue: 16,
      metric: 'First show in a fresh clone (answered from the segments, index built in the background)',
      ours: measured(full.ms, 'ms'),
      baseline: {...measured(full.nodeMs, 'ms'), label: 'node -e 0'},
      target: T.firstShow,
      note: `${note} issues; git clone, then show ${key} with no cache/ or state/ folder; peak RSS median ${median(full.rss).toFixed(0)} MB; the same show building the index inline first (SPEC_KITTY_TRACKER_INDEX_BUILD=inline): median ${median(built.ms).toFixed(0)} ms, peak RSS ${median(built.rss).toFixed(0)} MB`,
    }),
    {
      ...valueRow({
        id: 'reads.first-show-rss',
        issue: 16,
        metric:
          'Index build in a fresh clone (the background process show starts): peak RSS, all issues against a quarter of them',
        ours: measured(build.rss, 'MB'),
        baseline: {...measured(quarter.rss, 'MB'), label: `the same with ${quarter.issues} issues`},
        target: T.sideBySide,
        note: `node ${INDEX_BUILD_NODE_FLAGS.join(' ')} bin/run.js tracker index-build in a fresh clone, ${build.issues} issues (median ${median(build.ms).toFixed(0)} ms) against the first quarter of the segments (${quarter.issues} issues); about ${perIssueKb(build, quarter)} KB more per issue; informative (no target)`,
      }),
      met: null,
    },
  ];
}

/**
 * `reps` first shows in a fresh clone of `project` (only the first `share` of its segments
 * kept), each after removing the per-clone folders: wall times, `node -e 0` times, peak RSS.
 */
async function firstShowRuns(
  settings: BenchSettings,
  sandbox: GitHubSandbox,
  project: string,
  name: string,
  run: {args: string[]; nodeFlags: string[]},
  reps: number,
  share: number,
  build: 'background' | 'inline',
): Promise<{ms: number[]; nodeMs: number[]; rss: number[]; issues: number}> {
  const clone = path.join(settings.workDir, name);
  await fs.rm(clone, {recursive: true, force: true});
  git(settings.workDir, 'clone', '-q', project, clone);
  const tracker = path.join(clone, '.kittify', 'tracker');
  let issues = 0;
  for (const scope of await fs.readdir(tracker, {withFileTypes: true})) {
    if (!scope.isDirectory()) continue;
    const events = path.join(tracker, scope.name, 'events');
    const names = (await fs.readdir(events)).sort();
    const kept = Math.ceil(names.length * share);
    for (const drop of names.slice(kept)) await fs.rm(path.join(events, drop));
    for (const segment of names.slice(0, kept)) {
      issues +=
        (await fs.readFile(path.join(events, segment), 'utf8')).split('"kind": "issue_pulled"').length - 1;
    }
  }
  const ms: number[] = [];
  const nodeMs: number[] = [];
  const rss: number[] = [];
  for (let rep = 0; rep < reps; rep += 1) {
    for (const scope of await fs.readdir(tracker, {withFileTypes: true})) {
      if (!scope.isDirectory()) continue;
      for (const perClone of ['cache', 'state']) {
        await fs.rm(path.join(tracker, scope.name, perClone), {recursive: true, force: true});
      }
    }
    const rssFile = path.join(settings.workDir, `rss-${name}-${rep}`);
    const result = await sandbox.cli(clone, run.args, [...run.nodeFlags, '--import', RSS_PROBE], {
      BENCH_RSS_FILE: rssFile,
      SPEC_KITTY_TRACKER_INDEX_BUILD: build,
    });
    assertOk(result, `${run.args.join(' ')} in a fresh clone (${name})`);
    ms.push(result.ms);
    rss.push(Number(await fs.readFile(rssFile, 'utf8')) / 2 ** 20);
    nodeMs.push((await nodeNoop(sandbox, clone)).ms);
  }
  return {ms, nodeMs, rss, issues};
}

/** Peak RSS added per issue between two builds (KB, one decimal). */
function perIssueKb(large: {rss: number[]; issues: number}, small: {rss: number[]; issues: number}): string {
  return (((median(large.rss) - median(small.rss)) * 1024) / (large.issues - small.issues) || 0).toFixed(2);
}

async function listAll(
  settings: BenchSettings,
  sandbox: GitHubSandbox,
  project: string,
  note: string,
  reps: number,
): Promise<BenchRow[]> {
  settings.log(`  list-tickets --json of every issue, ${reps} runs`);
  const ms: number[] = [];
  const rss: number[] = [];
  for (let rep = 0; rep < reps; rep += 1) {
    const rssFile = path.join(settings.workDir, `rss-list-all-${rep}`);
    const result = await sandbox.cli(
      project,
      ['tracker', 'list-tickets', '--json'],
      ['--import', RSS_PROBE],
      {
        BENCH_RSS_FILE: rssFile,
      },
    );
    assertOk(result, 'list-tickets --json');
    const total = (JSON.parse(result.stdout) as {total: number}).total;
    if (total !== sandbox.issueCount)
      throw new Error(`list-tickets --json listed ${total} of ${sandbox.issueCount}`);
    ms.push(result.ms);
    rss.push(Number(await fs.readFile(rssFile, 'utf8')) / 2 ** 20);
  }
  return [
    valueRow({
      id: 'reads.list-all-time',
      issue: 16,
      metric: 'list-tickets --json of every issue: time',
      ours: measured(ms, 'ms'),
      target: T.listAllTime,
      note: `${note} issues, streamed to a pipe`,
    }),
    valueRow({
      id: 'reads.list-all-rss',
      issue: 16,
      metric: 'list-tickets --json of every issue: peak RSS',
      ours: measured(rss, 'MB'),
      target: T.listAllRss,
      note: `${note} issues; maxRSS of the child`,
    }),
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@example.invalid',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']},
  );
}
