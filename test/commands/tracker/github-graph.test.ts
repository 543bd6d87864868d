import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {issueId} from '../../fakes/github/fake-github-server.js';
import {writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';
import {requestViolations} from '../../core/connectors/github/openapi-contract.js';
import {bindToFake, makeProject, parseJson, run, type TestProject} from './helpers.js';

/** The mission's graph on GitHub: the mission's issue, sub-issues, "blocked by", read back on pull. */
describe('sync push and pull: the mission graph on GitHub (fake GitHub)', () => {
  let project: TestProject;
  let fake: FakeGitHubServer;
  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start();
    process.env.GITHUB_TOKEN = fake.token;
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '060-graph',
          friendly_name: 'Graph on GitHub',
          work_packages: [
            {id: 'WP01', title: 'Schema', lane: 'done'},
            {id: 'WP02', title: 'Reader', lane: 'planned', dependencies: ['WP01']},
            {id: 'WP03', title: 'Writer', lane: 'planned', dependencies: ['WP01', 'WP02']},
          ],
        },
      ],
    });
    const bound = await bindToFake(fake, '--doctrine-mode', 'spec_kitty_authoritative');
    expect(bound.error, bound.stderr).to.equal(undefined);
  });
  afterEach(async () => {
    const violations = fake.requests.flatMap((request) => requestViolations(request));
    await fake.close();
    project.cleanup();
    expect(violations, 'every request is one GitHub documents').to.deep.equal([]);
  });

  const writes = () => fake.requests.filter((r) => r.method !== 'GET');
  const numberOf = (title: string) => {
    for (let n = 1; n <= fake.issueCount; n++)
      if ((fake.issue(n) as {title: string}).title === title) return n;
    throw new Error(`no issue "${title}"`);
  };

  it('creates the mission issue with its work packages as sub-issues and dependencies as "blocked by", once', async () => {
    const dry = await run(['tracker', 'sync', 'push', '--create-missing', '--dry-run', '--json']);
    expect(dry.error, dry.stderr).to.equal(undefined);
    const budget = parseJson<{budget: {requests: number; writes: number}}>(dry.stdout).budget;
    const first = fake.requests.length;
    const pushed = await run(['tracker', 'sync', 'push', '--create-missing', '--json']);
    expect(pushed.error, pushed.stderr).to.equal(undefined);
    // Four creates, WP01 closed, three parents, three dependencies: the push knows the issues it
    // created and reads none of them back; the dry run's budget counted exactly these.
    const sent = fake.requests.slice(first);
    expect(sent.filter((r) => r.method === 'GET').map((r) => r.path)).to.deep.equal([]);
    expect(sent).to.have.length(4 + 1 + 3 + 3);
    expect(budget).to.include({requests: sent.length, writes: sent.length});
    const epic = numberOf('Graph on GitHub');
    const [wp1, wp2, wp3] = ['WP01 Schema', 'WP02 Reader', 'WP03 Writer'].map(numberOf);
    expect(fake.subIssuesOf(epic).sort()).to.deep.equal([wp1, wp2, wp3].sort());
    expect(fake.blockedBy(wp2)).to.deep.equal([wp1]);
    expect(fake.blockedBy(wp3).sort()).to.deep.equal([wp1, wp2].sort());
    // Database ids, never numbers, and one write per relation.
    const relationWrites = writes().filter((r) => /sub_issues|dependencies/.test(r.path));
    expect(relationWrites).to.have.length(3 + 3);
    expect(
      relationWrites
        .filter((r) => r.path.endsWith(`/issues/${wp3}/dependencies/blocked_by`))
        .map((r) => r.body),
    ).to.deep.equal(
      [{issue_id: issueId(wp1)}, {issue_id: issueId(wp2)}].sort((a, b) => a.issue_id - b.issue_id),
    );
    expect((fake.issue(epic) as {body: string}).body).to.contain('spec-kitty mission `060-graph`');

    const before = writes().length;
    const again = await run(['tracker', 'sync', 'push', '--create-missing', '--json']);
    expect(again.error, again.stderr).to.equal(undefined);
    expect(writes().slice(before), 'a second push writes nothing').to.deep.equal([]);
  });

  it('a dependency dropped from a task file: the dry run budgets one write, the push sends one DELETE', async () => {
    expect((await run(['tracker', 'sync', 'push', '--create-missing'])).error).to.equal(undefined);
    expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);
    const dir = join(project.root, 'kitty-specs', '060-graph', 'tasks');
    const file = join(
      dir,
      readdirSync(dir).find((name) => name.startsWith('WP03-'))!,
    );
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/dependencies:\n- WP01\n- WP02\n/, 'dependencies:\n- WP02\n'),
    );

    const dry = await run(['tracker', 'sync', 'push', '--dry-run', '--json']);
    expect(dry.error, dry.stderr).to.equal(undefined);
    const plan = parseJson<{budget: {writes: number}; work_packages: {unlinks: unknown[]}}>(dry.stdout);
    expect(plan.work_packages.unlinks).to.have.length(1);
    expect(plan.budget.writes).to.equal(1);

    const before = writes().length;
    const pushed = await run(['tracker', 'sync', 'push', '--json']);
    expect(pushed.error, pushed.stderr).to.equal(undefined);
    const [wp1, wp3] = ['WP01 Schema', 'WP03 Writer'].map(numberOf);
    expect(
      writes()
        .slice(before)
        .map((r) => `${r.method} ${r.path}`),
    ).to.deep.equal([
      `DELETE /repos/${fake.workspace}/issues/${wp3}/dependencies/blocked_by/${issueId(wp1)}`,
    ]);
    expect(fake.blockedBy(wp3)).to.deep.equal([numberOf('WP02 Reader')]);
    const after = writes().length;
    expect((await run(['tracker', 'sync', 'push'])).error).to.equal(undefined);
    expect(writes().length).to.equal(after);
  });

  it('pull reads parents and dependencies back, asking for lists only of issues whose summary counts some', async () => {
    expect((await run(['tracker', 'sync', 'push', '--create-missing'])).error).to.equal(undefined);
    fake.seedRealisticIssues(400, {prEvery: 0, start: '2024-01-01T00:00:00Z'});
    const before = fake.requests.length;
    const pulled = await run(['tracker', 'sync', 'pull', '--full', '--json']);
    expect(pulled.error, pulled.stderr).to.equal(undefined);
    const lists = fake.requests.slice(before).filter((r) => r.path.includes('/dependencies/'));
    // WP01 blocks two, WP02 is blocked and blocks, WP03 is blocked: four lists for 404 issues.
    expect(lists).to.have.length(4);
    // The cache holds the graph: `show` (offline) prints WP03's parent and what blocks it.
    const shown = await run(['tracker', 'show', `#${numberOf('WP03 Writer')}`, '--json']);
    expect(shown.error, shown.stderr).to.equal(undefined);
    const id = (title: string) => `github:${fake.workspace}:${numberOf(title)}`;
    const json = parseJson<{parent: unknown; links: unknown}>(shown.stdout);
    expect(JSON.stringify(json.parent)).to.contain(id('Graph on GitHub'));
    const links = JSON.stringify(json.links);
    for (const blocker of ['WP01 Schema', 'WP02 Reader']) expect(links).to.contain(id(blocker));
    expect(links).to.contain('blocked_by');
    // The offline graph joins what the pull stored: the mission is WP03's parent issue, both
    // WP01 is done (it no longer blocks), WP02 still does; WP02 is the one ready to start.
    const graph = parseJson<{
      parent_issue: {key: string};
      blocked_by: {key: string; blocking: boolean}[];
      ready: boolean;
    }>(shown.stdout);
    expect(graph.parent_issue.key).to.equal(`#${numberOf('Graph on GitHub')}`);
    expect(graph.blocked_by.map((b) => [b.key, b.blocking])).to.have.deep.members([
      [`#${numberOf('WP01 Schema')}`, false],
      [`#${numberOf('WP02 Reader')}`, true],
    ]);
    expect(graph.ready).to.equal(false);
    const ready = await run(['tracker', 'list-tickets', '--ready', '--json']);
    expect(ready.error, ready.stderr).to.equal(undefined);
    const readyText = ready.stdout;
    expect(readyText).to.contain(`"#${numberOf('WP02 Reader')}"`);
    for (const blocked of ['WP01 Schema', 'WP03 Writer'])
      expect(readyText).not.to.contain(`"#${numberOf(blocked)}"`);
  });
});
