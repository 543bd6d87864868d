import {expect} from 'chai';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {
  approveServer,
  approvedServers,
  checkServerUrl,
  isLoopbackHost,
  isServerApproved,
} from '../../../src/host/config/server-approval.js';

describe('server approvals (machine-global)', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'sk-approve-'));
    env = {SPEC_KITTY_HOME: home};
  });
  afterEach(() => rmSync(home, {recursive: true, force: true}));

  it('knows loopback hosts as URL parses them', () => {
    for (const url of [
      'http://127.0.0.1',
      'http://127.1:80',
      'http://0x7f.0.0.1',
      'http://LOCALHOST:1',
      'http://[::1]:2',
    ])
      expect(isLoopbackHost(new URL(url).hostname), url).to.equal(true);
    for (const url of [
      'http://128.0.0.1',
      'http://localhost.evil.example',
      'http://[::2]',
      'http://10.0.0.1',
    ])
      expect(isLoopbackHost(new URL(url).hostname), url).to.equal(false);
  });

  it('normalises URLs and names what is wrong', () => {
    expect(checkServerUrl(' https://GHE.Example.com:443/api/v3/?x=1#y ')).to.deep.equal({
      url: 'https://ghe.example.com/api/v3',
    });
    expect(checkServerUrl('http://localhost:8080/')).to.deep.equal({url: 'http://localhost:8080'});
    expect(checkServerUrl('http://ghe.example.com')).to.deep.equal({problem: 'plain_http'});
    expect(checkServerUrl('ftp://x')).to.deep.equal({problem: 'scheme'});
    expect(checkServerUrl('https://u:p@x')).to.deep.equal({problem: 'credentials'});
    expect(checkServerUrl('not a url')).to.deep.equal({problem: 'not_a_url'});
  });

  it('approves once (0600), keeps other providers and tables, and treats the cloud URL as approved', async () => {
    const path = join(home, 'approved-servers');
    writeFileSync(
      path,
      '[user]\nname = "me"\n\n[tracker.approved_servers]\ngitlab = ["https://gitlab.example.com"]\n',
      {
        mode: 0o600,
      },
    );
    expect((await approveServer('github', 'https://GHE.example.com/api/v3/', env)).added).to.equal(true);
    const written = readFileSync(path, 'utf8');
    expect((await approveServer('github', 'https://ghe.example.com/api/v3', env)).added).to.equal(false);
    expect(readFileSync(path, 'utf8')).to.equal(written);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(written).to.include('name = "me"');
    expect(approvedServers('gitlab', env)).to.deep.equal(['https://gitlab.example.com']);
    expect(approvedServers('github', env)).to.deep.equal(['https://ghe.example.com/api/v3']);
    expect(
      isServerApproved('github', 'https://api.github.com', 'https://ghe.example.com/api/v3/', env),
    ).to.equal(true);
    expect(isServerApproved('github', 'https://api.github.com', 'https://api.github.com/', env)).to.equal(
      true,
    );
    expect(
      isServerApproved('github', 'https://api.github.com', 'https://ghe.example.com/other', env),
    ).to.equal(false);
    expect(
      isServerApproved('linear', 'https://api.linear.app', 'https://ghe.example.com/api/v3', env),
    ).to.equal(false);
  });

  it('names the file and line of malformed TOML', () => {
    writeFileSync(join(home, 'approved-servers'), '[tracker.approved_servers\n', {mode: 0o600});
    expect(() => approvedServers('github', env)).to.throw(/Malformed TOML in .*approved-servers:1:/);
  });
});
