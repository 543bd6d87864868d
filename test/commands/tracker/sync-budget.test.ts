import {expect} from 'chai';

import {ManualClock} from '../../../src/core/protocols/runtime.js';
import {setConnectorFactory} from '../../../src/host/services/sync-service.js';
import {writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';
import {FakeGitHubServer} from '../../fakes/github/index.js';
import {bindToFake, exitCode, makeProject, parseJson, run, type TestProject} from './helpers.js';

interface Budget {
  requests: number;
  writes: number;
  searches: number;
  eta_seconds: number;
}

/** A budget before long runs: the dry run says what the run costs; a run over 10 minutes asks first. */
describe('sync: the budget of a run within the provider limits', () => {
  let project: TestProject;
  let fake: FakeGitHubServer;
  const saved = process.env.SPEC_KITTY_TRACKER_PACING;

  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start();
    process.env.GITHUB_TOKEN = fake.token;
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '030-budget',
          friendly_name: 'Budget',
          work_packages: [1, 2, 3, 4, 5].map((i) => ({id: `WP0${i}`, title: `Step ${i}`, lane: 'planned'})),
        },
      ],
    });
    const bound = await bindToFake(fake, '--doctrine-mode', 'spec_kitty_authoritative');
    expect(bound.error, bound.stderr).to.equal(undefined);
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.SPEC_KITTY_TRACKER_PACING;
    else process.env.SPEC_KITTY_TRACKER_PACING = saved;
    await fake.close();
    project.cleanup();
  });

  it('push --dry-run --json carries budget {requests, writes, searches, eta_seconds}; the text says it', async () => {
    // GitHub's published limits, as a user runs it (the test runner turns pacing off by default).
    const savedPacing = process.env.SPEC_KITTY_TRACKER_PACING;
    delete process.env.SPEC_KITTY_TRACKER_PACING;
    try {
      const dry = await run(['tracker', 'sync', 'push', '--create-missing', '--dry-run', '--json']);
      expect(dry.error, dry.stderr).to.equal(undefined);
      const budget = parseJson<{budget: Budget}>(dry.stdout).budget;
      // A draft never attempted cannot exist: each create is one write, no lookup, no search.
      // Six issues (the mission's and five work packages'), then five sub-issue writes on issues
      // the push itself created, which it never reads again.
      expect(budget).to.include({requests: 11, writes: 11, searches: 0});
      // GitHub's bulk writes go a second apart.
      expect(budget.eta_seconds).to.be.within(9, 20);
      const text = await run(['tracker', 'sync', 'push', '--create-missing', '--dry-run']);
      expect(text.stdout).to.match(
        /- budget: 11 requests \(11 writes, 0 searches\), about \d+ s within github's rate limits\n/,
      );
    } finally {
      process.env.SPEC_KITTY_TRACKER_PACING = savedPacing;
    }
    // The budget counts what the push sends: no read before or after a relation write.
    const before = fake.requests.length;
    const pushed = await run(['tracker', 'sync', 'push', '--create-missing', '--json']);
    expect(pushed.error, pushed.stderr).to.equal(undefined);
    const sent = fake.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/\d+/g, 'N')}`);
    expect(sent, 'requests the push sent').to.have.length(11);
    expect(sent.filter((r) => r.startsWith('GET'))).to.deep.equal([]);
    const pull = await run(['tracker', 'sync', 'pull', '--dry-run', '--json']);
    expect(parseJson<{budget: Budget}>(pull.stdout).budget).to.include({requests: 1, writes: 0, searches: 0});
  });

  it('a push whose estimate exceeds 10 minutes says so and sends nothing without --yes', async () => {
    // A server allowing one write an hour: the second create would wait an hour.
    process.env.SPEC_KITTY_TRACKER_PACING = 'writes_per_hour=1';
    const dry = await run(['tracker', 'sync', 'push', '--create-missing', '--dry-run']);
    expect(dry.stdout).to.include('over 10 minutes, so the run asks for --yes');
    const before = fake.requests.length;
    const refused = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(exitCode(refused)).to.equal(1);
    expect(refused.stderr).to.include('more than 10 minutes').and.include('--yes');
    expect(fake.requests.slice(before).filter((r) => r.method !== 'GET')).to.deep.equal([]);
  });

  it('a pacing setting it cannot read is a clear error naming the variable', async () => {
    process.env.SPEC_KITTY_TRACKER_PACING = 'writes_per_minute=lots';
    const result = await run(['tracker', 'sync', 'push', '--dry-run']);
    expect(exitCode(result)).to.equal(1);
    expect(result.stderr).to.include('SPEC_KITTY_TRACKER_PACING').and.include('writes_per_minute=lots');
    expect(result.stderr).not.to.include('    at ');
  });
});

describe('acceptance: push --create-missing of 35 work packages against GitHub limits scaled down', () => {
  const saved = process.env.SPEC_KITTY_TRACKER_PACING;
  afterEach(() => {
    if (saved === undefined) delete process.env.SPEC_KITTY_TRACKER_PACING;
    else process.env.SPEC_KITTY_TRACKER_PACING = saved;
  });

  it('meets at most one limit response, and the dry run estimate is within 0.5x-2x of the run (fake time)', async () => {
    const project = makeProject();
    // Fake time for the fake GitHub and the connector's pacing alike (the command is unchanged).
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const fake = await FakeGitHubServer.start({
      now: () => clock.now(),
      limits: {writesPerMinute: 30, searchesPerMinute: 10},
    });
    try {
      process.env.GITHUB_TOKEN = fake.token;
      process.env.SPEC_KITTY_TRACKER_PACING = 'writes_per_minute=30,searches_per_minute=10';
      setConnectorFactory(async (descriptor, config) =>
        (await descriptor.load()).create({
          ...config,
          runtime: {...config.runtime, clock, sleep: clock.sleep},
        }),
      );
      writeSpecKittyProject(project.root, {
        start: '2026-03-01T09:00:00.000Z',
        missions: Array.from({length: 7}, (_, m) => ({
          slug: `04${m}-mission`,
          friendly_name: `Mission ${m}`,
          work_packages: [1, 2, 3, 4, 5].map((i) => ({id: `WP0${i}`, title: `Step ${i}`, lane: 'planned'})),
        })),
      });
      const bind = ['bind', '--provider', 'github', '--workspace', fake.workspace, '--server-url', fake.url];
      expect((await run(['tracker', ...bind, '--doctrine-mode', 'spec_kitty_authoritative'])).error).to.equal(
        undefined,
      );
      const dry = await run(['tracker', 'sync', 'push', '--create-missing', '--dry-run', '--json']);
      expect(dry.error, dry.stderr).to.equal(undefined);
      const budget = parseJson<{budget: Budget}>(dry.stdout).budget;
      // 35 work packages' issues and 7 missions' issues, then 35 sub-issue writes.
      expect(budget).to.include({writes: 77, searches: 0});
      clock.advance(60 * 60_000); // a fresh hour, as for a run started later
      const started = clock.now().getTime();
      const pushed = await run(['tracker', 'sync', 'push', '--create-missing', '--yes', '--json']);
      expect(pushed.error, pushed.stderr).to.equal(undefined);
      const seconds = (clock.now().getTime() - started) / 1000;
      expect(parseJson<{stats: {pushed_created: number}}>(pushed.stdout).stats.pushed_created).to.equal(42);
      expect(fake.limits.refusals).to.be.at.most(1);
      expect(budget.eta_seconds / seconds, `estimate ${budget.eta_seconds} s, run ${seconds} s`).to.be.within(
        0.5,
        2,
      );
    } finally {
      await fake.close();
      project.cleanup();
    }
  });
});
