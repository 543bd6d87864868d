import {expect} from 'chai';

import {PROVIDER_NAMES} from '../../../src/core/connectors/registry.js';
import {run} from './helpers.js';

describe('tracker providers', () => {
  it('prints every provider with kind, capabilities and credential env vars as stable JSON', async () => {
    const {stdout, error} = await run(['tracker', 'providers', '--json']);
    expect(error).to.equal(undefined);
    const {providers} = JSON.parse(stdout) as {
      providers: {name: string; kind: string; credentials: {env: string | null}[]; capabilities: unknown}[];
    };
    expect(providers.map((p) => p.name)).to.deep.equal([...PROVIDER_NAMES]);
    const github = providers.find((p) => p.name === 'github')!;
    expect(github.kind).to.equal('hosted');
    expect(github.credentials.map((c) => c.env)).to.deep.equal(['GITHUB_TOKEN']);
    expect(github.capabilities).to.be.an('object');
    // sorted keys, two-space indent
    expect(stdout.startsWith('{\n  "providers": [\n')).to.equal(true);
  });

  it('prints a readable listing without --json', async () => {
    const {stdout} = await run(['tracker', 'providers']);
    expect(stdout).to.match(/^github\s+hosted\s+GitHub Issues$/m);
    expect(stdout).to.match(/^fp\s+local\s+fp$/m);
    expect(stdout).to.include('credentials: JIRA_EMAIL, JIRA_API_TOKEN');
  });

  it('says how each tracker holds dependencies and parents, and where one lacks a relation', async () => {
    const {stdout} = await run(['tracker', 'providers', '--json']);
    const {providers} = JSON.parse(stdout) as {
      providers: {
        name: string;
        capabilities: {links: boolean; link_removal: boolean; hierarchy: boolean};
        relations: {
          dependencies: {support: string; how: string};
          parent: {support: string; how: string};
        } | null;
      }[];
    };
    const byName = new Map(providers.map((p) => [p.name, p]));
    expect(byName.get('gitlab')!.relations!.parent.support).to.equal('none');
    expect(byName.get('gitlab')!.relations!.dependencies.how).to.match(/relates to/);
    expect(byName.get('gitlab')!.capabilities).to.include({
      links: true,
      link_removal: true,
      hierarchy: false,
    });
    expect(byName.get('fp')!.relations!.dependencies.support).to.equal('partial');
    expect(byName.get('fp')!.capabilities).to.include({link_removal: false});
    for (const name of ['jira', 'linear', 'beads'])
      expect(byName.get(name)!.capabilities, name).to.include({
        links: true,
        link_removal: true,
        hierarchy: true,
      });
    const text = (await run(['tracker', 'providers'])).stdout;
    expect(text).to.match(/parent \(none\): GitLab's REST issue API has no parent/);
  });
});
