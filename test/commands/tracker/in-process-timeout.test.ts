import {spawn} from 'node:child_process';
import {join} from 'node:path';

import {expect} from 'chai';

import {captureCommand} from './in-process-capture.js';
import {packageRoot} from './helpers.js';

const FIXTURE = 'test/commands/tracker/fixtures/outlived-test.fixture.ts';

/** Runs mocha on one spec file in a child process (its own .mocharc), killed after 90 s. */
function mochaOn(spec: string): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot, 'node_modules', 'mocha', 'bin', 'mocha.js')], {
      cwd: packageRoot,
      env: {...process.env, MOCHA_SPEC: spec, NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code, stdout, stderr});
    });
  });
}

/**
 * A test that times out leaves its in-process command running. That command's output capture
 * (process.stdout/stderr.write replaced) used to outlive it and swallow everything mocha printed
 * afterwards: the run ended with a failure exit code and no summary, no failure, nothing.
 */
describe('an in-process command that outlives its test (mocha in a child process)', function () {
  this.timeout(100_000);

  it('the run still reports every test and ends with its summary line, naming the command left running', async () => {
    const result = await mochaOn(FIXTURE);
    const output = result.stdout + result.stderr;
    expect(result.code, output).to.equal(1);
    expect(result.stdout.trimEnd().split('\n').at(-1), output).to.equal('1 passed, 1 failed');
    expect(result.stdout, output).to.match(/Timeout of 500ms exceeded/);
    expect(output).to.match(/`tracker sync push` was still running when its test ended/);
  });

  it('a second in-process command started while one runs is refused, naming the one still running', async () => {
    let finish = (): void => undefined;
    const first = captureCommand(
      'tracker sync push',
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    try {
      const second = await captureCommand('tracker status', async () => 'ran');
      expect.fail(`the second command ran: ${JSON.stringify(second)}`);
    } catch (error) {
      expect((error as Error).message).to.match(
        /`tracker status`.*while `tracker sync push` is still running/,
      );
    } finally {
      finish();
      await first;
    }
  });
});
