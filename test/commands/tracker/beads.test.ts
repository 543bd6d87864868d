import {expect} from 'chai';
import {readFileSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';

import {createIssue} from '../../../src/core/model/canonical-issue.js';
import {clearRegisteredSecrets} from '../../../src/host/shared/secret-mask.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {installFakeTool, type FakeTool} from '../../support/fake-executables/index.js';
import {exitCode, makeProject, parseJson, run, type TestProject} from './helpers.js';

/**
 * The local CLI tracker beads through the real commands: a fake `bd` executable (a script that
 * logs its argv and answers like bd) bound with `bind --credential command=<path>`, so the
 * whole path runs: config, credentials file, egress gate, process runner, connector, engine.
 */

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, {recursive: true, encoding: 'utf8'})) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out[f] = readFileSync(p, 'base64');
  }
  return out;
}

async function bindBeads(tool: FakeTool, extra: string[] = []): Promise<void> {
  const r = await run([
    'tracker',
    'bind',
    '--provider',
    'beads',
    '--workspace',
    'acme-ws',
    '--credential',
    `command=${tool.command}`,
    ...extra,
  ]);
  expect(r.error, r.stderr).to.equal(undefined);
}

/** A draft in the project's durable cache, as a local create would leave it. */
async function seedDraft(root: string): Promise<void> {
  const storage = openTrackerStorage({root, provider: 'beads', serverUrl: '', workspace: 'acme-ws'});
  await storage.stores.createDraft(
    createIssue({
      ref: {system: 'beads', workspace: 'acme-ws', id: 'draft-01KZ0000000000000000000001'},
      title: 'ACME Holdings carve-out',
      body: 'confidential body',
      status: 'todo',
    }),
  );
}

describe('tracker commands with beads (fake bd executable)', () => {
  let project: TestProject;
  let tool: FakeTool;
  afterEach(() => {
    tool.remove();
    project.cleanup();
  });

  it('refused egress: sync push, pull and run exit 1, call bd zero times, change nothing, and say how to change it', async () => {
    project = makeProject({config: 'tracker:\n  egress: refused\n'});
    tool = installFakeTool('bd');
    await bindBeads(tool, ['--doctrine-mode', 'spec_kitty_authoritative']);
    expect(readFileSync(project.configPath, 'utf8')).to.include('egress: refused');
    await seedDraft(project.root);
    const before = snapshotTree(project.root);

    for (const mode of ['push', 'pull', 'run']) {
      const r = await run(['tracker', 'sync', mode]);
      expect(exitCode(r), mode).to.equal(1);
      expect(r.stdout).to.equal('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).to.have.length(2);
      expect(lines[0]).to.equal(
        "Refusing to sync with beads: tracker.egress is recorded as 'refused' in this project's .kittify/config.yaml.",
      );
      expect(lines[1]).to.match(
        /^Nothing was sent\. To allow sync, set `tracker\.egress: permitted` in \.kittify\/config\.yaml/,
      );
    }
    expect(tool.calls()).to.deep.equal([]);
    expect(snapshotTree(project.root)).to.deep.equal(before);
  });

  it('permitted egress, spec_kitty_authoritative: a push of one draft todo issue makes exactly create, show', async () => {
    project = makeProject();
    tool = installFakeTool('bd');
    await bindBeads(tool, ['--doctrine-mode', 'spec_kitty_authoritative']);
    expect(readFileSync(project.configPath, 'utf8')).to.include('egress: permitted');
    await seedDraft(project.root);

    const r = await run(['tracker', 'sync', 'push', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    const report = parseJson<{ok: boolean; stats: {pushed_created: number}}>(r.stdout);
    expect(report.ok).to.equal(true);
    expect(report.stats.pushed_created).to.equal(1);

    // No lookup (`list`) first: a draft this clone never tried to create cannot exist yet.
    const calls = tool.calls();
    expect(
      calls.map((c) => c.slice(1, 3)),
      JSON.stringify(calls),
    ).to.deep.equal([
      ['--json', 'create'],
      ['--json', 'show'],
    ]);
    expect(calls[0]).to.include('ACME Holdings carve-out');
    const created = tool.state<{issues: {id: string; title: string}[]}>().issues;
    expect(created.map((i) => i.title)).to.deep.equal(['ACME Holdings carve-out']);

    // The draft became the bd issue in the cache; a second push has nothing to send and runs nothing.
    const list = parseJson<{tickets: {key: string | null; title: string}[]}>(
      (await run(['tracker', 'list-tickets', '--json'])).stdout,
    );
    expect(list.tickets.map((t) => t.title)).to.deep.equal(['ACME Holdings carve-out']);
    expect(list.tickets[0].key).to.equal(created[0].id);
    tool.clearCalls();
    const again = await run(['tracker', 'sync', 'push']);
    expect(again.error, again.stderr).to.equal(undefined);
    expect(tool.calls()).to.deep.equal([]);
  });

  it('permitted egress: a pull of an empty bd makes exactly one list', async () => {
    project = makeProject();
    tool = installFakeTool('bd');
    await bindBeads(tool);
    const r = await run(['tracker', 'sync', 'pull']);
    expect(r.error, r.stderr).to.equal(undefined);
    expect(tool.calls()).to.deep.equal([[tool.command, '--json', 'list', '--all', '--limit', '0']]);
  });

  it('a missing bd executable is a clear failure naming the command, not a stack trace', async () => {
    project = makeProject();
    tool = installFakeTool('bd');
    await bindBeads(tool);
    const missing = join(tool.dir, 'no-such-bd');
    await bindBeads({...tool, command: missing});
    // `bind` (another process in real use) registered every value it saved for masking.
    clearRegisteredSecrets();
    const r = await run(['tracker', 'sync', 'pull']);
    expect(exitCode(r)).to.equal(1);
    // The failure and what to do go to stderr; stdout keeps the counts.
    expect(r.stdout).to.include('- failures: 1');
    expect(r.stderr).to.include(`Failed listing issues: beads: executable not found: ${missing}`);
    expect(r.stderr).to.include('--credential command=/path/to/bd');
    expect(r.stdout + r.stderr).not.to.match(/\n\s+at /);
  });
});
