import {expect} from 'chai';

import {InMemoryConnector} from '../../../../src/core/memory/in-memory-connector.js';
import {setConnectorFactory} from '../../../../src/host/services/sync-service.js';
import {openTrackerStorage} from '../../../../src/host/storage/tracker-storage.js';
import {BOUND_GITHUB, makeProject, parseJson, run, type TestProject} from '../helpers.js';

describe('a field the provider cannot write', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
    process.env.GITHUB_TOKEN = 'ghp_unsupportedField0123456789abcdefABCD';
  });
  afterEach(() => project.cleanup());

  it('is reported once as unsupported, then settled: not pending, not reported again', async () => {
    // Like GitHub: no issue links through the API.
    const connector = new InMemoryConnector({
      provider: 'github',
      workspace: 'acme/app',
      capabilities: {links: false},
    });
    connector.seed({id: '1', title: 'One', updated_at: '2026-01-01T00:00:00.000Z'});
    connector.seed({id: '2', title: 'Two', updated_at: '2026-01-01T00:00:00.000Z'});
    setConnectorFactory(async () => connector);
    expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);
    const storage = openTrackerStorage({
      root: project.root,
      provider: 'github',
      serverUrl: '',
      workspace: 'acme/app',
    });
    await storage.stores.recordLocalEdit('github:acme/app:1', {
      links: [
        {type: 'blocks', target: {system: 'github', workspace: 'acme/app', id: '2', key: null, url: null}},
      ],
    });
    expect(
      parseJson<{pending_edits: number}>((await run(['tracker', 'status', '--json'])).stdout).pending_edits,
    ).to.equal(1);

    const pushed = await run(['tracker', 'sync', 'push']);
    expect(pushed.error, pushed.stderr).to.equal(undefined);
    expect(pushed.stdout).to.include(
      'Not supported by github: links (issue 1). Dropped the local edit; the tracker keeps its value.',
    );
    expect(
      parseJson<{pending_edits: number}>((await run(['tracker', 'status', '--json'])).stdout).pending_edits,
    ).to.equal(0);

    const again = await run(['tracker', 'sync', 'push']);
    expect(again.stdout).not.to.include('Not supported');
    expect(connector.writeRequests()).to.deep.equal([]);
  });
});
