import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Config, Plugin, run as runOclif} from '@oclif/core';

import {InMemoryConnector} from '../../../src/core/memory/in-memory-connector.js';
import {createIssue, type CanonicalIssue} from '../../../src/core/model/canonical-issue.js';
import {openTrackerStorage} from '../../../src/host/storage/tracker-storage.js';
import {clearRegisteredSecrets} from '../../../src/host/shared/secret-mask.js';
import {setConnectorFactory} from '../../../src/host/services/sync-service.js';
import {captureCommand} from './in-process-capture.js';

export const packageRoot = join(import.meta.dirname, '..', '..', '..');

const TOKEN_VARS = [
  'GITHUB_TOKEN',
  'GITLAB_TOKEN',
  'JIRA_API_TOKEN',
  'JIRA_EMAIL',
  'LINEAR_API_KEY',
  'DEBUG',
];

/** A temp spec-kitty project and machine home, wired in through SPECIFY_REPO_ROOT / SPEC_KITTY_HOME. */
export interface TestProject {
  readonly root: string;
  readonly home: string;
  readonly configPath: string;
  cleanup(): void;
}

export function makeProject(options: {config?: string; kittify?: boolean} = {}): TestProject {
  const base = mkdtempSync(join(tmpdir(), 'sk-cmd-'));
  const root = join(base, 'repo');
  const home = join(base, 'home');
  mkdirSync(root, {recursive: true});
  if (options.kittify !== false) mkdirSync(join(root, '.kittify'));
  const configPath = join(root, '.kittify', 'config.yaml');
  if (options.config !== undefined) writeFileSync(configPath, options.config);
  const saved: Record<string, string | undefined> = {};
  for (const name of [...TOKEN_VARS, 'SPECIFY_REPO_ROOT', 'SPEC_KITTY_HOME']) saved[name] = process.env[name];
  for (const name of TOKEN_VARS) delete process.env[name];
  process.env.SPECIFY_REPO_ROOT = root;
  process.env.SPEC_KITTY_HOME = home;
  return {
    root,
    home,
    configPath,
    cleanup() {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      setConnectorFactory(null);
      clearRegisteredSecrets();
      rmSync(base, {recursive: true, force: true});
    },
  };
}

export const BOUND_GITHUB = `tracker:
  provider: github
  workspace: acme/app
  doctrine:
    mode: split_ownership
    field_owners: {}
  egress: permitted
`;

let config: Config | undefined;

/**
 * The plugin's oclif config, loaded once, from src/ and ignoring any oclif.manifest.json.
 */
async function testConfig(): Promise<Config> {
  if (!config) {
    // Point oclif straight at the command registry in src/ (mocha already runs under tsx), so tests
    // never run a stale build whatever its state; the discovery strategy is package.json's own.
    const pjson = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
      oclif: {commands: {target: string}};
    };
    pjson.oclif.commands = {...pjson.oclif.commands, target: './src/commands.ts'};
    const plugin = new Plugin({root: packageRoot, isRoot: true, ignoreManifest: true, pjson: pjson as never});
    await plugin.load();
    config = await Config.load({root: packageRoot, plugins: new Map([[plugin.name, plugin]])});
  }
  return config;
}

/** Runs `spec-kitty <args>` in-process, capturing stdout/stderr; `error.oclif.exit` is the exit code. */
export async function run(args: string[]) {
  // Not @oclif/test's runCommand: it joins and re-splits argv on spaces, mangling values like --body 'a b'.
  const loaded = await testConfig();
  return captureCommand(args.join(' '), async () => runOclif(args, loaded));
}

/** Runs `spec-kitty <args>` in-process with its output going where the process's goes. */
export async function runUncaptured(args: string[]): Promise<unknown> {
  return runOclif(args, await testConfig());
}

/** `tracker bind` to a loopback fake GitHub (its workspace and URL), plus any extra flags. */
export function bindToFake(fake: {workspace: string; url: string}, ...extra: string[]) {
  return run([
    'tracker',
    'bind',
    '--provider',
    'github',
    '--workspace',
    fake.workspace,
    '--server-url',
    fake.url,
    ...extra,
  ]);
}

export function exitCode(result: {error?: Error & {oclif?: {exit?: number}}}): number {
  if (!result.error) return 0;
  return result.error.oclif?.exit ?? 1;
}

export function issue(id: number, fields: Partial<Parameters<typeof createIssue>[0]> = {}): CanonicalIssue {
  return createIssue({
    ref: {
      system: 'github',
      workspace: 'acme/app',
      id: String(id),
      key: `#${id}`,
      url: `https://github.com/acme/app/issues/${id}`,
    },
    title: `Issue ${id}`,
    updated_at: `2026-01-0${Math.min(9, id)}T00:00:00.000Z`,
    created_at: '2026-01-01T00:00:00.000Z',
    ...fields,
  });
}

/** Writes issues into the project's durable cache as a pull would. */
export async function seedCache(root: string, issues: CanonicalIssue[]): Promise<void> {
  const storage = openTrackerStorage({root, provider: 'github', serverUrl: '', workspace: 'acme/app'});
  await storage.stores.recordRemote(issues.map((i) => ({issue: i})));
  await storage.log.endRun(); // committed, as a pull command leaves it
}

export function parseJson<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

/**
 * An in-memory tracker (GitHub, acme/app) that the sync commands of a test talk to, holding the
 * issues `cached` as `issue(n, {labels: ['bug']})` has them; `built` counts how often a command
 * asked for a connector (zero: it refused before contacting the tracker).
 */
export function installTracker(cached: readonly number[] = []): {
  connector: InMemoryConnector;
  built: () => number;
} {
  const connector = new InMemoryConnector({provider: 'github', workspace: 'acme/app'});
  for (const n of cached) {
    const local = issue(n, {labels: ['bug']});
    connector.seed({
      id: String(n),
      title: local.title,
      labels: ['bug'],
      updated_at: local.updated_at,
      created_at: local.created_at,
    });
  }
  let built = 0;
  setConnectorFactory(async () => {
    built += 1;
    return connector;
  });
  return {connector, built: () => built};
}
