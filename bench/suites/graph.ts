/**
 * Issue 22 (the mission's work graph on the tracker), over data shaped like the public spec-kitty
 * repository's `kitty-specs/` (410 missions, about 2,500 work packages, about 2,200 dependencies;
 * synthetic, same shape), written as a spec-kitty project on disk. Every figure comes from the
 * CLI run as a child process against the loopback fake GitHub, which runs in the bench process so
 * that its requests can be counted:
 *
 * - `sync push --create-missing` with the fake's limits lifted and the CLI's pacing off: relation
 *   writes (sub-issue and "blocked by" POSTs) per relation (a parent per work package, plus each
 *   dependency; target one write each), requests per created issue, and the time it took.
 * - `sync pull --full` of the same fake into a fresh project: dependency-list reads of issues
 *   whose `issue_dependencies_summary` counts none (target 0), and lists per issue with relations.
 * - The peak memory (RSS) of the CLI child for the dry run of that push (`--dry-run --json`, whose
 *   plan lists every new issue with its body) and for the push itself: informative, no target.
 * - The paced push: a second fake whose limits are GitHub's published ones scaled up by one factor
 *   (so that the push's writes are about one and a half minutes' worth), the CLI paced to the same
 *   limits with `SPEC_KITTY_TRACKER_PACING`; the dry run's `budget.eta_seconds` beside the real
 *   time the push took, and the limit answers the fake sent.
 */
import {execFileSync} from 'node:child_process';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';

import {runCli, sandboxEnv, type CliResult} from '../../scripts/demo/cli.js';
import type {RecordedRequest} from '../../test/fakes/fake-http-server.js';
import {FakeGitHubServer} from '../../test/fakes/github/index.js';
import type {GitHubLimitOptions} from '../../test/fakes/github/github-limits.js';
import {writeSpecKittyProject, type MissionSpec} from '../../test/fakes/spec-kitty-project.js';
import {assertOk, FAKE_TOKEN} from '../lib/github-sandbox.js';
import {
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const T = {
  writes: {op: '<=', value: 1, on: 'ours', text: 'one write per relation'},
  zeroReads: {op: '==', value: 0, on: 'ours', text: 'no per-issue read where the summary says zero'},
  listReads: {
    op: '<=',
    value: 2,
    on: 'ours',
    text: 'at most one list per direction of an issue with relations',
  },
  eta: {op: '<=', value: 2, on: 'ratio', text: 'took within 0.5x-2x of the dry run budget (ratio <= 2)'},
  rss: {op: '<=', value: Number.POSITIVE_INFINITY, on: 'ours', text: 'no target (informative)'},
} satisfies Record<string, Target>;

const RSS_PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'probes', 'max-rss.mjs');

const METRIC = {
  writes: 'CLI push --create-missing (child process, pacing off): relation writes per relation',
  zeroReads: 'CLI pull --full (child process): dependency reads of issues whose summary counts none',
  listReads: 'CLI pull --full (child process): dependency-list reads per issue with relations',
  paced: 'CLI push --create-missing paced to scaled GitHub limits: real time taken vs the dry run budget',
  dryRunRss: 'CLI push --create-missing --dry-run --json (child process): peak RSS',
  pushRss: 'CLI push --create-missing --json (child process, pacing off): peak RSS',
};

/** GitHub's published limits (secondary writes, search, primary), the shape the paced push keeps. */
const GITHUB = {writesPerMinute: 80, writesPerHour: 500, searchesPerMinute: 30, requestsPerHour: 5_000};
/** The paced push's writes, in minutes' worth of the scaled per-minute limit. */
const PACED_MINUTES = 1.5;

const RELATION_POST = /\/issues\/\d+\/(sub_issues|dependencies\/blocked_by)$/;
const DEPENDENCY_LIST = /\/issues\/(\d+)\/dependencies\//;
/**
 * A task file's Markdown of about `chars` characters, written like the repository's (sections,
 * lists, an en dash in the heading, so not ASCII only): the dry run's plan carries each new
 * issue's body, so their size is what its memory is about.
 */
function taskBody(id: string, title: string, chars: number): string {
  const parts = [`# Work Package Prompt: ${id} \u2013 ${title}\n\n## Objectives & Success Criteria\n`];
  let length = parts[0]!.length;
  for (let step = 1; length < chars; step++) {
    const section = `\n### Subtask T${String(step).padStart(3, '0')} \u2013 Step ${step} of ${title}\n\n- **Purpose**: make step ${step} of ${title.toLowerCase()} work, with tests.\n- **Steps**: read the plan, change the module, run the suite, note the result in the activity log.\n- **Files**: \`src/module_${step}.py\`, \`tests/test_module_${step}.py\`\n`;
    parts.push(section);
    length += section.length;
  }
  return parts.join('');
}

