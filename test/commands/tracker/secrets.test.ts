import {expect} from 'chai';
import {mkdirSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {InMemoryConnector} from '../../../src/core/memory/in-memory-connector.js';
import {writeSpecKittyProject} from '../../fakes/spec-kitty-project.js';
import {setConnectorFactory} from '../../../src/host/services/sync-service.js';
import {BOUND_GITHUB, exitCode, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

/** Every file under `.kittify/`, with its bytes: a refused write must leave all of them as they were. */
function kittifyTree(root: string): Record<string, string> {
  const dir = join(root, '.kittify');
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, {recursive: true, encoding: 'utf8'})) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out[name] = readFileSync(path, 'base64');
  }
  return out;
}

/** The text of every committed event segment. */
function eventText(root: string): string {
  const dir = join(root, '.kittify', 'tracker');
  return readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

const TOKEN = 'ghp_' + 'Zq8Xw2Lm4Np6Rt0Vb3Kc5Hd7Jf9Gs1Ay4Eu6';

// INV-7: no secret lands in .kittify/.
describe('tracker: no credential lands in the committed cache', () => {
  let project: TestProject;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    process.env.GITHUB_TOKEN = TOKEN;
    await seedCache(project.root, [issue(1), issue(2)]);
  });
  afterEach(() => project.cleanup());

  it('comment refuses a body with the GITHUB_TOKEN value: names --body, exit 1, nothing written, nothing shown', async () => {
    const before = kittifyTree(project.root);
    const r = await run(['tracker', 'comment', '#2', '--body', `tok ${TOKEN}`]);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.match(/^Refusing to record --body: it contains your GITHUB_TOKEN/);
    expect(r.stderr).to.match(/Nothing was written/);
    expect(r.stderr).to.match(/Remove the credential from --body/);
    expect(r.stderr).not.to.include(TOKEN);
    expect(r.stderr).not.to.match(/\n\s+at /);
    expect(kittifyTree(project.root)).to.deep.equal(before);
    expect(eventText(project.root)).not.to.include(TOKEN);
    const shown = await run(['tracker', 'show', '#2', '--json']);
    expect(shown.error, shown.stderr).to.equal(undefined);
    expect(shown.stdout).not.to.include(TOKEN);
  });

  it('edit refuses a title with the GITHUB_TOKEN value, naming --title; exit 1; nothing written', async () => {
    const before = kittifyTree(project.root);
    const r = await run(['tracker', 'edit', '#2', '--title', `Rotate ${TOKEN} soon`]);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.match(/^Refusing to record --title: it contains your GITHUB_TOKEN/);
    expect(r.stderr).not.to.include(TOKEN);
    expect(kittifyTree(project.root)).to.deep.equal(before);
    const status = JSON.parse((await run(['tracker', 'status', '--json'])).stdout) as {pending_edits: number};
    expect(status.pending_edits).to.equal(0);
  });

  const shaped: [string, string[], RegExp][] = [
    [
      'a GitLab token in a comment',
      ['comment', '#1', '--body', 'glpat-abcdefghijklmnopqrstu'],
      /--body.*GitLab token/,
    ],
    [
      'a fine-grained GitHub token in a title',
      ['edit', '#1', '--title', 'see github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
      /--title.*GitHub token/,
    ],
    [
      'a Linear key in a label',
      ['edit', '#1', '--add-label', 'lin_api_abcdefghijklmnopqrstuvwxyz0123'],
      /--add-label.*Linear API key/,
    ],
    [
      'an Atlassian API token as an assignee',
      ['edit', '#1', '--assignee', 'ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz'],
      /--assignee.*Atlassian API token/,
    ],
    [
      'a token in a mapping URL',
      [
        'map',
        'add',
        '--wp-id',
        'WP01',
        '--external-id',
        '1',
        '--external-url',
        `https://x.example/?t=${TOKEN}`,
      ],
      /--external-url.*GITHUB_TOKEN/,
    ],
  ];
  for (const [what, args, message] of shaped) {
    it(`refuses ${what} (exit 1, nothing written)`, async () => {
      const before = kittifyTree(project.root);
      const r = await run(['tracker', ...args]);
      expect(exitCode(r), r.stderr).to.equal(1);
      expect(r.stderr).to.match(message);
      expect(kittifyTree(project.root)).to.deep.equal(before);
    });
  }

  it("refuses another provider's credential from the credentials file, without showing it", async () => {
    const linearKey = 'plainLookingLinearSecret42';
    mkdirSync(project.home, {recursive: true});
    writeFileSync(
      join(project.home, 'credentials'),
      `[tracker.providers.linear]\napi_key = "${linearKey}"\n`,
      {
        mode: 0o600,
      },
    );
    const before = kittifyTree(project.root);
    const r = await run(['tracker', 'comment', '#1', '--body', `the key is ${linearKey}`]);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.match(/--body: it contains the linear api_key stored in .*credentials/);
    expect(r.stderr).not.to.include(linearKey);
    expect(kittifyTree(project.root)).to.deep.equal(before);
  });

  it('ordinary content with hashes and long ids is recorded as before', async () => {
    const r = await run([
      'tracker',
      'comment',
      '#1',
      '--body',
      'Fixed in 3f786850e387550fdab836ed7e6dc881de23001b (see 01HZX3Y4M5N6P7Q8R9S0T1V2W3)',
    ]);
    expect(r.error, r.stderr).to.equal(undefined);
  });

  it("sync pull masks this machine's token in pulled issues; a second pull writes nothing", async () => {
    const connector = new InMemoryConnector({provider: 'github', workspace: 'acme/app'});
    for (const n of [1, 2]) {
      const cached = issue(n);
      connector.seed({
        id: String(n),
        title: cached.title,
        updated_at: cached.updated_at,
        created_at: cached.created_at,
      });
    }
    connector.seed({
      id: '7',
      title: `Leaked ${TOKEN} in CI logs`,
      body: `The log shows Authorization: token ${TOKEN}\nplease rotate`,
      labels: ['security'],
      custom_fields: {note: `x${TOKEN}x`},
      updated_at: '2026-02-01T00:00:00.000Z',
    });
    setConnectorFactory(async () => connector);
    const pulled = await run(['tracker', 'sync', 'pull', '--full', '--json']);
    expect(pulled.error, pulled.stderr).to.equal(undefined);
    const text = eventText(project.root);
    expect(text).to.include('Leaked *** in CI logs');
    expect(text).to.include('Authorization: token ***');
    expect(text).not.to.include(TOKEN);
    const shown = await run(['tracker', 'show', '#7', '--json']);
    expect(shown.error, shown.stderr).to.equal(undefined);
    expect(shown.stdout).to.include('Leaked *** in CI logs');

    const before = kittifyTree(project.root);
    const again = await run(['tracker', 'sync', 'pull', '--full', '--json']);
    expect(again.error, again.stderr).to.equal(undefined);
    const tree = kittifyTree(project.root);
    const segments = (t: Record<string, string>) => Object.keys(t).filter((n) => n.endsWith('.jsonl'));
    expect(segments(tree)).to.deep.equal(segments(before));

    const doctor = await run(['tracker', 'doctor', '--json']);
    expect(doctor.stdout).not.to.include('"code": "secret"');
  });

  it('sync push --create-missing refuses a work package whose title carries a token, before any request', async () => {
    writeSpecKittyProject(project.root, {
      start: '2026-03-01T09:00:00.000Z',
      missions: [
        {
          slug: '030-keys',
          friendly_name: 'Keys',
          work_packages: [{id: 'WP01', title: 'Use glpat-abcdefghijklmnopqrstu for CI', lane: 'planned'}],
        },
      ],
    });
    const connector = new InMemoryConnector({provider: 'github', workspace: 'acme/app'});
    setConnectorFactory(async () => connector);
    const before = kittifyTree(project.root);
    const r = await run(['tracker', 'sync', 'push', '--create-missing']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.match(
      /Refusing to record the title of the new issue for work package 030-keys\/WP01: it contains a GitLab token/,
    );
    expect(r.stderr).to.match(/kitty-specs/);
    expect(connector.requests).to.have.length(0);
    expect(kittifyTree(project.root)).to.deep.equal(before);
  });
});
