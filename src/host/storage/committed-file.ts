import {execFile} from 'node:child_process';
import * as path from 'node:path';

/**
 * Whether git tracks a file, and the bytes git has for it. `doctor --fix` never rewrites or
 * deletes a tracked file on its own judgement: those bytes are the repository's history, shared
 * with every clone. It may only put git's own version back.
 */
export type CommittedState =
  {readonly tracked: false} | {readonly tracked: true; readonly blob: Buffer | null};

/** Bounded: doctor must finish even when git hangs on a lock or a prompt. */
const GIT_TIMEOUT_MS = 10_000;

function git(root: string, args: string[], encoding: 'utf8' | 'buffer'): Promise<string | Buffer | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {cwd: root, encoding, timeout: GIT_TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024, windowsHide: true},
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
}

/**
 * The index's entry of `file` (what `git checkout -- <file>` would put back): untracked when git
 * knows nothing of it (or there is no git), tracked with `blob: null` when its bytes could not be
 * read.
 */
export async function committedState(root: string, file: string): Promise<CommittedState> {
  const relative = path.relative(root, file).split(path.sep).join('/');
  const listed = await git(root, ['ls-files', '--stage', '-z', '--', relative], 'utf8');
  if (typeof listed !== 'string' || listed === '') return {tracked: false};
  // `<mode> <object> <stage>\t<path>`
  const object = /^\d+ ([0-9a-f]{40,64}) \d\t/.exec(listed)?.[1];
  if (object === undefined) return {tracked: true, blob: null};
  const blob = await git(root, ['cat-file', 'blob', object], 'buffer');
  return {tracked: true, blob: Buffer.isBuffer(blob) ? blob : null};
}
