import {expect} from 'chai';

import {
  InMemoryCheckpointStore,
  InMemoryIssueStore,
  ManualClock,
  SyncEngine,
  createIssue,
  createOwnershipPolicy,
  type ConnectorRuntime,
  type PacingOverrides,
  type RuntimeEvent,
  type TrackerConnector,
} from '../../../src/core/index.js';
import {connectorModule as githubModule} from '../../../src/core/connectors/github/index.js';
import {connectorModule as gitlabModule} from '../../../src/core/connectors/gitlab/index.js';
import {JiraConnector} from '../../../src/core/connectors/jira/jira-connector.js';
import {estimateBudget, plannedRequests} from '../../../src/core/sync/run-budget.js';
import {FakeGitHubServer} from '../../fakes/github/index.js';
import type {GitHubLimitOptions} from '../../fakes/github/github-limits.js';
import {FakeGitLabServer} from '../../fakes/gitlab/index.js';
import {FakeJiraServer} from '../../fakes/jira/fake-jira-server.js';

/** One fake clock for the fake server, the client's pacing and its waits. */
function fakeTime(start = '2026-03-01T00:00:00.000Z') {
  const clock = new ManualClock(start);
  const events: RuntimeEvent[] = [];
  const runtime = (pacing?: PacingOverrides): ConnectorRuntime => ({
    clock,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...(pacing === undefined ? {} : {pacing}),
  });
  return {clock, events, runtime, now: () => clock.now()};
}

const draft = (n: number) =>
  createIssue({ref: {system: 'github', workspace: 'x', id: `draft-${n}`}, title: `work package ${n}`});

async function github(limits: GitHubLimitOptions, pacing?: PacingOverrides) {
  const time = fakeTime();
  const server = await FakeGitHubServer.start({now: time.now, limits});
  const connector = githubModule.create({
    workspace: server.workspace,
    serverUrl: server.url,
    credentials: {token: server.token},
    options: {},
    runtime: time.runtime(pacing),
  });
  return {...time, server, connector};
}

