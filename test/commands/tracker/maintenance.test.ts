import {expect} from 'chai';
import {appendFileSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {BOUND_GITHUB, exitCode, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

function segments(root: string): string[] {
  const tracker = join(root, '.kittify', 'tracker');
  const scope = readdirSync(tracker).find((f) => statSync(join(tracker, f)).isDirectory())!;
  const events = join(tracker, scope, 'events');
  return readdirSync(events)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(events, f));
}

describe('tracker doctor / compact', () => {
  let project: TestProject;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seedCache(project.root, [issue(1), issue(2)]);
    await seedCache(project.root, [issue(1, {title: 'Renamed', updated_at: '2026-01-05T00:00:00.000Z'})]);
  });
  afterEach(() => project.cleanup());

  it('doctor reports a torn tail as fixable, and --fix repairs it without losing an event', async () => {
    appendFileSync(segments(project.root)[0], '{"event_id": "01J');
    const check = await run(['tracker', 'doctor', '--json']);
    const report = JSON.parse(check.stdout) as {
      ok: boolean;
      findings: {code: string; fixable: boolean; fixed: boolean}[];
    };
    const torn = report.findings.find((f) => f.code === 'torn_tail');
    expect(torn).to.include({fixable: true, fixed: false});
    const text = (await run(['tracker', 'doctor'])).stdout;
    expect(text).to.match(/\[fixable with --fix\]/);
    expect(text).to.include('Run `spec-kitty tracker doctor --fix` to repair what is marked fixable');
    const fixed = await run(['tracker', 'doctor', '--fix']);
    expect(fixed.stdout).to.match(/\[fixed\]/);
    const again = await run(['tracker', 'doctor', '--json']);
    expect(exitCode(again), again.stdout + again.stderr).to.equal(0);
    expect(
      (JSON.parse(again.stdout) as {findings: {code: string}[]}).findings.map((f) => f.code),
    ).not.to.include('torn_tail');
    expect(JSON.parse((await run(['tracker', 'list-tickets', '--json'])).stdout).total).to.equal(2);
  });

  it('doctor finds a token committed under .kittify/', async () => {
    appendFileSync(project.configPath, '# ghp_abcdefghijklmnopqrstuvwxyz0123456789\n');
    const r = await run(['tracker', 'doctor']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stdout).to.match(/\.kittify\/config\.yaml:\d+ contains a GitHub token \(ghp_…\)/);
    expect(r.stdout).not.to.include('abcdefghijklmnop');
  });

  it('doctor names an invalid line and says how to repair it by hand', async () => {
    const file = segments(project.root)[0];
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 0, '{"not valid json');
    writeFileSync(file, lines.join('\n'));
    const r = await run(['tracker', 'doctor']);
    expect(exitCode(r)).to.equal(1);
    expect(r.stdout).to.match(/- \[error\] .*\.jsonl:2: invalid JSON/);
    expect(r.stdout).to.match(
      /Problems remain\nInvalid lines are never dropped automatically: restore the file from git/,
    );
    expect(r.stdout).not.to.include('doctor --fix');
  });

  it('compact squashes the uncommitted segments into one and keeps every issue', async () => {
    const r = await run(['tracker', 'compact', '--json']);
    expect(r.error, r.stderr).to.equal(undefined);
    const report = JSON.parse(r.stdout) as {
      segments_before: number;
      squashed: number;
      segment: string | null;
    };
    expect(report).to.include({segments_before: 2, squashed: 2});
    expect(report.segment).to.be.a('string');
    expect(segments(project.root)).to.have.length(1);
    const list = JSON.parse((await run(['tracker', 'list-tickets', '--json'])).stdout) as {
      tickets: {title: string}[];
    };
    expect(list.tickets.map((t) => t.title)).to.deep.equal(['Renamed', 'Issue 2']);
  });
});
