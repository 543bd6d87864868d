import {expect} from 'chai';

import {refNamesWorkspace} from '../../../../src/host/workpackages/wp-intents.js';
import {writeSpecKittyProject} from '../../../fakes/spec-kitty-project.js';
import {BOUND_GITHUB, installTracker, makeProject, parseJson, run, type TestProject} from '../helpers.js';

describe('push --create-missing honours tracker_refs', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
    process.env.GITHUB_TOKEN = 'ghp_trackerRefsToken0123456789abcdefABCD';
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '040-refs',
          work_packages: [
            {id: 'WP01', title: 'Named by number', lane: 'in_progress', tracker_refs: ['#3']},
            {
              id: 'WP02',
              title: 'Named by owner/repo#4',
              lane: 'done',
              tracker_refs: 'acme/app#4',
            },
            {id: 'WP03', title: 'Names nothing', lane: 'planned'},
          ],
        },
      ],
    });
  });
  afterEach(() => project.cleanup());

  it('maps a work package to the issue its tracker_refs names (no create), so its lane reaches that issue', async () => {
    const tracker = installTracker([3, 4]).connector;
    expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);

    const r = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(r.stdout).to.include('040-refs/WP01: mapped to #3 (tracker_refs #3), not created');
    expect(tracker.countOf('createIssue')).to.equal(2); // WP03 and the mission's issue only
    const byId = new Map(tracker.allRemote().map((i) => [i.ref.id, i]));
    expect(byId.get('3')?.status).to.equal('in_progress');
    expect(byId.get('4')?.status).to.equal('done');

    const mappings = parseJson<{mappings: {wp_id: string; external_id: string}[]}>(
      (await run(['tracker', 'map', 'list', '--json'])).stdout,
    ).mappings;
    expect(
      mappings
        .filter((m) => m.wp_id !== '040-refs/WP03' && m.wp_id !== '040-refs/mission')
        .map((m) => [m.wp_id, m.external_id]),
    ).to.deep.equal([
      ['040-refs/WP01', '3'],
      ['040-refs/WP02', '4'],
    ]);
    // Settled: a second run creates and maps nothing.
    const again = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(again.stdout).not.to.include('Work packages:');
    expect(tracker.countOf('createIssue')).to.equal(2);
  });

  it('two work packages naming the same issue: neither is mapped nor gets a duplicate issue', async () => {
    writeSpecKittyProject(project.root, {
      missions: [
        {
          slug: '041-clash',
          work_packages: [
            {id: 'WP01', title: 'First claim', lane: 'planned', tracker_refs: ['#5']},
            {id: 'WP02', title: 'Second claim', lane: 'planned', tracker_refs: ['#5']},
          ],
        },
      ],
    });
    const tracker = installTracker([3, 4, 5]).connector;
    expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);
    const r = await run(['tracker', 'sync', 'push', '--create-missing', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    const created = tracker.allRemote().filter((i) => i.title.includes('claim'));
    expect(created).to.deep.equal([]);
    const skipped = parseJson<{work_packages: {skipped: {qualified_id: string; reason: string}[]}}>(
      r.stdout,
    ).work_packages.skipped.filter((s) => s.qualified_id.startsWith('041-clash/'));
    expect(skipped.map((s) => s.reason)).to.deep.equal(['match_in_cache', 'match_in_cache']);
  });

  it('a ref to an issue of this tracker that is not cached stops the create (it would duplicate it); a ref to another tracker does not', async () => {
    writeSpecKittyProject(project.root, {
      missions: [
        {
          slug: '042-stale',
          work_packages: [
            {id: 'WP01', title: 'Names an unpulled issue', lane: 'planned', tracker_refs: ['#99']},
            {id: 'WP02', title: 'Names a Jira issue', lane: 'planned', tracker_refs: ['PROJ-7']},
          ],
        },
      ],
    });
    const tracker = installTracker([3, 4]).connector;
    expect((await run(['tracker', 'sync', 'pull'])).error).to.equal(undefined);
    const r = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(r.stdout).to.include(
      '042-stale/WP01: not created, its tracker_refs names #99, which is not in the cache: run `spec-kitty tracker sync pull`',
    );
    const titles = tracker.allRemote().map((i) => i.title);
    expect(titles).to.include('WP02 Names a Jira issue');
    expect(titles).not.to.include('WP01 Names an unpulled issue');
  });

  it('refNamesWorkspace tells refs of this tracker from others', () => {
    expect(refNamesWorkspace('#12', 'github', 'acme/app')).to.equal(true);
    expect(refNamesWorkspace('acme/app#12', 'github', 'acme/app')).to.equal(true);
    expect(refNamesWorkspace('https://github.com/acme/app/issues/12', 'github', 'acme/app')).to.equal(true);
    expect(refNamesWorkspace('other/repo#12', 'github', 'acme/app')).to.equal(false);
    expect(refNamesWorkspace('PROJ-7', 'github', 'acme/app')).to.equal(false);
    expect(refNamesWorkspace('PROJ-7', 'jira', 'PROJ')).to.equal(true);
    expect(refNamesWorkspace('ENG-7', 'jira', 'PROJ')).to.equal(false);
  });
});
