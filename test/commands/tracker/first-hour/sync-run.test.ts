import {expect} from 'chai';

import {appendLaneTransition, writeSpecKittyProject} from '../../../fakes/spec-kitty-project.js';
import {BOUND_GITHUB, installTracker, makeProject, parseJson, run, type TestProject} from '../helpers.js';

describe('sync run pushes work-package progress as sync push does', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
    process.env.GITHUB_TOKEN = 'ghp_syncRunToken0123456789abcdefABCDEFGH';
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '030-run',
          work_packages: [
            {id: 'WP01', title: 'One', lane: 'planned'},
            {id: 'WP02', title: 'Two', lane: 'planned'},
          ],
        },
      ],
    });
  });
  afterEach(() => project.cleanup());

  it('a lane change reaches the issue with `sync run`, and a following `sync push` has nothing left', async () => {
    const tracker = installTracker().connector;
    const created = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(created.error, created.stderr).to.equal(undefined);
    appendLaneTransition(project.root, '030-run', 'WP01', 'in_progress', {
      at: new Date(Date.now() + 60_000),
      eventId: '01KZ00000000000000000000R1',
    });

    const ran = await run(['tracker', 'sync', 'run', '--json']);
    expect(ran.error, ran.stderr).to.equal(undefined);
    const report = parseJson<{stats: {pushed_updated: number}; work_packages: {counts: {edits: number}}}>(
      ran.stdout,
    );
    expect(report.work_packages.counts.edits).to.equal(1);
    expect(report.stats.pushed_updated).to.equal(1);
    expect(tracker.allRemote().find((i) => i.title === 'WP01 One')?.status).to.equal('in_progress');

    const pushed = await run(['tracker', 'sync', 'push', '--json']);
    expect(parseJson<{stats: {pushed_updated: number}}>(pushed.stdout).stats.pushed_updated).to.equal(0);
  });
});
