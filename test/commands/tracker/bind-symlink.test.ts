import {expect} from 'chai';
import {mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';

import {BOUND_GITHUB, exitCode, makeProject, run, type TestProject} from './helpers.js';

const BIND = ['tracker', 'bind', '--provider', 'github', '--workspace', 'other/repo'];

describe('bind and unbind refuse a symlinked .kittify or config.yaml', () => {
  let project: TestProject;
  let outside: string;
  beforeEach(() => {
    project = makeProject({kittify: false});
    outside = join(dirname(project.root), 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'config.yaml'), BOUND_GITHUB);
  });
  afterEach(() => project.cleanup());

  for (const [what, link] of [
    ['.kittify', () => symlinkSync('../outside', join(project.root, '.kittify'))],
    [
      '.kittify/config.yaml',
      () => {
        mkdirSync(join(project.root, '.kittify'));
        symlinkSync('../../outside/config.yaml', join(project.root, '.kittify', 'config.yaml'));
      },
    ],
  ] as const) {
    it(`through a linked ${what}, writes nothing and names the link`, async () => {
      link();
      for (const args of [BIND, ['tracker', 'unbind']]) {
        const result = await run(args);
        expect(exitCode(result), `${args[1]}: ${result.stdout}`).to.equal(1);
        expect(result.stderr).to.include('symbolic link').and.include(what.split('/').pop()!);
        expect(readFileSync(join(outside, 'config.yaml'), 'utf8')).to.equal(BOUND_GITHUB);
      }
    });
  }
});
