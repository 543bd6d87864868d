import {expect} from 'chai';
import {readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {
  BOUND_GITHUB,
  exitCode,
  installTracker,
  issue,
  makeProject,
  run,
  seedCache,
  type TestProject,
} from './helpers.js';

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, {recursive: true, encoding: 'utf8'})) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out[f] = readFileSync(p, 'base64');
  }
  return out;
}

describe('tracker sync', () => {
  let project: TestProject;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seedCache(
      project.root,
      [1, 2, 3].map((n) => issue(n, {labels: ['bug']})),
    );
  });
  afterEach(() => project.cleanup());

  for (const [what, config, pattern] of [
    [
      'refused',
      BOUND_GITHUB.replace('egress: permitted', 'egress: refused'),
      /tracker\.egress is recorded as 'refused' in this project's \.kittify\/config\.yaml/,
    ],
    [
      'absent',
      BOUND_GITHUB.replace('  egress: permitted\n', ''),
      /no egress consent is recorded \(tracker\.egress in \.kittify\/config\.yaml\)/,
    ],
    [
      'illegal',
      BOUND_GITHUB.replace('egress: permitted', 'egress: Refused'),
      /tracker\.egress in \.kittify\/config\.yaml is "Refused", which is not a legal value/,
    ],
  ] as const) {
    it(`refuses before any request when egress is ${what} (exit 1, nothing written)`, async () => {
      writeFileSync(project.configPath, config);
      process.env.GITHUB_TOKEN = 'ghp_notUsedBecauseRefused0123456789ABCDEF';
      const tracker = installTracker([1, 2, 3]);
      const before = snapshotTree(project.root);
      for (const mode of ['pull', 'push', 'run']) {
        const r = await run(['tracker', 'sync', mode, '--json']);
        expect(exitCode(r)).to.equal(1);
        expect(r.stderr).to.match(pattern);
        expect(r.stderr).to.match(/tracker\.egress: permitted/);
        expect(r.stdout).to.equal('');
      }
      expect(tracker.built()).to.equal(0);
      expect(tracker.connector.requests).to.have.length(0);
      expect(snapshotTree(project.root)).to.deep.equal(before);
    });
  }

  it('names the env var and the bind --credential way when credentials are missing', async () => {
    const tracker = installTracker([1, 2, 3]);
    const r = await run(['tracker', 'sync', 'pull']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stderr).to.match(/^No credentials for github: GITHUB_TOKEN \(token\) is not set\.\n/);
    expect(r.stderr).to.match(/export GITHUB_TOKEN=.*--credential token=/);
    expect(tracker.connector.requests).to.have.length(0);
  });

  it('edit then sync push sends exactly the edited fields', async () => {
    process.env.GITHUB_TOKEN = 'ghp_pushTokenValue0123456789abcdefABCDEF';
    const tracker = installTracker([1, 2, 3]);
    const e = await run(['tracker', 'edit', '#1', '--status', 'in_review', '--add-label', 'urgent']);
    expect(e.error, e.stderr).to.equal(undefined);
    const r = await run(['tracker', 'sync', 'push', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    const writes = tracker.connector.writeRequests();
    expect(writes.map((w) => ({op: w.op, ref: w.ref, patch: w.patch, status: w.status}))).to.deep.equal(
      [
        {op: 'updateIssue', ref: 'github:acme/app:1', patch: {labels: ['bug', 'urgent']}, status: undefined},
        {op: 'transitionIssue', ref: 'github:acme/app:1', patch: undefined, status: 'in_review'},
      ].filter((x) => writes.some((w) => w.op === x.op)),
    );
    expect(writes.map((w) => w.op).sort()).to.deep.equal(['transitionIssue', 'updateIssue']);
    const report = JSON.parse(r.stdout) as {mode: string; stats: {pushed_updated: number}; ok: boolean};
    expect(report).to.include({mode: 'push', ok: true});
    expect(report.stats.pushed_updated).to.equal(1);
    expect(r.stdout).not.to.include('pushTokenValue');
    // nothing pending any more
    const status = JSON.parse((await run(['tracker', 'status', '--json'])).stdout) as {pending_edits: number};
    expect(status.pending_edits).to.equal(0);
  });

  it('sync pull brings new remote issues into the cache and prints the counts', async () => {
    process.env.GITHUB_TOKEN = 'ghp_pullTokenValue0123456789abcdefABCDEF';
    const tracker = installTracker([1, 2, 3]);
    tracker.connector.seed({id: '4', title: 'Brand new', updated_at: '2026-02-01T00:00:00.000Z'});
    const r = await run(['tracker', 'sync', 'pull']);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(r.stdout).to.match(
      /^Pulled from github\n- created: 1\n- updated: \d+\n- skipped: \d+\n- conflicts: 0\n- failures: 0\n$/,
    );
    expect((await run(['tracker', 'show', '#4'])).stdout).to.include('#4: Brand new');
    expect(r.stderr).to.equal(''); // not a terminal: no progress noise
  });

  it('--dry-run writes nothing locally or remotely', async () => {
    process.env.GITHUB_TOKEN = 'ghp_dryTokenValue0123456789abcdefABCDEFG';
    const tracker = installTracker([1, 2, 3]);
    await run(['tracker', 'edit', '#2', '--title', 'Renamed']);
    tracker.connector.seed({id: '5', title: 'Remote only', updated_at: '2026-02-01T00:00:00.000Z'});
    const before = snapshotTree(project.root);
    const r = await run(['tracker', 'sync', 'run', '--dry-run', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    const report = JSON.parse(r.stdout) as {
      dry_run: boolean;
      summary: {creates: number; updates: number; pull_creates: number};
    };
    expect(report.dry_run).to.equal(true);
    expect(report.summary.updates).to.equal(1);
    expect(report.summary.pull_creates).to.equal(1);
    expect(tracker.connector.writeRequests()).to.have.length(0);
    expect(snapshotTree(project.root)).to.deep.equal(before);
  });

  it('tracker failures are reported and exit 1', async () => {
    process.env.GITHUB_TOKEN = 'ghp_failTokenValue0123456789abcdefABCDEF';
    const tracker = installTracker([1, 2, 3]);
    const {ConnectorRequestError} = await import('../../../src/core/errors.js');
    tracker.connector.failOn(
      'listIssues',
      new ConnectorRequestError('bad credentials', {
        provider: 'github',
        failureClass: 'authentication',
        statusCode: 401,
        hint: 'Check GITHUB_TOKEN.',
      }),
      {times: 10},
    );
    const r = await run(['tracker', 'sync', 'pull']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stdout).to.include('- failures: 1');
    // What failed and what to do go to stderr, in text and JSON mode alike.
    expect(r.stderr).to.include('bad credentials');
    expect(r.stderr).to.include('Check GITHUB_TOKEN.');
    const json = await run(['tracker', 'sync', 'pull', '--json']);
    expect(exitCode(json)).to.equal(1);
    expect(json.stderr).to.include('bad credentials');
    expect((JSON.parse(json.stdout) as {ok: boolean}).ok).to.equal(false);
  });

  it('rejects bad flag values with exit 2', async () => {
    expect(exitCode(await run(['tracker', 'sync', 'pull', '--limit', '0']))).to.equal(2);
    expect(exitCode(await run(['tracker', 'sync', 'pull', '--limit', 'many', '--json']))).to.equal(2);
    expect(exitCode(await run(['tracker', 'sync', 'sideways']))).to.equal(2);
  });
});
