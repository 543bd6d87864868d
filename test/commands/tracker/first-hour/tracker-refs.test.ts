import {expect} from 'chai';

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
    expect(tracker.countOf('createIssue')).to.equal(1); // WP03 only
    const byId = new Map(tracker.allRemote().map((i) => [i.ref.id, i]));
    expect(byId.get('3')?.status).to.equal('in_progress');
    expect(byId.get('4')?.status).to.equal('done');

    const mappings = parseJson<{mappings: {wp_id: string; external_id: string}[]}>(
      (await run(['tracker', 'map', 'list', '--json'])).stdout,
    ).mappings;
    expect(
      mappings.filter((m) => m.wp_id !== '040-refs/WP03').map((m) => [m.wp_id, m.external_id]),
    ).to.deep.equal([
      ['040-refs/WP01', '3'],
      ['040-refs/WP02', '4'],
    ]);
    // Settled: a second run creates and maps nothing.
    const again = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(again.stdout).not.to.include('Work packages:');
    expect(tracker.countOf('createIssue')).to.equal(1);
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
});
