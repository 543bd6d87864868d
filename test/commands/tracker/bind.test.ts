import {expect} from 'chai';
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';

import {exitCode, makeProject, run, type TestProject} from './helpers.js';

const EXISTING = `# project settings
project:
  name: 'demo'    # single quotes kept
  slug: "demo-app"
tracker:
  custom_flag: "keep me"   # unknown tracker key
sync:
  enabled: true
`;

function allFiles(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).map((f) => join(dir, f));
}

describe('tracker bind / unbind', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

  it('writes the binding, keeps every other byte, records egress and stores the token outside the project', async () => {
    project = makeProject({config: EXISTING});
    const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    const result = await run([
      'tracker',
      'bind',
      '--provider',
      'GitHub',
      '--workspace',
      'acme/app',
      '--credential',
      `token=${token}`,
      '--json',
    ]);
    expect(result.error, result.stderr).to.equal(undefined);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).to.include({
      provider: 'github',
      workspace: 'acme/app',
      egress: 'permitted',
      credentials_saved: true,
      doctrine_mode: 'external_authoritative',
    });
    expect(result.stdout).not.to.include(token);

    const config = readFileSync(project.configPath, 'utf8');
    expect(
      config.startsWith(
        `# project settings\nproject:\n  name: 'demo'    # single quotes kept\n  slug: "demo-app"\ntracker:\n`,
      ),
    ).to.equal(true);
    expect(config.endsWith('sync:\n  enabled: true\n')).to.equal(true);
    expect(config).to.include('custom_flag: "keep me"');
    expect(config).to.include('egress: permitted');
    for (const file of allFiles(join(project.root, '.kittify'))) {
      if (statSync(file).isFile()) expect(readFileSync(file, 'utf8')).not.to.include(token);
    }
    const credentials = join(project.home, 'credentials');
    expect(readFileSync(credentials, 'utf8')).to.include('[tracker.providers.github]');
    expect(statSync(credentials).mode & 0o777).to.equal(0o600);
  });

  it('prints a human summary without --json', async () => {
    project = makeProject();
    const result = await run([
      'tracker',
      'bind',
      '--provider',
      'gitlab',
      '--workspace',
      'grp/proj',
      '--doctrine-mode',
      'split_ownership',
      '--field-owner',
      'status=local',
    ]);
    expect(result.error, result.stderr).to.equal(undefined);
    expect(result.stdout).to.include(
      'Tracker binding saved\n- provider: gitlab\n- workspace: grp/proj\n- doctrine_mode: split_ownership\n- field_owners: 1\n',
    );
    expect(result.stdout).to.include('- credentials_saved: no');
  });

  it('keeps a recorded refusal of egress and says sync will refuse', async () => {
    project = makeProject({config: 'tracker:\n  egress: refused\n'});
    const result = await run(['tracker', 'bind', '--provider', 'github', '--workspace', 'acme/app']);
    expect(result.error, result.stderr).to.equal(undefined);
    expect(readFileSync(project.configPath, 'utf8')).to.include('egress: refused');
    expect(result.stdout).to.include("tracker.egress is 'refused'");
  });

  const badValues: [string, string[], RegExp][] = [
    ['an unknown provider', ['--provider', 'trello', '--workspace', 'x'], /Unknown provider 'trello'/],
    ['a removed provider', ['--provider', 'azure_devops', '--workspace', 'x'], /no longer supported/],
    [
      'a bad doctrine mode',
      ['--provider', 'github', '--workspace', 'a/b', '--doctrine-mode', 'anarchy'],
      /Expected --doctrine-mode=anarchy to be one of: external_authoritative, split_ownership, spec_kitty_authoritative/,
    ],
    [
      'a malformed --field-owner',
      ['--provider', 'github', '--workspace', 'a/b', '--field-owner', 'status'],
      /Invalid --field-owner value 'status'/,
    ],
    [
      'an unknown field owner',
      [
        '--provider',
        'github',
        '--workspace',
        'a/b',
        '--doctrine-mode',
        'split_ownership',
        '--field-owner',
        'status=nobody',
      ],
      /unknown owner 'nobody'/,
    ],
    [
      'a github workspace without owner',
      ['--provider', 'github', '--workspace', 'app'],
      /Invalid --workspace 'app' for github/,
    ],
    [
      'a bad server url',
      ['--provider', 'jira', '--workspace', 'PROJ', '--server-url', 'ftp://x'],
      /expected http\(s\)/,
    ],
    [
      'an unknown credential key',
      ['--provider', 'github', '--workspace', 'a/b', '--credential', 'password=x'],
      /Unknown --credential key 'password'/,
    ],
  ];
  for (const [what, flags, message] of badValues) {
    it(`refuses ${what} with exit 2 and writes nothing`, async () => {
      project = makeProject({config: EXISTING});
      const result = await run(['tracker', 'bind', ...flags]);
      expect(exitCode(result)).to.equal(2);
      expect(result.stderr).to.match(message);
      expect(result.stderr.trim().split('\n').length).to.be.within(1, 2);
      expect(result.stderr).not.to.match(/\bat .*\.ts:\d+/); // no stack trace
      expect(readFileSync(project.configPath, 'utf8')).to.equal(EXISTING);
    });
  }

  it('a missing required flag is a usage error (exit 2), also with --json', async () => {
    project = makeProject();
    const result = await run(['tracker', 'bind', '--provider', 'github', '--json']);
    expect(exitCode(result)).to.equal(2);
    expect(result.stderr).to.match(/^Missing required flag --workspace\n/);
    expect(result.stdout).to.equal('');
  });

  it('never echoes a credential value in an error', async () => {
    project = makeProject();
    const result = await run([
      'tracker',
      'bind',
      '--provider',
      'github',
      '--workspace',
      'a/b',
      '--credential',
      '=ghp_secretvalue1234567890abcdefABCDEF',
    ]);
    expect(exitCode(result)).to.equal(2);
    expect(result.stderr).not.to.include('secretvalue');
  });

  it('outside a spec-kitty project says so and how to start one (exit 1)', async () => {
    project = makeProject({kittify: false});
    const result = await run(['tracker', 'bind', '--provider', 'github', '--workspace', 'a/b']);
    expect(exitCode(result)).to.equal(1);
    expect(result.stderr).to.match(/not a spec-kitty project|Not inside a spec-kitty project/);
    expect(result.stderr).to.match(/mkdir .*\.kittify|spec-kitty init/);
    expect(existsSync(join(project.root, '.kittify'))).to.equal(false);
  });

  it('refuses to write a token-shaped --option into .kittify/', async () => {
    project = makeProject({config: EXISTING});
    const result = await run([
      'tracker',
      'bind',
      '--provider',
      'github',
      '--workspace',
      'a/b',
      '--option',
      'priority_label_prefix=glpat-abcdefghijklmnopqrstuvwx',
    ]);
    expect(exitCode(result)).to.equal(1);
    expect(result.stderr).to.match(/Refusing to write .*config\.yaml.*GitLab token/);
    expect(readFileSync(project.configPath, 'utf8')).to.equal(EXISTING);
  });

  it('unbind removes the binding, keeps egress and other sections, and keeps machine credentials', async () => {
    project = makeProject({config: EXISTING});
    await run([
      'tracker',
      'bind',
      '--provider',
      'github',
      '--workspace',
      'acme/app',
      '--credential',
      'token=tok_1234567890',
    ]);
    const result = await run(['tracker', 'unbind', '--json']);
    expect(result.error, result.stderr).to.equal(undefined);
    expect(JSON.parse(result.stdout)).to.deep.equal({
      provider: 'github',
      workspace: 'acme/app',
      egress_kept: 'permitted',
      credentials_removed: false,
      cache_dir_kept: null,
    });
    const config = readFileSync(project.configPath, 'utf8');
    expect(config).to.equal(
      EXISTING.replace(
        'tracker:\n  custom_flag: "keep me"   # unknown tracker key\n',
        'tracker:\n  egress: permitted\n',
      ),
    );
    expect(readFileSync(join(project.home, 'credentials'), 'utf8')).to.include('tracker.providers.github');
  });

  it("unbind --forget-credentials removes only this provider's table", async () => {
    project = makeProject();
    mkdirSync(project.home, {recursive: true});
    writeFileSync(
      join(project.home, 'credentials'),
      '[user]\nname = "me"\n\n[tracker.providers.gitlab]\ntoken = "other"\n',
      {mode: 0o600},
    );
    const bound = await run([
      'tracker',
      'bind',
      '--provider',
      'github',
      '--workspace',
      'acme/app',
      '--credential',
      'token=tok_1234567890',
    ]);
    expect(bound.error, bound.stderr).to.equal(undefined);
    const result = await run(['tracker', 'unbind', '--forget-credentials']);
    expect(result.error, result.stderr).to.equal(undefined);
    expect(result.stdout).to.include('- credentials_removed: yes');
    const text = readFileSync(join(project.home, 'credentials'), 'utf8');
    expect(text).not.to.include('providers.github');
    expect(text).to.include('[user]');
    expect(text).to.include('token = "other"');
  });

  it('unbind in an unbound project fails with what to do (exit 1)', async () => {
    project = makeProject();
    const result = await run(['tracker', 'unbind']);
    expect(exitCode(result)).to.equal(1);
    expect(result.stderr).to.equal(
      'No tracker bound to this project.\nRun `spec-kitty tracker bind --provider <provider> --workspace <workspace>` first.\n',
    );
  });
});
