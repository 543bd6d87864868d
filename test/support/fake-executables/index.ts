/**
 * Fake local tracker executables for tests: real `#!/usr/bin/env node` scripts written into a
 * temp dir and made executable, which append every argv they receive as a JSON line to a log
 * and answer like the real tools (fake-bd.mjs, fake-fp.mjs), keeping state in a JSON file.
 */
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

import {
  ManualClock,
  type ConnectorConfig,
  type JsonValue,
  type ProcessRunner,
  type RuntimeEvent,
} from '../../../src/core/index.js';
import {createProcessRunner} from '../../../src/host/process/index.js';

const here = dirname(fileURLToPath(import.meta.url));

export type FakeToolKind = 'bd' | 'fp';

export interface FakeTool {
  readonly dir: string;
  /** Absolute path of the executable script: pass it as `credentials.command`. */
  readonly command: string;
  readonly logPath: string;
  readonly statePath: string;
  /** Every call so far: `[command, ...args]`, in order. */
  calls(): string[][];
  /** Every call's arguments (without the command). */
  argvs(): string[][];
  state<T = Record<string, unknown>>(): T;
  /** Merges `patch` into the tool's state (seed issues, script faults). */
  patchState(patch: Record<string, unknown>): void;
  clearCalls(): void;
  remove(): void;
}

/** Makes a temp dir for one test (removed by `FakeTool.remove` or `removeDir`). */
export function makeTempDir(prefix = 'sk-fake-tool-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true});
}

/** Writes an executable Node script (`#!/usr/bin/env node` + `body`) and returns its path. */
export function writeNodeScript(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Installs a fake `bd` or `fp` in a fresh temp dir, with optional initial state. */
export function installFakeTool(
  kind: FakeToolKind,
  options: {state?: Record<string, unknown>; name?: string} = {},
): FakeTool {
  const dir = makeTempDir(`sk-fake-${kind}-`);
  const logPath = join(dir, 'calls.jsonl');
  const statePath = join(dir, 'state.json');
  const implementation = pathToFileURL(join(here, `fake-${kind}.mjs`)).href;
  const paths = JSON.stringify({log: logPath, state: statePath});
  const command = writeNodeScript(
    dir,
    options.name ?? `fake-${kind}`,
    // argv[1] is the script as spawned: log it as the command, like the incumbent's recorder.
    `import(${JSON.stringify(implementation)}).then((m) => m.main(${paths}, process.argv.slice(1)));`,
  );

  const readState = (): Record<string, unknown> =>
    existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : {};
  const tool: FakeTool = {
    dir,
    command,
    logPath,
    statePath,
    calls: () =>
      existsSync(logPath)
        ? readFileSync(logPath, 'utf8')
            .split('\n')
            .filter((line) => line.trim() !== '')
            .map((line) => JSON.parse(line) as string[])
        : [],
    argvs: () => tool.calls().map((call) => call.slice(1)),
    state: <T>() => readState() as T,
    patchState: (patch) =>
      writeFileSync(statePath, JSON.stringify({...initialState(kind), ...readState(), ...patch}, null, 2)),
    clearCalls: () => rmSync(logPath, {force: true}),
    remove: () => removeDir(dir),
  };
  tool.patchState(options.state ?? {});
  return tool;
}

function initialState(kind: FakeToolKind): Record<string, unknown> {
  // Mirrors INITIAL_*_STATE in the .mjs fakes (kept there so the scripts need no TypeScript).
  return kind === 'bd'
    ? {prefix: 'bd', nextId: 1, tick: 0, issues: [], deps: [], comments: [], showFormat: 'array', faults: {}}
    : {prefix: 'FP', nextId: 1, issues: [], comments: [], listPreamble: [], faults: {}};
}

export interface LocalConnectorConfigOptions {
  workspace?: string;
  command?: string;
  cwd?: string;
  timeoutMs?: number;
  runner?: ProcessRunner;
  options?: Record<string, JsonValue>;
  events?: RuntimeEvent[];
}

/** A connector config for a local tool run by the real ProcessRunner (or the given one). */
export function localConnectorConfig(options: LocalConnectorConfigOptions = {}): ConnectorConfig {
  const credentials: Record<string, string> = {};
  if (options.command !== undefined) credentials.command = options.command;
  if (options.cwd !== undefined) credentials.cwd = options.cwd;
  if (options.timeoutMs !== undefined) credentials.timeout_ms = String(options.timeoutMs);
  const clock = new ManualClock();
  const events = options.events;
  return {
    workspace: options.workspace ?? 'ws',
    serverUrl: null,
    credentials,
    options: options.options ?? {},
    runtime: {
      clock,
      sleep: clock.sleep,
      runner: options.runner ?? createProcessRunner(),
      onEvent: events ? (event) => events.push(event) : undefined,
    },
  };
}
