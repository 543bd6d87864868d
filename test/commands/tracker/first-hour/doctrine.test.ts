import {expect} from 'chai';

import {FakeGitHubServer} from '../../../fakes/github/index.js';
import {bindToFake, makeProject, parseJson, run, type TestProject} from '../helpers.js';

describe('the default doctrine explains itself', () => {
  let project: TestProject;
  let fake: FakeGitHubServer;
  beforeEach(async () => {
    project = makeProject();
    fake = await FakeGitHubServer.start();
    fake.seedIssue({number: 1, title: 'First', updated_at: '2026-01-01T00:00:00Z'});
    process.env.GITHUB_TOKEN = fake.token;
  });
  afterEach(async () => {
    await fake.close();
    project.cleanup();
  });

  it('bind says what the doctrine means; an edit under external_authoritative is not pushed, and push says why and what to run', async () => {
    const bound = await bindToFake(fake);
    expect(bound.error, bound.stderr).to.equal(undefined);
    expect(bound.stdout).to.include(
      'Doctrine external_authoritative means the tracker owns every field: pulls bring its changes in, and push writes nothing to it',
    );
    expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);
    expect((await run(['tracker', 'edit', '#1', '--title', 'Renamed'])).error).to.equal(undefined);

    const before = fake.requests.filter((r) => r.method !== 'GET').length;
    const pushed = await run(['tracker', 'sync', 'push']);
    expect(pushed.error, pushed.stderr).to.equal(undefined);
    expect(fake.requests.filter((r) => r.method !== 'GET').length).to.equal(before);
    expect(pushed.stdout).to.include(
      'Not sent: local changes of issue 1. This binding is external_authoritative',
    );
    expect(pushed.stdout).to.include('--doctrine-mode split_ownership --field-owner status=local');
    // JSON stays machine-readable: the reason is in the plan.
    const json = parseJson<{plan: {skipped: {reason: string}[]}}>(
      (await run(['tracker', 'sync', 'push', '--json'])).stdout,
    );
    expect(json.plan.skipped.map((s) => s.reason)).to.deep.equal(['external_authoritative']);
  });
});