/** 410 missions of 6 or 7 work packages; each depends on the previous one, every 20th on two. */
function graphMissions(missions: number): {specs: MissionSpec[]; workPackages: number; dependencies: number} {
  const specs: MissionSpec[] = [];
  let workPackages = 0;
  let dependencies = 0;
  for (let m = 0; m < missions; m++) {
    const count = m % 10 === 0 ? 7 : 6;
    const wps = Array.from({length: count}, (_, i) => {
      const deps = i === 0 ? [] : [`WP0${i}`];
      if (i >= 2 && (workPackages + i) % 20 === 0) deps.push(`WP0${i - 1}`);
      dependencies += deps.length;
      // 2 to 20 KB, about 10 KB on average (the repository's task files: 26 M characters in 2,537).
      const chars = 2_000 + ((m * 7 + i * 13) % 19) * 1_000;
      return {
        id: `WP0${i + 1}`,
        title: `Step ${i + 1}`,
        lane: i === 0 ? 'done' : 'planned',
        dependencies: deps,
        body: taskBody(`WP0${i + 1}`, `Step ${i + 1} of mission ${m + 1}`, chars),
      };
    });
    workPackages += count;
    specs.push({
      slug: `${String(m + 1).padStart(3, '0')}-mission-${m + 1}`,
      friendly_name: `Mission ${m + 1}`,
      work_packages: wps,
    });
  }
  return {specs, workPackages, dependencies};
}

interface GraphData {
  readonly specs: MissionSpec[];
  readonly workPackages: number;
  readonly dependencies: number;
}

/** The CLI in a bound project; `extra` adds Node options and environment (the RSS probe). */
type ProjectCli = (
  args: string[],
  extra?: {nodeArgs?: readonly string[]; env?: Record<string, string>},
) => Promise<CliResult>;

/** `args` run with the RSS probe: the result and the child's peak RSS in MB. */
async function withPeakRss(
  cli: ProjectCli,
  args: string[],
  rssFile: string,
): Promise<{result: CliResult; rssMb: number}> {
  const result = await cli(args, {nodeArgs: ['--import', RSS_PROBE], env: {BENCH_RSS_FILE: rssFile}});
  assertOk(result, `tracker ${args.slice(1).join(' ')}`);
  return {result, rssMb: Number(await fs.readFile(rssFile, 'utf8')) / 2 ** 20};
}

/** A git repository with `.kittify/` (and the missions, when given), bound to the fake with the CLI. */
async function boundProject(
  settings: BenchSettings,
  name: string,
  fake: FakeGitHubServer,
  pacing: string,
  specs: MissionSpec[] | null,
): Promise<ProjectCli> {
  const dir = path.join(settings.workDir, 'graph', name);
  const project = path.join(dir, 'project');
  await fs.rm(dir, {recursive: true, force: true});
  await fs.mkdir(path.join(project, '.kittify'), {recursive: true});
  const env = sandboxEnv(dir, {GITHUB_TOKEN: FAKE_TOKEN, SPEC_KITTY_TRACKER_PACING: pacing});
  execFileSync('git', ['init', '-q', project], {env});
  if (specs) writeSpecKittyProject(project, {start: '2026-03-01T09:00:00.000Z', missions: specs});
  const cli: ProjectCli = (args, extra = {}) =>
    runCli(settings.root, args, {
      cwd: project,
      env: {...env, ...extra.env},
      nodeArgs: extra.nodeArgs,
      timeoutMs: 1_800_000,
    });
  const bind = ['bind', '--provider', 'github', '--workspace', fake.workspace, '--server-url', fake.url];
  assertOk(await cli(['tracker', ...bind, '--doctrine-mode', 'spec_kitty_authoritative']), 'tracker bind');
  return cli;
}

/** The relations the fake holds, from its issues' summaries: parents set and "blocked by" edges. */
function relationsOnFake(fake: FakeGitHubServer): {parents: number; blockedBy: number; related: Set<number>} {
  let parents = 0;
  let blockedBy = 0;
  const related = new Set<number>();
  for (let n = 1; n <= fake.issueCount; n++) {
    const issue = fake.issue(n) as {
      sub_issues_summary?: {total: number};
      issue_dependencies_summary: {total_blocked_by: number; total_blocking: number};
    };
    const deps = issue.issue_dependencies_summary;
    parents += issue.sub_issues_summary?.total ?? 0;
    blockedBy += deps.total_blocked_by;
    if (deps.total_blocked_by + deps.total_blocking > 0) related.add(n);
  }
  return {parents, blockedBy, related};
}

