/**
 * Issue 6 (connectors): pull N issues from the loopback fake GitHub (100 per page) into an empty
 * cache with the real CLI, against a floor that fetches the very same pages and parses them
 * (nothing stored). Peak memory is the CLI child's own peak RSS.
 */
import {promises as fs} from 'node:fs';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';

import {runProcess} from '../../scripts/demo/cli.js';
import {
  assertOk,
  FAKE_TOKEN,
  githubSandbox,
  rememberPulled,
  rememberPullProblem,
} from '../lib/github-sandbox.js';
import {
  compareRow,
  median,
  notRunRow,
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const PROBES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'probes');
const RSS_PROBE = path.join(PROBES, 'max-rss.mjs');
const FLOOR = path.join(PROBES, 'fetch-floor.mjs');
/** Stop repeating the pull once the repetitions would take longer than this (quick / full). */
const BUDGET_MS = {quick: 15_000, full: 240_000};
/**
 * A pull running longer than this is stopped (SIGKILL) and reported with the throughput it
 * reached, so that a slow build cannot push the whole run past its time limit (quick / full).
 */
const CAP_MS = {quick: 90_000, full: 600_000};

const T = {
  throughput: {op: '>=', value: 0.5, on: 'ratio', text: '>= 50% of floor'},
  memory: {op: '<=', value: 256, on: 'ours', text: '<= 256 MB peak RSS'},
} satisfies Record<string, Target>;

export const pullSuite: BenchSuite = {
  name: 'connectors',
  issue: 6,
  rows: [
    {
      id: 'pull.throughput',
      metric: 'Pull from fake GitHub into an empty cache: throughput',
      target: T.throughput,
    },
    {id: 'pull.peak-rss', metric: 'Pull from fake GitHub into an empty cache: peak memory', target: T.memory},
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n, note} = scaledSize(settings, 50_000, 5_000);
    settings.log(
      `  seeding the fake GitHub with ${n} issues (plus pull requests mixed in, as GitHub lists them)`,
    );
    const sandbox = await githubSandbox(settings, n);
    const oursMs: number[] = [];
    const oursRss: number[] = [];
    const floorMs: number[] = [];
    const floorRss: number[] = [];
    const urlFile = path.join(settings.workDir, 'floor-urls.txt');
    let urls: string[] = [];
    let lastProject = '';
    // The floor fetches the pages the pull requested: measured right after each pull, so that a
    // machine whose speed drifts during the run (a shared host) slows both sides alike.
    const measureFloor = async (): Promise<void> => {
      const rssFile = path.join(settings.workDir, `rss-floor-${floorMs.length}`);
      const result = await runProcess(process.execPath, ['--import', RSS_PROBE, FLOOR, urlFile], {
        cwd: settings.workDir,
        env: {...sandbox.env, FLOOR_TOKEN: FAKE_TOKEN, BENCH_RSS_FILE: rssFile},
      });
      assertOk(result, 'the fetch floor');
      floorMs.push(result.ms);
      floorRss.push(Number(await fs.readFile(rssFile, 'utf8')));
    };
    for (let rep = 0; rep < settings.reps; rep += 1) {
      const project = await sandbox.newProject(`pull-${rep}`);
      const rssFile = path.join(settings.workDir, `rss-pull-${rep}`);
      const first = sandbox.fake.requests.length;
      settings.log(`  run ${rep + 1}: spec-kitty tracker sync pull (${n} issues)`);
      const cap = settings.quick ? CAP_MS.quick : CAP_MS.full;
      const result = await sandbox.cli(
        project,
        ['tracker', 'sync', 'pull', '--json'],
        ['--import', RSS_PROBE],
        {BENCH_RSS_FILE: rssFile},
        cap,
      );
      if (result.timedOut) return cappedRows(settings, project, sandbox.issueCount, result.ms, cap, note);
      assertOk(result, 'tracker sync pull');
      const report = JSON.parse(result.stdout) as {stats?: {pulled_created?: number}};
      if (report.stats?.pulled_created !== sandbox.issueCount) {
        throw new Error(
          `the pull stored ${report.stats?.pulled_created} issues, expected ${sandbox.issueCount}`,
        );
      }
      oursMs.push(result.ms);
      oursRss.push(Number(await fs.readFile(rssFile, 'utf8')));
      urls = sandbox.fake.requests
        .slice(first)
        .filter((r) => r.method === 'GET')
        .map((r) => requestUrl(sandbox.fake.url, r.path, r.query));
      await fs.writeFile(urlFile, urls.join('\n'));
      lastProject = project;
      await measureFloor();
      if (median(oursMs) * (rep + 2) > (settings.quick ? BUDGET_MS.quick : BUDGET_MS.full)) break;
    }
    rememberPulled(lastProject, n);
    while (floorMs.length < 3) await measureFloor();

    const perSecond = (ms: number) => (sandbox.issueCount * 1000) / ms;
    const oursRate = median(oursMs.map(perSecond));
    const floorRate = median(floorMs.map(perSecond));
    const mb = (bytes: number) => bytes / 1024 ** 2;
    const how = `${note} issues, ${urls.length} page requests of 100; both are child processes (wall time includes process start), each floor run right after a pull`;
    return [
      compareRow({
        id: 'pull.throughput',
        issue: 6,
        metric: 'Pull from fake GitHub into an empty cache: throughput',
        ours: {value: oursRate, unit: 'issues/s', samples: oursMs.map(perSecond)},
        baseline: {
          value: floorRate,
          unit: 'issues/s',
          samples: floorMs.map(perSecond),
          label: 'floor: same pages fetched + JSON-parsed, nothing stored',
        },
        target: T.throughput,
        note: `${how}; real CLI \`tracker sync pull\`, ${oursMs.length} run(s)`,
      }),
      valueRow({
        id: 'pull.peak-rss',
        issue: 6,
        metric: 'Pull from fake GitHub into an empty cache: peak memory',
        ours: {value: mb(Math.max(...oursRss)), unit: 'MB', samples: oursRss.map(mb)},
        baseline: {
          value: mb(median(floorRss)),
          unit: 'MB',
          samples: floorRss.map(mb),
          label: 'floor process',
        },
        target: T.memory,
        note: `${note} issues; maxRSS of the CLI child process (highest of ${oursRss.length} run(s))`,
      }),
    ];
  },
};

