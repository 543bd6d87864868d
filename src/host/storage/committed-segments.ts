import {existsSync} from 'node:fs';
import * as path from 'node:path';

import {StorageError} from '../fs/errors.js';

/**
 * The names of the files in `eventsDir` that git knows: in the index, or in any commit that a
 * ref or a reflog entry reaches (stashes and branches of other worktrees included). Such a file
 * may exist on another branch, so deleting it is a change that another branch's merge must
 * reconcile. Returns an empty set outside a git repository.
 */
export async function committedSegmentNames(root: string, eventsDir: string): Promise<Set<string>> {
  const {simpleGit} = await import('simple-git');
  const git = simpleGit({baseDir: root});
  let inside: boolean;
  try {
    inside = (await git.raw(['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch (error) {
    if (!hasGitAbove(root)) return new Set();
    throw new StorageError(`cannot tell which tracker segments git has committed: ${firstLine(error)}`, {
      path: root,
      hint: 'Make sure `git` runs in this repository (`git status`), then try again.',
    });
  }
  if (!inside) return new Set();
  const spec = path.relative(root, eventsDir) || '.';
  try {
    const indexed = await git.raw(['ls-files', '-z', '--', spec]);
    // `--reflog` also counts commits only a reflog reaches (an amended or reset commit).
    const logged = await git.raw(['log', '--all', '--reflog', '--format=', '--name-only', '-z', '--', spec]);
    const names = new Set<string>();
    for (const entry of `${indexed}\0${logged}`.split(/[\0\n]/)) {
      if (entry !== '') names.add(path.posix.basename(entry));
    }
    return names;
  } catch (error) {
    // A repository with no commit yet has an empty `git log`: not an error.
    if (/does not have any commits yet|bad default revision/.test(String(error))) {
      const indexed = await git.raw(['ls-files', '-z', '--', spec]);
      return new Set(
        indexed
          .split('\0')
          .filter(Boolean)
          .map((entry) => path.posix.basename(entry)),
      );
    }
    throw new StorageError(`cannot tell which tracker segments git has committed: ${firstLine(error)}`, {
      path: root,
      hint: 'Make sure `git` runs in this repository (`git status`), then try again.',
    });
  }
}

function hasGitAbove(dir: string): boolean {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, '.git'))) return true;
    if (path.dirname(at) === at) return false;
  }
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}
