import {existsSync, statSync} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';

import {TrackerError} from '../../core/errors.js';

/** Where a spec-kitty project lives and the paths the tracker uses in it. */
export interface ProjectLocation {
  /** The project root: the folder holding `.kittify/`. */
  readonly root: string;
  readonly kittifyDir: string;
  readonly configPath: string;
  /** How it was found, for `status` and debugging. */
  readonly foundBy: 'env' | 'walk' | 'worktree';
}

export class NotInProjectError extends TrackerError {}

export const KITTIFY_DIR = '.kittify';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing, or a broken symlink
  }
}

function location(root: string, foundBy: ProjectLocation['foundBy']): ProjectLocation {
  const kittifyDir = join(root, KITTIFY_DIR);
  return {root, kittifyDir, configPath: join(kittifyDir, 'config.yaml'), foundBy};
}

/**
 * Finds the spec-kitty project for `cwd`:
 * 1. `SPECIFY_REPO_ROOT`, when it names a directory holding `.kittify/`;
 * 2. walking up from `cwd` to the nearest folder with `.kittify/`, stopping at the repository
 *    boundary (a `.git` file or folder), so a subfolder of a project finds it without git;
 * 3. inside a git linked worktree whose checkout has no `.kittify/`, the main worktree's
 *    (found with `git rev-parse --path-format=absolute --git-common-dir`).
 * The fast path (1, 2) spawns nothing; git is only asked when the walk fails.
 */
export async function findProjectRoot(
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProjectLocation> {
  const override = env.SPECIFY_REPO_ROOT?.trim();
  if (override) {
    const root = resolve(override);
    if (isDirectory(join(root, KITTIFY_DIR))) return location(root, 'env');
    throw new NotInProjectError(
      `SPECIFY_REPO_ROOT points to ${root}, which is not a spec-kitty project (no .kittify/ folder).`,
      {
        hint: `Unset SPECIFY_REPO_ROOT, or start a project there: \`spec-kitty init\` (a command of the Python spec-kitty CLI, \`pip install spec-kitty-cli\`), or just \`mkdir ${join(root, KITTIFY_DIR)}\`.`,
      },
    );
  }

  let dir = resolve(cwd);
  for (;;) {
    if (isDirectory(join(dir, KITTIFY_DIR))) return location(dir, 'walk');
    if (existsSync(join(dir, '.git'))) break; // repository boundary
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }

  const main = await mainWorktreeRoot(cwd);
  if (main !== null && isDirectory(join(main, KITTIFY_DIR))) return location(main, 'worktree');

  throw new NotInProjectError('Not inside a spec-kitty project (no .kittify/ folder here or above).', {
    hint: 'Run this from a spec-kitty project, or start one here: `spec-kitty init` (a command of the Python spec-kitty CLI, `pip install spec-kitty-cli`), or just `mkdir .kittify`.',
  });
}

/**
 * The main worktree's root when `cwd` is in a git repository, else null. Uses simple-git
 * (imported lazily: most runs never need it). `--git-common-dir` is relative unless
 * `--path-format=absolute` (git >= 2.31); older git gets it resolved against `cwd`.
 */
export async function mainWorktreeRoot(cwd: string): Promise<string | null> {
  try {
    const {simpleGit} = await import('simple-git');
    const git = simpleGit({baseDir: cwd});
    let common = (await git.raw(['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
    if (common.startsWith('--path-format')) {
      // git < 2.31 echoes the unknown option back; ask again without it.
      common = (await git.raw(['rev-parse', '--git-common-dir'])).trim();
    }
    if (common === '') return null;
    const absolute = resolve(cwd, common);
    // A normal repository's common dir is `<root>/.git`; a bare repository has no worktree root.
    if (basename(absolute) !== '.git') return null;
    return dirname(absolute);
  } catch {
    return null; // not a repository, or git missing
  }
}

/** The top of the current worktree (`git rev-parse --show-toplevel`), or null outside git. */
export async function worktreeTopLevel(cwd: string): Promise<string | null> {
  try {
    const {simpleGit} = await import('simple-git');
    const top = (await simpleGit({baseDir: cwd}).revparse(['--show-toplevel'])).trim();
    return top === '' ? null : top;
  } catch {
    return null;
  }
}
