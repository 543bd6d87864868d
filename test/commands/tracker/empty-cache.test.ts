import {expect} from 'chai';

import {BOUND_GITHUB, exitCode, makeProject, run, type TestProject} from './helpers.js';

/** A project just bound, before its first pull or push: the cache holds nothing yet. */
describe('offline reads of an empty cache', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
  });
  afterEach(() => project.cleanup());

  it('list-tickets says there are none, as text and as JSON', async () => {
    const text = await run(['tracker', 'list-tickets']);
    expect(text.error?.message, text.stderr).to.equal(undefined);
    expect(text.stdout).to.contain('No tickets found');
    const json = await run(['tracker', 'list-tickets', '--json']);
    expect(exitCode(json), json.stderr).to.equal(0);
    expect(JSON.parse(json.stdout)).to.include({total: 0});
  });
});
