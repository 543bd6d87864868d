import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {promises as fs} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  canonicalJson,
  createIssue,
  createRef,
  issueToJson,
  type CanonicalIssue,
  type IssueEntry,
  type TrackerState,
} from '../../../src/core/index.js';

/** A fresh temp folder; `cleanup` removes it. */
export async function tempRoot(
  prefix = 'tracker-storage-',
): Promise<{root: string; cleanup: () => Promise<void>}> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return {root, cleanup: () => fs.rm(root, {recursive: true, force: true})};
}

export const scopeOptions = (root: string) => ({
  root,
  provider: 'github',
  serverUrl: '',
  workspace: 'acme/widgets',
});

export const ref = (id: string) =>
  createRef({
    system: 'github',
    workspace: 'acme/widgets',
    id,
    key: `#${id}`,
    url: `https://example.test/${id}`,
  });

export const remote = (
  id: string,
  overrides: Partial<Parameters<typeof createIssue>[0]> = {},
): CanonicalIssue =>
  createIssue({
    ref: ref(id),
    title: `Issue ${id}`,
    body: 'Body',
    status: 'todo',
    labels: ['a'],
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
    ...overrides,
  });

/** Hash of every file (path, bytes) under `dir`, to prove a write changed nothing. */
export async function treeHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(current, {withFileTypes: true});
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      hash.update(path.relative(dir, full) + '\0');
      if (entry.isDirectory()) await walk(full);
      else hash.update(await fs.readFile(full));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

export async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** Everything in a state that reads or later events can observe (not history or diagnostics). */
export function fingerprint(state: TrackerState): {issues: Map<string, string>; rest: string} {
  const issues = new Map<string, string>();
  for (const entry of state.issues.values()) {
    if (isEmpty(entry)) continue;
    const observableEditedAt = entry.overrides.size > 0 || (entry.base === null && entry.draft !== null);
    issues.set(
      entry.identity,
      canonicalJson({
        base: entry.base && issueToJson(entry.base),
        draft: entry.draft && issueToJson(entry.draft),
        overrides: Object.fromEntries(entry.overrides),
        edited_at: observableEditedAt ? entry.editedAt : null,
        deleted: entry.deleted,
        created_as: entry.createdAs,
      }),
    );
  }
  const rest = canonicalJson({
    created: Object.fromEntries(state.createdDrafts),
    conflicts: Object.fromEntries(state.conflicts),
    comments: Object.fromEntries([...state.comments].filter(([, c]) => !c.sent)),
    mappings: Object.fromEntries([...state.mappings].map(([key, m]) => [key, {...m, ref: {...m.ref}}])),
  });
  return {issues, rest};
}

function isEmpty(entry: IssueEntry): boolean {
  return (
    entry.base === null &&
    entry.draft === null &&
    entry.overrides.size === 0 &&
    !entry.deleted &&
    entry.createdAs === null
  );
}

/** Runs git in `cwd` with a fixed identity and no system or user configuration (no editor, no signing). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
      encoding: 'utf8',
      env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_EDITOR: 'true'},
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}
