import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {committedState} from './committed-file.js';
import type {DoctorFinding} from './doctor-finding.js';
import {ensureRealDir, readFileNoFollow, writeFileAtomic} from '../fs/safe-fs.js';
import {parseSegment, type ParsedSegment} from './segment-file.js';

/**
 * A segment whose last line is incomplete, and what `doctor --fix` may do about it. Nothing is
 * lost either way:
 * - a file git tracks is never rewritten on doctor's own judgement (it is the repository's
 *   history). When git's version is intact and holds every complete line of the damaged file,
 *   `--fix` puts git's version back (what `git checkout -- <file>` does); otherwise doctor
 *   reports an error and says how to restore it;
 * - a file git does not track yet is set aside whole under `<scope>/state/damaged/` (git-ignored,
 *   never read as a segment), and its complete lines are written back in its place.
 */
export interface TornTailRepair {
  readonly file: string;
  /** The bytes scanned: the repair is skipped when the file changed since. */
  readonly scanned: Buffer;
  /** What the file becomes: git's version, or its complete lines (null: nothing complete, move it). */
  readonly replacement: Buffer | null;
  /** Where the untracked file's original bytes are kept; null when restoring from git. */
  readonly aside: string | null;
}

type Finding = Omit<DoctorFinding, 'fixed'>;

export async function tornTail(
  root: string,
  scopeDir: string,
  file: string,
  bytes: Buffer,
  parsed: ParsedSegment,
  nowMs: number,
): Promise<{finding: Finding; repair: TornTailRepair | null}> {
  const shown = path.relative(root, file).split(path.sep).join('/');
  const at = parsed.tornTailAt!;
  const what = `${shown}: the last line is incomplete (${bytes.length - at} bytes, left by an interrupted write)`;
  const committed = await committedState(root, file);
  if (!committed.tracked) {
    const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
    const aside = path.join(scopeDir, 'state', 'damaged', `${path.basename(file)}.${stamp}`);
    const complete = bytes.subarray(0, at);
    return {
      finding: {
        code: 'torn_tail',
        severity: 'warning',
        message: `${what}; the file is not committed: --fix keeps it whole in ${path.relative(root, aside).split(path.sep).join('/')} and writes back its ${parsed.events.length} complete event(s)`,
        path: shown,
        fixable: true,
      },
      repair: {file, scanned: bytes, replacement: complete.length > 0 ? complete : null, aside},
    };
  }
  if (committed.blob !== null && holdsEveryCompleteLine(committed.blob, bytes, at)) {
    return {
      finding: {
        code: 'torn_tail',
        severity: 'warning',
        message: `${what}; the file is committed and git's version is intact: --fix restores it from git (as \`git checkout -- ${shown}\` would)`,
        path: shown,
        fixable: true,
      },
      repair: {file, scanned: bytes, replacement: committed.blob, aside: null},
    };
  }
  return {
    finding: {
      code: 'torn_tail',
      severity: 'error',
      message: `${what}; the file is committed, and doctor never rewrites a committed file. Restore it with \`git checkout -- ${shown}\` (or an earlier version: \`git log -- ${shown}\`), then run doctor again`,
      path: shown,
      fixable: false,
    },
    repair: null,
  };
}

/** Git's version parses whole and starts with every complete line of the damaged file. */
function holdsEveryCompleteLine(blob: Buffer, damaged: Buffer, at: number): boolean {
  const parsed = parseSegment('git', blob.toString('utf8'), 'git', {tolerant: true});
  if (parsed.errors.length > 0 || parsed.tornTailAt !== null) return false;
  return blob.length >= at && blob.subarray(0, at).equals(damaged.subarray(0, at));
}

/** Applies a repair decided by `tornTail` (under the writer lock); false when the file changed. */
export async function repairTornTail(root: string, repair: TornTailRepair): Promise<boolean> {
  const current = await readFileNoFollow(repair.file);
  if (current === null || !current.equals(repair.scanned)) return false;
  if (repair.aside !== null) {
    await ensureRealDir(path.resolve(root), path.dirname(repair.aside));
    await writeFileAtomic(repair.aside, repair.scanned);
  }
  if (repair.replacement === null) await fs.rm(repair.file);
  else await writeFileAtomic(repair.file, repair.replacement);
  return true;
}
