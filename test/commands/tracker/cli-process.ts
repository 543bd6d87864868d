import {spawn} from 'node:child_process';
import {join} from 'node:path';

import {packageRoot, type TestProject} from './helpers.js';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const bin = join(packageRoot, 'bin', 'run.js');

/**
 * The built CLI as a user runs it: a child process in `project`, with only the project's home
 * and `env` in its environment. Bounded: a hung child is killed after `timeoutMs` and the test
 * sees its exit instead of waiting.
 */
export function runCliProcess(
  project: TestProject,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'tracker', ...args], {
      cwd: project.root,
      env: {
        PATH: process.env.PATH,
        HOME: project.home,
        SPECIFY_REPO_ROOT: project.root,
        SPEC_KITTY_HOME: project.home,
        OCLIF_SKIP_NEW_VERSION_CHECK: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code, stdout, stderr});
    });
  });
}
