import {expect} from 'chai';

import {exitCode, makeProject, run, type TestProject} from './helpers.js';
import {treeHashes} from './command-files.js';

describe('tracker bind --field-owner', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

  describe('bind --field-owner', () => {
    beforeEach(() => {
      project = makeProject({config: '# settings\n'});
    });

    for (const [value, message, hint] of [
      [
        'status=bogus',
        "Invalid --field-owner value 'status=bogus': unknown owner 'bogus'.",
        'Valid owners: local, external, shared (e.g. --field-owner status=local).',
      ],
      [
        'colour=local',
        "Invalid --field-owner value 'colour=local': unknown field 'colour'.",
        'Valid fields: title, body, status, issue_type, priority, assignees, labels, parent, links, custom_fields (e.g. --field-owner status=local).',
      ],
    ]) {
      it(`${value}: names the flag value at fault and lists the valid ones (exit 2, nothing written)`, async () => {
        const before = treeHashes(project.root);
        for (const json of [[], ['--json']]) {
          const r = await run([
            'tracker',
            'bind',
            '--provider',
            'github',
            '--workspace',
            'acme/app',
            '--doctrine-mode',
            'split_ownership',
            '--field-owner',
            'title=local',
            '--field-owner',
            value,
            ...json,
          ]);
          expect(exitCode(r)).to.equal(2);
          expect(r.stdout).to.equal('');
          expect(r.stderr).to.equal(`${message}\n${hint}\n`);
        }
        expect(treeHashes(project.root)).to.deep.equal(before);
      });
    }
  });
});
