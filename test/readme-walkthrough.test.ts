import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {parse} from 'yaml';

import {FakeGitHubServer} from './fakes/github/index.js';
import {writeSpecKittyProject} from './fakes/spec-kitty-project.js';
import {exitCode, makeProject, run, type TestProject} from './commands/tracker/helpers.js';

/**
 * README.md's "Bind a project to a tracker" and "Everyday commands" sections, followed literally:
 * every `spec-kitty tracker …` line of their shell blocks runs, in order, against a loopback fake
 * GitHub holding `acme/widgets`, and each must show the effect the README promises (the checks
 * below, one per command). The only change made to a line: `bind` gets `--server-url <the fake>`,
 * which stands for the GitHub cloud. The other providers' bind lines are skipped (no fake here).
 * A command added to those sections without a check here fails this test: keep both true.
 */

type Result = Awaited<ReturnType<typeof run>>;

/** The shell lines of the README section titled `title`, comments removed. */
function sectionCommands(readme: string, title: string): string[] {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README section "${title}"`).to.be.greaterThan(-1);
  const end = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line.startsWith('spec-kitty tracker '));
}

/** Shell words: splits on blanks, honouring '…' and "…" quoting (enough for the README). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(match[1] ?? match[2] ?? match[3]);
  return out;
}

describe('README walkthrough against the fake GitHub', () => {
  let project: TestProject;
  let fake: FakeGitHubServer;
  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start({owner: 'acme', repo: 'widgets'});
    fake.seedIssue({number: 41, title: 'Checkout: cart totals', updated_at: '2026-01-01T00:00:00Z'});
    fake.seedIssue({
      number: 42,
      title: 'Login fails on Safari',
      labels: ['status: in progress'],
      assignees: ['alice'],
      updated_at: '2026-01-02T00:00:00Z',
    });
    fake.seedIssue({number: 43, title: 'Dark mode', assignees: ['bob'], updated_at: '2026-01-03T00:00:00Z'});
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '001-checkout-flow',
          work_packages: [
            {id: 'WP01', title: 'Cart totals', lane: 'planned', tracker_refs: ['#41']},
            {id: 'WP02', title: 'Login on Safari', lane: 'in_progress'},
            {id: 'WP03', title: 'Receipt email', lane: 'planned'},
          ],
        },
      ],
    });
  });
  afterEach(async () => {
    await fake.close();
    project.cleanup();
  });

  const writes = (from: number) =>
    fake.requests
      .slice(from)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`);
  /** The labels of issue `n` as the fake's API answers them. */
  const labels = (n: number) =>
    ((fake.issue(n)?.labels ?? []) as {name: string}[]).map((label) => label.name);

  /** What each README command must show; `before` is the fake's request count before it ran. */
  const checks: Record<string, (r: Result, before: number) => void | Promise<void>> = {
    bind(r) {
      expect(r.stdout).to.include('Tracker binding saved');
      expect(r.stdout).to.include('Doctrine split_ownership means');
      const tracker = (parse(readFileSync(project.configPath, 'utf8')) as {tracker: Record<string, unknown>})
        .tracker;
      expect(tracker).to.deep.include({provider: 'github', workspace: 'acme/widgets', egress: 'permitted'});
    },
    'sync pull'(r) {
      expect(r.stdout).to.match(/^Pulled from github\n- created: 3\n/);
    },
    'list-tickets'(r, before) {
      expect(r.stdout).to.include('#42');
      expect(r.stdout).not.to.include('#43');
      expect(fake.requests.length).to.equal(before); // offline
    },
    show(r) {
      expect(r.stdout).to.include('Login fails on Safari');
    },
    'issue-search'(r) {
      expect(r.stdout).to.include('#42');
      expect(r.stdout).not.to.include('#41');
    },
    status(r) {
      expect(r.stdout).to.include('- provider: github');
      expect(r.stdout).to.include('- workspace: acme/widgets');
    },
    edit(r, before) {
      expect(r.stdout).to.include('Edited #42');
      expect(fake.requests.length).to.equal(before); // recorded offline
    },
    comment(_r, before) {
      expect(fake.requests.length).to.equal(before);
    },
    'sync push --dry-run'(r, before) {
      expect(r.stdout).to.include('(dry run: nothing written)');
      expect(writes(before)).to.deep.equal([]);
    },
    'sync push'(r, before) {
      expect(r.stdout).to.match(/^Pushed to github\n/m);
      expect(writes(before)).to.include.members([
        'PATCH /repos/acme/widgets/issues/42',
        'POST /repos/acme/widgets/issues/42/comments',
      ]);
      expect(labels(42)).to.include.members(['needs-docs', 'status: in review']);
    },
    'sync run'(r) {
      expect(r.stdout).to.match(/^Sync run completed \(github\)\n/m);
    },
    'map add'(r) {
      expect(r.stdout).to.include('Mapping saved: 001-checkout-flow/WP02 -> #42');
    },
    'map suggest'(r) {
      expect(r.stdout).to.match(/001-checkout-flow\/WP01\s+#41/);
    },
    'map list'(r) {
      expect(r.stdout).to.include('001-checkout-flow/WP01');
      expect(r.stdout).to.include('001-checkout-flow/WP02');
    },
    'sync push --create-missing'(r, before) {
      // WP03 gets an issue; WP02's lane (in_progress) reaches #42.
      expect(writes(before)).to.include('POST /repos/acme/widgets/issues');
      expect(r.stdout).to.include('001-checkout-flow/WP03: new issue');
      expect(labels(42)).to.include('status: in progress');
    },
    doctor(r) {
      expect(exitCode(r)).to.equal(0);
    },
    compact(r) {
      expect(exitCode(r)).to.equal(0);
    },
  };

  function checkFor(argv: readonly string[]): string {
    const name = argv.slice(1).join(' ');
    const keys = Object.keys(checks).sort((a, b) => b.length - a.length);
    const key = keys.find((k) => name === k || name.startsWith(`${k} `));
    expect(key, `a check for README command "tracker ${name}"`).not.to.equal(undefined);
    return key!;
  }

  it('every command of "Bind a project to a tracker" and "Everyday commands" shows its promised effect', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    process.env.GITHUB_TOKEN = fake.token;
    const bindLines = sectionCommands(readme, 'Bind a project to a tracker').filter((l) =>
      l.includes('--provider github'),
    );
    const everyday = sectionCommands(readme, 'Everyday commands');
    expect(bindLines).to.have.length(1);
    expect(everyday.length).to.be.greaterThan(10);
    const seen = new Set<string>();
    for (const line of [...bindLines, ...everyday]) {
      const argv = words(line).slice(1); // without `spec-kitty`
      if (argv[1] === 'bind') argv.push('--server-url', fake.url);
      const key = checkFor(argv);
      const before = fake.requests.length;
      const r = await run(argv);
      expect(exitCode(r), `${line}\n${r.stderr}`).to.equal(0);
      await checks[key](r, before);
      seen.add(key);
    }
    expect([...seen].sort()).to.deep.equal(Object.keys(checks).sort());
  });
});
