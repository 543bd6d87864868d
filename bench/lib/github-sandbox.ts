/**
 * A loopback fake GitHub seeded with realistic issues, plus throwaway spec-kitty projects bound
 * to it with the real CLI: what the command and connector benchmarks measure against. The
 * sandbox (and one project pulled full of issues) is shared by the suites of one run.
 */
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {FakeGitHubServer} from '../../test/fakes/github/index.js';
import {runCli, sandboxEnv, type CliResult} from '../../scripts/demo/cli.js';
import type {BenchSettings} from './harness.js';

export const OWNER = 'acme';
export const REPO = 'widgets';
export const WORKSPACE = `${OWNER}/${REPO}`;
/** A throwaway token the fake accepts; it is not a real credential. */
export const FAKE_TOKEN = 'ghp_benchSandboxToken0000000000000000';

export interface GitHubSandbox {
  readonly fake: FakeGitHubServer;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Issues (pull requests excluded) the fake holds. */
  readonly issueCount: number;
  /** A new git repository with `.kittify/`, bound to the fake with `tracker bind`. */
  newProject(name: string): Promise<string>;
  cli(
    project: string,
    args: readonly string[],
    nodeArgs?: readonly string[],
    extraEnv?: Record<string, string>,
    timeoutMs?: number,
  ): Promise<CliResult>;
}

let shared: {issues: number; promise: Promise<GitHubSandbox>} | null = null;
let pulled: {project: string; issues: number} | null = null;
/** Why no full cache is available (a capped pull), so later suites do not pull again. */
let pullProblem: string | null = null;

export function rememberPullProblem(reason: string): void {
  pullProblem = reason;
}

/** The run's sandbox with `issues` issues (every 7th listed item is a pull request, as on GitHub). */
export async function githubSandbox(settings: BenchSettings, issues: number): Promise<GitHubSandbox> {
  if (shared && shared.issues === issues) return shared.promise;
  if (shared) await closeSandbox();
  const promise = createSandbox(settings, issues);
  shared = {issues, promise};
  return promise;
}

/** A project of the sandbox whose cache holds every issue (pulled once with the CLI). */
export async function pulledProject(settings: BenchSettings, issues: number): Promise<string> {
  const sandbox = await githubSandbox(settings, issues);
  if (pulled && pulled.issues === issues) return pulled.project;
  if (pullProblem !== null) throw new Error(pullProblem);
  const project = await sandbox.newProject('pulled');
  const result = await sandbox.cli(project, ['tracker', 'sync', 'pull', '--json']);
  assertOk(result, 'tracker sync pull');
  rememberPulled(project, issues);
  return project;
}

export function rememberPulled(project: string, issues: number): void {
  pulled = {project, issues};
}

export async function closeSandbox(): Promise<void> {
  const current = shared;
  shared = null;
  pulled = null;
  pullProblem = null;
  if (current) await (await current.promise).fake.close();
}

export function assertOk(result: CliResult, what: string): void {
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(0, 3).join(' | ');
    throw new Error(`${what} exited ${result.code}: ${detail}`);
  }
}

async function createSandbox(settings: BenchSettings, issues: number): Promise<GitHubSandbox> {
  const dir = path.join(settings.workDir, 'github-sandbox');
  await fs.mkdir(dir, {recursive: true});
  // Limits lifted on both sides: the benchmarks measure our throughput, not GitHub's budgets
  // (the fake enforces them by default; the CLI paces itself to them unless told `off`).
  const fake = await FakeGitHubServer.start({owner: OWNER, repo: REPO, token: FAKE_TOKEN, limits: 'off'});
  // Seed enough listed items that `issues` of them are issues (every 7th item is a PR).
  let seeded = 0;
  let count = 0;
  const batch = Math.ceil((issues * 7) / 6);
  count += fake.seedRealisticIssues(batch).length;
  seeded += batch;
  while (count < issues) {
    count += fake.seedRealisticIssues(1, {
      start: new Date(Date.parse('2025-01-01T00:00:00Z') + seeded * 60_000).toISOString(),
      prEvery: 0,
    }).length;
    seeded += 1;
  }
  const env = sandboxEnv(dir, {GITHUB_TOKEN: FAKE_TOKEN, SPEC_KITTY_TRACKER_PACING: 'off'});
  const root = settings.root;
  const sandbox: GitHubSandbox = {
    fake,
    dir,
    env,
    issueCount: count,
    async newProject(name: string): Promise<string> {
      const project = path.join(dir, 'projects', name);
      await fs.rm(project, {recursive: true, force: true});
      await fs.mkdir(path.join(project, '.kittify'), {recursive: true});
      execFileSync('git', ['init', '-q', project], {env});
      const bind = await runCli(
        root,
        ['tracker', 'bind', '--provider', 'github', '--workspace', WORKSPACE, '--server-url', fake.url],
        {cwd: project, env},
      );
      assertOk(bind, 'tracker bind');
      return project;
    },
    cli(project, args, nodeArgs = [], extraEnv = {}, timeoutMs) {
      return runCli(root, args, {cwd: project, env: {...env, ...extraEnv}, nodeArgs, timeoutMs});
    },
  };
  return sandbox;
}

/** Path -> (size, sha256) of every file under `dir`: compared before and after a command. */
export async function fileSnapshot(dir: string): Promise<Map<string, {size: number; hash: string}>> {
  const out = new Map<string, {size: number; hash: string}>();
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(current, {withFileTypes: true});
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const bytes = await fs.readFile(full);
        out.set(path.relative(dir, full), {
          size: bytes.length,
          hash: createHash('sha256').update(bytes).digest('hex'),
        });
      }
    }
  };
  await walk(dir);
  return out;
}

/** Bytes of files added or changed between two snapshots (removed files count their old size). */
export function bytesWritten(
  before: Map<string, {size: number; hash: string}>,
  after: Map<string, {size: number; hash: string}>,
): number {
  let bytes = 0;
  for (const [file, now] of after) {
    const then = before.get(file);
    if (!then || then.hash !== now.hash) bytes += now.size;
  }
  for (const [file, then] of before) if (!after.has(file)) bytes += then.size;
  return bytes;
}
