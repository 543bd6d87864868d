import {expect} from 'chai';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {bindToFake, exitCode, makeProject, run, type TestProject} from './helpers.js';

/** The whole chain against the loopback fake GitHub: bind, pull, edit offline, push. */
describe('tracker commands against a fake GitHub (loopback)', () => {
  let project: TestProject;
  let fake: FakeGitHubServer;
  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start();
    fake.seedIssue({number: 1, title: 'First', labels: ['bug'], updated_at: '2026-01-01T00:00:00Z'});
    fake.seedIssue({number: 2, title: 'Second', updated_at: '2026-01-02T00:00:00Z'});
    process.env.GITHUB_TOKEN = fake.token;
  });
  afterEach(async () => {
    await fake.close();
    project.cleanup();
  });

  it('edit then sync push sends exactly the edited field, and a refused egress sends nothing', async () => {
    const bound = await bindToFake(fake, '--doctrine-mode', 'spec_kitty_authoritative');
    expect(bound.error, bound.stderr).to.equal(undefined);
    const pulled = await run(['tracker', 'sync', 'pull', '--json']);
    expect(pulled.error, pulled.stderr).to.equal(undefined);
    expect((JSON.parse(pulled.stdout) as {stats: {pulled_created: number}}).stats.pulled_created).to.equal(2);

    const edited = await run(['tracker', 'edit', '#1', '--title', 'First, renamed']);
    expect(edited.error, edited.stderr).to.equal(undefined);
    const before = fake.requests.length;
    const pushed = await run(['tracker', 'sync', 'push']);
    expect(pushed.error, pushed.stderr + pushed.stdout).to.equal(undefined);
    const writes = fake.requests.slice(before).filter((r) => r.method !== 'GET');
    expect(writes.map((w) => `${w.method} ${w.path}`)).to.deep.equal([
      `PATCH /repos/${fake.workspace}/issues/1`,
    ]);
    expect(writes[0].body).to.deep.equal({title: 'First, renamed'});
    expect(fake.issue(1)?.title).to.equal('First, renamed');

    // Refuse egress: not a single request reaches the tracker.
    const {writeEgress} = await import('../../../src/host/config/tracker-config.js');
    writeEgress(project.configPath, 'refused');
    const count = fake.requests.length;
    const refused = await run(['tracker', 'sync', 'run']);
    expect(exitCode(refused)).to.equal(1);
    expect(fake.requests.length).to.equal(count);
  });
});
