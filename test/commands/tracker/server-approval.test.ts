import {expect} from 'chai';
import {chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {FakeGitHubServer} from '../../fakes/github/index.js';
import {
  BOUND_GITHUB,
  exitCode,
  installTracker,
  makeProject,
  parseJson,
  run,
  type TestProject,
} from './helpers.js';

const TOKEN = 'ghp_' + 'Pq7Rs9Tu1Vw3Xy5Za7Bc9De1Fg3Hi5Jk7Lm9';

const withServer = (url: string) =>
  BOUND_GITHUB.replace('  workspace: acme/app\n', `  workspace: acme/app\n  server_url: ${url}\n`);

describe('tracker: credentials only go to servers approved on this machine', () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject();
    mkdirSync(project.home, {recursive: true});
    process.env.GITHUB_TOKEN = TOKEN;
  });
  afterEach(() => project.cleanup());

  describe('bind', () => {
    for (const url of ['http://example.com', 'http://10.0.0.5:8080/api/v3', 'http://127.0.0.1.example.com']) {
      it(`refuses plain http to a host that is not loopback (${url}): exit 2, nothing written`, async () => {
        writeFileSync(project.configPath, 'project:\n  name: x\n');
        const r = await run([
          'tracker',
          'bind',
          '--provider',
          'github',
          '--workspace',
          'a/b',
          '--server-url',
          url,
        ]);
        expect(exitCode(r)).to.equal(2);
        expect(r.stderr).to.match(/plain http:\/\/ is only allowed for a loopback host/);
        expect(r.stderr).to.match(/Use https:\/\//);
        expect(readFileSync(project.configPath, 'utf8')).to.equal('project:\n  name: x\n');
        expect(existsSync(join(project.home, 'approved-servers'))).to.equal(false);
      });
    }

    for (const url of [
      'http://127.0.0.1:8080',
      'http://127.5.6.7',
      'http://localhost:3000/api/v3',
      'http://[::1]:9000',
    ]) {
      it(`accepts plain http to loopback (${url})`, async () => {
        const r = await run([
          'tracker',
          'bind',
          '--provider',
          'github',
          '--workspace',
          'a/b',
          '--server-url',
          url,
          '--json',
        ]);
        expect(r.error, r.stderr).to.equal(undefined);
      });
    }

    it('approves the server for the provider machine-globally (0600, outside the repository); a re-run rewrites nothing', async () => {
      writeFileSync(project.configPath, '# settings\nproject:\n  name: "x"   # kept\n');
      const args = [
        'tracker',
        'bind',
        '--provider',
        'gitlab',
        '--workspace',
        'grp/proj',
        '--server-url',
        'https://GitLab.Example.com/',
        '--doctrine-mode',
        'split_ownership',
        '--field-owner',
        'status=local',
      ];
      const first = await run([...args, '--json']);
      expect(first.error, first.stderr).to.equal(undefined);
      const approvals = join(project.home, 'approved-servers');
      expect(parseJson(first.stdout)).to.include({
        server_url: 'https://gitlab.example.com',
        server_approved_in: approvals,
      });
      expect(readFileSync(approvals, 'utf8')).to.include('gitlab = [ "https://gitlab.example.com" ]');
      expect(statSync(approvals).mode & 0o777).to.equal(0o600);
      expect(readFileSync(project.configPath, 'utf8')).not.to.include('approved');

      const config = {bytes: readFileSync(project.configPath, 'utf8'), ino: statSync(project.configPath).ino};
      const approved = {bytes: readFileSync(approvals, 'utf8'), ino: statSync(approvals).ino};
      const again = await run(args);
      expect(again.error, again.stderr).to.equal(undefined);
      expect(again.stdout).to.include('- server approved for gitlab credentials on this machine');
      expect({
        bytes: readFileSync(project.configPath, 'utf8'),
        ino: statSync(project.configPath).ino,
      }).to.deep.equal(config);
      expect({bytes: readFileSync(approvals, 'utf8'), ino: statSync(approvals).ino}).to.deep.equal(approved);
    });

    it("the provider's cloud needs no approval and records none", async () => {
      const r = await run([
        'tracker',
        'bind',
        '--provider',
        'github',
        '--workspace',
        'a/b',
        '--server-url',
        'https://api.github.com',
        '--json',
      ]);
      expect(r.error, r.stderr).to.equal(undefined);
      expect(parseJson(r.stdout)).to.include({server_approved_in: null});
      expect(existsSync(join(project.home, 'approved-servers'))).to.equal(false);
    });
  });

  describe('sync', () => {
    it('refuses a server_url this machine never approved, before any request (exit 1, nothing written)', async () => {
      writeFileSync(project.configPath, withServer('https://ghe.attacker.example/api/v3'));
      const tracker = installTracker();
      for (const mode of ['pull', 'push', 'run']) {
        const r = await run(['tracker', 'sync', mode, '--json']);
        expect(exitCode(r), r.stderr).to.equal(1);
        expect(r.stderr).to.match(
          /^Refusing to sync: the binding in \.kittify\/config\.yaml points at https:\/\/ghe\.attacker\.example\/api\/v3, which this machine never approved for github; your GITHUB_TOKEN would be sent there\. Nothing was sent\.\n/,
        );
        expect(r.stderr).to.match(
          /If you trust that server, run `spec-kitty tracker bind --provider github --workspace acme\/app --server-url https:\/\/ghe\.attacker\.example\/api\/v3 --doctrine-mode split_ownership` on this machine/,
        );
        expect(r.stderr).not.to.include(TOKEN);
        expect(r.stdout).to.equal('');
      }
      expect(tracker.built()).to.equal(0);
      expect(tracker.connector.requests).to.have.length(0);
      expect(existsSync(join(project.root, '.kittify', 'tracker'))).to.equal(false);
    });

    it('refuses a plain-http server_url that is not loopback, even if approved by hand', async () => {
      writeFileSync(project.configPath, withServer('http://ghe.example.com/api/v3'));
      writeFileSync(
        join(project.home, 'approved-servers'),
        '[tracker.approved_servers]\ngithub = ["http://ghe.example.com/api/v3"]\n',
        {
          mode: 0o600,
        },
      );
      const tracker = installTracker();
      const r = await run(['tracker', 'sync', 'pull']);
      expect(exitCode(r)).to.equal(1);
      expect(r.stderr).to.match(
        /plain http to a host that is not loopback; your GITHUB_TOKEN would cross the network unencrypted/,
      );
      expect(tracker.built()).to.equal(0);
    });

    it('names the credentials file when the token is not in the environment', async () => {
      delete process.env.GITHUB_TOKEN;
      writeFileSync(project.configPath, withServer('https://ghe.example.com/api/v3'));
      writeFileSync(join(project.home, 'credentials'), `[tracker.providers.github]\ntoken = "${TOKEN}"\n`, {
        mode: 0o600,
      });
      const r = await run(['tracker', 'sync', 'pull']);
      expect(exitCode(r)).to.equal(1);
      expect(r.stderr).to.match(
        /your github token \(from .*credentials or GITHUB_TOKEN\) would be sent there/,
      );
      expect(r.stderr).not.to.include(TOKEN);
    });

    it("allows the provider's cloud URL written in config.yaml, and a server approved by bind", async () => {
      writeFileSync(project.configPath, withServer('https://api.github.com/'));
      installTracker();
      const cloud = await run(['tracker', 'sync', 'pull', '--json']);
      expect(cloud.error, cloud.stderr).to.equal(undefined);

      const bound = await run([
        'tracker',
        'bind',
        '--provider',
        'github',
        '--workspace',
        'acme/app',
        '--server-url',
        'https://ghe.example.com/api/v3',
      ]);
      expect(bound.error, bound.stderr).to.equal(undefined);
      const pulled = await run(['tracker', 'sync', 'pull', '--json']);
      expect(pulled.error, pulled.stderr).to.equal(undefined);
    });

    it('refuses to trust an approvals file other users can write', async () => {
      writeFileSync(project.configPath, withServer('https://ghe.example.com/api/v3'));
      const path = join(project.home, 'approved-servers');
      writeFileSync(path, '[tracker.approved_servers]\ngithub = ["https://ghe.example.com/api/v3"]\n');
      chmodSync(path, 0o666);
      const tracker = installTracker();
      const r = await run(['tracker', 'sync', 'pull']);
      expect(exitCode(r)).to.equal(1);
      expect(r.stderr).to.match(/can be written by other users .*refusing to trust/);
      expect(r.stderr).to.match(/chmod 600/);
      expect(tracker.built()).to.equal(0);
    });

    it('a pull request that repoints server_url at another server sends that server nothing', async () => {
      const trusted = await FakeGitHubServer.start();
      const other = await FakeGitHubServer.start();
      try {
        trusted.seedIssue({number: 1, title: 'First', updated_at: '2026-01-01T00:00:00Z'});
        process.env.GITHUB_TOKEN = trusted.token;
        const bound = await run([
          'tracker',
          'bind',
          '--provider',
          'github',
          '--workspace',
          trusted.workspace,
          '--server-url',
          trusted.url,
        ]);
        expect(bound.error, bound.stderr).to.equal(undefined);
        const pulled = await run(['tracker', 'sync', 'pull']);
        expect(pulled.error, pulled.stderr).to.equal(undefined);

        // What a merged pull request could do: edit the committed binding.
        const config = readFileSync(project.configPath, 'utf8');
        writeFileSync(project.configPath, config.replace(trusted.url, other.url));
        const before = trusted.requests.length;
        const refused = await run(['tracker', 'sync', 'pull']);
        expect(exitCode(refused)).to.equal(1);
        expect(refused.stderr).to.include(`points at ${other.url}`);
        expect(other.requests).to.have.length(0);
        expect(trusted.requests.length).to.equal(before);
      } finally {
        await trusted.close();
        await other.close();
      }
    });
  });
});
