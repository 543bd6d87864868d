import {expect} from 'chai';
import {readFileSync} from 'node:fs';

import {exitCode, makeProject, run, type TestProject} from './helpers.js';

// Nine lines that expand to 9^7 (about 4.8 million) strings when read naively.
const BOMB = `tracker:
  provider: github
  workspace: acme/app
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
`;

describe('a YAML alias bomb in .kittify/config.yaml', () => {
  let project: TestProject;
  beforeEach(() => (project = makeProject({config: BOMB})));
  afterEach(() => project.cleanup());

  for (const args of [['status'], ['bind', '--provider', 'github', '--workspace', 'acme/other']]) {
    it(`${args[0]} names the file and line and says what to do, without a stack trace; nothing is written`, async () => {
      const r = await run(['tracker', ...args]);
      expect(exitCode(r)).to.equal(1);
      expect(r.stderr).to.match(
        /^\.kittify\/config\.yaml:5:\d+: the YAML aliases \(\*name\) expand to too many nodes/,
      );
      expect(r.stderr).to.include('Write the values out in .kittify/config.yaml');
      expect(r.stderr).not.to.include('Unexpected error');
      expect(r.stderr).not.to.match(/\n\s+at /);
      expect(readFileSync(project.configPath, 'utf8')).to.equal(BOMB);
    });
  }
});
