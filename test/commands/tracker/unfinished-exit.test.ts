import {spawn} from 'node:child_process';
import {join} from 'node:path';

import {expect} from 'chai';

import {packageRoot} from './helpers.js';

const FIXTURE = join(packageRoot, 'test', 'commands', 'tracker', 'fixtures', 'stalled-command.fixture.ts');

/**
 * A command whose process runs out of work before the command finished (it awaits a promise
 * nothing will settle) must not end with exit code 0 and nothing said, as Node would have it.
 */
describe('a command that stops before it finished (its own process)', function () {
  this.timeout(60_000);

  it('exits 1 and says on stderr that it stopped unfinished, with what to do', async () => {
    const result = await new Promise<{code: number | null; stdout: string; stderr: string}>(
      (resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx/esm', FIXTURE], {
          cwd: packageRoot,
          env: {...process.env, NO_COLOR: '1'},
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({code, stdout, stderr});
        });
      },
    );
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.match(/^spec-kitty tracker sync pull stopped before it finished/m);
    expect(result.stderr).to.match(/run the command again/);
    expect(result.code, result.stderr).to.equal(1);
  });
});