const isWrite = (r: RecordedRequest) => r.method !== 'GET' && r.path !== '/search/issues';

/** What requests were made, by method and the kind of resource: `GET issue 1200, POST relation 456, …`. */
function breakdown(requests: readonly RecordedRequest[]): string {
  const kind = (r: RecordedRequest): string => {
    if (r.path === '/search/issues') return 'search';
    const tail = /\/issues(\/\d+)?(\/.*)?$/.exec(r.path);
    if (!tail) return r.path.replace(/\d+/g, 'N');
    if (tail[2] === undefined) return tail[1] === undefined ? 'issues' : 'issue';
    return tail[2].slice(1).replace(/\d+/g, 'N');
  };
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.method} ${kind(r)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}

interface PushFigures {
  readonly relationPosts: number;
  readonly accepted: number;
  readonly created: number;
  readonly requests: number;
  readonly writes: number;
  readonly seconds: number;
  readonly kinds: string;
  /** Peak RSS (MB) of the dry run and of the push. */
  readonly dryRunRss: number;
  readonly pushRss: number;
  /** Bytes the dry run printed (its plan lists every new issue with its body). */
  readonly dryRunBytes: number;
}

/** `sync push --create-missing` with pacing off against a fake without limits, after its dry run. */
async function unpacedPush(
  settings: BenchSettings,
  fake: FakeGitHubServer,
  data: GraphData,
): Promise<PushFigures> {
  const cli = await boundProject(settings, 'unpaced', fake, 'off', data.specs);
  let accepted = 0;
  fake.afterApplying({
    on: (r) => r.method === 'POST' && RELATION_POST.test(r.path),
    times: Number.POSITIVE_INFINITY,
    run: (_request, response) => {
      if (response.status === 201) accepted += 1;
    },
  });
  const rssFile = (name: string) => path.join(settings.workDir, 'graph', `rss-${name}`);
  const push = ['tracker', 'sync', 'push', '--create-missing'];
  const dry = await withPeakRss(cli, [...push, '--dry-run', '--json'], rssFile('dry-run'));
  const first = fake.requests.length;
  const {result, rssMb: pushRss} = await withPeakRss(cli, [...push, '--yes', '--json'], rssFile('push'));
  const made = fake.requests.slice(first);
  const report = JSON.parse(result.stdout) as {stats: {pushed_created: number}};
  const held = relationsOnFake(fake);
  if (held.parents !== data.workPackages || held.blockedBy !== data.dependencies)
    throw new Error(
      `the push left ${held.parents} parents and ${held.blockedBy} dependencies on the fake, not ${data.workPackages} and ${data.dependencies}`,
    );
  return {
    relationPosts: made.filter((r) => r.method === 'POST' && RELATION_POST.test(r.path)).length,
    accepted,
    created: report.stats.pushed_created,
    requests: made.length,
    writes: made.filter(isWrite).length,
    seconds: result.ms / 1000,
    kinds: breakdown(made),
    dryRunRss: dry.rssMb,
    pushRss,
    dryRunBytes: Buffer.byteLength(dry.result.stdout),
  };
}

interface PullFigures {
  readonly requests: number;
  readonly lists: number;
  readonly zeroReads: number;
  readonly related: number;
  readonly seconds: number;
  readonly kinds: string;
}

/** `sync pull --full` of everything the push made, into a fresh project (as a new clone makes it). */
async function fullPull(settings: BenchSettings, fake: FakeGitHubServer): Promise<PullFigures> {
  const cli = await boundProject(settings, 'pull', fake, 'off', null);
  const first = fake.requests.length;
  const result = await cli(['tracker', 'sync', 'pull', '--full', '--json']);
  assertOk(result, 'tracker sync pull --full');
  const made = fake.requests.slice(first);
  const {related} = relationsOnFake(fake);
  const lists = made.filter((r) => r.method === 'GET' && DEPENDENCY_LIST.test(r.path));
  const zeroReads = lists.filter((r) => !related.has(Number(DEPENDENCY_LIST.exec(r.path)?.[1]))).length;
  return {
    requests: made.length,
    lists: lists.length,
    zeroReads,
    related: related.size,
    seconds: result.ms / 1000,
    kinds: breakdown(made),
  };
}

