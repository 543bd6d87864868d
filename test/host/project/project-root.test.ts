import {expect} from 'chai';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {findProjectRoot} from '../../../src/host/project/project-root.js';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    stdio: 'ignore',
  });
}

describe('project root discovery', () => {
  let base: string;
  beforeEach(() => (base = realpathSync(mkdtempSync(join(tmpdir(), 'sk-root-')))));
  afterEach(() => rmSync(base, {recursive: true, force: true}));

  it('finds .kittify/ from any subfolder without asking git', async () => {
    mkdirSync(join(base, 'p', '.kittify'), {recursive: true});
    mkdirSync(join(base, 'p', 'src', 'deep'), {recursive: true});
    const found = await findProjectRoot(join(base, 'p', 'src', 'deep'), {});
    expect(found).to.deep.include({
      root: join(base, 'p'),
      foundBy: 'walk',
      configPath: join(base, 'p', '.kittify', 'config.yaml'),
    });
  });

  it('honours SPECIFY_REPO_ROOT, and says so when it is not a project', async () => {
    mkdirSync(join(base, 'p', '.kittify'), {recursive: true});
    expect((await findProjectRoot('/', {SPECIFY_REPO_ROOT: join(base, 'p')})).foundBy).to.equal('env');
    let message = '';
    await findProjectRoot('/', {SPECIFY_REPO_ROOT: base}).catch((e: Error) => (message = e.message));
    expect(message).to.match(/SPECIFY_REPO_ROOT points to .*not a spec-kitty project/);
  });

  it('outside a project: says so and how to start one', async () => {
    let error: {message: string; hint?: string} | null = null;
    await findProjectRoot(base, {}).catch((e) => (error = e));
    expect(error!.message).to.equal('Not inside a spec-kitty project (no .kittify/ folder here or above).');
    expect(error!.hint).to.match(/spec-kitty init.*mkdir \.kittify/);
  });

  it('from a linked git worktree without .kittify/, finds the main worktree', async function () {
    this.timeout(10_000);
    const main = join(base, 'main');
    mkdirSync(main);
    git(main, 'init', '-q');
    writeFileSync(join(main, 'README'), 'x');
    git(main, 'add', 'README');
    git(main, 'commit', '-q', '-m', 'init');
    mkdirSync(join(main, '.kittify')); // not committed: absent from the linked worktree
    git(main, 'worktree', 'add', '-q', join(base, 'wt'));
    mkdirSync(join(base, 'wt', 'sub'));
    const found = await findProjectRoot(join(base, 'wt', 'sub'), {});
    expect(found).to.deep.include({root: main, foundBy: 'worktree'});
    // a worktree that has its own .kittify/ uses it
    mkdirSync(join(base, 'wt', '.kittify'));
    expect((await findProjectRoot(join(base, 'wt', 'sub'), {})).root).to.equal(join(base, 'wt'));
  });

  it('stops at the repository boundary', async function () {
    this.timeout(10_000);
    mkdirSync(join(base, '.kittify'));
    const repo = join(base, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    let message = '';
    await findProjectRoot(repo, {}).catch((e: Error) => (message = e.message));
    expect(message).to.match(/Not inside a spec-kitty project/);
  });
});
