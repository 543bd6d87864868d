import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import * as path from 'node:path';

import {expect} from 'chai';

import {runCli, sandboxEnv} from '../../../scripts/demo/cli.js';
import {FakeGitHubServer} from '../../fakes/github/index.js';
import {writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const TOKEN = 'ghp_pushLimitsCliToken000000000000000000';
/**
 * GitHub's limits scaled down to 30 writes and 10 searches a minute, and time itself sped up ten
 * times on the fake (its minute is 6 s of wall time), so that a run which needs more than a
 * minute of that budget takes seconds. The CLI, on the wall clock, is told the same budgets in
 * its own time: ten times as many a minute.
 */
const SPEED = 10;
const WRITES_PER_MINUTE = 30;
const SEARCHES_PER_MINUTE = 10;
const WORK_PACKAGES = 35;
const MISSIONS = WORK_PACKAGES / 5;
// With the mission graph on (the default on GitHub): one issue per work package and per mission,
// then one sub-issue write per work package.
const CREATES = WORK_PACKAGES + MISSIONS;
const WRITES = CREATES + WORK_PACKAGES;

/**
 * The acceptance of a long push within GitHub's limits, as a user runs it: the built CLI as a
 * child process (real clock, real pacing from SPEC_KITTY_TRACKER_PACING, real files) against a
 * fake GitHub that refuses what GitHub would refuse. `npm test` builds the CLI first.
 */
describe('acceptance (CLI child process): push --create-missing of 35 work packages within scaled-down GitHub limits', function () {
  this.timeout(60_000);
  let dir: string;
  let fake: FakeGitHubServer;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tracker-push-limits-'));
    const started = Date.now();
    fake = await FakeGitHubServer.start({
      token: TOKEN,
      now: () => new Date(started + (Date.now() - started) * SPEED),
      limits: {writesPerMinute: WRITES_PER_MINUTE, searchesPerMinute: SEARCHES_PER_MINUTE},
    });
  });
  afterEach(async () => {
    await fake.close();
    rmSync(dir, {recursive: true, force: true});
  });

  it('meets at most one limit response, and the dry run eta_seconds is within 0.5x-2x of the real duration', async () => {
    const project = path.join(dir, 'project');
    mkdirSync(path.join(project, '.kittify'), {recursive: true});
    const env = sandboxEnv(dir, {
      GITHUB_TOKEN: TOKEN,
      SPEC_KITTY_TRACKER_PACING: `writes_per_minute=${WRITES_PER_MINUTE * SPEED},searches_per_minute=${SEARCHES_PER_MINUTE * SPEED}`,
    });
    execFileSync('git', ['init', '-q', project], {env});
    writeSpecKittyProject(project, {
      start: '2026-03-01T09:00:00.000Z',
      missions: Array.from({length: MISSIONS}, (_, m) => ({
        slug: `04${m}-mission`,
        friendly_name: `Mission ${m}`,
        work_packages: [1, 2, 3, 4, 5].map((i) => ({id: `WP0${i}`, title: `Step ${i}`, lane: 'planned'})),
      })),
    });
    const cli = async (args: string[]) => {
      const result = await runCli(ROOT, ['tracker', ...args], {cwd: project, env, timeoutMs: 50_000});
      expect(result.code, `tracker ${args.join(' ')}: ${result.stderr}`).to.equal(0);
      return result;
    };
    const bind = ['bind', '--provider', 'github', '--workspace', fake.workspace, '--server-url', fake.url];
    await cli([...bind, '--doctrine-mode', 'spec_kitty_authoritative']);

    const dry = await cli(['sync', 'push', '--create-missing', '--dry-run', '--json']);
    const budget = (
      JSON.parse(dry.stdout) as {budget: {writes: number; searches: number; eta_seconds: number}}
    ).budget;
    expect(budget).to.include({writes: WRITES, searches: 0});

    const before = fake.requests.length;
    const pushed = await cli(['sync', 'push', '--create-missing', '--yes', '--json']);
    const seconds = pushed.ms / 1000;
    expect((JSON.parse(pushed.stdout) as {stats: {pushed_created: number}}).stats.pushed_created).to.equal(
      CREATES,
    );
    const made = fake.requests.slice(before);
    expect(made.filter((r) => r.method === 'POST' && r.path.endsWith('/issues'))).to.have.length(CREATES);
    expect(made.filter((r) => r.method === 'POST' && r.path.endsWith('/sub_issues'))).to.have.length(
      WORK_PACKAGES,
    );
    expect(made.filter((r) => r.path === '/search/issues')).to.deep.equal([]);
    expect(fake.limits.refusals, 'limit responses').to.be.at.most(1);
    // The budget only has to exceed the fake's minute for the pacing to matter at all.
    expect(seconds * SPEED, 'the run spans more than one of the fake minutes').to.be.above(60);
    expect(
      budget.eta_seconds / seconds,
      `estimate ${budget.eta_seconds} s, run ${seconds.toFixed(1)} s`,
    ).to.be.within(0.5, 2);
  });
});