interface PacedFigures {
  readonly factor: number;
  readonly pacing: string;
  readonly eta: number;
  readonly budget: {requests: number; writes: number};
  readonly seconds: number;
  readonly writes: number;
  readonly requests: number;
  readonly refused: {secondary: number; search: number; primary: number};
  readonly kinds: string;
}

/**
 * GitHub's limits scaled by one factor so that `writes` are `PACED_MINUTES` of the per-minute
 * limit, on the fake and in the CLI's pacing alike; then the dry run's budget and the real push.
 */
async function pacedPush(
  settings: BenchSettings,
  data: GraphData,
  writes: number,
  answerMs: number,
): Promise<PacedFigures> {
  const factor = writes / PACED_MINUTES / GITHUB.writesPerMinute;
  const scaled = (n: number) => Math.max(1, Math.round(n * factor));
  const limits: GitHubLimitOptions = {
    writesPerMinute: scaled(GITHUB.writesPerMinute),
    writesPerHour: scaled(GITHUB.writesPerHour),
    searchesPerMinute: scaled(GITHUB.searchesPerMinute),
    requestsPerHour: scaled(GITHUB.requestsPerHour),
  };
  const pacing = [
    `writes_per_minute=${limits.writesPerMinute}`,
    `writes_per_hour=${limits.writesPerHour}`,
    `searches_per_minute=${limits.searchesPerMinute}`,
    `requests_per_hour=${limits.requestsPerHour}`,
    // The limits are scaled; the answer time is the loopback fake's, measured in this run (the
    // unpaced push), not a hosted tracker's 250 ms, which alone would outlast the paced run.
    `answer_ms=${answerMs}`,
  ].join(',');
  const fake = await FakeGitHubServer.start({owner: 'acme', repo: 'widgets', token: FAKE_TOKEN, limits});
  try {
    const cli = await boundProject(settings, 'paced', fake, pacing, data.specs);
    const dry = await cli(['tracker', 'sync', 'push', '--create-missing', '--dry-run', '--json']);
    assertOk(dry, 'tracker sync push --create-missing --dry-run');
    const budget = (
      JSON.parse(dry.stdout) as {budget: {eta_seconds: number; requests: number; writes: number}}
    ).budget;
    settings.log(`  paced push: budget ${budget.eta_seconds} s for ${budget.writes} writes (${pacing})`);
    const first = fake.requests.length;
    const result = await cli(['tracker', 'sync', 'push', '--create-missing', '--yes', '--json']);
    assertOk(result, 'tracker sync push --create-missing (paced)');
    const made = fake.requests.slice(first);
    return {
      factor,
      pacing,
      eta: budget.eta_seconds,
      budget,
      seconds: result.ms / 1000,
      writes: made.filter(isWrite).length,
      requests: made.length,
      refused: {...fake.limits.refused},
      kinds: breakdown(made),
    };
  } finally {
    await fake.close();
  }
}

