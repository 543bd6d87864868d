import {expect} from 'chai';
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';

import {InMemoryConnector} from '../../../src/core/memory/in-memory-connector.js';
import {setConnectorFactory} from '../../../src/host/services/sync-service.js';
import {BOUND_GITHUB, exitCode, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

/** The text of every event segment. */
function eventText(root: string): string {
  const dir = join(root, '.kittify', 'tracker');
  return readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

// Someone else's token, quoted in an issue: not a credential of this machine.
const THEIRS = 'ghp_' + 'Q1w2E3r4T5y6U7i8O9p0AsDfGhJkLzXcVbNm';
const GITLAB = 'glpat-' + 'abcdefghijKLMNOPQRST1234';

describe("a token-shaped string in the tracker's content", () => {
  let project: TestProject;
  beforeEach(() => {
    project = makeProject({config: BOUND_GITHUB});
    process.env.GITHUB_TOKEN = 'ghp_' + 'ThisMachine0000000000000000000000000A';
  });
  afterEach(() => project.cleanup());

  it('is masked by a pull before it is stored, the same way every pull, and doctor stays healthy', async () => {
    const connector = new InMemoryConnector({provider: 'github', workspace: 'acme/app'});
    connector.seed({
      id: '5',
      title: `CI broke with ${GITLAB}`,
      body: `Someone pasted export TOKEN=${THEIRS} here\nplease revoke`,
      labels: ['security'],
      updated_at: '2026-02-01T00:00:00.000Z',
    });
    setConnectorFactory(async () => connector);
    const pulled = await run(['tracker', 'sync', 'pull', '--full']);
    expect(pulled.error, pulled.stderr).to.equal(undefined);
    const text = eventText(project.root);
    expect(text).not.to.include(THEIRS).and.not.to.include(GITLAB);
    expect(text).to.include('export TOKEN=ghp_*** here').and.include('CI broke with glpat-***');

    const again = await run(['tracker', 'sync', 'pull', '--full']);
    expect(again.error, again.stderr).to.equal(undefined);
    expect(eventText(project.root)).to.equal(text);

    const doctor = await run(['tracker', 'doctor']);
    expect(exitCode(doctor), doctor.stdout).to.equal(0);
  });

  it('already in a committed segment, is a warning naming the file, not a failure', async () => {
    await seedCache(project.root, [issue(1, {body: `token ${THEIRS}`})]);
    expect(eventText(project.root)).to.include(THEIRS);
    const doctor = await run(['tracker', 'doctor', '--json']);
    expect(exitCode(doctor), doctor.stdout).to.equal(0);
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      findings: {code: string; severity: string; message: string}[];
    };
    expect(report.ok).to.equal(true);
    const finding = report.findings.find((f) => f.code === 'secret')!;
    expect(finding.severity).to.equal('warning');
    expect(finding.message).to.match(
      /events\/[0-9A-Z]+\.jsonl:1 holds a GitHub token \(ghp_…\) in content pulled/,
    );
    expect(doctor.stdout).not.to.include(THEIRS);
  });

  // INV-7: no secret lands in .kittify/; doctor reports one that did.
  it("this machine's own credential in a segment is still an error", async () => {
    await seedCache(project.root, [issue(1, {body: `token ${process.env.GITHUB_TOKEN}`})]);
    const doctor = await run(['tracker', 'doctor']);
    expect(exitCode(doctor)).to.equal(1);
    expect(doctor.stdout).to.match(/contains your GITHUB_TOKEN|contains a stored credential value/);
    expect(doctor.stdout).to.contain('[INV-7]');
  });

  it('doctor scans every file under .kittify/, whatever its extension', async () => {
    await seedCache(project.root, [issue(1)]);
    const {writeFileSync} = await import('node:fs');
    writeFileSync(join(project.root, '.kittify', 'notes.txt'), `deploy key ${THEIRS}\n`);
    const doctor = await run(['tracker', 'doctor']);
    expect(exitCode(doctor)).to.equal(1);
    expect(doctor.stdout).to.match(/\.kittify\/notes\.txt:1 contains a GitHub token/);
  });
});
