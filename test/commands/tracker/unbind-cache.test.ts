import {expect} from 'chai';
import {existsSync} from 'node:fs';
import {join} from 'node:path';

import {BOUND_GITHUB, issue, makeProject, parseJson, run, seedCache, type TestProject} from './helpers.js';

describe('unbind and the cache folder it leaves', () => {
  let project: TestProject;
  beforeEach(() => (project = makeProject({config: BOUND_GITHUB})));
  afterEach(() => project.cleanup());

  it('says the cache folder stays, where it is, and how to remove it', async () => {
    await seedCache(project.root, [issue(1)]);
    const r = await run(['tracker', 'unbind']);
    expect(r.error, r.stderr).to.equal(undefined);
    const kept = /- cache kept: (\.kittify\/tracker\/github-[a-z0-9-]+) /.exec(r.stdout)?.[1];
    expect(kept, r.stdout).to.be.a('string');
    expect(existsSync(join(project.root, kept!, 'events'))).to.equal(true);
    expect(r.stdout).to.include(`To remove it: git rm -r -q --ignore-unmatch ${kept} && rm -rf ${kept}`);
  });

  it('names it in --json, and says nothing of a cache that does not exist', async () => {
    const r = await run(['tracker', 'unbind', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(parseJson(r.stdout)).to.include({cache_dir_kept: null});
    expect(r.stdout).not.to.include('cache kept');
  });
});