export const graphSuite: BenchSuite = {
  name: 'graph',
  issue: 22,
  rows: [
    {id: 'graph.writes-per-relation', metric: METRIC.writes, target: T.writes},
    {id: 'graph.pull-zero-summary-reads', metric: METRIC.zeroReads, target: T.zeroReads},
    {id: 'graph.pull-reads-per-related', metric: METRIC.listReads, target: T.listReads},
    {id: 'graph.paced-push', metric: METRIC.paced, target: T.eta},
    {id: 'graph.dry-run-rss', metric: METRIC.dryRunRss, target: T.rss},
    {id: 'graph.push-rss', metric: METRIC.pushRss, target: T.rss},
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n: missions, note} = scaledSize(settings, 410, 40);
    const data = graphMissions(missions);
    const size = `${note} missions (${data.workPackages} work packages of 2-20 KB of Markdown, ${data.dependencies} dependencies; synthetic, shaped like the spec-kitty repository's kitty-specs)`;
    settings.log(`  ${size}`);
    const fake = await FakeGitHubServer.start({
      owner: 'acme',
      repo: 'widgets',
      token: FAKE_TOKEN,
      limits: 'off',
    });
    let push: PushFigures;
    let pull: PullFigures;
    try {
      push = await unpacedPush(settings, fake, data);
      settings.log(`  push: ${push.requests} requests in ${push.seconds.toFixed(1)} s`);
      pull = await fullPull(settings, fake);
      settings.log(`  pull --full: ${pull.requests} requests in ${pull.seconds.toFixed(1)} s`);
    } finally {
      await fake.close();
    }
    // The CLI's own time per request on loopback, as the unpaced push of the same project took it.
    const answerMs = Math.max(1, Math.round((push.seconds * 1000) / push.requests));
    const paced = await pacedPush(settings, data, push.writes, answerMs);
    const relations = data.workPackages + data.dependencies;
    settings.log(`  push requests: ${push.kinds}`);
    settings.log(`  pull requests: ${pull.kinds}`);
    settings.log(`  paced push requests: ${paced.kinds}`);
    const rows = [
      valueRow({
        id: 'graph.writes-per-relation',
        issue: 22,
        metric: METRIC.writes,
        ours: {value: push.relationPosts / relations, unit: 'writes/relation'},
        target: T.writes,
        note: `${size}; the CLI sent ${push.relationPosts} sub-issue and blocked-by POSTs (${push.accepted} answered 201) for ${data.workPackages} parents + ${data.dependencies} dependencies; ${push.created} issues created in ${push.requests} requests (${(push.requests / push.created).toFixed(2)} per created issue, ${push.writes} writes) in ${push.seconds.toFixed(1)} s; the fake's limits lifted, SPEC_KITTY_TRACKER_PACING=off`,
      }),
      valueRow({
        id: 'graph.pull-zero-summary-reads',
        issue: 22,
        metric: METRIC.zeroReads,
        ours: {value: pull.zeroReads, unit: 'requests'},
        target: T.zeroReads,
        note: `${size}; full pull of ${push.created} issues into a fresh project: ${pull.requests} requests in ${pull.seconds.toFixed(1)} s`,
      }),
      valueRow({
        id: 'graph.pull-reads-per-related',
        issue: 22,
        metric: METRIC.listReads,
        ours: {value: pull.lists / Math.max(1, pull.related), unit: 'lists/issue'},
        target: T.listReads,
        note: `${pull.lists} dependency lists read for ${pull.related} issues with dependencies`,
      }),
      pacedRow(size, paced, push),
      ...rssRows(size, push),
    ];
    for (const row of rows) settings.log(`  ${row.id}: ${row.note}`);
    return rows;
  },
};

function pacedRow(size: string, paced: PacedFigures, unpaced: PushFigures): BenchRow {
  const perRequestMs = (unpaced.seconds * 1000) / unpaced.requests;
  const row = valueRow({
    id: 'graph.paced-push',
    issue: 22,
    metric: METRIC.paced,
    ours: {value: paced.seconds, unit: 's (real time)'},
    baseline: {value: paced.eta, unit: 's', label: 'dry run budget (eta_seconds)'},
    target: T.eta,
    note: `${size}; GitHub's published limits scaled ${paced.factor.toFixed(1)}x on the fake and in the CLI (SPEC_KITTY_TRACKER_PACING=${paced.pacing}); budget ${paced.budget.writes} writes of ${paced.budget.requests} requests, the push sent ${paced.writes} writes of ${paced.requests} requests; limit answers: ${paced.refused.secondary} secondary, ${paced.refused.search} search, ${paced.refused.primary} primary; the same push unpaced took ${unpaced.seconds.toFixed(1)} s (${perRequestMs.toFixed(1)} ms a request on loopback, given to the budget as answer_ms)`,
  });
  // The target is a band: a budget that overestimates by more than half misleads as well.
  const ratio = row.ratio;
  return {...row, met: ratio === null ? null : ratio >= 0.5 && ratio <= 2};
}

/** Peak memory of the dry run and of the push: informative rows (no target), tracked over time. */
function rssRows(size: string, push: PushFigures): BenchRow[] {
  const row = (id: string, metric: string, mb: number, note: string): BenchRow => ({
    ...valueRow({id, issue: 22, metric, ours: {value: mb, unit: 'MB'}, target: T.rss, note}),
    met: null,
  });
  return [
    row(
      'graph.dry-run-rss',
      METRIC.dryRunRss,
      push.dryRunRss,
      `${size}; maxRSS of the CLI child (bench/probes/max-rss.mjs); it printed ${(push.dryRunBytes / 2 ** 20).toFixed(1)} MB of JSON; informative (no target)`,
    ),
    row(
      'graph.push-rss',
      METRIC.pushRss,
      push.pushRss,
      `${size}; maxRSS of the CLI child creating ${push.created} issues in ${push.seconds.toFixed(1)} s; informative (no target)`,
    ),
  ];
}
