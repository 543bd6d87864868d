import {existsSync, promises as fs} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import {createRef} from '../../../src/core/index.js';
import {openReadIndex} from '../../../src/host/storage/read-index/read-index.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {BOUND_GITHUB, issue, makeProject, seedCache, type TestProject} from './helpers.js';
import {runCliProcess} from './cli-process.js';

/** The built CLI as a user runs it, with the index build mode `mode`. */
const cli = (project: TestProject, mode: string, args: string[]) =>
  runCliProcess(project, args, {SPEC_KITTY_TRACKER_INDEX_BUILD: mode});

/**
 * The first `show` in a clone with no read index (over 1 MiB of segments, no per-clone folders)
 * answers from a targeted scan of the segments, printing what the index built first prints, and
 * leaves the build to a detached child, after which reads take the index.
 */
describe('first show in a fresh clone', function () {
  this.timeout(240_000);
  let project: TestProject;
  let scopeDir: string;
  const ref = (id: number) =>
    createRef({system: 'github', workspace: 'acme/app', id: String(id), key: `#${id}`});
  const cacheDir = () => join(scopeDir, 'cache');
  const base = () => join(cacheDir(), 'read-index.v1.base');
  const freshClone = () => fs.rm(cacheDir(), {recursive: true, force: true});

  before(async () => {
    project = makeProject({config: BOUND_GITHUB});
    const body = 'Steps: open the widget, press start, watch the crash. '.repeat(12);
    const issues = Array.from({length: 1800}, (_, i) =>
      issue(i + 1, {
        title: `Widget ${i + 1}`,
        body: `${body} (${i + 1})`,
        status: (['todo', 'in_progress', 'done'] as const)[i % 3],
        labels: i % 2 === 0 ? ['bug'] : ['bug', 'ui'],
        parent: i % 10 === 0 || i < 10 ? null : ref(Math.floor((i + 1) / 10)),
        links: i % 7 === 0 && i > 20 ? [{type: 'blocked_by', target: ref(i - 5)}] : [],
      }),
    );
    await seedCache(project.root, issues);
    const storage = openTrackerStorage({
      root: project.root,
      provider: 'github',
      serverUrl: '',
      workspace: 'acme/app',
    });
    await storage.stores.recordLocalEdit('github:acme/app:12', {title: 'Edited locally', labels: ['ux']});
    await storage.stores.addPendingComment('github:acme/app:12', 'a note');
    await storage.stores.addMapping('WP01', ref(12));
    await storage.log.endRun();
    scopeDir = storage.scopeDir;
    await fs.rm(join(scopeDir, 'state'), {recursive: true, force: true});
  });
  after(() => project.cleanup());

  const shows = [
    ['show', '#12'],
    ['show', '#12', '--json'],
    ['show', '150'],
    ['show', '#1'],
    ['show', '#29', '--json'],
    ['show', '#36'],
    ['show', 'github:acme/app:1799', '--json'],
    ['show', '#99999'],
    ['show', 'github:acme/app:99999'],
  ];
  for (const args of shows) {
    it(`${args.join(' ')}: as the index built first prints it`, async () => {
      await freshClone();
      const targeted = await cli(project, 'off', args);
      const scanned = !existsSync(base());
      await freshClone();
      const built = await cli(project, 'inline', args);
      expect(existsSync(base())).to.equal(true);
      expect(targeted).to.deep.equal(built);
      // Number keys and identities are answered from the scan (nothing written); an unknown key is
      // left to the full build.
      expect(scanned).to.equal(!args[1]!.endsWith('99999'));
    });
  }

  it('builds the index in the background; the next read takes it as it is', async () => {
    await freshClone();
    const first = await cli(project, 'background', ['show', '#12']);
    expect(first.code).to.equal(0);
    expect(first.stdout).to.contain('#12: Edited locally');
    const fresh = join(cacheDir(), 'read-index.v1.fresh');
    for (let waited = 0; !existsSync(fresh) && waited < 60_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(fresh), 'the index was built by the child').to.equal(true);
    const view = (await openReadIndex({root: project.root, scopeDir}))!;
    try {
      expect(view.stats.update).to.equal('none');
      expect(view.liveCount).to.equal(1800);
    } finally {
      view.close();
    }
    // The child is done once its freshness stamp is written; give it a moment to exit.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});
