import {expect} from 'chai';
import {existsSync, lstatSync, renameSync, symlinkSync} from 'node:fs';
import {join} from 'node:path';

import {BOUND_GITHUB, exitCode, makeProject, run, type TestProject} from './helpers.js';
import {scopeEventsDir, segmentFiles, seedThree} from './command-files.js';

describe('tracker doctor: a segment that is a symbolic link', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

  describe('doctor and links', () => {
    beforeEach(() => {
      project = makeProject({config: BOUND_GITHUB});
    });

    it('doctor names a segment that is a symbolic link (text and JSON), and keeps it', async () => {
      await seedThree(project.root);
      const events = scopeEventsDir(project.root);
      const [name] = segmentFiles(project.root);
      const outside = join(project.root, '..', 'moved.jsonl');
      renameSync(join(events, name), outside);
      symlinkSync(outside, join(events, name));
      const rel = `.kittify/tracker/${events.split('/').at(-2)}/events/${name}`;

      const text = await run(['tracker', 'doctor']);
      expect(exitCode(text)).to.equal(1);
      expect(text.stdout).to.include(`- [error] ${rel} is a symbolic link; readers refuse it`);
      const json = await run(['tracker', 'doctor', '--json', '--fix']);
      expect(exitCode(json)).to.equal(1);
      const findings = (
        JSON.parse(json.stdout) as {findings: {code: string; path: string; message: string}[]}
      ).findings;
      expect(findings.filter((f) => f.code === 'symlink').map((f) => f.path)).to.deep.equal([rel]);
      expect(lstatSync(join(events, name)).isSymbolicLink()).to.equal(true);
      expect(existsSync(outside)).to.equal(true);
    });
  });
});
