import {expect} from 'chai';
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync} from 'node:fs';
import {join, relative} from 'node:path';

import {BOUND_GITHUB, exitCode, issue, makeProject, run, seedCache, type TestProject} from './helpers.js';

function scopeDir(root: string): string {
  const tracker = join(root, '.kittify', 'tracker');
  return join(
    tracker,
    readdirSync(tracker).find((f) => statSync(join(tracker, f)).isDirectory())!,
  );
}

function segments(root: string): string[] {
  const events = join(scopeDir(root), 'events');
  return readdirSync(events)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => join(events, f));
}

function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });
}

/** Cuts the file in the middle of its last line, as a damaged disk or a bad copy would. */
function tearLastLine(file: string): void {
  const text = readFileSync(file, 'utf8');
  const lastStart = text.slice(0, -1).lastIndexOf('\n') + 1;
  truncateSync(file, lastStart + 10);
}

// INV-1: a committed segment is never modified or deleted, doctor --fix included.
describe('doctor --fix and committed segments', () => {
  let project: TestProject;
  let segment: string;
  let committed: Buffer;
  beforeEach(async () => {
    project = makeProject({config: BOUND_GITHUB});
    await seedCache(project.root, [issue(1), issue(2)]);
    git(project.root, 'init', '-q');
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-qm', 'tracker log');
    segment = segments(project.root)[0]!;
    committed = readFileSync(segment);
  });
  afterEach(() => project.cleanup());

  it('restores a committed segment with a damaged last line from git instead of truncating it', async () => {
    tearLastLine(segment);
    const check = await run(['tracker', 'doctor']);
    expect(exitCode(check)).to.equal(1);
    expect(check.stdout).to.include('git checkout --').and.include('[fixable with --fix]');
    const fixed = await run(['tracker', 'doctor', '--fix']);
    expect(exitCode(fixed), fixed.stdout).to.equal(0);
    expect(fixed.stdout).to.include('[fixed]').and.include('restores it from git');
    expect(readFileSync(segment).equals(committed)).to.equal(true);
    expect(git(project.root, 'status', '--porcelain', '--', '.kittify/tracker')).to.equal('');
    expect(JSON.parse((await run(['tracker', 'list-tickets', '--json'])).stdout).total).to.equal(2);
  });

  it('never rewrites a committed segment whose committed version is damaged too: it says how to restore', async () => {
    tearLastLine(segment);
    git(project.root, 'commit', '-qam', 'damaged');
    const damaged = readFileSync(segment);
    const fixed = await run(['tracker', 'doctor', '--fix']);
    expect(exitCode(fixed)).to.equal(1);
    const rel = relative(project.root, segment);
    expect(fixed.stdout).to.include(`git checkout -- ${rel}`).and.include('never rewrites a committed file');
    expect(fixed.stdout).not.to.include('[fixed]');
    expect(readFileSync(segment).equals(damaged)).to.equal(true);
  });

  it('sets an untracked damaged segment aside whole and keeps its complete events', async () => {
    await seedCache(project.root, [issue(3), issue(4)]);
    const fresh = segments(project.root).find((f) => f !== segment)!;
    const original = readFileSync(fresh);
    tearLastLine(fresh);
    const torn = readFileSync(fresh);
    const fixed = await run(['tracker', 'doctor', '--fix']);
    expect(exitCode(fixed), fixed.stdout).to.equal(0);
    const damagedDir = join(scopeDir(project.root), 'state', 'damaged');
    const kept = readdirSync(damagedDir);
    expect(kept).to.have.length(1);
    expect(readFileSync(join(damagedDir, kept[0]!)).equals(torn)).to.equal(true);
    const firstLine = original.subarray(0, original.indexOf(10) + 1);
    expect(readFileSync(fresh).equals(firstLine)).to.equal(true);
    expect(JSON.parse((await run(['tracker', 'list-tickets', '--json'])).stdout).total).to.equal(3);
    expect(existsSync(segment)).to.equal(true);
  });

  it('a leftover temp file leaves doctor at 0 only while the output says it is harmless', async () => {
    writeFileSync(join(scopeDir(project.root), 'events', '.x.jsonl.1.ab.tmp'), 'half');
    const check = await run(['tracker', 'doctor']);
    expect(exitCode(check), check.stdout).to.equal(0);
    expect(check.stdout).to.match(/\[fixable with --fix\] .*\.tmp: leftover temp file .*harmless/);
    expect(check.stdout).to.include('OK: what is left is harmless');
  });
});
