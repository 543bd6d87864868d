import {readFileSync} from 'node:fs';
import {expect} from 'chai';
import {parse} from 'yaml';

import {FakeGitHubServer} from '../../../fakes/github/index.js';
import {exitCode, makeProject, parseJson, run, type TestProject} from '../helpers.js';

describe('bind options: typed flags, validated keys and values, documented defaults', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject();
  });
  afterEach(() => project.cleanup());

  const options = () =>
    (parse(readFileSync(project.configPath, 'utf8')) as {tracker: {options?: Record<string, unknown>}})
      .tracker.options;
  const bind = (...extra: string[]) =>
    run(['tracker', 'bind', '--provider', 'github', '--workspace', 'acme/app', ...extra]);

  it('--no-mission-issues stores mission_issues: false; a value that is not true or false is refused', async () => {
    const off = await bind('--no-mission-issues');
    expect(off.error, off.stderr).to.equal(undefined);
    expect(options()).to.deep.equal({mission_issues: false});
    const bad = await bind('--option', 'mission_issues=maybe');
    expect(exitCode(bad)).to.equal(2);
    expect(bad.stderr).to.include('Invalid --option mission_issues: expected true or false');
  });

  it('--status-label in_progress=in-progress (repeatable) is stored as an object, and statuses come from those labels', async () => {
    const fake = await FakeGitHubServer.start();
    try {
      fake.seedIssue({
        number: 1,
        title: 'Doing',
        labels: ['in-progress'],
        updated_at: '2026-01-01T00:00:00Z',
      });
      fake.seedIssue({number: 2, title: 'Review', labels: ['review'], updated_at: '2026-01-02T00:00:00Z'});
      process.env.GITHUB_TOKEN = fake.token;
      const r = await run([
        'tracker',
        'bind',
        '--provider',
        'github',
        '--workspace',
        fake.workspace,
        '--server-url',
        fake.url,
        '--status-label',
        'in_progress=in-progress',
        '--status-label',
        'in_review=review',
      ]);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(options()).to.deep.equal({status_labels: {in_progress: 'in-progress', in_review: 'review'}});
      expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);
      const list = parseJson<{tickets: {key: string; status: string}[]}>(
        (await run(['tracker', 'list-tickets', '--json'])).stdout,
      );
      expect(list.tickets.map((t) => [t.key, t.status]).sort()).to.deep.equal([
        ['#1', 'in_progress'],
        ['#2', 'in_review'],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('gitlab: --status-label takes scoped labels', async () => {
    const r = await run([
      'tracker',
      'bind',
      '--provider',
      'gitlab',
      '--workspace',
      'grp/proj',
      '--status-label',
      'in_progress=workflow::doing',
      '--status-label',
      'canceled=null',
    ]);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(options()).to.deep.equal({status_labels: {in_progress: 'workflow::doing', canceled: null}});
  });

  it('--option takes JSON: an object is saved as an object, never as a string', async () => {
    const r = await bind(
      '--option',
      'status_labels={"in_progress":"doing"}',
      '--option',
      'priority_label_prefix=null',
    );
    expect(r.error, r.stderr).to.equal(undefined);
    expect(options()).to.deep.equal({status_labels: {in_progress: 'doing'}, priority_label_prefix: null});
  });

  it('refuses an unknown key with a suggestion, and a value of the wrong type; nothing is written', async () => {
    const typo = await bind('--option', 'status_lables={"in_progress":"doing"}');
    expect(exitCode(typo)).to.equal(2);
    expect(typo.stderr).to.include("Unknown --option 'status_lables' for github.");
    expect(typo.stderr).to.include('Did you mean status_labels?');
    const text = await bind('--option', 'status_labels=doing');
    expect(exitCode(text)).to.equal(2);
    expect(text.stderr).to.include('Invalid --option status_labels: expected a JSON object of names');
    const status = await bind('--status-label', 'doing=in-progress');
    expect(exitCode(status)).to.equal(2);
    expect(status.stderr).to.include("unknown status 'doing'");
    const jira = await run([
      'tracker',
      'bind',
      '--provider',
      'jira',
      '--workspace',
      'PROJ',
      '--status-label',
      'in_progress=x',
    ]);
    expect(exitCode(jira)).to.equal(2);
    expect(jira.stderr).to.include('--status-map');
    expect(() => readFileSync(project.configPath)).to.throw();
  });

  it('jira: --status-map maps workflow statuses; a number option stays a number', async () => {
    const r = await run([
      'tracker',
      'bind',
      '--provider',
      'jira',
      '--workspace',
      'PROJ',
      '--server-url',
      'https://acme.atlassian.net',
      '--status-map',
      'In QA=in_review',
      '--option',
      'overlap_minutes=5',
    ]);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(options()).to.deep.equal({overlap_minutes: 5, status_map: {'In QA': 'in_review'}});
  });

  it('providers --json documents each option with its default', async () => {
    const r = await run(['tracker', 'providers', '--json']);
    const providers = parseJson<{providers: {name: string; options: {key: string; default: unknown}[]}[]}>(
      r.stdout,
    ).providers;
    const github = providers.find((p) => p.name === 'github')!;
    expect(github.options.find((o) => o.key === 'status_labels')?.default).to.deep.equal({
      in_progress: 'status: in progress',
      in_review: 'status: in review',
      blocked: 'status: blocked',
    });
    expect(providers.find((p) => p.name === 'jira')!.options.map((o) => o.key)).to.include('status_map');
  });
});