function requestUrl(
  base: string,
  pathname: string,
  query: Readonly<Record<string, string | string[]>>,
): string {
  const url = new URL(pathname, base);
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
  }
  return url.toString();
}

/** Rows for a pull stopped at its cap: the throughput it reached, no ratio, not met. */
async function cappedRows(
  settings: BenchSettings,
  project: string,
  expected: number,
  ms: number,
  cap: number,
  note: string,
): Promise<BenchRow[]> {
  const stored = await countPulledEvents(project);
  const reason = `the pull was stopped at the ${cap / 1000} s cap with ${stored} of ${expected} issues stored`;
  rememberPullProblem(reason);
  settings.log(`  ${reason}`);
  return [
    {
      id: 'pull.throughput',
      issue: 6,
      metric: 'Pull from fake GitHub into an empty cache: throughput',
      ours: {value: (stored * 1000) / ms, unit: 'issues/s'},
      baseline: null,
      ratio: null,
      target: T.throughput,
      met: false,
      note: `${note} issues; ${reason}; the floor was not measured, so there is no ratio`,
    },
    notRunRow({
      id: 'pull.peak-rss',
      issue: 6,
      metric: 'Pull from fake GitHub into an empty cache: peak memory',
      target: T.memory,
      reason: `${reason} (killed, so its peak RSS was not recorded)`,
    }),
  ];
}

/** `issue_pulled` lines in a project's tracker log (what a stopped pull had stored). */
async function countPulledEvents(project: string): Promise<number> {
  const tracker = path.join(project, '.kittify', 'tracker');
  let count = 0;
  for (const scope of await fs.readdir(tracker, {withFileTypes: true}).catch(() => [])) {
    if (!scope.isDirectory()) continue;
    const events = path.join(tracker, scope.name, 'events');
    for (const file of await fs.readdir(events).catch(() => [] as string[])) {
      const text = await fs.readFile(path.join(events, file), 'utf8');
      count += text.split('"kind": "issue_pulled"').length - 1;
    }
  }
  return count;
}
