import {expect} from 'chai';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {runCliProcess} from './cli-process.js';
import {bindToFake, makeProject, run, type TestProject} from './helpers.js';

/**
 * The built CLI as a child process with GitHub's published pacing (no SPEC_KITTY_TRACKER_PACING
 * in its environment): a process whose only pending work is a paced wait must stay alive
 * through it, finish every write and only then exit 0. (An unref'd wait would let Node exit with
 * code 0 in the middle of a push, the edits silently unsent.)
 */
describe('paced push from the built CLI (child process, GitHub pacing)', function () {
  this.timeout(60_000);
  let project: TestProject;
  let fake: FakeGitHubServer;
  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start();
    for (const number of [1, 2, 3])
      fake.seedIssue({number, title: `Issue ${number}`, updated_at: '2026-01-01T00:00:00Z'});
    process.env.GITHUB_TOKEN = fake.token;
  });
  afterEach(async () => {
    await fake.close();
    project.cleanup();
  });

  it('waits a second between its writes, sends all three and only then exits 0', async () => {
    expect((await bindToFake(fake, '--doctrine-mode', 'spec_kitty_authoritative')).error).to.equal(undefined);
    expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);
    for (const key of ['#1', '#2', '#3'])
      expect((await run(['tracker', 'edit', key, '--title', `${key} renamed`])).error).to.equal(undefined);

    const pushed = await runCliProcess(project, ['sync', 'push'], {GITHUB_TOKEN: fake.token});
    expect(pushed.code, pushed.stderr).to.equal(0);
    expect(pushed.stderr).to.match(
      /waiting \d+(\.\d)? s: GitHub's limit of 80 writes a minute, a second apart/,
    );
    expect(pushed.stdout).to.match(/updated: 3/);
    expect(fake.requests.filter((r) => r.method === 'PATCH')).to.have.length(3);
    expect([1, 2, 3].map((n) => (fake.issue(n) as {title: string}).title)).to.deep.equal([
      '#1 renamed',
      '#2 renamed',
      '#3 renamed',
    ]);
  });
});
