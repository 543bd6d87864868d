import {expect} from 'chai';

import {
  BOUND_GITHUB,
  exitCode,
  issue,
  makeProject,
  parseJson,
  run,
  seedCache,
  type TestProject,
} from '../helpers.js';

describe('map add checks what it is told', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
  });
  afterEach(() => project.cleanup());

  const mappings = async () =>
    parseJson<{mappings: {wp_id: string; external_id: string}[]}>(
      (await run(['tracker', 'map', 'list', '--json'])).stdout,
    ).mappings;

  it('refuses an id the pulled cache does not have, unless --force', async () => {
    await seedCache(project.root, [issue(1), issue(2)]);
    const refused = await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '21']);
    expect(exitCode(refused)).to.equal(2);
    expect(refused.stderr).to.include('No issue 21 in the cache of github acme/app; nothing was mapped.');
    expect(refused.stderr).to.include('--force');
    expect(await mappings()).to.deep.equal([]);

    const forced = await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '21', '--force']);
    expect(forced.error, forced.stderr).to.equal(undefined);
    expect(forced.stderr).to.include('Issue 21 is not in the cache: mapped anyway (--force).');
  });

  it('warns (and maps) when nothing was pulled yet', async () => {
    const r = await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '21']);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(r.stderr).to.include('Issue 21 is not in the cache (nothing pulled yet)');
  });

  it('replacing an existing mapping needs --replace; mapping the same issue again is fine', async () => {
    await seedCache(project.root, [issue(1), issue(2)]);
    expect((await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '1'])).error).to.equal(
      undefined,
    );
    expect((await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '#1'])).error).to.equal(
      undefined,
    );
    const refused = await run(['tracker', 'map', 'add', '--wp-id', 'WP01', '--external-id', '2']);
    expect(exitCode(refused)).to.equal(1);
    expect(refused.stderr).to.include('WP01 is already mapped to #1; nothing was changed.');
    expect(refused.stderr).to.include('--replace');
    expect((await mappings()).map((m) => m.external_id)).to.deep.equal(['1']);

    const replaced = await run([
      'tracker',
      'map',
      'add',
      '--wp-id',
      'WP01',
      '--external-id',
      '2',
      '--replace',
    ]);
    expect(replaced.error, replaced.stderr).to.equal(undefined);
    expect((await mappings()).map((m) => m.external_id)).to.deep.equal(['2']);
  });
});
