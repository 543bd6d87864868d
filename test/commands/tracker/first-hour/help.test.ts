import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {expect} from 'chai';

import {closestMatch} from '../../../../src/host/shared/did-you-mean.js';
import {packageRoot} from '../helpers.js';

/** The built standalone CLI (`npm run build`), as a user runs it. */
function cli(args: string[]): {status: number | null; stdout: string; stderr: string} {
  const home = mkdtempSync(join(tmpdir(), 'sk-help-'));
  try {
    const result = spawnSync(process.execPath, [join(packageRoot, 'bin', 'run.js'), ...args], {
      cwd: home,
      encoding: 'utf8',
      env: {PATH: process.env.PATH, HOME: home, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1'},
    });
    return {status: result.status, stdout: result.stdout, stderr: result.stderr};
  } finally {
    rmSync(home, {recursive: true, force: true});
  }
}

describe('help and typos, as in git and gh', () => {
  it('-h and `help tracker sync pull` show the command help', () => {
    for (const args of [
      ['tracker', 'sync', 'pull', '-h'],
      ['help', 'tracker', 'sync', 'pull'],
    ]) {
      const r = cli(args);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include('Pull changes from the tracker into the local cache');
      expect(r.stdout).to.include('$ spec-kitty-tracker tracker sync pull');
    }
  });

  it('each sync command lists only its own flags', () => {
    const pull = cli(['tracker', 'sync', 'pull', '--help']).stdout;
    const push = cli(['tracker', 'sync', 'push', '--help']).stdout;
    expect(pull).to.include('--full');
    expect(pull).not.to.match(/--yes/);
    expect(push).to.include('--yes');
    expect(push).not.to.include('--full');
  });

  it('a mistyped command gets "did you mean", with the command written with spaces, exit 2', () => {
    const r = cli(['tracker', 'sync', 'pul']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include("'tracker sync pul' is not a spec-kitty-tracker command.");
    expect(r.stderr).to.include('Did you mean `tracker sync pull`?');
    expect(r.stderr).not.to.include('tracker:sync');
    const topic = cli(['trackr', 'status']);
    expect(topic.status).to.equal(2);
    expect(topic.stderr).to.include('Did you mean `tracker status`?');
  });

  it('a mistyped flag gets "did you mean", exit 2', () => {
    const r = cli(['tracker', 'sync', 'pull', '--ful']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('Unknown flag --ful for this command.');
    expect(r.stderr).to.include('did you mean --full?');
    const push = cli(['tracker', 'sync', 'push', '--full']);
    expect(push.status).to.equal(2);
    expect(push.stderr).to.include('Unknown flag --full');
  });

  it('closestMatch suggests only near words', () => {
    expect(closestMatch('pul', ['pull', 'push', 'run'])).to.equal('pull');
    expect(closestMatch('xyzzy', ['pull', 'push', 'run'])).to.equal(null);
  });
});

describe('beside the Python spec-kitty CLI', () => {
  it('the standalone bin is not named spec-kitty (npm link would shadow the Python CLI)', () => {
    const pjson = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      oclif: {bin: string};
    };
    expect(Object.keys(pjson.bin)).to.deep.equal(['spec-kitty-tracker']);
    expect(pjson.oclif.bin).to.equal('spec-kitty-tracker');
    const r = cli(['--version']);
    expect(r.status, r.stderr).to.equal(0);
  });
});
