/**
 * Runs the real `spec-kitty` CLI (`node bin/run.js ...`) as a child process in a sandbox: its
 * own HOME, credentials folder and XDG folders under a throwaway directory, so nothing on the
 * machine is read or written, and asynchronously, so a fake server in this process can answer.
 */
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import * as path from 'node:path';
import {performance} from 'node:perf_hooks';

export interface CliResult {
  readonly code: number;
  /** True when the process was killed for running past its time limit. */
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Environment variables for a sandboxed CLI run: nothing from the user's machine leaks in. */
export function sandboxEnv(sandbox: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ['PATH', 'LANG', 'LC_ALL', 'TMPDIR', 'SystemRoot', 'TEMP', 'TMP'];
  const env: NodeJS.ProcessEnv = {};
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    HOME: path.join(sandbox, 'home'),
    USERPROFILE: path.join(sandbox, 'home'),
    SPEC_KITTY_HOME: path.join(sandbox, 'spec-kitty-home'),
    XDG_CONFIG_HOME: path.join(sandbox, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(sandbox, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(sandbox, 'xdg', 'cache'),
    GIT_AUTHOR_NAME: 'Demo User',
    GIT_AUTHOR_EMAIL: 'demo@example.invalid',
    GIT_COMMITTER_NAME: 'Demo User',
    GIT_COMMITTER_EMAIL: 'demo@example.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
    OCLIF_SKIP_NEW_VERSION_CHECK: 'true',
    NO_COLOR: '1',
    ...extra,
  };
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: {cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 900_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({code: code ?? (signal ? 128 : 1), timedOut, stdout, stderr, ms: performance.now() - start});
    });
  });
}

/** `node bin/run.js <args>` from `root` (the plugin), in project folder `cwd`. */
export function runCli(
  root: string,
  args: readonly string[],
  options: {cwd: string; env: NodeJS.ProcessEnv; nodeArgs?: readonly string[]; timeoutMs?: number},
): Promise<CliResult> {
  return runProcess(
    process.execPath,
    [...(options.nodeArgs ?? []), path.join(root, 'bin', 'run.js'), ...args],
    options,
  );
}

/** Command ids in the built manifest (`tracker:sync:pull`, ...): what this build can do. */
export function builtCommands(root: string): Set<string> {
  try {
    const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as {
      commands?: Record<string, unknown>;
    };
    return new Set(Object.keys(manifest.commands ?? {}));
  } catch {
    return new Set();
  }
}
