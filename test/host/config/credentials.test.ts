import {expect} from 'chai';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {requireProvider} from '../../../src/core/connectors/registry.js';
import {
  clearProviderCredentials,
  credentialsPath,
  missingCredentialsError,
  readProviderCredentials,
  resolveCredentials,
  writeProviderCredentials,
} from '../../../src/host/config/credentials.js';

describe('machine-global credentials', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'sk-cred-'));
    env = {SPEC_KITTY_HOME: home, HOME: '/nonexistent'};
  });
  afterEach(() => rmSync(home, {recursive: true, force: true}));

  it('lives at $SPEC_KITTY_HOME/credentials, else ~/.spec-kitty/credentials', () => {
    expect(credentialsPath(env)).to.equal(join(home, 'credentials'));
    expect(credentialsPath({HOME: '/home/me'})).to.equal('/home/me/.spec-kitty/credentials');
  });

  it('writes 0600, replaces only this provider, and keeps other tables', async () => {
    mkdirSync(home, {recursive: true});
    writeFileSync(
      join(home, 'credentials'),
      '[user]\nname = "me"\n\n[tracker.providers.gitlab]\ntoken = "gl"\n',
      {mode: 0o600},
    );
    await writeProviderCredentials('github', {token: 'gh1', ' ': 'dropped', empty: ' '}, env);
    expect(statSync(join(home, 'credentials')).mode & 0o777).to.equal(0o600);
    expect(readProviderCredentials('github', env)).to.deep.equal({token: 'gh1'});
    expect(readProviderCredentials('gitlab', env)).to.deep.equal({token: 'gl'});
    expect(readFileSync(join(home, 'credentials'), 'utf8')).to.include('name = "me"');
    expect(await clearProviderCredentials('github', env)).to.equal(true);
    expect(await clearProviderCredentials('github', env)).to.equal(false);
    expect(readProviderCredentials('gitlab', env)).to.deep.equal({token: 'gl'});
  });

  it('concurrent read-modify-writes lose nothing (one lock across each)', async () => {
    const providers = ['github', 'gitlab', 'jira', 'linear', 'beads', 'fp'];
    await Promise.all(providers.map((p, i) => writeProviderCredentials(p, {token: `t${i}`}, env)));
    for (const [i, p] of providers.entries())
      expect(readProviderCredentials(p, env)).to.deep.equal({token: `t${i}`});
  });

  it('takes over a lock left behind by a process that died, and releases its own', async () => {
    const lock = join(home, 'credentials.lock');
    mkdirSync(lock);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    await writeProviderCredentials('github', {token: 'after-crash'}, env);
    expect(readProviderCredentials('github', env)).to.deep.equal({token: 'after-crash'});
    expect(existsSync(lock)).to.equal(false);
  });

  it('refuses a group- or other-readable file, saying how to fix it', async () => {
    await writeProviderCredentials('github', {token: 'x'}, env);
    chmodSync(join(home, 'credentials'), 0o644);
    expect(() => readProviderCredentials('github', env)).to.throw(/readable by other users \(mode 0644\).*/);
    try {
      readProviderCredentials('github', env);
    } catch (error) {
      expect((error as {hint: string}).hint).to.equal(
        `Run \`chmod 600 ${join(home, 'credentials')}\`, then run the command again.`,
      );
    }
  });

  it('names file, line and column for malformed TOML', () => {
    mkdirSync(home, {recursive: true});
    writeFileSync(join(home, 'credentials'), '[tracker\n', {mode: 0o600});
    expect(() => readProviderCredentials('github', env)).to.throw(/^Malformed TOML in .*credentials:1:\d+/);
  });

  it('resolves env vars first, then the file, and reports what is missing', async () => {
    const jira = requireProvider('jira');
    await writeProviderCredentials('jira', {token: 'file-token', email: 'file@example.com'}, env);
    const fromFile = resolveCredentials(jira, env);
    expect(fromFile.values).to.deep.equal({token: 'file-token', email: 'file@example.com'});
    expect(fromFile.sources.token).to.deep.equal({kind: 'file', path: join(home, 'credentials')});
    const mixed = resolveCredentials(jira, {...env, JIRA_API_TOKEN: 'env-token'});
    expect(mixed.values.token).to.equal('env-token');
    expect(mixed.sources.token).to.deep.equal({kind: 'env', variable: 'JIRA_API_TOKEN'});
    expect(mixed.values.email).to.equal('file@example.com');
    const none = resolveCredentials(requireProvider('linear'), env);
    expect(none.missing.map((s) => s.env)).to.deep.equal(['LINEAR_API_KEY']);
    const error = missingCredentialsError(requireProvider('linear'), none.missing);
    expect(error.message).to.equal('No credentials for linear: LINEAR_API_KEY (api_key) is not set.');
    expect(error.hint).to.match(/export LINEAR_API_KEY=….*--credential api_key=…/);
  });

  it('does not read the file when the environment supplies everything', () => {
    mkdirSync(home, {recursive: true});
    writeFileSync(join(home, 'credentials'), 'garbage [', {mode: 0o644});
    const resolved = resolveCredentials(requireProvider('github'), {...env, GITHUB_TOKEN: 'env'});
    expect(resolved.values).to.deep.equal({token: 'env'});
  });
});
