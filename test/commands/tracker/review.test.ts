import {execFileSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';
import {bindToFake, exitCode, makeProject, parseJson, run, type TestProject} from './helpers.js';

const WORK_PACKAGES = 35;

function git(root: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=T', '-c', 'user.email=t@example.test', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null'},
    },
  );
}

interface ReviewJson {
  base: {commit: string | null; how: string};
  segments_added: string[];
  issues: {
    identity: string;
    key: string | null;
    title: string | null;
    work_package: string | null;
    changes: {kind: string; field?: string; from?: unknown; to?: unknown; work_package?: string}[];
  }[];
  summary: Record<string, number>;
}

describe('one reviewable change per command, and tracker review', () => {
  let project: TestProject;
  let fake: FakeGitHubServer;
  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start();
    fake.seedIssue({number: 1, title: 'Existing', labels: ['bug'], updated_at: '2026-01-01T00:00:00Z'});
    process.env.GITHUB_TOKEN = fake.token;
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '030-big',
          friendly_name: 'Big',
          work_packages: Array.from({length: WORK_PACKAGES}, (_, i) => ({
            id: `WP${String(i + 1).padStart(2, '0')}`,
            title: `Step ${i + 1}`,
            lane: i % 3 === 0 ? 'done' : 'planned',
            dependencies: [],
          })),
        },
      ],
    });
    git(project.root, 'init', '-q', '-b', 'main');
    // One issue per work package only: with the mission's issue and 35 sub-issue writes the push
    // would pass GitHub's 80 writes a minute, which this test (pacing off) is not about.
    const bound = await bindToFake(
      fake,
      '--doctrine-mode',
      'spec_kitty_authoritative',
      '--no-mission-issues',
    );
    expect(bound.error, bound.stderr).to.equal(undefined);
    const pulled = await run(['tracker', 'sync', 'pull']);
    expect(pulled.error, pulled.stderr).to.equal(undefined);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'base');
  });
  afterEach(async () => {
    await fake.close();
    project.cleanup();
  });

  it(`push --create-missing of ${WORK_PACKAGES} work packages adds at most 3 files; review names each created issue's work package`, async () => {
    const pushed = await run(['tracker', 'sync', 'push', '--create-missing', '--yes', '--json']);
    expect(pushed.error, pushed.stderr).to.equal(undefined);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues'))).to.have.length(
      WORK_PACKAGES,
    );
    const added = git(
      project.root,
      'status',
      '--porcelain',
      '--untracked-files=all',
      '--',
      '.kittify/tracker',
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(added.length, added.join('\n')).to.be.within(1, 3);
    expect(added.every((line) => line.startsWith('?? '))).to.equal(true); // only added, never modified

    const r = await run(['tracker', 'review', '--base', 'HEAD', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    const review = parseJson<ReviewJson>(r.stdout);
    expect(review.summary.created).to.equal(WORK_PACKAGES);
    const created = review.issues.filter((i) => i.changes.some((c) => c.kind === 'created'));
    expect(created).to.have.length(WORK_PACKAGES);
    for (const issue of created) {
      const change = issue.changes.find((c) => c.kind === 'created')!;
      expect(change.work_package, issue.identity).to.match(/^030-big\/WP\d\d$/);
      expect(issue.title).to.equal(
        `${change.work_package!.slice(-4)} Step ${Number(change.work_package!.slice(-2))}`,
      );
      expect(issue.key).to.match(/^#\d+$/);
    }
    expect(review.summary.mappings_added).to.equal(WORK_PACKAGES);

    const markdown = await run(['tracker', 'review', '--base', 'HEAD', '--format', 'markdown']);
    expect(markdown.stdout).to.include('| created |');
    expect(markdown.stdout).to.include(`| ${WORK_PACKAGES} |`);
    expect(markdown.stdout).to.include('<details><summary>');
  });

  it('explains an edit, its push and a comment; the default base is the merge base with main', async () => {
    git(project.root, 'checkout', '-q', '-b', 'topic');
    expect(
      exitCode(await run(['tracker', 'edit', '#1', '--status', 'in_progress', '--title', 'Renamed'])),
    ).to.equal(0);
    expect(exitCode(await run(['tracker', 'comment', '#1', '--body', 'Looks good']))).to.equal(0);
    const events = join(project.root, '.kittify', 'tracker');
    const scope = readdirSync(events).find((n) => n.startsWith('github-'))!;
    // Two commands, two committed segments: each command is one reviewable file.
    expect(readdirSync(join(events, scope, 'events')).length).to.equal(3);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'edit');
    const pushed = await run(['tracker', 'sync', 'push']);
    expect(pushed.error, pushed.stderr).to.equal(undefined);

    const review = parseJson<ReviewJson>((await run(['tracker', 'review', '--json'])).stdout);
    expect(review.base.how).to.equal('merge base with main');
    expect(review.issues).to.have.length(1);
    const kinds = review.issues[0]!.changes.map((c) => `${c.kind}${c.field ? ` ${c.field}` : ''}`);
    expect(kinds).to.include.members([
      'edited title',
      'edited status',
      'comment',
      'pushed title',
      'pushed status',
    ]);
    const pushedStatus = review.issues[0]!.changes.find((c) => c.kind === 'pushed' && c.field === 'status')!;
    expect([pushedStatus.from, pushedStatus.to]).to.deep.equal(['todo', 'in_progress']);
    expect(review.summary).to.include({edited: 1, comments: 1, created: 0});
    const text = (await run(['tracker', 'review'])).stdout;
    expect(text).to.include('pushed status: "todo" → "in_progress"');
  });

  it('works without git history to compare with, and on a clone that never synced', async () => {
    const r = await run(['tracker', 'review', '--base', 'no-such-rev']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.include('--base no-such-rev is not a commit');
    const clean = parseJson<ReviewJson>((await run(['tracker', 'review', '--json'])).stdout);
    expect(clean.issues).to.deep.equal([]); // on main: nothing since the merge base (HEAD)
    expect(clean.summary.created).to.equal(0);
  });
});

describe('tracker review outside git', () => {
  it('shows the whole cache, and refuses --base with a clear error', async () => {
    const project = makeProject();
    try {
      const empty = parseJson<ReviewJson>((await run(['tracker', 'review', '--json'])).stdout);
      expect(empty.base.how).to.equal('not a git repository: the whole cache is shown');
      expect(empty.issues).to.deep.equal([]);
      const refused = await run(['tracker', 'review', '--base', 'main']);
      expect(exitCode(refused)).to.equal(1);
      expect(refused.stderr).to.include('not in a git repository');
    } finally {
      project.cleanup();
    }
  });
});