describe('fakes enforce the documented limits; the request layer keeps to them', () => {
  const servers: {close(): Promise<void>}[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('GitHub: writes over the secondary limit are refused 403 without retry-after; the client waits a minute', async () => {
    const r = await github({writesPerMinute: 3}, 'off');
    servers.push(r.server);
    for (let i = 1; i <= 4; i++) await r.connector.createIssue(draft(i), {idempotencyKey: `k${i}`});
    expect(r.server.limits.refused.secondary).to.equal(1);
    const refused = r.server.requests.filter((q) => q.method === 'POST').length;
    expect(refused).to.equal(5);
    const wait = r.events.find((e) => e.type === 'wait' && e.reason === 'rate_limit') as {ms: number};
    expect(wait.ms).to.be.at.least(60_000);
  });

  it('GitHub: a secondary limit answered 429 with retry-after waits exactly that long', async () => {
    const r = await github({writesPerMinute: 1, secondaryStatus: 429, secondaryRetryAfterSeconds: 30}, 'off');
    servers.push(r.server);
    for (let i = 1; i <= 2; i++) await r.connector.createIssue(draft(i), {idempotencyKey: `k${i}`});
    expect(r.server.limits.refused.secondary).to.be.at.least(1);
    const waits = r.events.filter((e) => e.type === 'wait') as {reason: string; ms: number}[];
    expect(waits.every((w) => w.reason === 'rate_limit' && w.ms === 30_000)).to.equal(true);
  });

  it('GitHub: paced to the same limits, the same writes are never refused', async () => {
    const r = await github(
      {writesPerMinute: 3, writesPerHour: 10},
      {writes_per_minute: 3, writes_per_hour: 10},
    );
    servers.push(r.server);
    for (let i = 1; i <= 12; i++) await r.connector.createIssue(draft(i), {idempotencyKey: `k${i}`});
    expect(r.server.limits.refusals).to.equal(0);
    // The hourly budget of 10 held the 11th write back to the hour.
    expect(r.clock.now().getTime() - Date.parse('2026-03-01T00:00:00Z')).to.be.at.least(3_600_000);
  });

  it('GitHub: search allows its budget a minute, answers 403 with the reset when over it', async () => {
    const r = await github({searchesPerMinute: 2}, 'off');
    servers.push(r.server);
    for (let i = 0; i < 3; i++) await r.connector.findByIdempotencyKey(`nothing-${i}`);
    expect(r.server.limits.refused.search).to.equal(1);
    const waited = r.events.filter((e) => e.type === 'wait').map((e) => (e as {ms: number}).ms);
    expect(waited).to.have.length(1);
    expect(waited[0]).to.be.within(60_000, 62_000);
  });

  it('GitHub: the primary budget (x-ratelimit-*) is read from the headers and never overrun', async () => {
    const r = await github({requestsPerHour: 3});
    servers.push(r.server);
    const ref = {system: 'github', workspace: r.server.workspace, id: '1', key: '#1', url: ''};
    for (let i = 1; i <= 4; i++) await r.connector.getIssue(ref);
    expect(r.server.limits.refused.primary).to.equal(0);
    const waited = r.events.filter((e) => e.type === 'wait') as {reason: string; ms: number}[];
    expect(waited.map((w) => w.reason)).to.deep.equal(['pacing']);
    // The first request leaves the hour's window at 01:00; a second more for the rounding.
    expect(waited[0].ms).to.be.within(3_600_000, 3_602_000);
  });

  it('GitHub: refused 403 with x-ratelimit-remaining 0, the client names the reset instead of hanging an hour', async () => {
    const r = await github({requestsPerHour: 3}, 'off');
    servers.push(r.server);
    const ref = {system: 'github', workspace: r.server.workspace, id: '1', key: '#1', url: ''};
    for (let i = 1; i <= 3; i++) await r.connector.getIssue(ref);
    const error = await r.connector.getIssue(ref).then(
      () => null,
      (e: unknown) => e as {failureClass: string; message: string},
    );
    expect(r.server.limits.refused.primary).to.equal(1);
    expect(error?.failureClass).to.equal('rate_limit');
    expect(error?.message).to.include('Run again after 2026-03-01T01:00:01.000Z');
  });

  it('GitHub: a just-created issue is not found by search until the index catches up', async () => {
    const r = await github({searchLagMs: 5_000});
    servers.push(r.server);
    const created = await r.connector.createIssue(draft(1), {idempotencyKey: 'lagging-key'});
    const search = async () => {
      const response = await fetch(
        `${r.server.url}/search/issues?q=${encodeURIComponent(`repo:${r.server.workspace} is:issue "work package 1"`)}`,
        {headers: {Authorization: `Bearer ${r.server.token}`}},
      );
      return ((await response.json()) as {total_count: number}).total_count;
    };
    expect(await search()).to.equal(0);
    // The connector does not trust search alone: it also scans the newest issues.
    expect((await r.connector.findByIdempotencyKey('lagging-key'))?.ref.id).to.equal(created.ref.id);
    r.clock.advance(5_000);
    expect(await search()).to.equal(1);
  });

  it('GitLab: issue creation over its limit is answered 429 with Retry-After, which the client waits out', async () => {
    const time = fakeTime();
    const server = await FakeGitLabServer.start({now: time.now, limits: {issueCreatesPerMinute: 2}});
    servers.push(server);
    const connector = gitlabModule.create({
      workspace: server.projectPath,
      serverUrl: server.url,
      credentials: {token: server.token},
      options: {},
      runtime: time.runtime(),
    });
    for (let i = 1; i <= 3; i++) await connector.createIssue(draft(i), {idempotencyKey: `k${i}`});
    expect(server.limits.refused).to.equal(1);
    const wait = time.events.find((e) => e.type === 'wait') as {reason: string; ms: number};
    expect(wait).to.include({reason: 'rate_limit'});
    expect(wait.ms).to.be.within(59_000, 60_000);
    expect(server.issueCount).to.equal(3);
  });

  for (const paced of [false, true]) {
    it(`Jira Cloud: a spent budget is answered 429 with Retry-After and RateLimit-Reason${paced ? '; read from X-RateLimit-* headers, it is never reached' : ', and waited out'}`, async () => {
      const time = fakeTime('2026-03-02T12:00:00.000Z');
      const fake = await FakeJiraServer.start({limits: {requestsPerMinute: 2, now: time.now}});
      servers.push(fake);
      const connector = new JiraConnector({
        workspace: fake.projectKey,
        serverUrl: fake.url,
        credentials: {email: 'dev@example.com', token: 'jira-test-token'},
        options: {},
        runtime: time.runtime(paced ? undefined : 'off'),
      });
      for (let i = 0; i < 3; i++) await connector.findByIdempotencyKey(`nothing-${i}`);
      const waits = time.events.filter((e) => e.type === 'wait') as {reason: string; detail?: string}[];
      if (paced) {
        expect(fake.limits.refused).to.equal(0);
        expect(waits.map((w) => w.detail)).to.include("Jira's limit of 2 requests");
      } else {
        expect(fake.limits.refused).to.be.at.least(1);
        expect(waits.some((w) => w.reason === 'rate_limit')).to.equal(true);
      }
    });
  }
});

describe('acceptance: a paced push against GitHub limits scaled down', () => {
  it('creates 35 issues with at most one limit response, in 0.5x-2x of the dry run estimate', async () => {
    const limits = {writesPerMinute: 30, searchesPerMinute: 10};
    const pacing: PacingOverrides = {writes_per_minute: 30, searches_per_minute: 10};
    const r = await github(limits, pacing);
    try {
      const issues = new InMemoryIssueStore(r.clock);
      for (let i = 1; i <= 35; i++) {
        await issues.createDraft(
          createIssue({
            ref: {system: 'github', workspace: r.server.workspace, id: `draft-${i}`},
            title: `WP${i}`,
          }),
        );
      }
      const engine = (connector: TrackerConnector) =>
        new SyncEngine({
          connector,
          issues,
          checkpoints: new InMemoryCheckpointStore(),
          policy: createOwnershipPolicy('spec_kitty_authoritative'),
          clock: r.clock,
          sleep: r.clock.sleep,
        });
      const dry = await engine(r.connector).push({dryRun: true, yes: true});
      const budget = estimateBudget('github', plannedRequests(dry.requests, dry.plan), pacing);
      expect(budget.writes).to.equal(35);
      // A fresh minute for the real run: the dry run's lookups spent the search budget.
      r.clock.advance(60 * 60_000);
      const started = r.clock.now().getTime();
      const result = await engine(r.connector).push({yes: true});
      const seconds = (r.clock.now().getTime() - started) / 1000;
      expect(result.ok, JSON.stringify(result.failures)).to.equal(true);
      expect(result.stats.pushed_created).to.equal(35);
      expect(r.server.limits.refusals).to.be.at.most(1);
      expect(budget.eta_seconds / seconds).to.be.within(0.5, 2);
    } finally {
      await r.server.close();
    }
  });
});
