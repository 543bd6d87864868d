import {runCommand} from '@oclif/test';
import {expect} from 'chai';
import {join} from 'node:path';

import {PROVIDERS} from '../../../src/providers.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('tracker providers', () => {
  it('prints the providers as JSON with --json', async () => {
    const {stdout, error} = await runCommand(['tracker', 'providers', '--json'], {root});
    expect(error).to.equal(undefined);
    expect(JSON.parse(stdout)).to.deep.equal([
      {name: 'github', kind: 'hosted'},
      {name: 'gitlab', kind: 'hosted'},
      {name: 'jira', kind: 'hosted'},
      {name: 'linear', kind: 'hosted'},
      {name: 'beads', kind: 'local'},
      {name: 'fp', kind: 'local'},
    ]);
  });

  it('prints one line per provider without --json', async () => {
    const {stdout} = await runCommand(['tracker', 'providers'], {root});
    const lines = stdout.trimEnd().split('\n');
    expect(lines).to.have.length(PROVIDERS.length);
    expect(lines[0]).to.match(/^github\s+hosted$/);
    expect(lines[5]).to.match(/^fp\s+local$/);
  });
});
