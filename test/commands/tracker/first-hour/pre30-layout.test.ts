import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';

import {writeSpecKittyProject} from '../../../fakes/spec-kitty-project.js';
import {BOUND_GITHUB, exitCode, installTracker, makeProject, run, type TestProject} from '../helpers.js';

/** A mission as spec-kitty before 3.0 wrote it: the lane is the folder the file sits in. */
function writePre30Mission(root: string, slug: string): void {
  for (const [lane, id] of [
    ['planned', 'WP01'],
    ['doing', 'WP02'],
  ]) {
    const dir = join(root, 'kitty-specs', slug, 'tasks', lane);
    mkdirSync(dir, {recursive: true});
    writeFileSync(
      join(dir, `${id}-step.md`),
      `---\nwork_package_id: "${id}"\ntitle: "Old ${id}"\nlane: "${lane}"\n---\n# ${id}\n`,
    );
  }
}

describe("missions in spec-kitty's pre-3.0 layout", () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
    process.env.GITHUB_TOKEN = 'ghp_pre30LayoutToken0123456789abcdefABCD';
    writeSpecKittyProject(project.root, {
      missions: [{slug: '050-new', work_packages: [{id: 'WP01', title: 'New', lane: 'planned'}]}],
    });
    writePre30Mission(project.root, '007-old');
  });
  afterEach(() => project.cleanup());

  it('sync push refuses, naming the mission and `spec-kitty upgrade`, before recording or sending anything', async () => {
    const tracker = installTracker().connector;
    const r = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.include("Mission 007-old still uses spec-kitty's pre-3.0 layout");
    expect(r.stderr).to.include('spec-kitty upgrade');
    expect(tracker.writeRequests()).to.deep.equal([]);
    const list = await run(['tracker', 'map', 'list', '--json']);
    expect(JSON.parse(list.stdout)).to.deep.include({mappings: []});
  });

  it('list-tickets --mission names the old layout and the upgrade, not "no mission"', async () => {
    const r = await run(['tracker', 'list-tickets', '--mission', '007-old']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.include("Mission 007-old still uses spec-kitty's pre-3.0 layout");
    expect(r.stderr).to.include('spec-kitty upgrade');
  });

  it('status and map suggest say so instead of skipping the mission silently', async () => {
    for (const args of [
      ['tracker', 'status'],
      ['tracker', 'map', 'suggest'],
    ]) {
      const r = await run(args);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(r.stderr).to.include(
        "mission 007-old uses spec-kitty's pre-3.0 layout (work packages in tasks/planned/, tasks/doing/)",
      );
    }
  });
});
