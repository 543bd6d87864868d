import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';

import {writesReport} from '../bench/lib/write-policy.js';

const root = join(import.meta.dirname, '..');

describe('developer tooling', () => {
  it('bench rewrites docs/BENCHMARKS.md only after a full run or with --write', () => {
    expect(writesReport({})).to.equal(true);
    expect(writesReport({quick: true})).to.equal(false);
    expect(writesReport({only: 'pull'})).to.equal(false);
    expect(writesReport({scale: '0.5'})).to.equal(false);
    expect(writesReport({quick: true, write: true})).to.equal(true);
  });

  it('the build and the tests run oclif with its npm update check off (no update warning in `npm test`)', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {scripts: {build: string}}
    ).scripts;
    expect(scripts.build).to.match(/OCLIF_SKIP_NEW_VERSION_CHECK=true oclif manifest/);
    // .mocharc.cjs sets it for everything the tests start.
    expect(process.env.OCLIF_SKIP_NEW_VERSION_CHECK).to.equal('true');
  });
});
