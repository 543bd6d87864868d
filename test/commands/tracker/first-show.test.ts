import {existsSync, promises as fs} from 'node:fs';
import {join} from 'node:path';

import {expect} from 'chai';

import {createIssue, createRef} from '../../../src/core/index.js';
import {openReadIndex} from '../../../src/host/storage/read-index/read-index.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {BOUND_GITHUB, issue, makeProject, seedCache, type TestProject} from './helpers.js';
import {runCliProcess, type CliRun} from './cli-process.js';

/** The built CLI as a user runs it, with the index build mode `mode`. */
const cli = (project: TestProject, mode: string, args: string[]) =>
  runCliProcess(project, args, {SPEC_KITTY_TRACKER_INDEX_BUILD: mode});

/**
 * `args` run twice in a fresh clone (no `cache/` folder) of the scope at `scopeDir`: with the
 * build off (the scan answers, or the index is built inline when the scan gives up), then with
 * the index built first. `scanned`: the first run wrote no index (the scan answered).
 */
async function bothModes(
  project: TestProject,
  scopeDir: string,
  args: string[],
): Promise<{targeted: CliRun; built: CliRun; scanned: boolean}> {
  const freshClone = () => fs.rm(join(scopeDir, 'cache'), {recursive: true, force: true});
  const base = join(scopeDir, 'cache', 'read-index.v1.base');
  await freshClone();
  const targeted = await cli(project, 'off', args);
  const scanned = !existsSync(base);
  await freshClone();
  const built = await cli(project, 'inline', args);
  expect(existsSync(base)).to.equal(true);
  return {targeted, built, scanned};
}

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
      const {targeted, built, scanned} = await bothModes(project, scopeDir, args);
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

const BOUND_JIRA = `tracker:
  provider: jira
  workspace: PROJ
  server_url: https://acme.atlassian.net
  doctrine:
    mode: split_ownership
    field_owners: {}
  egress: permitted
`;

/**
 * The same for a Jira cache, whose keys are not numbers and match in any case (`proj-12` is
 * `PROJ-12`): the scan answers them as the index does, and leaves an ambiguous key to it.
 */
describe('first show of a Jira key in a fresh clone', function () {
  this.timeout(240_000);
  let project: TestProject;
  let scopeDir: string;
  const site = 'https://acme.atlassian.net';
  const ref = (n: number, key = `PROJ-${n}`) =>
    createRef({system: 'jira', workspace: 'PROJ', id: String(10_000 + n), key, url: `${site}/browse/${key}`});

  before(async () => {
    project = makeProject({config: BOUND_JIRA});
    const body = 'Steps: open the widget, press start, watch the crash. '.repeat(12);
    const issues = Array.from({length: 1800}, (_, i) =>
      createIssue({
        ref: ref(i + 1),
        title: `Widget ${i + 1}`,
        body: `${body} (PROJ-${i + 1})`,
        status: (['todo', 'in_progress', 'done'] as const)[i % 3],
        labels: i % 2 === 0 ? ['bug'] : ['bug', 'ui'],
        parent: i % 10 === 0 || i < 10 ? null : ref(Math.floor((i + 1) / 10)),
        links: i % 7 === 0 && i > 20 ? [{type: 'blocked_by', target: ref(i - 5)}] : [],
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-02T00:00:00.000Z',
      }),
    );
    // Another issue whose key differs from PROJ-5's only in case: `PROJ-5` names both.
    issues.push(
      createIssue({
        ref: ref(90_005, 'proj-5'),
        title: 'Imported twin',
        created_at: '2026-01-01T00:00:00.000Z',
      }),
    );
    const storage = openTrackerStorage({
      root: project.root,
      provider: 'jira',
      serverUrl: site,
      workspace: 'PROJ',
    });
    await storage.stores.recordRemote(issues.map((i) => ({issue: i})));
    await storage.stores.recordLocalEdit('jira:PROJ:10012', {title: 'Edited locally', labels: ['ux']});
    await storage.stores.addPendingComment('jira:PROJ:10012', 'a note');
    await storage.stores.addMapping('WP01', ref(12));
    await storage.log.endRun();
    scopeDir = storage.scopeDir;
    await fs.rm(join(scopeDir, 'state'), {recursive: true, force: true});
  });
  after(() => project.cleanup());

  const shows: [string[], boolean][] = [
    [['show', 'PROJ-12'], true],
    [['show', 'proj-12', '--json'], true],
    [['show', 'Proj-150'], true],
    [['show', '#PROJ-36', '--json'], true],
    [['show', '10029'], true],
    [['show', 'jira:PROJ:11799', '--json'], true],
    [['show', 'PROJ-5'], false],
    [['show', 'PROJ-99999'], false],
  ];
  for (const [args, answered] of shows) {
    it(`${args.join(' ')}: ${answered ? 'answered from the scan' : 'left to the index'}, as the index prints it`, async () => {
      const {targeted, built, scanned} = await bothModes(project, scopeDir, args);
      expect(targeted).to.deep.equal(built);
      expect(scanned).to.equal(answered);
      // Both keys left to the index are errors: ambiguous (it lists both), unknown.
      expect(targeted.code).to.equal(answered ? 0 : 1);
      if (args[1] === 'PROJ-12') expect(targeted.stdout).to.contain('PROJ-12: Edited locally');
      if (args[1] === 'PROJ-5') expect(targeted.stderr).to.contain("'PROJ-5' matches 2 issues");
    });
  }
});
