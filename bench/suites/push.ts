/**
 * Issue 17 (real trackers at real scale): `sync push --create-missing` of N work packages against
 * the loopback fake GitHub with its limits lifted (and the CLI's pacing off), against a floor that
 * sends the very same issue-creating POSTs with a bare client (nothing looked up or stored).
 * Reported: requests per created issue (every request the push made, divided by the issues it
 * created) and throughput (issues created per second) as a share of the floor's.
 */
import {execFileSync} from 'node:child_process';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';

import {runCli, runProcess, sandboxEnv} from '../../scripts/demo/cli.js';
import {FakeGitHubServer} from '../../test/fakes/github/index.js';
import {writeSpecKittyProject} from '../../test/fakes/spec-kitty-project.js';
import {assertOk, FAKE_TOKEN} from '../lib/github-sandbox.js';
import {
  compareRow,
  measured,
  median,
  scaledSize,
  valueRow,
  type BenchRow,
  type BenchSettings,
  type BenchSuite,
  type Target,
} from '../lib/harness.js';

const FLOOR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'probes', 'request-floor.mjs');
const WORK_PACKAGES_PER_MISSION = 5;

const T = {
  requests: {op: '<=', value: 3, on: 'ours', text: '<= 3 requests per created issue'},
  throughput: {op: '>=', value: 0.5, on: 'ratio', text: '>= 50% of a bare client sending the same requests'},
} satisfies Record<string, Target>;

interface PushRun {
  readonly ms: number;
  readonly created: number;
  readonly requests: number;
  readonly searches: number;
  /** Every request the push sent, in order, to replay on a fresh fake as the floor. */
  readonly sent: {method: string; path: string; body: unknown}[];
}

export const pushSuite: BenchSuite = {
  name: 'push',
  issue: 17,
  rows: [
    {
      id: 'push.requests-per-issue',
      metric: 'push --create-missing: requests per created issue',
      target: T.requests,
    },
    {id: 'push.throughput', metric: 'push --create-missing: issues created per second', target: T.throughput},
  ],

  async run(settings: BenchSettings): Promise<BenchRow[]> {
    const {n, note} = scaledSize(settings, 2_000, 200);
    const missions = Math.max(1, Math.round(n / WORK_PACKAGES_PER_MISSION));
    const runs: PushRun[] = [];
    const floorMs: number[] = [];
    for (let rep = 0; rep < Math.min(settings.reps, 3); rep += 1) {
      const fake = await FakeGitHubServer.start({
        owner: 'acme',
        repo: 'widgets',
        token: FAKE_TOKEN,
        limits: 'off',
      });
      try {
        settings.log(
          `  run ${rep + 1}: sync push --create-missing (${missions * WORK_PACKAGES_PER_MISSION} work packages)`,
        );
        const run = await pushOnce(settings, fake, missions, rep);
        runs.push(run);
        floorMs.push(await floor(settings, run.sent, rep));
      } finally {
        await fake.close();
      }
    }
    const created = runs[0].created;
    const perIssue = median(runs.map((r) => r.requests / r.created));
    const rate = (ms: number) => (created * 1000) / ms;
    const searches = median(runs.map((r) => r.searches / r.created));
    const detail = `${note} work packages; ${created} issues created; ${searches.toFixed(2)} searches per issue; limits lifted on the fake and pacing off in the CLI`;
    return [
      valueRow({
        id: 'push.requests-per-issue',
        issue: 17,
        metric: 'push --create-missing: requests per created issue',
        ours: measured(
          runs.map((r) => r.requests / r.created),
          'requests',
        ),
        target: T.requests,
        note: `${detail}; median ${perIssue.toFixed(2)}`,
      }),
      compareRow({
        id: 'push.throughput',
        issue: 17,
        metric: 'push --create-missing: issues created per second',
        ours: measured(
          runs.map((r) => rate(r.ms)),
          'issues/s',
        ),
        baseline: {...measured(floorMs.map(rate), 'issues/s'), label: 'bare client floor: the same requests'},
        target: T.throughput,
        note: `${detail}; the floor replays every request the push sent (creates, relation writes, closes; ${runs[0].sent.length} in all) with fetch, one after another, on a fresh fake`,
      }),
    ];
  },
};

async function pushOnce(
  settings: BenchSettings,
  fake: FakeGitHubServer,
  missions: number,
  rep: number,
): Promise<PushRun> {
  const dir = path.join(settings.workDir, `push-${rep}`);
  const project = path.join(dir, 'project');
  await fs.rm(dir, {recursive: true, force: true});
  await fs.mkdir(path.join(project, '.kittify'), {recursive: true});
  const env = sandboxEnv(dir, {GITHUB_TOKEN: FAKE_TOKEN, SPEC_KITTY_TRACKER_PACING: 'off'});
  execFileSync('git', ['init', '-q', project], {env});
  writeSpecKittyProject(project, {
    start: '2026-03-01T09:00:00.000Z',
    missions: Array.from({length: missions}, (_, m) => ({
      slug: `${String(m + 1).padStart(3, '0')}-mission-${m + 1}`,
      friendly_name: `Mission ${m + 1}`,
      work_packages: Array.from({length: WORK_PACKAGES_PER_MISSION}, (_, w) => ({
        id: `WP0${w + 1}`,
        title: `Step ${w + 1} of mission ${m + 1}`,
        lane: 'planned',
      })),
    })),
  });
  const cli = (args: string[]) => runCli(settings.root, args, {cwd: project, env, timeoutMs: 900_000});
  const bind = ['bind', '--provider', 'github', '--workspace', fake.workspace, '--server-url', fake.url];
  assertOk(await cli(['tracker', ...bind, '--doctrine-mode', 'spec_kitty_authoritative']), 'tracker bind');
  const first = fake.requests.length;
  const result = await cli(['tracker', 'sync', 'push', '--create-missing', '--yes', '--json']);
  assertOk(result, 'tracker sync push --create-missing');
  const report = JSON.parse(result.stdout) as {stats: {pushed_created: number}};
  const made = fake.requests.slice(first);
  const creates = made.filter((r) => r.method === 'POST' && /\/issues$/.test(r.path)).length;
  if (report.stats.pushed_created !== creates)
    throw new Error(`the push reported ${report.stats.pushed_created} creates but sent ${creates}`);
  return {
    ms: result.ms,
    created: report.stats.pushed_created,
    requests: made.length,
    searches: made.filter((r) => r.path === '/search/issues').length,
    sent: made.map((r) => ({method: r.method, path: r.path, body: r.body ?? null})),
  };
}

async function floor(
  settings: BenchSettings,
  sent: {method: string; path: string; body: unknown}[],
  rep: number,
): Promise<number> {
  // A fresh fake numbers the issues (and their database ids) as the push's fake did, so the
  // relation writes of the replay name the same issues.
  const fake = await FakeGitHubServer.start({
    owner: 'acme',
    repo: 'widgets',
    token: FAKE_TOKEN,
    limits: 'off',
  });
  try {
    const file = path.join(settings.workDir, `floor-requests-${rep}.json`);
    await fs.writeFile(file, JSON.stringify({base: fake.url, requests: sent}));
    const result = await runProcess(process.execPath, [FLOOR, file], {
      cwd: settings.workDir,
      env: {...process.env, FLOOR_TOKEN: fake.token},
    });
    assertOk(result, 'the request floor');
    return result.ms;
  } finally {
    await fake.close();
  }
}
